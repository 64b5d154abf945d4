"""The supplier's pages: tenders its organization may bid on, its sealed bid (submit, replace,
withdraw before the deadline), a challenge of the award, and milestone reports with photos."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core import permissions as perms
from procurement import queries, services
from procurement.forms import BidForm, ChallengeForm, ReportForm
from procurement.models import Bid, Project
from procurement.services.bids import can_bid
from procurement.views import common
from registry.choices import Grade, Specialty
from registry.models import Organization
from registry.queries import acting_organizations


def bidder_organizations(user: Any, project: Project) -> list[Organization]:
    """The organizations this person may act for that bid on the project (a challenge's
    "act for" choice)."""
    if not user.is_authenticated:
        return []
    mine = acting_organizations(user)
    if not mine:
        return []
    bidders = set(
        project.bids.filter(organization__in=mine).values_list("organization_id", flat=True)
    )
    return [o for o in mine if o.pk in bidders]


def supplier_state(user: Any, project: Project, bids: list[Bid]) -> dict | None:
    """What the supplier's part of a project page shows: its bids, whether it may bid now (and
    why not), whether it may challenge. None for people who act for no organization."""
    if not user.is_authenticated or perms.is_official_for(user, project.region_code):
        return None
    orgs = acting_organizations(user)
    if not orgs:
        return None
    mine = [b for b in bids if b.organization_id in {o.pk for o in orgs}]
    open_now = project.status == Project.Status.TENDERING and project.is_sealed
    for b in mine:  # withdraw_bid's rule: a submitted bid, while the tender is open
        b.may_withdraw = open_now and b.status == Bid.Status.SUBMITTED
    eligible = [o for o in orgs if can_bid(project, o)] if open_now else []
    why = ""
    if not open_now:
        why = _("The tender is not open for bids.")
    elif not eligible:
        why = _("Your organization is not eligible for this tender.")
    award = project.active_awards[0] if project.active_awards else None
    challenge_why = ""
    if award is None or project.status != Project.Status.AWARDED:
        challenge_why = _("There is no award to challenge.")
    elif timezone.now() >= award.standstill_ends_at:
        challenge_why = _("The stand-still period is over.")
    return {
        "bids": mine,
        "may_bid": bool(eligible),
        "why": why,
        "open": open_now,
        "may_challenge": not challenge_why and bool(mine),
        "challenge_why": challenge_why if mine else "",
    }


@require_safe
@login_required
def tenders(request):
    """可投标项目: open tenders one of the person's organizations is eligible for."""
    orgs = acting_organizations(request.user)
    projects = list(queries.tenders_open_to([o.pk for o in orgs]).order_by("tender_end", "id"))
    mine = {
        b.project_id: b
        for b in Bid.objects.filter(
            project__in=[p.pk for p in projects], organization__in=orgs
        ).order_by("id")
    }
    for p in projects:
        p.my_bid = mine.get(p.pk)
    return render(
        request,
        "procurement/tenders.html",
        {
            "projects": projects,
            "organizations": orgs,
            "specialties": dict(Specialty.choices),
            "grades": dict(Grade.choices),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def bid(request, pk: int):
    """Submit the sealed bid, or replace it while the tender is open (one bid per organization:
    sending again edits the same bid)."""
    project = common.project_or_404(request, pk)
    orgs = list(acting_organizations(request.user))
    existing = (
        Bid.objects.filter(project=project, organization__in=orgs).order_by("id").first()
        if orgs
        else None
    )
    if request.method == "POST":
        form = BidForm(request.POST, organizations=orgs)
        if form.is_valid():
            d = form.cleaned_data
            done = common.run_service(
                request,
                services.submit_bid,
                form=form,
                success=_("Your sealed bid was submitted. Nobody can read it before the deadline."),
                project=project,
                organization=d["organization"],
                price=d["price"],
                proposal=d["proposal"],
                team_size=d["team_size"],
            )
            if done is not None:
                return common.to_project(project.pk, "my-bid")
    else:
        initial = {}
        if existing is not None:
            initial = {
                "price": existing.price,
                "proposal": existing.proposal,
                "team_size": existing.team_size,
                "organization": existing.organization_id,
            }
        form = BidForm(initial=initial, organizations=orgs)
    return render(
        request,
        "procurement/bid_form.html",
        {"project": project, "form": form, "existing": existing},
    )


@require_POST
@login_required
def withdraw(request, pk: int):
    bid_row = get_object_or_404(
        Bid.objects.select_related("project"),
        pk=pk,
        organization_id__in=list(perms.organization_ids(request.user)),
    )
    common.run_service(
        request, services.withdraw_bid, success=_("Your bid was withdrawn."), bid=bid_row
    )
    return common.to_project(bid_row.project_id, "my-bid")


@require_POST
@login_required
def challenge(request, pk: int):
    project = common.project_or_404(request, pk)
    form = ChallengeForm(request.POST, organizations=bidder_organizations(request.user, project))
    if form.is_valid():
        common.run_service(
            request,
            services.file_challenge,
            success=_("Your challenge was filed; the buyer must answer it before signing."),
            project=project,
            organization=form.cleaned_data["organization"],
            reason=form.cleaned_data["reason"],
        )
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return common.to_project(project.pk, "challenges")


@require_POST
@login_required
def report(request, pk: int):
    """The supplier reports a milestone: what was delivered, a value per indicator, photos."""
    milestone = common.milestone_or_404(request, pk)
    indicators = list(milestone.indicators.all())
    form = ReportForm(request.POST, request.FILES, indicators=indicators)
    if form.is_valid():
        d = form.cleaned_data
        photos = d["evidence"]
        done = common.run_service(
            request,
            services.report_progress,
            form=form,
            success=_("Progress reported; the buyer will inspect and accept it."),
            milestone=milestone,
            summary=d["summary"],
            values=form.indicator_values(),
            evidence=photos,
            taken_at=[d["taken_at"]] * len(photos) if d["taken_at"] else None,
        )
        if done is not None:
            return common.to_milestone(milestone.pk)
    return render_milestone_with(request, milestone, report_form=form)


def render_milestone_with(request, milestone, **forms):
    """The milestone page again with a form's errors in place (400)."""
    from procurement.views.public import milestone_page

    return milestone_page(request, milestone.pk, status=400, **forms)
