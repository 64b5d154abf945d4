"""Pages everyone reads: the project list with its budget chart, a project's life cycle and a
milestone's. What a person may do appears on the same pages, by role: buttons come only from
``allowed_actions`` (and, for bids, scores and challenges, the services' own rules), with the
reason when an action is not possible. Never sealed bid contents before the deadline, never
personal data (acceptance shows how many service recipients took part)."""

from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Sum, prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from core import permissions as perms
from core import states
from core.display import people
from procurement import acceptance, queries, rules, services
from procurement import labels as words
from procurement.calendar import add_working_days
from procurement.forms import (
    AcceptForm,
    AwardForm,
    ChallengeForm,
    EvaluatorForm,
    InspectForm,
    InviteForm,
    PanelForm,
    ReasonForm,
    RecoveryForm,
    ReportForm,
    ResolveForm,
    RetenderForm,
    ReviewForm,
    TerminateForm,
    WriteOffForm,
    default_deadline,
    small_value_hint,
)
from procurement.models import (
    INVITATION_METHODS,
    SMALL_VALUE_METHODS,
    SMALL_VALUE_MIN_INVITEES,
    Award,
    BidDocument,
    Category,
    Challenge,
    Contract,
    Evidence,
    InspectionPhoto,
    Method,
    Project,
    Score,
)
from procurement.scoring import rank_bids
from procurement.services.routes import needs_review
from procurement.views import common, roles
from registry.choices import Grade, Specialty


def budget_chart(projects) -> dict:
    """ECharts option: budget, awarded and paid per category, over the projects listed (three
    aggregate queries whatever the number of projects)."""
    ids = projects.values("pk")
    budget = dict(
        Project.objects.filter(pk__in=ids)
        .values_list("category")
        .annotate(total=Sum("budget_amount"))
        .order_by()
    )
    awarded = dict(
        Award.objects.filter(project__in=ids, status=Award.Status.ACTIVE)
        .values_list("project__category")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    paid = dict(
        Contract.objects.filter(project__in=ids)
        .values_list("project__category")
        .annotate(total=Sum("paid_amount"))
        .order_by()
    )
    keys = [c for c in Category.values if c in budget]
    labels = dict(Category.choices)

    def series(name: str, data: dict) -> dict:
        return {
            "name": name,
            "type": "bar",
            "data": [float(data.get(k) or Decimal(0)) for k in keys],
        }

    return {
        "tzMoney": True,
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 8, "bottom": 8, "top": 36, "containLabel": True},
        "xAxis": {"type": "category", "data": [str(labels[k]) for k in keys]},
        "yAxis": {"type": "value"},
        "series": [
            series(pgettext("procurement chart", "Budget"), budget),
            series(pgettext("procurement chart", "Awarded"), awarded),
            series(pgettext("procurement chart", "Paid"), paid),
        ],
    }


def project_list(request):
    projects = queries.visible_projects(request.user).order_by("-published_at", "-id")
    status = request.GET.get("status", "")
    method = request.GET.get("method", "")
    if status in Project.Status.values:
        projects = projects.filter(status=status)
    if method in Method.values:
        projects = projects.filter(method=method)
    page = Paginator(projects, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "procurement/project_list.html",
        {
            "page": page,
            "projects": page.object_list,
            "statuses": Project.Status.choices,
            "methods": Method.choices,
            "status": status,
            "method": method,
            "chart": budget_chart(projects),
            "can_create": perms.is_official(request.user),
            "specialties": dict(Specialty.choices),
            "grades": dict(Grade.choices),
        },
    )


def minimum_period(project: Project) -> dict | None:
    """The legal minimum period of the method and the earliest deadline it allows if the notice
    were published now (None: emergency procurement has none)."""
    rule = rules.MINIMUM_PERIOD[project.method]
    if rule is None:
        return None
    number, kind = rule
    now = timezone.now()
    if kind == rules.CALENDAR_DAYS:
        earliest = now + timezone.timedelta(days=number)
    else:
        earliest = add_working_days(now, number)
    return {"number": number, "working": kind == rules.WORKING_DAYS, "earliest": earliest}


def _ranking(project: Project, bids: list, scores: list) -> list[dict]:
    ranked = rank_bids(
        evaluation_method=project.evaluation_method,
        bids=[b for b in bids if b.status == "submitted"],
        criteria=list(project.criteria.all()),
        scores=scores,
        panel=list(project.panel.values_list("expert_id", flat=True)),
    )
    names = {b.pk: b.organization.name for b in bids}
    return [
        {
            "bid": r.bid_id,
            "rank": r.rank,
            "name": names.get(r.bid_id, ""),
            "price": r.price,
            "total": r.total,
        }
        for r in ranked
    ]


