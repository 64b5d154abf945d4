"""Every write of the registry: one function per business action.

Each runs in one transaction, checks the actor's permission and the state table, writes the audit
trail (core.audit.record) and tells the organization's admins through alerts.services.notify.
"""

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions as perms
from core import regions, text, validators
from core.audit import record
from core.models import Region
from core.notifications import notify
from core.roles import Role
from core.states import InvalidTransition, check_transition
from core.uploads import sniff_content_type
from registry import uscc
from registry.choices import OrganizationKind
from registry.models import Assessment, Capability, Document, Membership, Organization, Person

User = get_user_model()

# Fields an org admin may change on the profile (status, code and kind are not among them).
PROFILE_FIELDS = (
    "name",
    "name_en",
    "registration_authority",
    "legal_representative",
    "address",
    "contact_name",
    "contact_phone",
    "contact_email",
    "founded_on",
    "website",
    "description",
    "service_regions",
)
CAPABILITY_FIELDS = (
    "declared_grade",
    "personnel",
    "equipment",
    "mobility_range",
    "assembly_hours_local",
    "assembly_hours_remote",
    "sustained_sites",
    "sustained_hours",
    "phases",
    "certified_personnel",
    "service_regions",
    "usar_scale",
)
PERSON_FIELDS = (
    "name",
    "skills",
    "social_worker_level",
    "certifications",
    "phone",
    "region_code",
    "availability",
)
MEMBER_ROLES = (Role.ADMIN, Role.MEMBER)


# --- helpers --------------------------------------------------------------------------------


def _audit(org: Organization, *, actor, action: str, target=None, **kwargs) -> None:
    record(
        actor=actor,
        action=action,
        target=target or org,
        organization_id=org.pk,
        region_code=org.region_code,
        **kwargs,
    )


def _tell_admins(org: Organization, *, title: str, body: str = "", actor=None) -> None:
    notify(
        title=title,
        body=body,
        link=reverse("registry:organization_detail", args=[org.pk]),
        audience={"organizations": [org.pk], "roles": [Role.ADMIN], "verified_only": False},
        actor=actor,
    )


def _require_admin(user, org: Organization) -> None:
    if not perms.is_org_admin(user, org):
        raise PermissionDenied(_("Only an admin of this organization may do that."))


def _require_official_for(user, org: Organization) -> None:
    if not perms.is_official_for(user, org.region_code):
        raise PermissionDenied(_("Only an official whose jurisdiction covers it may do that."))


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("A reason is required.")]})
    return reason


def _check_region(code: str, field: str = "region_code") -> None:
    if not regions.is_valid_code(code or "") or not Region.objects.filter(code=code).exists():
        raise ValidationError({field: [_("Unknown region code “%(code)s”.") % {"code": code}]})


def _check_regions(codes: list, field: str = "service_regions") -> list[str]:
    codes = [str(c) for c in (codes or [])]
    known = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValidationError(
            {field: [_("Unknown region code “%(code)s”.") % {"code": unknown[0]}]}
        )
    return codes


def validate_uscc_for(code: str, kind: str, *, exclude_pk: int | None = None) -> str:
    """Check a code (GB 32100 / GB 11714 / kind prefix) and that no other record holds it."""
    try:
        code = uscc.validate(code, kind)
    except uscc.USCCError as error:
        raise ValidationError(
            {
                "uscc": [
                    _("%(message)s (failed check: %(check)s)")
                    % {"message": error.message, "check": error.check}
                ]
            }
        ) from None
    existing = Organization.objects.filter(uscc=code).exclude(pk=exclude_pk).first()
    if existing:
        raise ValidationError(
            {
                "uscc": [
                    _(
                        "This code is already registered to “%(name)s” (record #%(id)s, %(url)s, "
                        "status: %(status)s). Ask its admin to add you as a member instead."
                    )
                    % {
                        "name": existing.name,
                        "id": existing.pk,
                        "url": reverse("registry:organization_detail", args=[existing.pk]),
                        "status": existing.get_status_display(),
                    }
                ]
            }
        )
    return code


