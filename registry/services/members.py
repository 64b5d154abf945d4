"""Members of an organization: invitations (invite, accept, decline, cancel), roles, removal.

Nobody becomes a member of an organization without consent: an org admin *invites* an existing
user, the invited person accepts (then, and only then, a Membership row exists) or declines, and
the admin may cancel a pending invitation. Registration makes its creator an admin directly
(registry.services.organizations). An invitation to a user who already has one pending is a 409.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import hooks
from core import permissions as perms
from core.notifications import notify
from core.roles import ACTING_ROLES, Role
from core.states import Conflict, move
from registry.models import Invitation, Membership, Organization
from registry.services.common import (
    User,
    _audit,
    _require_admin,
    _tell_admins,
)


def invite_member(
    *, organization: Organization, by, username: str, role: str = Role.MEMBER
) -> Invitation:
    """An org admin invites an existing user (by username or e-mail) as admin or member. The
    person is told in their inbox and becomes a member only by accepting."""
    _require_admin(by, organization)
    if role not in ACTING_ROLES:
        raise ValidationError({"role": [_("Choose admin or member.")]})
    user = (
        User.objects.filter(username=username).first()
        or User.objects.filter(email__iexact=username).exclude(email="").first()
    )
    if user is None:
        raise ValidationError({"username": [_("No user with this username or e-mail.")]})
    if Membership.objects.filter(user=user, organization=organization).exists():
        raise ValidationError({"username": [_("This user is already a member.")]})
    open_invitations = Invitation.objects.filter(
        user=user, organization=organization, status=Invitation.Status.INVITED
    )
    if open_invitations.exists():
        raise Conflict(_("This user already has a pending invitation."))
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                organization=organization, user=user, role=role, invited_by=by
            )
            _audit(
                organization,
                actor=by,
                action="registry.invite",
                target=invitation,
                to_status=Invitation.Status.INVITED,
                data={"user": user.pk, "role": role},
            )
            notify(
                title=lambda: (
                    _("%(name)s invites you to join as %(role)s")
                    % {"name": organization.name, "role": str(Role(role).label)}
                ),
                body=lambda: _("Accept or decline on your invitations page."),
                audience={"users": [user.pk]},
                link=reverse("registry:invitations"),
                actor=by,
                kind="approval",
            )
    except IntegrityError as exc:  # the partial unique constraint: one open invitation
        raise Conflict(_("This user already has a pending invitation.")) from exc
    return invitation


def _require_invitee(invitation: Invitation, by) -> None:
    if invitation.user_id != getattr(by, "pk", None):
        raise PermissionDenied(_("Only the invited person may accept or decline."))


def _decide(invitation: Invitation, target: str, *, by, data: dict | None = None) -> Invitation:
    """Move the invitation through its table with one audit row, ``registry.invitation_<target>``
    (``core.states.move``: the row is locked and re-read, 409 when it is no longer open)."""
    return move(
        invitation,
        target,
        by=by,
        action=f"registry.invitation_{target}",
        data=data or {"user": invitation.user_id},
        changes={"decided_at": timezone.now()},
        label=_("Invitation"),
    )


def accept_invitation(*, invitation: Invitation, by) -> Membership:
    """The invited person accepts: the membership starts now, with the invited role; the admins
    are told and apps may react (``membership_joined`` hook, e.g. procurement flags an expert
    joining a bidder after a tender was published)."""
    _require_invitee(invitation, by)
    with transaction.atomic():
        invitation = _decide(
            invitation,
            Invitation.Status.ACCEPTED,
            by=by,
            data={"user": by.pk, "role": invitation.role},
        )
        org = invitation.organization
        membership, created = Membership.objects.get_or_create(
            user=by,
            organization=org,
            defaults={"role": invitation.role, "invited_by_id": invitation.invited_by_id},
        )
        if not created:
            raise ValidationError({"invitation": [_("You are already a member.")]})
        _tell_admins(
            org,
            title=lambda: (
                _("%(user)s accepted the invitation to %(name)s")
                % {"user": by.get_username(), "name": org.name}
            ),
            actor=by,
        )
        hooks.collect("membership_joined", membership)
    perms.forget_memberships(by)
    return membership


def decline_invitation(*, invitation: Invitation, by) -> Invitation:
    """The invited person declines; nothing else changes."""
    _require_invitee(invitation, by)
    return _decide(invitation, Invitation.Status.DECLINED, by=by)


def cancel_invitation(*, invitation: Invitation, by) -> Invitation:
    """An org admin withdraws a pending invitation."""
    _require_admin(by, invitation.organization)
    return _decide(invitation, Invitation.Status.CANCELLED, by=by)


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
