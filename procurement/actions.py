"""What a person may do with a procurement project or a contract milestone: one declaration
per model (core.states.Actions). Services call ``PROJECT.check(...)``/``MILESTONE.check(...)``
before ``core.states.move``; the API's ``actions`` lists and the project page show
``allowed_actions``, so neither can promise what the service refuses.

Bids, scores and challenges are the organizations' and experts' own resources with their own
rules (procurement/services/bids.py, evaluation.py); they are not among these actions.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions as perms
from core.roles import Role
from core.states import Action, Actions, Conflict, InvalidTransition
from procurement import acceptance, calendar, rules
from procurement.conflicts import conflicted_experts
from procurement.debarment import debarments
from procurement.models import (
    INVITATION_METHODS,
    SMALL_VALUE_METHODS,
    SMALL_VALUE_MIN_INVITEES,
    Award,
    Bid,
    Challenge,
    CriterionKind,
    EvaluationMethod,
    Method,
    Milestone,
    Project,
)
from registry.models import Membership
from registry.queries import may_act_for

# --- rules the guards and the services share ---------------------------------------------------


def check_criteria(criteria: list[dict], evaluation_method: str) -> None:
    """Criterion weights sum to 100; comprehensive scoring has exactly one price criterion."""
    if not criteria:
        return
    total = sum(int(c["weight"]) for c in criteria)
    if total != 100:
        raise ValidationError(
            {
                "criteria": [
                    _("Criterion weights must sum to 100 (they sum to %(n)s).") % {"n": total}
                ]
            }
        )
    prices = [c for c in criteria if c["kind"] == CriterionKind.PRICE]
    if evaluation_method == EvaluationMethod.COMPREHENSIVE and len(prices) != 1:
        raise ValidationError(
            {"criteria": [_("Comprehensive scoring needs exactly one price criterion.")]}
        )


def minimum_period_problem(project: Project, now: dt.datetime) -> str:
    """The broken rule as a sentence, or '' when the deadline leaves the method's minimum period."""
    rule = rules.MINIMUM_PERIOD[project.method]
    if rule is None:
        return ""
    number, kind = rule
    name = project.get_method_display()
    if kind == rules.CALENDAR_DAYS:
        if project.tender_end - now < dt.timedelta(days=number):
            return _("%(method)s requires at least %(n)s days from the notice to the deadline.") % {
                "method": name,
                "n": number,
            }
    elif calendar.working_days_between(now, project.tender_end) < number:
        return _(
            "%(method)s requires at least %(n)s working days from the notice to the deadline."
        ) % {"method": name, "n": number}
    return ""


def publish_problems(project: Project, now: dt.datetime) -> dict[str, list[str]]:
    """What keeps the notice from being published, by field (empty: it may be published)."""
    errors: dict[str, list[str]] = {}
    if not project.service_standards.exists():
        errors["service_standards"] = [_("Publish needs at least one measurable indicator.")]
    criteria = list(project.criteria.values("kind", "weight"))
    if not criteria:
        errors["criteria"] = [_("Publish needs at least one evaluation criterion.")]
    else:
        try:
            check_criteria(criteria, project.evaluation_method)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    invited = list(project.invitees.values_list("pk", "name", "status", "kind"))
    invitees = len(invited)
    if project.method in INVITATION_METHODS and invitees == 0:
        errors["invitees"] = [_("This method needs invited organizations.")]
    elif project.method in SMALL_VALUE_METHODS and invitees < SMALL_VALUE_MIN_INVITEES:
        errors["invitees"] = [
            _("%(method)s invites at least %(n)s registered, verified suppliers (%(k)s now).")
            % {"method": project.get_method_display(), "n": SMALL_VALUE_MIN_INVITEES, "k": invitees}
        ]
    if project.method == Method.SINGLE_SOURCE and invitees > 1:
        errors["invitees"] = [_("Single source names exactly one supplier.")]
    if invited and project.method in INVITATION_METHODS:
        barred = debarments(pk for pk, *_rest in invited)
        unfit = [
            name
            for pk, name, status, kind in invited
            if status != "verified" or kind == "agency" or barred[pk].debarred
        ]
        if unfit:
            errors.setdefault("invitees", []).append(
                _("Not verified suppliers, or debarred: %(names)s.") % {"names": "、".join(unfit)}
            )
    errors.update(
        rules.method_problems(
            project.method, project.budget_amount, project.method_reason, project.method_reason_text
        )
    )
    if project.method == Method.EMERGENCY:
        if not project.incident or project.incident.status != "responding":
            errors["incident"] = [
                _("Emergency procurement is only allowed for an incident in response.")
            ]
    else:
        problem = minimum_period_problem(project, now)
        if problem:
            errors["tender_end"] = [problem]
    return errors