def _route(project: Project) -> dict:
    """The small-value route as the draft's page proposes it (procurement.rules)."""
    proposal = rules.proposed_methods(project.budget_amount)
    return {
        "hint": small_value_hint(),
        "proposal": ""
        if project.method in proposal
        else "、".join(str(Method(m).label) for m in proposal),
    }


def _review(user: Any, project: Project, official: bool) -> dict | None:
    """The after-the-fact review of an emergency purchase (services.routes)."""
    if project.method != Method.EMERGENCY or project.published_at is None:
        return None
    pending = needs_review(project)
    return {"pending": pending, "may_review": pending and official}


def _invitations(project: Project, official: bool) -> dict | None:
    """The invitees of a method that takes invitations; officials invite more while the tender
    is a draft or still open (services.routes.invite_suppliers' rule)."""
    if project.method not in INVITATION_METHODS:
        return None
    open_now = project.status == Project.Status.DRAFT or (
        project.status == Project.Status.TENDERING and project.is_sealed
    )
    return {
        "rows": list(project.invitees.all()),
        "minimum": SMALL_VALUE_MIN_INVITEES if project.method in SMALL_VALUE_METHODS else 0,
        "may_invite": official and open_now,
    }


def project_detail(request, pk: int):
    project = common.project_or_404(request, pk)
    user = request.user
    official = perms.is_official_for(user, project.region_code)
    award = project.active_awards[0] if project.active_awards else None
    contract = getattr(project, "contract", None)
    awarded_ever = award is not None or project.status in ("implementing", "accepted", "closed")
    panel_expert = queries.is_panel_expert(user, project)

    # Bids: the rows this person may list; contents only where the sealing rule allows.
    bids = []
    if user.is_authenticated:
        bids = list(queries.visible_bids(user, project))
        for b in bids:
            # The sealing rule, and on this page the buyer reads the bids once they are opened
            # (after the deadline, before opening, the rows stay marked sealed).
            b.readable = queries.can_read_contents(user, b, project) and (
                project.opened_at is not None or perms.is_member_of(user, b.organization_id)
            )
        # The proposal files: sealed like the bid (queries.readable_documents), one query.
        with_files = queries.readable_documents(user, project, bids)
        prefetch_related_objects([b for b in bids if b.pk in with_files], "documents")
        for b in bids:
            b.files = list(b.documents.all()) if b.pk in with_files else None
    groups = queries.same_representative_groups(project) if official and bids else []

    # Scores: per expert after the award for everyone; before, the officials see them once
    # the bids are open (they award on them).
    scores, ranking = [], []
    if awarded_ever or (official and project.opened_at):
        scores = list(
            Score.objects.filter(project=project)
            .select_related("expert", "criterion", "bid__organization")
            .prefetch_related(people("expert"))
            .order_by("bid_id", "expert_id", "criterion_id")
        )
        all_bids = bids if official else list(project.bids.select_related("organization"))
        ranking = _ranking(project, all_bids, scores)

    challenges = (
        list(
            Challenge.objects.filter(project=project)
            .select_related("organization")
            .order_by("id")
            .filter(
                **({} if official else {"organization_id__in": list(perms.organization_ids(user))})
            )
        )
        if user.is_authenticated
        else []
    )

    milestones = list(contract.milestones.all()) if contract else []
    clawback = getattr(contract, "clawback", None) if contract else None
    draft = project.status == Project.Status.DRAFT
    # The services' own rules (challenges, clawbacks and drafts have no Actions declaration).
    for c in challenges:
        c.may_resolve = official and c.status == Challenge.Status.OPEN
    # one pass of the guards for the buttons and the reasons (as on the milestone page)
    outcomes = states.outcomes(user, project)
    context = {
        "project": project,
        "steps": common.project_steps(project),
        "award": award,
        "contract": contract,
        "bids": bids,
        "same_rep": {i for g in groups for i in g},
        "scores": scores,
        "ranking": ranking,
        "challenges": challenges,
        "milestones": milestones,
        "clawback": clawback,
        "recoveries": list(clawback.recoveries.all()) if clawback else [],
        "write_offs": list(clawback.write_offs.all()) if clawback else [],
        "write_off_form": WriteOffForm(),
        "route": _route(project) if draft else None,
        "review": _review(user, project, official),
        "review_form": ReviewForm(),
        "invitations": _invitations(project, official),
        "invite_form": InviteForm() if official else None,
        "official": official,
        "panel_expert": panel_expert,
        "conflict_flags": services.conflict_flags(project)
        if project.published_at and official
        else [],
        "labels": common.ACTION_LABELS,
        "actions": [name for name, error in outcomes.items() if error is None],
        "why": common.reasons_to_show(user, project, outcomes),
        "minimum_period": minimum_period(project) if draft else None,
        "emergency_draft": draft and project.method == Method.EMERGENCY,
        "may_edit": official and draft,
        "may_recover": official and clawback is not None and clawback.status == "open",
        "specialties": dict(Specialty.choices),
        "grades": dict(Grade.choices),
        # forms of the actions that take input
        "panel_form": PanelForm(),
        "award_form": AwardForm(),
        "reason_form": ReasonForm(),
        "retender_form": RetenderForm(initial={"tender_end": default_deadline(40)}),
        "terminate_form": TerminateForm(),
        "resolve_form": ResolveForm(),
        "recovery_form": RecoveryForm(initial={"recovered_on": timezone.localdate()}),
        "supplier": roles.supplier_state(user, project, bids),
        "challenge_form": ChallengeForm(organizations=roles.bidder_organizations(user, project)),
    }
    return render(request, "procurement/project_detail.html", context)


