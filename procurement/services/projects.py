"""Projects: create, publish, close at the deadline, open, fail, cancel, re-tender."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.models import Incident
from core import permissions as perms
from core import regions, validators, words
from core.roles import Role
from core.states import InvalidTransition
from core.versions import bump
from procurement import ocds, rules
from procurement.actions import PROJECT, check_criteria
from procurement.models import (
    INVITATION_METHODS,
    Bid,
    Criterion,
    EvaluationMethod,
    Method,
    Project,
    ServiceStandard,
)
from procurement.services.common import (
    move,
    record,
    tell_officials,
    tell_organizations,
)
from registry.models import Organization
from registry.queries import eligible_organizations


def _buyer_for(user: Any, region_code: str) -> Organization:
    for m in perms.memberships(user):
        org = m.organization
        if (
            m.role == Role.OFFICIAL
            and org.kind == "agency"
            and org.status == "verified"
            and regions.covers(org.region_code, region_code)
        ):
            return org
    raise PermissionDenied(
        _("Only an official with jurisdiction over the region may buy services.")
    )


def _check_incident(incident: Incident | None, method: str) -> None:
    """An emergency purchase names its incident; an exercise (drill) incident is never bought
    for: procurement is public and an exercise never reaches the public (docs/preparedness.md)."""
    if method == Method.EMERGENCY and incident is None:
        raise ValidationError({"incident": [_("Emergency procurement must name its incident.")]})
    if incident is not None and incident.is_exercise:
        raise ValidationError(
            {"incident": [_("An exercise cannot be bought for: purchases of services are public.")]}
        )


@transaction.atomic
def create_project(
    *,
    by: Any,
    title: str,
    category: str,
    method: str,
    budget_amount: Decimal,
    region_code: str,
    tender_end: dt.datetime,
    description: str = "",
    evaluation_method: str = EvaluationMethod.COMPREHENSIVE,
    incident: Incident | None = None,
    eligibility: dict | None = None,
    service_standards: list[dict] | None = None,
    criteria: list[dict] | None = None,
    invitees: list[Organization] | None = None,
    previous_round: Project | None = None,
    method_reason: str = "",
    method_reason_text: str = "",
) -> Project:
    """An official of the region drafts a purchase for their agency (the buyer); the weights of the
    criteria, when given, must sum to 100 and an emergency purchase must name an incident. At or
    above the small-purchase threshold a method other than open tender needs its legal ground
    (``rules.method_problems``)."""
    if not perms.is_official_for(by, region_code):
        raise PermissionDenied(
            _("Only an official with jurisdiction over the region may buy services.")
        )
    buyer = _buyer_for(by, region_code)
    eligibility = eligibility or {}
    _check_incident(incident, method)
    check_criteria(criteria or [], evaluation_method)
    validators.check("tender_end", validators.deadline, tender_end)
    problems = rules.method_problems(method, budget_amount, method_reason, method_reason_text)
    if problems:
        raise ValidationError(problems)
    project = Project.objects.create(
        buyer=buyer,
        title=title,
        category=category,
        method=method,
        evaluation_method=evaluation_method,
        budget_amount=budget_amount,
        region_code=region_code,
        incident=incident,
        description=description,
        eligibility_specialty=eligibility.get("specialty") or "",
        eligibility_min_grade=eligibility.get("min_grade"),
        tender_end=tender_end,
        method_reason=method_reason,
        method_reason_text=method_reason_text.strip(),
        created_by=by,
        previous_round=previous_round,
        round_number=previous_round.round_number + 1 if previous_round else 1,
    )
    ServiceStandard.objects.bulk_create(
        ServiceStandard(project=project, **s) for s in service_standards or []
    )
    Criterion.objects.bulk_create(Criterion(project=project, **c) for c in criteria or [])
    bump("procurement")  # bulk_create sends no signal
    if invitees:
        project.invitees.set(invitees)
    record(
        project,
        by=by,
        action="project_created",
        to_status=project.status,
        data={"previous_round": previous_round.pk if previous_round else None},
    )
    return project


@transaction.atomic
def update_draft(
    *,
    project: Project,
    by: Any,
    title: str,
    category: str,
    method: str,
    budget_amount: Decimal,
    region_code: str,
    tender_end: dt.datetime,
    description: str = "",
    evaluation_method: str = EvaluationMethod.COMPREHENSIVE,
    incident: Incident | None = None,
    eligibility: dict | None = None,
    service_standards: list[dict] | None = None,
    criteria: list[dict] | None = None,
    invitees: list[Organization] | None = None,
    method_reason: str = "",
    method_reason_text: str = "",
) -> Project:
    """An official with jurisdiction edits a draft (only a draft: a published notice is changed
    by cancelling or re-tendering). The indicators, criteria and invitees are replaced by the
    ones given; the rules of ``create_project`` apply, and the new region must also be theirs."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not perms.is_official_for(by, project.region_code) or not perms.is_official_for(
        by, region_code
    ):
        raise PermissionDenied(
            _("Only an official with jurisdiction over the region may buy services.")
        )
    if project.status != Project.Status.DRAFT:
        raise InvalidTransition(_("Only a draft can be edited."))
    eligibility = eligibility or {}
    _check_incident(incident, method)
    check_criteria(criteria or [], evaluation_method)
    validators.check("tender_end", validators.deadline, tender_end)
    problems = rules.method_problems(method, budget_amount, method_reason, method_reason_text)
    if problems:
        raise ValidationError(problems)
    fields = {
        "title": title,
        "category": category,
        "method": method,
        "evaluation_method": evaluation_method,
        "budget_amount": budget_amount,
        "region_code": region_code,
        "incident": incident,
        "description": description,
        "eligibility_specialty": eligibility.get("specialty") or "",
        "eligibility_min_grade": eligibility.get("min_grade"),
        "tender_end": tender_end,
        "method_reason": method_reason,
        "method_reason_text": method_reason_text.strip(),
    }
    for field, value in fields.items():
        setattr(project, field, value)
    project.save(update_fields=[*fields, "updated_at"])
    project.service_standards.all().delete()
    ServiceStandard.objects.bulk_create(
        ServiceStandard(project=project, **s) for s in service_standards or []
    )
    project.criteria.all().delete()
    Criterion.objects.bulk_create(Criterion(project=project, **c) for c in criteria or [])
    bump("procurement")  # bulk_create sends no signal
    project.invitees.set(invitees or [])
    record(project, by=by, action="draft_edited", to_status=project.status)
    return project


