"""The supplier's pages: tenders its organization may bid on, its sealed bid (submit, replace,
withdraw before the deadline), a challenge of the award, and milestone reports with photos."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core import permissions as perms
from procurement import queries, services
from procurement.debarment import debarments
from procurement.forms import BidForm, ChallengeForm, ReportForm
from procurement.models import Bid
from procurement.views import common, roles
from procurement.views.public import milestone_page
from registry.choices import Grade, Specialty
from registry.queries import acting_organizations


@require_safe
@login_required
def tenders(request):
    """可投标项目: open tenders one of the person's organizations is eligible for."""
    orgs = acting_organizations(request.user)
    # a debarred organization reads why its list is empty (procurement.debarment)
    barred = debarments(o.pk for o in orgs)
    projects = list(
        queries.tenders_open_to([o.pk for o in orgs], barred=barred).order_by("tender_end", "id")
    )
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
            "debarred": [barred[o.pk].reason for o in orgs if barred[o.pk].debarred],
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
        Bid.objects.filter(project=project, organization__in=orgs)
        .prefetch_related("documents")
        .order_by("id")
        .first()
        if orgs
        else None
    )
    if request.method == "POST":
        form = BidForm(request.POST, request.FILES, organizations=orgs)
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
                documents=d["documents"],
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
    # No dead form: when the service would refuse (debarred, not eligible, closed), say why.
    state = roles.supplier_state(request.user, project, [existing] if existing else [])
    refused = "" if state is None or state["may_bid"] else state["why"]
    return render(
        request,
        "procurement/bid_form.html",
        {"project": project, "form": form, "existing": existing, "refused": refused},
        status=400 if request.method == "POST" else 200,
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
    form = ChallengeForm(
        request.POST, organizations=roles.bidder_organizations(request.user, project)
    )
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
    """The supplier reports a milestone: what was delivered, a value per indicator, photos,
    documents and the service recipients served."""
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
            evidence=photos + d["documents"],
            taken_at=[d["taken_at"]] * len(photos) if d["taken_at"] else None,
            recipients=form.recipient_rows(),
        )
        if done is not None:
            return common.to_milestone(milestone.pk)
    return milestone_page(request, milestone.pk, status=400, report_form=form)
