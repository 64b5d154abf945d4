"""Evaluation: the expert panel draw, scoring, award, and challenges during the stand-still."""

import secrets
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import states, words
from core.display import display_name, prime
from core.roles import Role
from core.states import InvalidTransition, check_transition
from core.versions import bump
from procurement import calendar, ocds, rules
from procurement.actions import PROJECT
from procurement.conflicts import bidder_org_ids, conflicted_experts, counts_as_conflict
from procurement.models import (
    Award,
    Bid,
    Challenge,
    Criterion,
    CriterionKind,
    PanelDraw,
    PanelMember,
    Project,
    Score,
)
from procurement.scoring import rank_bids
from procurement.services.common import (
    move,
    record,
    require_official_for,
    tell_officials,
    tell_organizations,
)
from registry.models import Membership, Organization
from registry.queries import acting_organization


def conflict_flags(project: Project, expert_ids=None) -> list[dict[str, Any]]:
    """Experts who joined a bidding organization after publication at someone else's invitation:
    not excluded from the panel, but shown to the buyer (project page, API, alert at the draw
    and when it happens). ``expert_ids`` narrows to those users; by default every expert."""
    if project.published_at is None:
        return []
    experts = Membership.objects.filter(role=Role.EXPERT).values("user_id")
    rows = (
        Membership.objects.filter(
            organization_id__in=bidder_org_ids(project),
            user_id__in=list(expert_ids) if expert_ids is not None else experts,
        )
        .exclude(counts_as_conflict(project))
        .select_related("user", "organization", "invited_by")
        .order_by("user_id", "organization_id")
    )
    return [
        {
            "expert": m.user_id,
            "expert_name": display_name(m.user),
            "organization": m.organization_id,
            "organization_name": m.organization.name,
            "joined_at": m.created_at,
            "invited_by": display_name(m.invited_by) if m.invited_by else None,
        }
        for m in rows
    ]


def flag_expert_joining(membership: Membership) -> None:
    """A person accepted someone else's invitation (registry's ``membership_joined`` hook): when
    they are an expert and the organization bids on a tender published before, tell the buyer
    and audit it, inside the registry's transaction."""
    if membership.invited_by_id in (None, membership.user_id):
        return
    if not Membership.objects.filter(user_id=membership.user_id, role=Role.EXPERT).exists():
        return
    projects = Project.objects.filter(
        bids__organization_id=membership.organization_id,
        bids__status=Bid.Status.SUBMITTED,
        published_at__lt=membership.created_at,
        status__in=[Project.Status.TENDERING, Project.Status.EVALUATING],
    ).distinct()
    for project in projects:
        _flag(project, conflict_flags(project, [membership.user_id]), by=membership.user)


def _flag(project: Project, flags: list[dict[str, Any]], *, by: Any) -> None:
    """Audit each flag and alert the buying officials once."""
    if not flags:
        return
    for flag in flags:
        record(
            project,
            by=by,
            action="expert_flagged",
            reason=_("Joined a bidding organization after publication, invited by another."),
            data={k: v for k, v in flag.items() if k != "joined_at"}
            | {"joined_at": flag["joined_at"].isoformat()},
        )
    tell_officials(
        project,
        title=lambda: (
            _("Experts joined a bidder after publication: %(title)s") % {"title": project.title}
        ),
        body=lambda: "\n".join(
            _("%(expert)s joined %(org)s on %(date)s, invited by %(by)s.")
            % {
                "expert": f["expert_name"],
                "org": f["organization_name"],
                "date": words.date_text(f["joined_at"]),
                "by": f["invited_by"] or "—",
            }
            for f in flags
        ),
        by=by,
        level="yellow",
    )


def _require_evaluating(project: Project) -> None:
    if project.status != Project.Status.EVALUATING:
        raise InvalidTransition(_("The project is not under evaluation."))