@transaction.atomic
def publish_project(*, project: Project, by: Any) -> Project:
    """Publish the tender notice (-> tendering): needs a measurable indicator, criteria weighing
    100, the invitees the method requires, and the method's minimum period before the deadline;
    emergency procurement only for an incident in `responding`."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    PROJECT.check("publish", by, project)
    now = timezone.now()
    project.published_at = now
    project.save(update_fields=["published_at"])
    move(project, Project.Status.TENDERING, by=by, action="published")
    ocds.publish_release(project, ["tender"])
    if project.method == Method.EMERGENCY:
        # Art. 85: no tender rules now, a review afterwards (services.routes).
        record(project, by=by, action="emergency_flagged", to_status=project.status)
        tell_officials(
            project,
            by=by,
            level="yellow",
            title=lambda: (
                _("Emergency purchase to review after the fact: %(title)s")
                % {"title": project.title}
            ),
        )
    eligible = eligible_organizations(
        specialty=project.eligibility_specialty or None,
        min_grade=project.eligibility_min_grade,
    )
    if project.method in INVITATION_METHODS:
        eligible = eligible.filter(pk__in=project.invitees.values("pk"))
    tell_organizations(
        project,
        eligible.values_list("pk", flat=True),
        by=by,
        title=lambda: _("New tender: %(title)s") % {"title": project.title},
        body=lambda: _("Bids close at %(end)s.") % {"end": words.datetime_text(project.tender_end)},
    )
    return project


def valid_bid_count(project: Project) -> int:
    return project.bids.filter(status=Bid.Status.SUBMITTED).count()


def _fail_if_too_few_bids(project: Project, by: Any) -> bool:
    count = valid_bid_count(project)
    needed = rules.minimum_valid_bids(project.method)
    if count >= needed:
        return False
    reason = _("Only %(count)s valid bid(s); %(method)s needs at least %(needed)s (流标).") % {
        "count": count,
        "method": project.get_method_display(),
        "needed": needed,
    }
    move(project, Project.Status.FAILED, by=by, action="failed", reason=reason)
    ocds.publish_release(project, ["tenderUpdate"])
    tell_officials(
        project,
        title=lambda: _("Tender failed: %(title)s") % {"title": project.title},
        body=reason,
        by=by,
        level="yellow",
    )
    return True


@transaction.atomic
def close_tender(*, project: Project, by: Any = None) -> Project:
    """At the deadline the tender closes by itself: no more bids; too few valid bids fail it."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status != Project.Status.TENDERING or project.tender_closed_at:
        return project
    if timezone.now() < project.tender_end:
        return project
    project.tender_closed_at = timezone.now()
    project.save(update_fields=["tender_closed_at"])
    record(project, by=by, action="tender_closed", data={"bids": valid_bid_count(project)})
    if not _fail_if_too_few_bids(project, by):
        tell_officials(
            project,
            by=by,
            title=lambda: _("Tender closed: %(title)s") % {"title": project.title},
            body=lambda: _("The bids can now be opened for evaluation."),
        )
    return project


