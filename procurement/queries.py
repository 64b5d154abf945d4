"""Read paths shared by the pages and the API, each a fixed number of queries."""

from collections import defaultdict
from typing import Any

from django.db.models import (
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from core import permissions as perms
from core import statements
from procurement.models import (
    Award,
    Bid,
    Clawback,
    Contract,
    Milestone,
    PanelMember,
    Project,
    Release,
)

# Submitted bids of one project: a scalar subquery (COUNT as a plain function, no GROUP BY).
# As a Count over a join it grouped every published project before the page's LIMIT, and the
# list's count query had to group them too (docs/public-reads.md, "Planner costs").
_SUBMITTED_BIDS = (
    Bid.objects.filter(project=OuterRef("pk"), status=Bid.Status.SUBMITTED)
    .order_by()
    .values(n=Func(F("id"), function="COUNT", output_field=IntegerField()))
)


def _with_details(qs: QuerySet[Project]) -> QuerySet[Project]:
    return (
        qs.select_related("buyer", "incident")
        .annotate(bid_count=Coalesce(Subquery(_SUBMITTED_BIDS), Value(0)))
        .prefetch_related(
            "service_standards",
            "criteria",
            "invitees",
            Prefetch(
                "awards",
                queryset=Award.objects.filter(status=Award.Status.ACTIVE).select_related(
                    "bid__organization"
                ),
                to_attr="active_awards",
            ),
            Prefetch(
                "contract__milestones",
                queryset=Milestone.objects.prefetch_related("indicators", "acceptances"),
            ),
            "contract__supplier",
            "contract__clawback",
        )
    )


# Constant querysets for core.statements.rows_in (compiled once per number of ids).
_INVITEES = Project.invitees.through.objects.order_by("organization__name", "organization__id")
_ACTIVE_AWARDS = Award.objects.filter(status=Award.Status.ACTIVE)
_CONTRACTS = Contract.objects.all()


def page_details(ids: list[int]) -> tuple[dict[int, list[int]], list[Award], list[Contract]]:
    """For a page of projects (the list's cold path): each project's invitee ids, in the
    organizations' order; the active awards (Award's order) and the contracts, read with what
    their serializers need. The invitees and which projects have an award or a contract come
    from statements compiled once (``core.statements.rows_in``); the award and contract
    querysets are built and run only for those projects: a page of tenders costs three small
    queries, any page at most five plus the contracts' prefetches, whatever its size."""
    invitees: dict[int, list[int]] = {pk: [] for pk in ids}
    if not ids:
        return invitees, [], []
    for row in statements.rows_in(_INVITEES, "project_id", ["project_id", "organization_id"], ids):
        invitees[row["project_id"]].append(row["organization_id"])

    def having(queryset: QuerySet) -> list[int]:
        return sorted(
            {
                r["project_id"]
                for r in statements.rows_in(queryset, "project_id", ["project_id"], ids)
            }
        )

    awards: list[Award] = []
    if awarded := having(_ACTIVE_AWARDS):
        awards = list(
            _ACTIVE_AWARDS.filter(project_id__in=awarded).select_related("bid__organization")
        )
    contracts: list[Contract] = []
    if contracted := having(_CONTRACTS):
        contracts = list(
            Contract.objects.filter(project_id__in=contracted).prefetch_related(
                Prefetch(
                    "milestones",
                    queryset=Milestone.objects.prefetch_related("indicators", "acceptances"),
                ),
                "supplier",
                "clawback",
            )
        )
    return invitees, awards, contracts


def public_projects() -> QuerySet[Project]:
    """Everything the public may see: published projects (drafts are internal)."""
    return _with_details(Project.objects.filter(published_at__isnull=False))


def visible_projects(user: Any) -> QuerySet[Project]:
    """Published projects, plus drafts in the official's jurisdiction."""
    prefixes = perms.jurisdiction_prefixes(user)
    condition = Q(published_at__isnull=False)
    for prefix in prefixes:
        condition |= Q(region_code__startswith=prefix)
    return _with_details(Project.objects.filter(condition))


def open_tenders() -> QuerySet[Project]:
    return public_projects().filter(status=Project.Status.TENDERING)


def is_panel_expert(user: Any, project: Project) -> bool:
    return (
        bool(user.is_authenticated)
        and PanelMember.objects.filter(project=project, expert=user).exists()
    )


def visible_bids(user: Any, project: Project) -> QuerySet[Bid]:
    """Which bid rows a user may list: bidders their own; the project's officials all of them;
    panel experts all valid bids once the bids are opened. Contents are sealed separately."""
    qs = Bid.objects.filter(project=project).select_related("organization").order_by("id")
    if perms.is_official_for(user, project.region_code):
        return qs
    if project.opened_at and is_panel_expert(user, project):
        return qs.filter(status=Bid.Status.SUBMITTED)
    return qs.filter(organization_id__in=perms.organization_ids(user))


def can_read_contents(user: Any, bid: Bid, project: Project) -> bool:
    """Before the deadline only the bidder reads price and proposal; afterwards the project's
    officials and its panel experts do too."""
    if perms.is_member_of(user, bid.organization_id):
        return True
    return not project.is_sealed


def readable_documents(user: Any, project: Project, bids: list[Bid]) -> set[int]:
    """The bids (ids) whose proposal files this person may read, sealed like the bids: the
    bidder's members at any time; the project's officials and its panel experts (valid bids
    only, as ``visible_bids``) once the deadline has passed and the bids are opened; nobody
    else, never the public. At most one query, however many bids."""
    if not getattr(user, "is_authenticated", False):
        return set()
    mine = set(perms.organization_ids(user))
    readable = {b.pk for b in bids if b.organization_id in mine}
    if project.opened_at is None or project.is_sealed:
        return readable
    if perms.is_official_for(user, project.region_code):
        return {b.pk for b in bids}
    if is_panel_expert(user, project):
        readable |= {b.pk for b in bids if b.status == Bid.Status.SUBMITTED}
    return readable


def can_read_documents(user: Any, bid: Bid, project: Project) -> bool:
    return bid.pk in readable_documents(user, project, [bid])


def same_representative_groups(project: Project) -> list[list[int]]:
    """Groups of bid ids whose organizations name the same legal representative."""
    groups: dict[str, list[int]] = defaultdict(list)
    for bid_id, name in project.bids.filter(status=Bid.Status.SUBMITTED).values_list(
        "pk", "organization__legal_representative"
    ):
        if name and name.strip():
            groups[name.strip()].append(bid_id)
    return [sorted(ids) for ids in groups.values() if len(ids) > 1]


def releases_since(since) -> QuerySet[Release]:
    return Release.objects.filter(date__gte=since).order_by("date", "id")


def open_clawbacks() -> QuerySet[Clawback]:
    return Clawback.objects.filter(status=Clawback.Status.OPEN).select_related(
        "contract__supplier", "contract__project"
    )


def track_record(organization) -> dict[str, int]:
    from django.utils import timezone

    contracts = Contract.objects.filter(supplier=organization).aggregate(
        completed=Count("pk", filter=Q(status=Contract.Status.COMPLETED)),
        terminated=Count("pk", filter=Q(status=Contract.Status.TERMINATED)),
        clawbacks=Count("clawback", filter=Q(clawback__status=Clawback.Status.OPEN)),
        overdue=Count(
            "clawback",
            filter=Q(
                clawback__status=Clawback.Status.OPEN,
                clawback__due_on__lt=timezone.localdate(),
            ),
        ),
    )
    return contracts


def tenders_open_to(org_ids, *, barred: dict | None = None) -> QuerySet[Project]:
    """Published tenders still open for bids (before the deadline) that one of ``org_ids`` is
    eligible for: the specialty and grade the project asks (a current assessed capability), an
    invitation where the method requires one, and no debarment (``barred``: the answers of
    ``debarments`` when the caller has them already). Four queries (two with ``barred``);
    ``submit_bid`` decides again."""
    from django.db.models import Exists, OuterRef, Value
    from django.db.models.functions import Coalesce
    from django.utils import timezone

    from procurement.debarment import debarments
    from procurement.models import INVITATION_METHODS
    from registry.models import Capability, Organization

    ids = list(
        Organization.objects.filter(pk__in=list(org_ids), status="verified")
        .exclude(kind="agency")
        .values_list("pk", flat=True)
    )
    # a debarred organization may bid on nothing (procurement.debarment; two queries)
    barred = barred if barred is not None else debarments(ids)
    ids = [pk for pk in ids if pk in barred and not barred[pk].debarred]
    caps = Capability.objects.current().filter(organization_id__in=ids)
    open_to_all = Q(eligibility_specialty="", eligibility_min_grade__isnull=True)
    by_specialty = ~Q(eligibility_specialty="") & Q(
        Exists(
            caps.filter(
                specialty=OuterRef("eligibility_specialty"),
                assessed_grade__lte=Coalesce(OuterRef("eligibility_min_grade"), Value(99)),
            )
        )
    )
    by_grade = Q(eligibility_specialty="", eligibility_min_grade__isnull=False) & Q(
        Exists(caps.filter(assessed_grade__lte=OuterRef("eligibility_min_grade")))
    )
    invited = Exists(
        Project.invitees.through.objects.filter(project_id=OuterRef("pk"), organization_id__in=ids)
    )
    qs = open_tenders().filter(tender_end__gt=timezone.now())
    if not ids:
        return qs.none()
    return qs.filter(open_to_all | by_specialty | by_grade).filter(
        ~Q(method__in=INVITATION_METHODS) | Q(invited)
    )


def panels_of(user: Any) -> QuerySet[PanelMember]:
    """The panels an expert sits on, newest first, with the project."""
    return (
        PanelMember.objects.filter(expert=user)
        .select_related("project__buyer")
        .order_by("-project__opened_at", "-id")
    )


def supplier_organization_ids(user: Any) -> list[int]:
    """The non-agency organizations the person acts for (admin or member), any status: the
    supplier's side of the work queue (bids need a verified one; ``tenders_open_to`` checks)."""
    from core.roles import ACTING_ROLES

    return [
        m.organization_id
        for m in perms.memberships(user)
        if m.role in ACTING_ROLES and m.organization.kind != "agency"
    ]


def work_queue(user: Any) -> list[dict]:
    """``core.hooks`` work_queue items (see its docstring): one aggregate query per item."""
    from django.db.models import Min
    from django.urls import reverse

    from procurement.models import Challenge

    if not getattr(user, "is_authenticated", False):
        return []
    from django.utils.translation import gettext as _

    items: list[dict] = []
    prefixes = perms.jurisdiction_prefixes(user)
    if prefixes:
        region = Q()
        for prefix in prefixes:
            region |= Q(contract__project__region_code__startswith=prefix)
        waiting = Milestone.objects.filter(
            region,
            status__in=[Milestone.Status.REPORTED, Milestone.Status.INSPECTED],
            contract__project__status=Project.Status.IMPLEMENTING,
        ).aggregate(n=Count("pk"), oldest=Min("reports__created_at"))
        items.append(
            {
                "role": "official",
                "key": "procurement_milestones_to_inspect",
                "label": _("Milestones to inspect and accept"),
                "count": waiting["n"],
                "url": reverse("procurement:project_list") + "?status=implementing",
                "oldest": waiting["oldest"],
            }
        )
        region = Q()
        for prefix in prefixes:
            region |= Q(project__region_code__startswith=prefix)
        open_challenges = Challenge.objects.filter(region, status=Challenge.Status.OPEN).aggregate(
            n=Count("pk"), oldest=Min("created_at")
        )
        items.append(
            {
                "role": "official",
                "key": "procurement_challenges",
                "label": _("Challenges to answer"),
                "count": open_challenges["n"],
                "url": reverse("procurement:project_list") + "?status=awarded",
                "oldest": open_challenges["oldest"],
            }
        )
        items.extend(_official_follow_up(prefixes))
    org_ids = supplier_organization_ids(user)
    if org_ids:
        tenders = tenders_open_to(org_ids).exclude(
            bids__organization_id__in=org_ids, bids__status=Bid.Status.SUBMITTED
        )
        open_count = tenders.order_by().aggregate(
            n=Count("pk", distinct=True), oldest=Min("tender_end")
        )
        items.append(
            {
                "role": "organization",
                "key": "procurement_tenders",
                "label": _("Tenders you may bid on"),
                "count": open_count["n"],
                "url": reverse("procurement:tenders"),
                "oldest": None,
                "hint": _("Next deadline: %(when)s") % {"when": _deadline(open_count["oldest"])}
                if open_count["oldest"]
                else "",
            }
        )
        due = Milestone.objects.filter(
            contract__supplier_id__in=org_ids,
            contract__project__status=Project.Status.IMPLEMENTING,
            status__in=[Milestone.Status.PENDING, Milestone.Status.REJECTED],
        ).aggregate(n=Count("pk"), oldest=Min("due_at"))
        items.append(
            {
                "role": "organization",
                "key": "procurement_milestones_to_report",
                "label": _("Milestones to report"),
                "count": due["n"],
                "url": reverse("procurement:project_list") + "?status=implementing",
                "oldest": due["oldest"],
            }
        )
    evaluator_ids = [
        m.organization_id
        for m in perms.memberships(user)
        if m.organization.kind == "evaluator" and m.organization.status == "verified"
    ]
    if evaluator_ids:
        items.append(_evaluations(evaluator_ids))
    if perms.is_expert(user):
        panels = PanelMember.objects.filter(
            expert=user, project__status=Project.Status.EVALUATING
        ).aggregate(n=Count("pk"), oldest=Min("project__opened_at"))
        items.append(
            {
                "role": "expert",
                "key": "procurement_panels",
                "label": _("Panels to score"),
                "count": panels["n"],
                "url": reverse("procurement:my_panels"),
                "oldest": panels["oldest"],
            }
        )
    return items


def _official_follow_up(prefixes: list[str]) -> list[dict]:
    """The official's overdue clawbacks (to recover, write off, or leave debarring) and the
    emergency purchases waiting for their after-the-fact review, in their jurisdiction. Two
    queries each: the aggregate and the oldest row (where the official acts)."""
    from django.db.models import Min
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from procurement.models import Method

    items = []
    region = Q()
    for prefix in prefixes:
        region |= Q(contract__project__region_code__startswith=prefix)
    overdue = Clawback.objects.filter(
        region, status=Clawback.Status.OPEN, due_on__lt=timezone.localdate()
    )
    summary = overdue.aggregate(n=Count("pk"), oldest=Min("due_on"))
    oldest = (
        overdue.select_related("contract__project", "contract__supplier")
        .order_by("due_on", "pk")
        .first()
        if summary["n"]
        else None
    )
    items.append(
        {
            "role": "official",
            "key": "procurement_overdue_clawbacks",
            "label": _("Overdue clawbacks"),
            "count": summary["n"],
            "url": reverse("procurement:project_detail", args=[oldest.contract.project_id])
            + "#contract"
            if oldest
            else reverse("procurement:project_list") + "?status=terminated",
            "oldest": summary["oldest"],
            "hint": _("%(supplier)s owes %(amount)s")
            % {
                "supplier": oldest.contract.supplier.name,
                "amount": _money(oldest.outstanding),
            }
            if oldest
            else "",
        }
    )
    region = Q()
    for prefix in prefixes:
        region |= Q(region_code__startswith=prefix)
    waiting = Project.objects.filter(
        region, method=Method.EMERGENCY, published_at__isnull=False, reviewed_at__isnull=True
    )
    summary = waiting.aggregate(n=Count("pk"), oldest=Min("published_at"))
    first = waiting.order_by("published_at", "pk").first() if summary["n"] else None
    items.append(
        {
            "role": "official",
            "key": "procurement_emergency_reviews",
            "label": _("Emergency purchases to review"),
            "count": summary["n"],
            "url": reverse("procurement:project_detail", args=[first.pk]) + "#review"
            if first
            else reverse("procurement:project_list") + "?method=emergency",
            "oldest": summary["oldest"],
            "hint": first.title if first else "",
        }
    )
    return items


def _money(value) -> str:
    from core.words import money

    return money(value)


def _evaluations(evaluator_ids: list[int]) -> dict:
    """Milestones assigned to the user's evaluator organizations that are reported and not yet
    accepted: the count, the oldest report, and a link to the milestone reported longest ago."""
    from django.db.models import Min
    from django.urls import reverse
    from django.utils.translation import gettext as _

    waiting = Milestone.objects.filter(
        evaluator_id__in=evaluator_ids,
        status__in=[Milestone.Status.REPORTED, Milestone.Status.INSPECTED],
        contract__project__status=Project.Status.IMPLEMENTING,
    )
    summary = waiting.aggregate(n=Count("pk"), oldest=Min("reports__created_at"))
    first = (
        waiting.annotate(reported=Min("reports__created_at"))
        .order_by("reported", "pk")
        .values_list("pk", "title")
        .first()
    )
    return {
        "role": "evaluator",
        "key": "procurement_milestones_to_evaluate",
        "label": _("Milestones to evaluate"),
        "count": summary["n"],
        "url": reverse("procurement:milestone_detail", args=[first[0]])
        if first
        else reverse("procurement:project_list") + "?status=implementing",
        "oldest": summary["oldest"],
        **({"hint": first[1]} if first else {}),
    }


def _deadline(value) -> str:
    from core.words import datetime_text

    return datetime_text(value)


def supplier_clawbacks(organization) -> list[Clawback]:
    """The clawbacks of a supplier's contracts, open ones first (overdue before the rest), with
    their project. One query."""
    rows = list(
        Clawback.objects.filter(contract__supplier=organization)
        .select_related("contract__project")
        .order_by("due_on", "id")
    )
    order = {Clawback.Status.OPEN: 0}
    return sorted(rows, key=lambda c: (order.get(c.status, 1), not c.is_overdue, c.due_on, c.pk))


def supplier_record(organization) -> dict[str, Any]:
    """What the supplier page and ``GET /api/v1/debarments/{id}/`` show: the debarment (the one
    rule, procurement.debarment), its clawbacks and the lifts with who lifted them. Four
    queries (five with the lifting officials' roles), whatever the number of rows."""
    from core.display import people
    from procurement.debarment import debarment
    from procurement.models import DebarmentLift

    answer = debarment(organization)
    lifts = list(
        DebarmentLift.objects.filter(organization=organization)
        .select_related("lifted_by")
        .prefetch_related(people("lifted_by"))
    )
    return {
        "organization": organization.pk,
        "debarment": answer,
        "debarred": answer.debarred,
        "since": answer.since,
        "reason": answer.public_reason,
        "grounds": answer.grounds,
        "lifted_grounds": answer.lifted,
        "lifts": lifts,
        "clawbacks": supplier_clawbacks(organization),
    }


def is_evaluator_of(user: Any, milestone: Milestone) -> bool:
    """Whether ``user`` is a member of the evaluator organization assigned to the milestone."""
    return bool(milestone.evaluator_id) and perms.is_member_of(user, milestone.evaluator_id)


def may_see_confirmations(user: Any, milestone: Milestone) -> bool:
    """The sampled recipients (names, answers) and the photos' originals: officials of the
    buyer and the assigned evaluator's members; never the supplier, whose figures they check."""
    return perms.is_official_for(user, milestone.contract.project.region_code) or is_evaluator_of(
        user, milestone
    )