def missing_scores(project: Project) -> int:
    panel = project.panel.count()
    bids = project.bids.filter(status=Bid.Status.SUBMITTED).count()
    criteria = project.criteria.exclude(kind=CriterionKind.PRICE).count()
    return panel * bids * criteria - project.scores.filter(bid__status=Bid.Status.SUBMITTED).count()


# --- project guards ----------------------------------------------------------------------------


def project_official(user: Any, project: Project, **context: Any) -> None:
    if not perms.is_official_for(user, project.region_code):
        raise PermissionDenied(
            _("Only an official with jurisdiction over this project may do this.")
        )


def _publishable(user: Any, project: Project, **context: Any) -> None:
    errors = publish_problems(project, timezone.now())
    if errors:
        raise ValidationError(errors)


def _past_deadline(user: Any, project: Project, **context: Any) -> None:
    if project.is_sealed:
        raise ValidationError({"tender_end": [_("Bids cannot be opened before the deadline.")]})


def _panel_possible(user: Any, project: Project, size: int = 3, **context: Any) -> None:
    """Scoring has not started, and the pool has ``size`` experts without a conflict of interest
    (``procurement.conflicts``)."""
    if project.scores.exists():
        raise InvalidTransition(_("Scoring has started; the panel can no longer be redrawn."))
    pool = set(Membership.objects.filter(role=Role.EXPERT).values_list("user_id", flat=True))
    available = len(pool - conflicted_experts(project, pool))
    if available < size:
        raise ValidationError(
            {
                "size": [
                    _("The expert pool has only %(n)s experts without a conflict of interest.")
                    % {"n": available}
                ]
            }
        )


def _evaluated(user: Any, project: Project, bid: Bid | None = None, **context: Any) -> None:
    """The bid (or, asked without one, some bid) is valid, and a comprehensive evaluation is
    complete: a panel of at least 3 that scored every bid."""
    if bid is not None:
        if bid.project_id != project.pk or bid.status != Bid.Status.SUBMITTED:
            raise ValidationError({"bid": [_("Not a valid bid of this project.")]})
    elif not project.bids.filter(status=Bid.Status.SUBMITTED).exists():
        raise ValidationError({"bid": [_("Not a valid bid of this project.")]})
    if project.evaluation_method == EvaluationMethod.COMPREHENSIVE:
        if project.panel.count() < 3:
            raise ValidationError(
                {"bid": [_("An expert panel of at least 3 must evaluate first.")]}
            )
        if missing_scores(project):
            raise ValidationError({"bid": [_("Not every expert has scored every bid yet.")]})


def _contractable(user: Any, project: Project, **context: Any) -> None:
    if project.challenges.filter(status=Challenge.Status.OPEN).exists():
        raise InvalidTransition(_("An open challenge blocks contracting until it is resolved."))
    current = project.awards.filter(status=Award.Status.ACTIVE).first()
    if current is None or timezone.now() < current.standstill_ends_at:
        raise InvalidTransition(_("The contract may be signed only after the stand-still period."))


def _not_retendered(user: Any, project: Project, **context: Any) -> None:
    if Project.objects.filter(previous_round=project).exists():
        raise Conflict(_("This tender has already been re-tendered."))


P = Project.Status
PROJECT = Actions(
    Project,
    [
        Action("publish", P.TENDERING, who=project_official, when=_publishable),
        # AWARDED -> EVALUATING is the annulment of an award, not an opening: only from TENDERING.
        Action(
            "open", P.EVALUATING, who=project_official, when=_past_deadline, sources=(P.TENDERING,)
        ),
        Action("panel", None, who=project_official, when=_panel_possible, sources=(P.EVALUATING,)),
        Action("award", P.AWARDED, who=project_official, when=_evaluated),
        Action("contract", P.IMPLEMENTING, who=project_official, when=_contractable),
        Action("terminate", P.TERMINATED, who=project_official),
        Action("cancel", P.CANCELLED, who=project_official),
        Action("retender", None, who=project_official, when=_not_retendered, sources=(P.FAILED,)),
    ],
)


# --- milestone guards --------------------------------------------------------------------------


def _milestone_official(user: Any, milestone: Milestone, **context: Any) -> None:
    project_official(user, milestone.contract.project)