@transaction.atomic
def open_bids(*, project: Project, by: Any) -> Project:
    """An official opens the bids after the deadline (-> evaluating), or the project fails when
    fewer valid bids than the method requires arrived."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    PROJECT.check("open", by, project)
    if not project.tender_closed_at:
        project.tender_closed_at = timezone.now()
    project.opened_at = timezone.now()
    project.save(update_fields=["tender_closed_at", "opened_at"])
    if _fail_if_too_few_bids(project, by):
        return project
    from procurement.queries import same_representative_groups

    groups = same_representative_groups(project)
    move(
        project,
        Project.Status.EVALUATING,
        by=by,
        action="opened",
        data={"same_legal_representative": groups},
    )
    if groups:
        tell_officials(
            project,
            by=by,
            level="yellow",
            title=lambda: (
                _("Bidders share a legal representative: %(title)s") % {"title": project.title}
            ),
            body=lambda: (
                _("Bids %(groups)s name the same legal representative.") % {"groups": groups}
            ),
        )
    return project


@transaction.atomic
def cancel_project(*, project: Project, by: Any, reason: str) -> Project:
    """An official cancels a project that is not yet under contract, giving a reason."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    PROJECT.check("cancel", by, project)
    if not reason.strip():
        raise ValidationError({"reason": [_("A reason is required.")]})
    was_published = project.is_published
    move(project, Project.Status.CANCELLED, by=by, action="cancelled", reason=reason)
    if was_published:
        ocds.publish_release(project, ["tenderCancellation"])
    return project


@transaction.atomic
def retender(*, project: Project, by: Any, tender_end: dt.datetime) -> Project:
    """A failed tender is re-tendered as a new draft round linked to the failed one."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    PROJECT.check("retender", by, project)
    new = create_project(
        by=by,
        title=project.title,
        category=project.category,
        method=project.method,
        budget_amount=project.budget_amount,
        region_code=project.region_code,
        tender_end=tender_end,
        description=project.description,
        evaluation_method=project.evaluation_method,
        incident=project.incident,
        eligibility={
            "specialty": project.eligibility_specialty,
            "min_grade": project.eligibility_min_grade,
        },
        service_standards=list(
            project.service_standards.values(
                "indicator", "target", "unit", "verification", "direction", "sample_size"
            )
        ),
        criteria=list(project.criteria.values("name", "kind", "weight")),
        invitees=list(project.invitees.all()),
        previous_round=project,
        method_reason=project.method_reason,
        method_reason_text=project.method_reason_text,
    )
    record(project, by=by, action="retendered", data={"new_round": new.pk})
    return new