@transaction.atomic
def draw_panel(*, project: Project, by: Any, size: int = 3) -> PanelDraw:
    """An official draws an odd number (at least 3) of experts at random from the expert pool;
    experts whose membership of a bidding organization is a conflict (``_counts_as_conflict``)
    are refused. Draw and refusals audited; selected experts who joined a bidder after
    publication at someone else's invitation are flagged to the buyer (audit + alert)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    PROJECT.check("panel", by, project, size=size)
    if size < 3 or size % 2 == 0:
        raise ValidationError({"size": [_("The panel needs an odd number of at least 3 experts.")]})
    pool = sorted(
        set(Membership.objects.filter(role=Role.EXPERT).values_list("user_id", flat=True))
    )
    conflicts = conflicted_experts(project, pool)
    order = list(pool)
    secrets.SystemRandom().shuffle(order)
    selected, refused = [], []
    for user_id in order:
        if len(selected) == size:
            break
        (refused if user_id in conflicts else selected).append(user_id)
    if len(selected) < size:
        raise ValidationError(
            {
                "size": [
                    _("The expert pool has only %(n)s experts without a conflict of interest.")
                    % {"n": len(selected)}
                ]
            }
        )
    project.panel.all().delete()
    draw = PanelDraw.objects.create(
        project=project,
        size=size,
        pool=pool,
        order=order,
        selected=selected,
        refused=refused,
        drawn_by=by,
    )
    PanelMember.objects.bulk_create(
        PanelMember(project=project, expert_id=e, draw=draw) for e in selected
    )
    bump("procurement")  # bulk_create sends no signal
    record(
        draw,
        project=project,
        by=by,
        action="panel_drawn",
        data={"pool": pool, "order": order, "selected": selected, "refused": refused},
    )
    for user_id in refused:
        record(
            draw,
            project=project,
            by=by,
            action="expert_refused",
            reason=_("Conflict of interest: member of a bidding organization."),
            data={"expert": user_id},
        )
    _flag(project, conflict_flags(project, selected), by=by)
    return draw


def submit_score(
    *, project: Project, by: Any, bid: Bid, criterion: Criterion, score: Decimal, comment: str = ""
) -> Score:
    """An expert on the panel, with no conflict of interest, scores a valid bid on a non-price
    criterion (0 .. the criterion's weight). A conflicted expert is refused and that is audited."""
    if conflicted_experts(project, [by.pk]):
        with transaction.atomic():
            record(
                project,
                by=by,
                action="expert_refused",
                reason=_("Conflict of interest: member of a bidding organization."),
                data={"expert": by.pk},
            )
        raise PermissionDenied(_("You are a member of a bidding organization and must withdraw."))
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        if not project.panel.filter(expert=by).exists():
            raise PermissionDenied(_("Only experts on this project's panel may score."))
        _require_evaluating(project)
        errors = {}
        if bid.project_id != project.pk or bid.status != Bid.Status.SUBMITTED:
            errors["bid"] = [_("Not a valid bid of this project.")]
        if criterion.project_id != project.pk or criterion.kind == CriterionKind.PRICE:
            errors["criterion"] = [_("Experts score the non-price criteria of this project.")]
        elif not (0 <= score <= criterion.weight):
            errors["score"] = [
                _("The score must be between 0 and %(w)s.") % {"w": criterion.weight}
            ]
        if errors:
            raise ValidationError(errors)
        row, _created = Score.objects.update_or_create(
            bid=bid,
            criterion=criterion,
            expert=by,
            defaults={"project": project, "score": score, "comment": comment},
        )
        record(
            row,
            project=project,
            by=by,
            action="scored",
            data={"bid": bid.pk, "criterion": criterion.pk, "score": str(score)},
        )
        return row


def ranking(project: Project):
    bids = list(project.bids.filter(status=Bid.Status.SUBMITTED))
    return rank_bids(
        evaluation_method=project.evaluation_method,
        bids=bids,
        criteria=list(project.criteria.all()),
        scores=list(project.scores.all()),
        panel=list(project.panel.values_list("expert_id", flat=True)),
    )


@transaction.atomic
def award(*, project: Project, by: Any, bid: Bid, reason: str = "") -> Award:
    """An official awards the top-ranked bid (any other needs a written reason); the award is
    published and the stand-still period of 7 working days starts."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    PROJECT.check("award", by, project, bid=bid)
    ranked = ranking(project)
    top = ranked[0].bid_id
    if bid.pk != top and not reason.strip():
        raise ValidationError(
            {"reason": [_("Awarding a bid other than the top-ranked one needs a written reason.")]}
        )
    now = timezone.now()
    panel = list(project.panel.select_related("expert"))
    prime(m.expert for m in panel)
    experts = [display_name(m.expert) for m in panel]
    row = Award.objects.create(
        project=project,
        bid=bid,
        amount=bid.price,
        is_top_ranked=bid.pk == top,
        reason=reason,
        experts=experts,
        awarded_by=by,
        awarded_at=now,
        standstill_ends_at=calendar.add_working_days(now, rules.standstill_working_days()),
    )
    move(
        project,
        Project.Status.AWARDED,
        by=by,
        action="awarded",
        reason=reason,
        data={
            "bid": bid.pk,
            "top_ranked": top,
            "amount": str(bid.price),
            "ranking": [{"bid": r.bid_id, "total": str(r.total)} for r in ranked],
        },
    )
    ocds.publish_release(project, ["award"])
    tell_organizations(
        project,
        bidder_org_ids(project),
        by=by,
        title=lambda: _("Award published: %(title)s") % {"title": project.title},
        body=lambda: (
            _("Challenges may be filed until %(end)s.")
            % {"end": words.datetime_text(row.standstill_ends_at)}
        ),
    )
    return row


def active_award(project: Project) -> Award | None:
    return project.awards.filter(status=Award.Status.ACTIVE).select_related("bid").first()


@transaction.atomic
def file_challenge(
    *,
    project: Project,
    by: Any,
    reason: str,
    organization: int | str | Organization | None = None,
) -> Challenge:
    """A bidder challenges the award (质疑) during the stand-still; contracting waits for it. The
    challenger is ``acting_organization``'s answer (the verified organization named, or the
    user's only one): a challenge is a new filing, like a bid."""
    organization = acting_organization(by, organization)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not project.bids.filter(organization=organization).exists():
        raise PermissionDenied(_("Only bidders may challenge the award."))
    current = active_award(project)
    if project.status != Project.Status.AWARDED or current is None:
        raise InvalidTransition(_("There is no award to challenge."))
    if timezone.now() >= current.standstill_ends_at:
        raise InvalidTransition(_("The stand-still period is over."))
    if not reason.strip():
        raise ValidationError({"reason": [_("A reason is required.")]})
    challenge = Challenge.objects.create(
        project=project, award=current, organization=organization, reason=reason, filed_by=by
    )
    record(
        challenge,
        project=project,
        by=by,
        organization_id=organization.pk,
        action="challenge_filed",
        to_status=challenge.status,
        reason=reason,
    )
    tell_officials(
        project,
        by=by,
        level="yellow",
        title=lambda: _("Award challenged: %(title)s") % {"title": project.title},
        body=reason,
    )
    return challenge


@transaction.atomic
def resolve_challenge(*, challenge: Challenge, by: Any, decision: str, response: str) -> Challenge:
    """An official answers a challenge: upheld sends the project back to evaluation (the award
    is annulled); dismissed lets contracting continue."""
    challenge = Challenge.objects.select_for_update().select_related("project").get(pk=challenge.pk)
    project = challenge.project
    require_official_for(by, project)
    check_transition(Challenge.TRANSITIONS, challenge.status, decision, label=_("Challenge"))
    if not response.strip():
        raise ValidationError({"response": [_("A response is required.")]})
    resolution = {"response": response, "resolved_by": by, "resolved_at": timezone.now()}
    states.move(
        challenge,
        decision,
        by=by,
        action="procurement.challenge_resolved",
        reason=response,
        changes=resolution,
    )
    if decision == Challenge.Status.UPHELD:
        states.move(
            Award.objects.select_related("project").get(pk=challenge.award_id),
            Award.Status.ANNULLED,
            by=by,
            action="procurement.award_annulled",
            reason=response,
        )
        # The other open challenges of the annulled award are upheld with it: one row each.
        states.move_many(
            project.challenges.filter(status=Challenge.Status.OPEN).select_related("project"),
            Challenge.Status.UPHELD,
            by=by,
            action="procurement.challenge_resolved",
            reason=response,
            changes=resolution,
        )
        move(project, Project.Status.EVALUATING, by=by, action="award_annulled", reason=response)
        ocds.publish_release(project, ["awardCancellation"])
    tell_organizations(
        project,
        [challenge.organization_id],
        by=by,
        title=lambda: _("Your challenge was answered: %(title)s") % {"title": project.title},
        body=response,
    )
    return challenge
