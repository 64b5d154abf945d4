"""Hardening, round two, item 3: nobody becomes a member without consent.

Before: ``POST /api/v1/organizations/<id>/members/ {"username": "expert"}`` made the expert a
member at once (201). Now it answers 201 with an *invitation*; the person becomes a member only
by accepting it, and may decline; the admin may cancel."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied

from core import permissions as perms
from core.audit import record
from core.models import AuditEvent
from core.roles import Role
from registry import services
from registry.models import Invitation, Membership
from registry.queries import acting_organization
from tests.registry import factories as f

pytestmark = pytest.mark.django_db


def _invite(api, admin, org, username, role="member"):
    return api(admin).post(
        f"/api/v1/organizations/{org.pk}/members/",
        {"username": username, "role": role},
        format="json",
    )


def test_adding_an_expert_makes_an_invitation_not_a_membership(api, ngo, ngo_admin, expert):
    response = _invite(api, ngo_admin, ngo, "expert_one")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["username"], body["role"]) == ("invited", "expert_one", "member")
    assert not Membership.objects.filter(user=expert, organization=ngo).exists()
    assert not perms.is_member_of(expert, ngo)
    members = api(ngo_admin).get(f"/api/v1/organizations/{ngo.pk}/members/").json()
    assert "expert_one" not in [m["username"] for m in members]
    pending = api(ngo_admin).get(f"/api/v1/organizations/{ngo.pk}/invitations/").json()
    assert [i["username"] for i in pending] == ["expert_one"]
    # the invited person is told, and sees it through the API
    assert expert.alert_deliveries.filter(channel="in_app").count() == 1
    mine = api(expert).get("/api/v1/me/invitations/").json()
    assert [(i["organization"], i["status"]) for i in mine] == [(ngo.pk, "invited")]
    assert AuditEvent.objects.filter(action="registry.invite", organization_id=ngo.pk).count() == 1


def test_accepting_makes_a_member_with_the_invited_role(api, ngo, ngo_admin):
    newcomer = f.UserFactory()
    invitation = _invite(api, ngo_admin, ngo, newcomer.username, role="admin").json()
    response = api(newcomer).post(f"/api/v1/invitations/{invitation['id']}/accept/")
    assert response.status_code == 200, response.json()
    membership = Membership.objects.get(user=newcomer, organization=ngo)
    assert (membership.role, membership.invited_by) == (Role.ADMIN, ngo_admin)
    assert Invitation.objects.get().status == "accepted"
    assert AuditEvent.objects.filter(action="registry.invitation_accepted").count() == 1
    assert api(newcomer).get("/api/v1/me/invitations/").json() == []
    # an answered invitation cannot be answered again
    again = api(newcomer).post(f"/api/v1/invitations/{invitation['id']}/decline/")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_declining_changes_nothing_but_the_invitation(api, ngo, ngo_admin):
    newcomer = f.UserFactory()
    invitation = _invite(api, ngo_admin, ngo, newcomer.username).json()
    response = api(newcomer).post(f"/api/v1/invitations/{invitation['id']}/decline/")
    assert response.status_code == 200 and response.json()["status"] == "declined"
    assert not Membership.objects.filter(user=newcomer, organization=ngo).exists()
    assert AuditEvent.objects.filter(action="registry.invitation_declined").count() == 1
    late = api(newcomer).post(f"/api/v1/invitations/{invitation['id']}/accept/")
    assert late.status_code == 409
    assert not Membership.objects.filter(user=newcomer, organization=ngo).exists()


def test_only_org_admins_invite(api, ngo, ngo_member, other_ngo_admin, official):
    newcomer = f.UserFactory()
    assert _invite(api, ngo_member, ngo, newcomer.username).status_code == 403
    assert _invite(api, other_ngo_admin, ngo, newcomer.username).status_code == 404
    assert _invite(api, None, ngo, newcomer.username).status_code in (401, 403, 404)
    with pytest.raises(PermissionDenied):
        services.invite_member(organization=ngo, by=official, username=newcomer.username)
    assert not Invitation.objects.exists()


def test_only_the_invited_person_accepts_or_declines(api, ngo, ngo_admin, ngo_member):
    newcomer = f.UserFactory()
    invitation = _invite(api, ngo_admin, ngo, newcomer.username).json()
    url = f"/api/v1/invitations/{invitation['id']}/"
    # the inviting admin sees it (to cancel) but may not answer for the person
    assert api(ngo_admin).post(url + "accept/").status_code == 403
    assert api(ngo_admin).post(url + "decline/").status_code == 403
    # anyone else does not even learn it exists
    stranger = f.UserFactory()
    for who in (stranger, ngo_member):
        assert api(who).post(url + "accept/").status_code == 404
        assert api(who).get(url).status_code == 404
    assert Invitation.objects.get().status == "invited"
    assert not Membership.objects.filter(user=newcomer).exists()


def test_an_invited_person_has_no_member_rights_before_accepting(api, ngo, ngo_admin):
    newcomer = f.UserFactory()
    _invite(api, ngo_admin, ngo, newcomer.username, role="admin")
    with pytest.raises(PermissionDenied):
        acting_organization(newcomer, ngo)
    client = api(newcomer)
    assert client.patch(f"/api/v1/organizations/{ngo.pk}/", {"description": "x"}).status_code in (
        403,
        404,
    )
    assert client.get(f"/api/v1/organizations/{ngo.pk}/documents/").status_code == 404
    assert client.get(f"/api/v1/organizations/{ngo.pk}/members/").status_code == 404
    other = f.UserFactory()
    assert _invite(api, newcomer, ngo, other.username).status_code in (403, 404)


def test_a_second_invitation_while_one_is_pending_is_a_409(api, ngo, ngo_admin, ngo_member):
    newcomer = f.UserFactory()
    assert _invite(api, ngo_admin, ngo, newcomer.username).status_code == 201
    again = _invite(api, ngo_admin, ngo, newcomer.email)
    assert again.status_code == 409 and again.json()["code"] == "conflict", again.json()
    assert Invitation.objects.count() == 1
    # members are refused with a field message, and once declined a new invitation is fine
    member = _invite(api, ngo_admin, ngo, ngo_member.username)
    assert member.status_code == 400 and "username" in member.json()
    api(newcomer).post(f"/api/v1/invitations/{Invitation.objects.get().pk}/decline/")
    assert _invite(api, ngo_admin, ngo, newcomer.username).status_code == 201


def test_bad_invitation_input_is_a_field_error(api, ngo, ngo_admin, official):
    assert "username" in _invite(api, ngo_admin, ngo, "nobody-such").json()
    assert "role" in _invite(api, ngo_admin, ngo, official.username, role="official").json()
    assert "role" in _invite(api, ngo_admin, ngo, official.username, role="boss").json()


def test_the_admin_cancels_a_pending_invitation(api, ngo, ngo_admin, ngo_member):
    newcomer = f.UserFactory()
    invitation = _invite(api, ngo_admin, ngo, newcomer.username).json()
    url = f"/api/v1/invitations/{invitation['id']}/"
    assert api(ngo_member).post(url + "cancel/").status_code == 404
    assert api(newcomer).post(url + "cancel/").status_code == 403
    response = api(ngo_admin).post(url + "cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert AuditEvent.objects.filter(action="registry.invitation_cancelled").count() == 1
    assert api(newcomer).post(url + "accept/").status_code == 409
    assert not Membership.objects.filter(user=newcomer, organization=ngo).exists()
    assert api(ngo_admin).post(url + "cancel/").status_code == 409


def test_registration_still_makes_its_creator_an_active_admin(api):
    from tests.registry.test_permissions import _register_body

    response = api().post("/api/v1/register/", _register_body(), format="json")
    assert response.status_code == 201, response.json()
    membership = Membership.objects.get(user_id=response.json()["user"])
    assert (membership.role, membership.invited_by) == (Role.ADMIN, None)
    assert not Invitation.objects.exists()


def test_the_invitations_page_and_the_navigation_badge(client, ngo, ngo_admin):
    newcomer = f.UserFactory()
    services.invite_member(organization=ngo, by=ngo_admin, username=newcomer.username)
    client.force_login(newcomer)
    page = client.get("/invitations/").content.decode()
    assert 'data-testid="invitations-pending">1<' in page and ngo.name in page
    invitation = Invitation.objects.get()
    stranger = f.UserFactory()
    client.force_login(stranger)
    response = client.post("/invitations/", {"invitation": invitation.pk, "answer": "accept"})
    assert response.status_code == 404
    client.force_login(newcomer)
    response = client.post("/invitations/", {"invitation": invitation.pk, "answer": "decline"})
    assert response.status_code == 302
    assert Invitation.objects.get().status == "declined"
    assert 'data-testid="invitations-pending"' not in client.get("/invitations/").content.decode()
    # the admin's members page cancels
    other = f.UserFactory()
    pending = services.invite_member(organization=ngo, by=ngo_admin, username=other.username)
    client.force_login(ngo_admin)
    client.post(f"/organizations/{ngo.pk}/members/", {"cancel": pending.pk})
    pending.refresh_from_db()
    assert pending.status == "cancelled"


def test_the_migration_marks_earlier_admin_additions_as_invited_by_that_admin(ngo, ngo_admin):
    """Memberships an admin added without consent before invitations existed count as added by
    someone else (procurement's conflict rule reads ``invited_by``)."""
    added = f.UserFactory()
    membership = Membership.objects.create(user=added, organization=ngo, role=Role.MEMBER)
    record(
        actor=ngo_admin,
        action="registry.add_member",
        target=membership,
        organization_id=ngo.pk,
        data={"user": added.pk, "role": "member"},
    )
    own = ngo_admin.memberships.get()
    migration = importlib.import_module("registry.migrations.0003_invitations_and_invited_by")
    migration.backfill_invited_by(apps, None)
    membership.refresh_from_db()
    own.refresh_from_db()
    assert membership.invited_by == ngo_admin
    assert own.invited_by is None


def test_the_database_refuses_two_open_invitations_to_one_person(ngo, ngo_admin):
    """The backstop for two admins inviting at the same moment (the service then answers 409)."""
    from django.db import IntegrityError, transaction

    newcomer = f.UserFactory()
    Invitation.objects.create(organization=ngo, user=newcomer, invited_by=ngo_admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(organization=ngo, user=newcomer, invited_by=ngo_admin)
    Invitation.objects.filter(user=newcomer).update(status="declined")
    Invitation.objects.create(organization=ngo, user=newcomer, invited_by=ngo_admin)
    assert Invitation.objects.filter(user=newcomer).count() == 2
