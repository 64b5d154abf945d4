"""Members of an organization: adding people, their roles, removing them."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from core import permissions as perms
from core.notifications import notify
from core.roles import ACTING_ROLES, Role
from registry.models import Membership, Organization
from registry.services.common import (
    User,
    _audit,
    _require_admin,
)


def add_member(
    *, organization: Organization, by, username: str, role: str = Role.MEMBER
) -> Membership:
    """An org admin adds an existing user (by username or e-mail) as admin or member."""
    _require_admin(by, organization)
    if role not in ACTING_ROLES:
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
    if role not in ACTING_ROLES:
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