def _supplier(user: Any, milestone: Milestone, **context: Any) -> None:
    # the supplier, whatever its status now: it answers for the contract to the end
    if not may_act_for(user, milestone.contract.supplier_id, verified=False):
        raise PermissionDenied(_("Only the supplier reports progress."))


def _implementing(user: Any, milestone: Milestone, **context: Any) -> None:
    if milestone.contract.project.status != Project.Status.IMPLEMENTING:
        raise InvalidTransition(_("The contract is not being implemented."))


def _under_contract(user: Any, milestone: Milestone, **context: Any) -> None:
    if milestone.contract.project.status not in (
        Project.Status.IMPLEMENTING,
        Project.Status.ACCEPTED,
    ):
        raise InvalidTransition(_("Payments are made only under an active contract."))


def evaluator_organization(user: Any, milestone: Milestone):
    """The assigned evaluator organization when ``user`` acts for it, else None."""
    org = milestone.evaluator
    if org is not None and may_act_for(user, org.pk, verified=True):
        return org
    return None


def _inspector(user: Any, milestone: Milestone, **context: Any) -> None:
    """An official of the buyer, or a member of the evaluator assigned to the milestone; never
    the supplier (an official or evaluator who is also its member is refused too)."""
    if may_act_for(user, milestone.contract.supplier_id, verified=False):
        raise PermissionDenied(_("The supplier cannot inspect its own work."))
    if perms.is_official_for(user, milestone.contract.project.region_code):
        return
    if evaluator_organization(user, milestone) is None:
        raise PermissionDenied(
            _("Only an official of the buyer or the assigned third-party evaluator may inspect.")
        )


def _facts(milestone: Milestone, context: dict) -> acceptance.MilestoneFacts:
    """The page's shared reads (``context["facts"]``, see ``acceptance.MilestoneFacts``), or
    fresh ones for a service's check."""
    return context.get("facts") or acceptance.MilestoneFacts(milestone)


def _reported(user: Any, milestone: Milestone, **context: Any) -> None:
    _implementing(user, milestone)
    if _facts(milestone, context).latest_report is None:
        raise InvalidTransition(_("The supplier has not reported this milestone yet."))


def _samplable(user: Any, milestone: Milestone, **context: Any) -> None:
    """The indicators ask for a sample, the latest report lists recipients with a mobile number
    not yet asked, and no link of an earlier sample is still open."""
    facts = _facts(milestone, context)
    _reported(user, milestone, facts=facts)
    from_report = facts.latest_report
    if not acceptance.sample_size(milestone.indicators.all()):
        raise InvalidTransition(_("No indicator of this milestone is verified by sampling."))
    summary = facts.summary
    if summary["open"]:
        raise InvalidTransition(
            _("%(n)s sampled recipients have not answered yet.") % {"n": summary["open"]}
        )
    if summary["share"] is not None:
        raise InvalidTransition(_("The sampled recipients have answered."))
    asked = set(milestone.confirmations.filter(report=from_report).values_list("phone", flat=True))
    if not acceptance.sample_candidates(from_report, asked):
        raise ValidationError(
            {
                "recipients": [
                    _("The report lists no service recipient with a mobile number left to ask.")
                ]
            }
        )


def _acceptable(user: Any, milestone: Milestone, **context: Any) -> None:
    _implementing(user, milestone)
    problems = acceptance.acceptance_problems(milestone, _facts(milestone, context))
    if problems:
        raise InvalidTransition(" ".join(problems))


M = Milestone.Status
OPEN_MILESTONE = (M.PENDING, M.REPORTED, M.INSPECTED, M.REJECTED)
MILESTONE = Actions(
    Milestone,
    [
        Action("report", M.REPORTED, who=_supplier, when=_implementing),
        Action(
            "assign_evaluator",
            None,
            who=_milestone_official,
            when=_implementing,
            sources=OPEN_MILESTONE,
        ),
        Action("sample", None, who=_inspector, when=_samplable, sources=(M.REPORTED, M.INSPECTED)),
        Action("inspect", M.INSPECTED, who=_inspector, when=_reported),
        # "accept" may end as not accepted (REJECTED): the same states allow both.
        # From REPORTED too, so the page says why (no inspection yet); the guard refuses there
        # and the table has no REPORTED -> ACCEPTED.
        Action(
            "accept",
            M.ACCEPTED,
            who=_milestone_official,
            when=_acceptable,
            sources=(M.REPORTED, M.INSPECTED),
        ),
        Action("pay", M.PAID, who=_milestone_official, when=_under_contract),
    ],
)