@require_safe
def milestone_detail(request, pk: int):
    return milestone_page(request, pk)


def milestone_page(request, pk: int, *, status: int = 200, **forms):
    """The milestone page; ``forms`` replace the empty ones (a form sent with errors is shown
    again in place, with ``status`` 400)."""
    milestone = common.milestone_or_404(request, pk)
    contract = milestone.contract
    project = contract.project
    user = request.user
    official = perms.is_official_for(user, project.region_code)
    member = perms.is_member_of(user, contract.supplier_id)
    checker = queries.may_see_confirmations(user, milestone)
    indicators = list(milestone.indicators.all())
    reports = list(
        milestone.reports.prefetch_related("evidence").select_related("submitted_by").order_by("id")
    )
    inspections = list(
        milestone.inspections.prefetch_related("photos", people("inspector"))
        .select_related("inspector", "organization")
        .order_by("id")
    )
    names = {str(s.pk): s for s in indicators}
    for r in reports:
        r.rows = [(names.get(k), v) for k, v in r.values.items() if k in names]
    for i in inspections:
        i.rows = [words.inspection_row(r) for r in i.results]
    acceptances = list(milestone.acceptances.order_by("id"))
    for a in acceptances:
        a.rows = [words.inspection_row(r) for r in a.results]
    # one pass of the guards for the buttons and the reasons, sharing the reads above
    facts = acceptance.MilestoneFacts(milestone, reports=reports)
    outcomes = states.outcomes(user, milestone, facts=facts)
    return render(
        request,
        "procurement/milestone_detail.html",
        {
            "milestone": milestone,
            "contract": contract,
            "project": project,
            "steps": common.milestone_steps(milestone),
            "indicators": indicators,
            "reports": reports,
            "inspections": inspections,
            "acceptances": acceptances,
            "payment": getattr(milestone, "payment", None),
            "private": official or member or checker,
            "checker": checker,
            "flag_labels": words.EVIDENCE_FLAGS,
            "confirmations": list(milestone.confirmations.order_by("id")) if checker else [],
            "sample": facts.summary,
            "labels": common.ACTION_LABELS,
            "actions": [name for name, error in outcomes.items() if error is None],
            "why": common.reasons_to_show(user, milestone, outcomes),
            "report_form": ReportForm(indicators=indicators),
            "inspect_form": InspectForm(indicators=indicators),
            "accept_form": AcceptForm(),
            "evaluator_form": EvaluatorForm(),
            **forms,
        },
        status=status,
    )


@require_safe
def bid_document(request, pk: int):
    """A file of a bid's proposal, for whom ``queries.can_read_documents`` allows (404 for
    everyone else: a sealed bid's files are not admitted to exist)."""
    row = get_object_or_404(
        BidDocument.objects.select_related("bid__project", "bid__organization"), pk=pk
    )
    if not queries.can_read_documents(request.user, row.bid, row.bid.project):
        raise Http404
    return FileResponse(
        row.file.open("rb"),
        content_type=row.content_type,
        as_attachment=True,
        filename=row.original_name,
    )


@require_safe
def evidence_file(request, kind: str, pk: int):
    """A report's evidence (the copy without metadata), its original (EXIF kept: officials of
    the buyer and the assigned evaluator only) or an inspection photo: the project's officials,
    the evaluator and the supplier's members (the files are never served directly)."""
    if kind in ("evidence", "original"):
        row = get_object_or_404(
            Evidence.objects.select_related("report__milestone__contract__project"), pk=pk
        )
        milestone = row.report.milestone
        file = row.original if kind == "original" else row.file
    else:
        row = get_object_or_404(
            InspectionPhoto.objects.select_related("inspection__milestone__contract__project"),
            pk=pk,
        )
        milestone = row.inspection.milestone
        file = row.file
    user = request.user
    checker = queries.may_see_confirmations(user, milestone)
    # the original (EXIF time and GPS) is the checkers' only; the copy the supplier's too
    if not (
        checker or (kind != "original" and perms.is_member_of(user, milestone.contract.supplier_id))
    ):
        raise Http404
    if not file:
        raise Http404
    return FileResponse(file.open("rb"), content_type=row.content_type)
