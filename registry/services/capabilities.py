"""Capabilities an organization declares, their assessment by officials, and revocation."""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import validators
from core.roles import Role
from registry.actions import CAPABILITY
from registry.models import CAPABILITY_FIELDS, Assessment, Capability, Organization, Phase
from registry.queries import acting_organization
from registry.services.common import (
    _audit,
    _check_regions,
    _require_reason,
    _tell_admins,
)


def _require_declarer(user, org: Organization) -> None:
    """An admin of the organization, whatever its verification status (a pending organization
    declares what it can do before it is verified): ``acting_organization`` with admin only."""
    try:
        acting_organization(user, org, roles=[Role.ADMIN], verified=False)
    except PermissionDenied:
        raise PermissionDenied(_("Only an admin of this organization may do that.")) from None


def _clean_capability(values: dict[str, Any]) -> dict[str, Any]:
    if "service_regions" in values:
        values["service_regions"] = _check_regions(values["service_regions"])
    if "phases" in values:
        # The phases a capability serves decide task matching and tender eligibility.
        phases = [str(p) for p in values["phases"] or []]
        unknown = [p for p in phases if p not in Phase.values]
        if unknown:
            raise ValidationError({"phases": [_("Unknown phase: %s") % ", ".join(unknown)]})
        values["phases"] = [p for p in Phase.values if p in phases]
    return values


def declare_capability(*, organization: Organization, by, specialty: str, **values) -> Capability:
    """An org admin declares a capability for one specialty (one per specialty)."""
    _require_declarer(by, organization)
    values = _clean_capability({k: v for k, v in values.items() if k in CAPABILITY_FIELDS})
    if Capability.objects.filter(organization=organization, specialty=specialty).exists():
        raise ValidationError(
            {"specialty": [_("This specialty is already declared; edit it instead.")]}
        )
    with transaction.atomic():
        cap = Capability(organization=organization, specialty=specialty, **values)
        cap.full_clean(exclude=["organization"])
        cap.save()
        _audit(
            organization,
            actor=by,
            action="registry.declare_capability",
            target=cap,
            data={"specialty": specialty},
        )
    return cap


def update_capability(*, capability: Capability, by, changes: dict[str, Any]) -> Capability:
    """An org admin edits a declaration; the assessed grade is the officials' alone."""
    org = capability.organization
    _require_declarer(by, org)
    changes = _clean_capability({k: v for k, v in changes.items() if k in CAPABILITY_FIELDS})
    with transaction.atomic():
        for field, value in changes.items():
            setattr(capability, field, value)
        capability.full_clean(exclude=["organization"])
        capability.save()
        _audit(
            org,
            actor=by,
            action="registry.update_capability",
            target=capability,
            data={"fields": sorted(changes)},
        )
    return capability


def assess(
    *,
    capability: Capability,
    by,
    grade: int,
    score,
    notes: str = "",
    assessed_on: datetime.date | None = None,
    valid_until: datetime.date | None = None,
) -> Assessment:
    """An assessing official sets the assessed grade with a score (0-100); it counts until
    valid_until (default TONGZHOU_ASSESSMENT_VALID_DAYS) unless revoked."""
    org = capability.organization
    CAPABILITY.check("assess", by, capability)
    if grade not in (1, 2, 3):
        raise ValidationError({"grade": [_("Grade is 1, 2 or 3.")]})
    if score is None or not (0 <= score <= 100):
        raise ValidationError({"score": [_("Score is between 0 and 100.")]})
    assessed_on = assessed_on or timezone.localdate()
    valid_until = valid_until or assessed_on + datetime.timedelta(
        days=settings.TONGZHOU_ASSESSMENT_VALID_DAYS
    )
    validators.check("assessed_on", validators.fact, assessed_on)
    validators.check("valid_until", validators.validity, valid_until)
    if valid_until <= assessed_on:
        raise ValidationError({"valid_until": [_("Must be after the assessment date.")]})
    with transaction.atomic():
        cap = Capability.objects.select_for_update().get(pk=capability.pk)
        previous = cap.current_grade
        assessment = Assessment.objects.create(
            capability=cap,
            grade=grade,
            score=score,
            notes=notes,
            assessed_on=assessed_on,
            valid_until=valid_until,
            assessed_by=by,
        )
        cap.assessed_grade = grade
        cap.assessed_score = score
        cap.assessed_on = assessed_on
        cap.valid_until = valid_until
        cap.assessed_by = by
        cap.assessment_notes = notes
        cap.revoked_at = None
        cap.revoke_reason = ""
        cap.save()
        _audit(
            org,
            actor=by,
            action="registry.assess",
            target=cap,
            from_status=str(previous or ""),
            to_status=str(grade),
            data={"score": str(score), "valid_until": valid_until.isoformat()},
        )
        _tell_admins(
            org,
            title=lambda: (
                _("%(specialty)s assessed: grade %(grade)s")
                % {"specialty": cap.get_specialty_display(), "grade": grade}
            ),
            body=notes,
            actor=by,
        )
    capability.refresh_from_db()
    return assessment


def revoke(*, capability: Capability, by, reason: str) -> Capability:
    """An assessing official revokes (注销) the assessed grade, with a reason; it stops counting."""
    org = capability.organization
    CAPABILITY["revoke"].who(by, capability)
    reason = _require_reason(reason)
    with transaction.atomic():
        cap = Capability.objects.select_for_update().get(pk=capability.pk)
        CAPABILITY.check("revoke", by, cap)
        now = timezone.now()
        cap.revoked_at = now
        cap.revoke_reason = reason
        cap.save(update_fields=["revoked_at", "revoke_reason", "updated_at"])
        latest = cap.assessments.filter(revoked_at__isnull=True).first()
        if latest:
            latest.revoked_at, latest.revoke_reason, latest.revoked_by = now, reason, by
            latest.save(update_fields=["revoked_at", "revoke_reason", "revoked_by"])
        _audit(
            org,
            actor=by,
            action="registry.revoke",
            target=cap,
            from_status=str(cap.assessed_grade),
            to_status="revoked",
            reason=reason,
        )
        _tell_admins(
            org,
            title=lambda: (
                _("%(specialty)s: assessed grade revoked")
                % {"specialty": cap.get_specialty_display()}
            ),
            body=reason,
            actor=by,
        )
    capability.refresh_from_db()
    return capability
