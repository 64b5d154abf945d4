"""Talent pool search and visibility; org admin pages (profile, capabilities, members,
documents)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import AuditEvent
from registry.models import Capability, Membership
from tests.registry import factories as f

pytestmark = pytest.mark.django_db


def test_talent_pool_is_searchable_by_skill_and_region(api, ngo, ngo_member, official):
    api(ngo_member).post(
        "/api/v1/people/",
        {
            "organization": ngo.pk,
            "name": "王五",
            "skills": ["心理援助"],
            "social_worker_level": "senior",
            "phone": "13600000000",
        },
        format="json",
    )
    f.PersonFactory(organization=ngo, name="赵六", skills=["通信"], skills_index=",通信,")
    names = [
        p["name"] for p in api(official).get("/api/v1/people/?skill=心理援助").json()["results"]
    ]
    assert names == ["王五"]
    assert api(official).get("/api/v1/people/?region=511826").json()["count"] == 2
    assert api(official).get("/api/v1/people/?region=440000").json()["count"] == 0


def test_talent_pool_is_hidden_from_other_orgs_and_other_regions(
    api, ngo, other_ngo_admin, outside_official
):
    f.PersonFactory(organization=ngo)
    assert api(other_ngo_admin).get("/api/v1/people/").json()["count"] == 0
    assert api(outside_official).get("/api/v1/people/").json()["count"] == 0


def test_bad_person_input_is_a_field_error(api, ngo, ngo_member):
    response = api(ngo_member).post(
        "/api/v1/people/",
        {"organization": ngo.pk, "name": "x", "social_worker_level": "guru"},
        format="json",
    )
    assert response.status_code == 400 and "social_worker_level" in response.json()
    response = api(ngo_member).post(
        "/api/v1/people/",
        {"organization": ngo.pk, "name": "x", "region_code": "000001"},
        format="json",
    )
    assert response.status_code == 400 and "region_code" in response.json()


def test_people_page(client, ngo, ngo_member):
    client.force_login(ngo_member)
    response = client.post(
        "/people/",
        {
            "organization": ngo.pk,
            "name": "钱七",
            "skills_text": "急救, 搜救",
            "social_worker_level": "none",
            "availability": "available",
        },
    )
    assert response.status_code == 302
    html = client.get("/people/?skill=急救").content.decode()
    assert "钱七" in html


def test_a_member_edits_and_removes_a_person_through_the_pages(
    client, ngo, ngo_member, official, other_ngo_admin
):
    person = f.PersonFactory(organization=ngo, name="孙八", skills=["搜救"], skills_index=",搜救,")
    client.force_login(ngo_member)
    html = client.get("/people/").content.decode()
    assert f'href="/people/{person.pk}/"' in html  # the 编辑 button of the member's own people
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert (
        'value="搜救"' in page and "organization" not in page.split("<form")[1].split("</form>")[0]
    )
    response = client.post(
        f"/people/{person.pk}/",
        {
            "name": "孙八",
            "skills_text": "搜救，绳索救援",
            "social_worker_level": "none",
            "availability": "limited",
            "phone": "13700000000",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.skills == ["搜救", "绳索救援"] and person.availability == "limited"
    assert AuditEvent.objects.filter(
        action="registry.update_person", target_id=str(person.pk)
    ).exists()
    bad = client.post(f"/people/{person.pk}/", {"name": "", "availability": "x"})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    assert client.get(f"/people/{person.pk}/remove/").status_code == 302  # GET removes nothing
    response = client.post(f"/people/{person.pk}/remove/")
    assert response.status_code == 302
    assert not type(person).objects.filter(pk=person.pk).exists()
    assert AuditEvent.objects.filter(action="registry.remove_person").exists()


def test_only_the_persons_organization_sees_the_edit_button(client, ngo, official, other_ngo_admin):
    person = f.PersonFactory(organization=ngo, name="周九")
    client.force_login(official)  # sees the talent pool of the region, edits nobody's
    html = client.get("/people/").content.decode()
    assert "周九" in html and f'href="/people/{person.pk}/"' not in html
    assert client.get(f"/people/{person.pk}/").status_code == 403
    assert client.post(f"/people/{person.pk}/remove/").status_code == 403
    client.force_login(other_ngo_admin)
    assert client.get(f"/people/{person.pk}/").status_code == 404
    assert type(person).objects.filter(pk=person.pk).exists()


def test_profile_page_edits_and_audits(client, ngo, ngo_admin):
    client.force_login(ngo_admin)
    url = f"/organizations/{ngo.pk}/edit/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": ngo.name,
            "kind": ngo.kind,
            "description": "新的简介",
            "service_regions_text": "511800, 510000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    ngo.refresh_from_db()
    assert ngo.description == "新的简介" and ngo.service_regions == ["511800", "510000"]
    assert AuditEvent.objects.filter(action="registry.update_profile").exists()


def test_admin_pages_are_404_for_others(client, ngo, other_ngo_admin, ngo_member):
    for user in (other_ngo_admin, ngo_member):
        client.force_login(user)
        for path in ("edit/", "members/", "capabilities/new/"):
            assert client.get(f"/organizations/{ngo.pk}/{path}").status_code == 404
    client.force_login(other_ngo_admin)
    assert client.get(f"/organizations/{ngo.pk}/documents/").status_code == 404


def test_capability_pages(client, ngo, ngo_admin):
    client.force_login(ngo_admin)
    response = client.post(
        f"/organizations/{ngo.pk}/capabilities/new/",
        {
            "specialty": "hazmat",
            "declared_grade": 2,
            "mobility_range": "province",
            "personnel_rescue": "5",
            "personnel_safety_officer": "1",
            "equipment_text": "防化服=10",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    cap = Capability.objects.get(organization=ngo, specialty="hazmat")
    assert cap.personnel == {"rescue": 5, "safety_officer": 1}
    assert cap.equipment == [{"name": "防化服", "quantity": 10}]
    response = client.post(
        f"/organizations/{ngo.pk}/capabilities/{cap.pk}/",
        {"declared_grade": 1, "mobility_range": "local", "equipment_text": "bad line"},
    )
    assert response.status_code == 200  # error shown, nothing written
    cap.refresh_from_db()
    assert cap.declared_grade == 2


def test_members_page_invites_sets_role_and_removes(client, ngo, ngo_admin):
    newcomer = f.UserFactory(username="newcomer", email="newcomer@example.org")
    client.force_login(ngo_admin)
    url = f"/organizations/{ngo.pk}/members/"
    assert (
        client.post(url, {"username": "newcomer@example.org", "role": "member"}).status_code == 302
    )
    assert not Membership.objects.filter(user=newcomer, organization=ngo).exists()
    assert 'data-testid="pending-invitations"' in client.get(url).content.decode()
    client.force_login(newcomer)
    invitation = newcomer.invitations.get()
    client.post("/invitations/", {"invitation": invitation.pk, "answer": "accept"})
    client.force_login(ngo_admin)
    membership = Membership.objects.get(user=newcomer, organization=ngo)
    client.post(url, {"membership": membership.pk, "role": "admin"})
    membership.refresh_from_db()
    assert membership.role == "admin"
    client.post(url, {"remove": membership.pk})
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert "newcomer" not in client.get(url).content.decode()


def test_documents_page_uploads_for_admins_only(client, ngo, ngo_admin, ngo_member):
    client.force_login(ngo_admin)
    url = f"/organizations/{ngo.pk}/documents/"
    response = client.post(
        url,
        {
            "file": SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n0000"),
            "kind": "logo",
            "title": "标志",
        },
    )
    assert response.status_code == 302
    client.force_login(ngo_member)
    html = client.get(url).content.decode()
    assert "标志" in html
    response = client.post(
        url, {"file": SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n0000"), "kind": "logo"}
    )
    assert response.status_code == 403


def test_suspend_page_for_official(client, ngo, official):
    client.force_login(official)
    url = f"/organizations/{ngo.pk}/suspend/"
    assert client.post(url, {"reason": "检查中"}).status_code == 302
    ngo.refresh_from_db()
    assert ngo.status == "suspended"
    assert client.post(url, {"reason": "复核通过"}).status_code == 302
    ngo.refresh_from_db()
    assert ngo.status == "verified"


def test_pages_render_in_english(client, ngo, official):
    client.force_login(official)
    for url in ("/organizations/", f"/organizations/{ngo.pk}/", "/verification/", "/people/"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