def _check_upload(upload, field: str = "file") -> str:
    if upload is None:
        raise ValidationError({field: [_("Choose a file.")]})
    if upload.size > settings.FILE_UPLOAD_MAX_BYTES:
        raise ValidationError(
            {
                field: [
                    _("The file is larger than %(limit)s bytes.")
                    % {"limit": settings.FILE_UPLOAD_MAX_BYTES}
                ]
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise ValidationError({field: [_("Only PDF, JPEG and PNG files are accepted.")]})
    return content_type


def _store_document(
    *, organization: Organization, upload, kind: str, title: str, by, capability=None
) -> Document:
    content_type = _check_upload(upload)
    if kind not in Document.Kind.values:
        raise ValidationError({"kind": [_("Unknown document kind.")]})
    doc = Document(
        organization=organization,
        capability=capability,
        kind=kind,
        title=(title or "")[:200],
        content_type=content_type,
        size=upload.size,
        uploaded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    doc.file.save("upload", upload, save=False)
    doc.save()
    return doc


# --- registration and profile ---------------------------------------------------------------


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
    kind = organization.get("kind") or ""
    if kind == OrganizationKind.AGENCY:
        raise ValidationError(
            {"kind": [_("Government agencies are created by the platform administrators.")]}
        )
    if kind not in OrganizationKind.values:
        raise ValidationError({"kind": [_("Unknown kind of organization.")]})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": [_("This username is taken.")]})
    user = User(username=username, email=email)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    _check_region(organization.get("region_code", ""))
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
            title=_("New organization awaiting verification: %(name)s") % {"name": org.name},
            link=reverse("registry:verification_queue"),
            audience={"officials_for": org.region_code},
            actor=user,
        )
    return org


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


# --- verification state machine -------------------------------------------------------------


def _transition(org: Organization, *, to: str, by, reason: str, action: str) -> Organization:
    locked = Organization.objects.select_for_update().get(pk=org.pk)
    check_transition(Organization.TRANSITIONS, locked.status, to, label=_("Organization"))
    previous = locked.status
    locked.status = to
    locked.status_reason = reason
    if to == Organization.Status.VERIFIED:
        locked.verified_at = timezone.now()
    locked.save(update_fields=["status", "status_reason", "verified_at", "updated_at"])
    _audit(locked, actor=by, action=action, from_status=previous, to_status=to, reason=reason)
    _tell_admins(
        locked,
        title=_("%(name)s: %(status)s")
        % {"name": locked.name, "status": locked.get_status_display()},
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
            organization, to=decision, by=by, reason=reason, action="registry.verify"
        )


def suspend(*, organization: Organization, by, reason: str) -> Organization:
    """An official with jurisdiction suspends a verified organization, with a reason."""
    _require_official_for(by, organization)
    reason = _require_reason(reason)
    with transaction.atomic():
        return _transition(
            organization,
            to=Organization.Status.SUSPENDED,
            by=by,
            reason=reason,
            action="registry.suspend",
        )


def reinstate(*, organization: Organization, by, reason: str = "") -> Organization:
    """An official with jurisdiction reinstates a suspended organization (back to verified)."""
    _require_official_for(by, organization)
    with transaction.atomic():
        if organization.status != Organization.Status.SUSPENDED:
            raise InvalidTransition(_("Only a suspended organization can be reinstated."))
        return _transition(
            organization,
            to=Organization.Status.VERIFIED,
            by=by,
            reason=reason,
            action="registry.reinstate",
        )


# --- members --------------------------------------------------------------------------------


def add_member(
    *, organization: Organization, by, username: str, role: str = Role.MEMBER
) -> Membership:
    """An org admin adds an existing user (by username or e-mail) as admin or member."""
    _require_admin(by, organization)
    if role not in MEMBER_ROLES:
        raise ValidationError({"role": [_("Choose admin or member.")]})
    user = (
        User.objects.filter(username=username).first()
        or User.objects.filter(email__iexact=username).exclude(email="").first()
    )
    if user is None:
        raise ValidationError({"username": [_("No user with this username or e-mail.")]})
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, organization=organization, defaults={"role": role}
        )
        if not created:
            raise ValidationError({"username": [_("This user is already a member.")]})
        _audit(
            organization,
            actor=by,
            action="registry.add_member",
            target=membership,
            data={"user": user.pk, "role": role},
        )
        notify(
            title=_("You were added to %(name)s") % {"name": organization.name},
            audience={"users": [user.pk]},
            link=reverse("registry:organization_detail", args=[organization.pk]),
            actor=by,
        )
    perms.forget_memberships(user)
    return membership


def set_member_role(*, membership: Membership, by, role: str) -> Membership:
    """An org admin changes a member's role; the last admin cannot step down."""
    org = membership.organization
    _require_admin(by, org)
    if role not in MEMBER_ROLES:
        raise ValidationError({"role": [_("Choose admin or member.")]})
    with transaction.atomic():
        admins = Membership.objects.select_for_update().filter(organization=org, role=Role.ADMIN)
        if membership.role == Role.ADMIN and role != Role.ADMIN and admins.count() <= 1:
            raise ValidationError({"role": [_("An organization keeps at least one admin.")]})
        previous = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        _audit(
            org,
            actor=by,
            action="registry.set_role",
            target=membership,
            from_status=previous,
            to_status=role,
        )
    return membership


def remove_member(*, membership: Membership, by) -> None:
    """An org admin removes a member; the last admin cannot be removed."""
    org = membership.organization
    _require_admin(by, org)
    with transaction.atomic():
        admins = Membership.objects.select_for_update().filter(organization=org, role=Role.ADMIN)
        if membership.role == Role.ADMIN and admins.count() <= 1:
            raise ValidationError({"role": [_("An organization keeps at least one admin.")]})
        _audit(
            org,
            actor=by,
            action="registry.remove_member",
            target=membership,
            data={"user": membership.user_id},
        )
        membership.delete()


# --- documents ------------------------------------------------------------------------------


def upload_document(
    *, organization: Organization, by, upload, kind: str = "other", title: str = "", capability=None
) -> Document:
    """An org admin uploads a PDF/JPEG/PNG (sniffed, size-limited); it stays private."""
    _require_admin(by, organization)
    if capability is not None and capability.organization_id != organization.pk:
        raise ValidationError({"capability": [_("Not a capability of this organization.")]})
    with transaction.atomic():
        doc = _store_document(
            organization=organization,
            upload=upload,
            kind=kind,
            title=title,
            by=by,
            capability=capability,
        )
        _audit(
            organization,
            actor=by,
            action="registry.upload_document",
            target=doc,
            data={"kind": kind},
        )
    return doc


def can_read_private(user, organization: Organization) -> bool:
    """Members of the organization and officials whose jurisdiction covers it."""
    return perms.is_member_of(user, organization) or perms.is_official_for(
        user, organization.region_code
    )


# --- capabilities and assessment ------------------------------------------------------------


def _clean_capability(values: dict[str, Any]) -> dict[str, Any]:
    if "service_regions" in values:
        values["service_regions"] = _check_regions(values["service_regions"])
    return values


def declare_capability(*, organization: Organization, by, specialty: str, **values) -> Capability:
    """An org admin declares a capability for one specialty (one per specialty)."""
    _require_admin(by, organization)
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
    _require_admin(by, org)
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


def may_assess(user, organization: Organization) -> bool:
    """Assessment (测评) is run by the province, or by a prefecture-level city the province has
    delegated it to (settings.TONGZHOU_ASSESSMENT_DELEGATED_CITIES), within their jurisdiction."""
    delegated = set(settings.TONGZHOU_ASSESSMENT_DELEGATED_CITIES)
    for code in perms.jurisdictions(user):
        if not regions.covers(code, organization.region_code):
            continue
        level = regions.level_of(code)
        if level == "province" or (level == "prefecture" and code in delegated):
            return True
    return False


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
    if not may_assess(by, org):
        raise PermissionDenied(
            _("Only the province or a delegated city may assess this organization.")
        )
    if org.status != Organization.Status.VERIFIED:
        raise InvalidTransition(_("Only a verified organization can be assessed."))
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
            title=_("%(specialty)s assessed: grade %(grade)s")
            % {"specialty": cap.get_specialty_display(), "grade": grade},
            body=notes,
            actor=by,
        )
    capability.refresh_from_db()
    return assessment


