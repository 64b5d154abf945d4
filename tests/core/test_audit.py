import pytest
from django.contrib import admin

from core import audit
from core.models import AuditEvent
from core.queries import history_for, visible_audit_events

pytestmark = pytest.mark.django_db


def _event(actor, org, region="511826", action="organization.verified"):
    return audit.record(
        actor=actor,
        action=action,
        target=org,
        organization_id=org.pk,
        region_code=region,
        from_status="pending",
        to_status="verified",
        reason="资料齐全",
        data={"note": "ok"},
    )


def test_record_writes_who_what_when_and_why(official, ngo):
    event = _event(official, ngo)
    event.refresh_from_db()
    assert event.actor == official
    assert event.target == ngo
    assert (event.from_status, event.to_status, event.reason) == ("pending", "verified", "资料齐全")
    assert event.created_at is not None


def test_the_trail_cannot_be_changed_or_deleted_through_the_orm(official, ngo):
    event = _event(official, ngo)
    event.reason = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == "资料齐全"


def test_the_admin_is_read_only(rf, official):
    model_admin = admin.site._registry[AuditEvent]
    request = rf.get("/")
    request.user = official
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_officials_see_the_trail_of_their_jurisdiction_only(
    official, outside_official, province_official, ngo
):
    event = _event(official, ngo)
    assert list(visible_audit_events(official)) == [event]
    assert list(visible_audit_events(province_official)) == [event]
    assert list(visible_audit_events(outside_official)) == []


def test_members_see_their_own_organizations_trail(ngo_member, other_ngo_admin, official, ngo):
    event = _event(official, ngo, region="")
    assert list(visible_audit_events(ngo_member)) == [event]
    assert list(visible_audit_events(other_ngo_admin)) == []


def test_history_for_an_object_is_newest_first(official, ngo):
    first = _event(official, ngo, action="a")
    second = _event(official, ngo, action="b")
    assert [e.pk for e in history_for(ngo)] == [second.pk, first.pk]


def test_the_audit_api_and_page_respect_jurisdiction(api, client, official, outside_official, ngo):
    _event(official, ngo)
    assert api(official).get("/api/v1/audit/").json()["count"] == 1
    assert api(outside_official).get("/api/v1/audit/").json()["count"] == 0
    assert api().get("/api/v1/audit/").status_code in (401, 403)
    client.force_login(official)
    page = client.get("/audit/")
    assert page.status_code == 200
    html = page.content.decode()
    # an action missing from the sentence table still reads as a sentence, never as its code
    assert "organization.verified" not in html
    assert f"雅安市应急管理局 将 {ngo.name} 从“待核验”改为“已核验”" in html


def test_the_request_ip_is_recorded(client, official, ngo):
    from core.audit import current_ip

    token = current_ip.set("203.0.113.9")
    try:
        event = _event(official, ngo)
    finally:
        current_ip.reset(token)
    assert event.ip == "203.0.113.9"
