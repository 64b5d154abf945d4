"""Registration, the profile, and the verification state machine of organizations."""

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import text, validators
from core.notifications import notify
from core.roles import Role
from core.states import move
from registry.actions import ORGANIZATION
from registry.choices import OrganizationKind
from registry.models import PROFILE_FIELDS, Membership, Organization
from registry.services.common import (
    User,
    _audit,
    _check_region,
    _check_regions,
    _require_admin,
    _require_official_for,
    _require_reason,
    _store_document,
    _tell_admins,
    validate_uscc_for,
)


def register_organization(
    *,
    username: str,
    password: str,
    email: str,
    organization: dict[str, Any],
    documents: list[tuple[str, Any]] | None = None,
) -> Organization:
    """Create the user (the org's admin) and a pending organization in one transaction.

    Agencies are created by platform admins only; the code must pass every USCC check and be new.
    """
    organization = {"kind": "", "uscc": "", "region_code": "", **organization}
    problems = registration_problems(
        username=username, password=password, organization=organization
    )
    if problems:
        raise ValidationError(problems)
    kind = organization["kind"]
    user = User(username=username, email=email)
    code = validate_uscc_for(organization.get("uscc", ""), kind)
    fields = _clean_profile({k: v for k, v in organization.items() if k in PROFILE_FIELDS})
    fields["service_regions"] = _check_regions(fields.get("service_regions") or [])
    with transaction.atomic():
        user.set_password(password)
        user.save()
        try:
            with transaction.atomic():
                org = Organization.objects.create(
                    uscc=code,
                    kind=kind,
                    region_code=organization["region_code"],
                    status=Organization.Status.PENDING,
                    **fields,
                )
        except IntegrityError:  # a concurrent registration of the same code won the race
            validate_uscc_for(code, kind)
            raise
        Membership.objects.create(user=user, organization=org, role=Role.ADMIN)
        for kind_of_doc, upload in documents or []:
            _store_document(organization=org, upload=upload, kind=kind_of_doc, title="", by=user)
        _audit(org, actor=user, action="registry.register", to_status=org.status)
        notify(
            title=lambda: (
                _("New organization awaiting verification: %(name)s") % {"name": org.name}
            ),
            link=reverse("registry:verification_queue"),
            audience={"officials_for": org.region_code},
            actor=user,
            kind="approval",
        )
    return org


def registration_problems(
    *, username: str | None, password: str | None, organization: dict[str, Any]
) -> dict[str, list]:
    """Every reason a registration would be refused, by field, so that a person sees all of them
    after one submit (the page also calls it for the fields its form found well-formed).

    Checked: the kind (agencies are created by the platform administrators), the username is
    free, the password passes the validators, the region is known, the credit code passes every
    USCC check and is not held by another record. A field missing from ``organization``, or a
    username / password of None, is skipped: the caller's form reports it."""
    problems: dict[str, list[str]] = {}

    def collect(check, *args, **kwargs):
        try:
            return check(*args, **kwargs)
        except ValidationError as error:
            for field, errors in error.error_dict.items():
                problems.setdefault(field, []).extend(errors)
            return None

    kind = organization.get("kind") or ""
    if kind == OrganizationKind.AGENCY:
        problems["kind"] = [_("Government agencies are created by the platform administrators.")]
    elif "kind" in organization and kind not in OrganizationKind.values:
        problems["kind"] = [_("Unknown kind of organization.")]
    if username and User.objects.filter(username__iexact=username).exists():
        problems["username"] = [_("This username is taken.")]
    if password is not None:
        try:
            validate_password(password, User(username=username or ""))
        except ValidationError as error:
            problems["password"] = list(error.error_list)
    if organization.get("region_code"):
        collect(_check_region, organization["region_code"])
    elif "region_code" in organization:
        problems["region_code"] = [_("Choose a region.")]
    if organization.get("uscc"):
        collect(validate_uscc_for, organization["uscc"], kind if "kind" not in problems else "")
    elif "uscc" in organization:
        problems["uscc"] = [_("A unified social credit code has 18 characters.")]
    return problems


def _clean_profile(fields: dict[str, Any]) -> dict[str, Any]:
    """Shape rules every writer of a profile obeys: names keep no invisible characters
    (core.text.clean_name) and the founding date is plausible (core.validators.founded)."""
    for field in ("name", "name_en", "legal_representative", "contact_name"):
        if isinstance(fields.get(field), str):
            fields[field] = text.check_name(field, fields[field])
    if fields.get("founded_on") is not None:
        validators.check("founded_on", validators.founded, fields["founded_on"])
    return fields


def update_profile(*, organization: Organization, by, changes: dict[str, Any]) -> Organization:
    """An org admin edits the public profile and contacts; code, kind and status stay put."""
    _require_admin(by, organization)
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed here.")] for f in unknown})
    changes = _clean_profile(dict(changes))
    if "service_regions" in changes:
        changes["service_regions"] = _check_regions(changes["service_regions"])
    with transaction.atomic():
        for field, value in changes.items():
            setattr(organization, field, value)
        organization.full_clean(exclude=["uscc"])
        organization.save()
        _audit(
            organization,
            actor=by,
            action="registry.update_profile",
            data={"fields": sorted(changes)},
        )
    return organization


def _transition(org: Organization, *, name: str, to: str, by, reason: str, action: str):
    """Action ``name`` of registry.actions.ORGANIZATION, checked on the locked row, through
    the one door (core.states.move)."""
    locked = Organization.objects.select_for_update().get(pk=org.pk)
    ORGANIZATION.check(name, by, locked)
    changes = {"status_reason": reason}
    if to == Organization.Status.VERIFIED:
        changes["verified_at"] = timezone.now()
    move(locked, to, by=by, action=action, reason=reason, changes=changes)
    _tell_admins(
        locked,
        title=lambda: (
            _("%(name)s: %(status)s") % {"name": locked.name, "status": locked.get_status_display()}
        ),
        body=reason,
        actor=by,
    )
    return locked


def decide_verification(
    *, organization: Organization, by, decision: str, reason: str = ""
) -> Organization:
    """An official whose jurisdiction covers the organization verifies or rejects a pending
    registration; a rejection needs a reason."""
    _require_official_for(by, organization)
    if decision not in (Organization.Status.VERIFIED, Organization.Status.REJECTED):
        raise ValidationError({"decision": [_("Choose verified or rejected.")]})
    if decision == Organization.Status.REJECTED:
        reason = _require_reason(reason)
    with transaction.atomic():
        return _transition(
            organization,
            name="verify",
            to=decision,
            by=by,
            reason=reason,
            action="registry.verify",
        )


def suspend(*, organization: Organization, by, reason: str) -> Organization:
    """An official with jurisdiction suspends a verified organization, with a reason."""
    _require_official_for(by, organization)
    reason = _require_reason(reason)
    with transaction.atomic():
        return _transition(
            organization,
            name="suspend",
            to=Organization.Status.SUSPENDED,
            by=by,
            reason=reason,
            action="registry.suspend",
        )


def reinstate(*, organization: Organization, by, reason: str = "") -> Organization:
    """An official with jurisdiction reinstates a suspended organization (back to verified)."""
    _require_official_for(by, organization)
    with transaction.atomic():
        return _transition(
            organization,
            name="reinstate",
            to=Organization.Status.VERIFIED,
            by=by,
            reason=reason,
            action="registry.reinstate",
        )