def revoke(*, capability: Capability, by, reason: str) -> Capability:
    """An assessing official revokes (注销) the assessed grade, with a reason; it stops counting."""
    org = capability.organization
    if not may_assess(by, org):
        raise PermissionDenied(_("Only the province or a delegated city may revoke this grade."))
    reason = _require_reason(reason)
    with transaction.atomic():
        cap = Capability.objects.select_for_update().get(pk=capability.pk)
        if cap.assessed_grade is None or cap.revoked_at is not None:
            raise InvalidTransition(_("There is no assessed grade to revoke."))
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
            title=_("%(specialty)s: assessed grade revoked")
            % {"specialty": cap.get_specialty_display()},
            body=reason,
            actor=by,
        )
    capability.refresh_from_db()
    return capability


# --- talent pool ----------------------------------------------------------------------------


def _clean_person(values: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in values.items() if k in PERSON_FIELDS}
    if "name" in values:
        values["name"] = text.check_name("name", values["name"])
    if "skills" in values:
        values["skills"] = [str(s).strip() for s in values["skills"] or [] if str(s).strip()]
    if values.get("region_code"):
        _check_region(values["region_code"])
    return values


def _skills_index(skills: list[str]) -> str:
    return ("," + ",".join(s.lower() for s in skills) + ",")[:500] if skills else ""


def add_person(*, organization: Organization, by, **values) -> Person:
    """A member of the organization adds a person to its talent pool."""
    if not perms.is_member_of(by, organization, roles=MEMBER_ROLES):
        raise PermissionDenied(_("Only members of this organization may add people to it."))
    values = _clean_person(values)
    values.setdefault("region_code", organization.region_code)
    values["region_code"] = values["region_code"] or organization.region_code
    with transaction.atomic():
        person = Person(organization=organization, **values)
        person.skills_index = _skills_index(person.skills)
        person.full_clean(exclude=["organization"])
        person.save()
        _audit(organization, actor=by, action="registry.add_person", target=person)
    return person


def update_person(*, person: Person, by, changes: dict[str, Any]) -> Person:
    """A member of the person's organization edits the entry."""
    org = person.organization
    if not perms.is_member_of(by, org, roles=MEMBER_ROLES):
        raise PermissionDenied(_("Only members of this organization may edit its people."))
    changes = _clean_person(changes)
    with transaction.atomic():
        for field, value in changes.items():
            setattr(person, field, value)
        person.skills_index = _skills_index(person.skills)
        person.full_clean(exclude=["organization"])
        person.save()
        _audit(
            org,
            actor=by,
            action="registry.update_person",
            target=person,
            data={"fields": sorted(changes)},
        )
    return person


def remove_person(*, person: Person, by) -> None:
    """A member of the person's organization removes the entry."""
    org = person.organization
    if not perms.is_member_of(by, org, roles=MEMBER_ROLES):
        raise PermissionDenied(_("Only members of this organization may edit its people."))
    with transaction.atomic():
        _audit(org, actor=by, action="registry.remove_person", target=person)
        person.delete()
