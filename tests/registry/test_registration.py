"""Public registration through the API and the page: user + pending organization in one
transaction."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from alerts.models import Alert
from core.models import AuditEvent
from registry.models import Document, Organization
from tests.registry import factories as f

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

pytestmark = pytest.mark.django_db


def payload(**org):
    data = {
        "name": "雅安市雨城区志愿者协会",
        "uscc": f.valid_uscc("social_group", "511802"),
        "kind": "social_group",
        "region_code": "511802",
        "address": "雅安市雨城区",
        "contact_name": "张三",
        "contact_phone": "13912345678",
        "description": "社区减灾。",
    }
    data.update(org)
    return {
        "username": "newadmin",
        "password": "a-Long-pass-2024",
        "email": "new@example.org",
        "organization": data,
    }


def test_registration_creates_admin_user_and_pending_organization(api):
    response = api().post("/api/v1/register/", payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["organization"]["status"] == "pending"
    org = Organization.objects.get(pk=body["organization"]["id"])
    user = get_user_model().objects.get(username="newadmin")
    assert user.check_password("a-Long-pass-2024")
    assert org.memberships.get().user == user
    assert org.memberships.get().role == "admin"
    assert AuditEvent.objects.filter(action="registry.register", organization_id=org.pk).exists()
    assert Alert.objects.filter(audience={"officials_for": "511802"}).exists()


def test_real_enterprise_code_is_accepted(api):
    response = api().post(
        "/api/v1/register/",
        payload(kind="enterprise", uscc="914403001922038216", region_code="440300"),
        format="json",
    )
    assert response.status_code == 201, response.json()


def test_wrong_check_digit_is_a_400_naming_field_and_check(api):
    code = f.valid_uscc("social_group", "511802")
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    response = api().post("/api/v1/register/", payload(uscc=wrong), format="json")
    assert response.status_code == 400
    message = response.json()["organization"]["uscc"][0]
    assert "check_digit" in message
    assert not get_user_model().objects.filter(username="newadmin").exists()


def test_kind_inconsistent_with_code_is_refused(api):
    response = api().post(
        "/api/v1/register/", payload(uscc=f.valid_uscc("foundation", "511802")), format="json"
    )
    assert response.status_code == 400
    assert "kind" in response.json()["organization"]["uscc"][0]


def test_duplicate_code_points_to_the_existing_record(api):
    existing = f.OrganizationFactory(kind="social_group")
    response = api().post("/api/v1/register/", payload(uscc=existing.uscc), format="json")
    assert response.status_code == 400
    message = response.json()["organization"]["uscc"][0]
    assert existing.name in message and f"/organizations/{existing.pk}/" in message
    assert Organization.objects.filter(uscc=existing.uscc).count() == 1


def test_agencies_cannot_register(api):
    response = api().post(
        "/api/v1/register/",
        payload(kind="agency", uscc=f.valid_uscc("agency", "511802")),
        format="json",
    )
    assert response.status_code == 400
    assert "kind" in response.json()["organization"]


@pytest.mark.parametrize(
    ("change", "field"),
    [({"region_code": "999999"}, "region_code"), ({"region_code": "abc"}, "region_code")],
)
def test_bad_region_is_a_field_error(api, change, field):
    response = api().post("/api/v1/register/", payload(**change), format="json")
    assert response.status_code == 400
    assert field in response.json()["organization"]


def test_weak_password_and_taken_username_are_field_errors(api):
    f.UserFactory(username="newadmin")
    data = payload()
    data["password"] = "123"
    response = api().post("/api/v1/register/", data, format="json")
    assert response.status_code == 400
    assert "username" in response.json()


def test_garbage_input_never_500s(api):
    for body in [{}, {"organization": "x"}, {"username": "a", "password": "b", "email": "c"}, []]:
        assert api().post("/api/v1/register/", body, format="json").status_code == 400


def test_register_page_creates_org_with_certificate_and_logs_in(client):
    data = payload()
    form = {k: v for k, v in data.items() if k != "organization"} | data["organization"]
    form["certificate"] = SimpleUploadedFile("cert.pdf", PDF, content_type="application/pdf")
    response = client.post("/register/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Organization.objects.get(name="雅安市雨城区志愿者协会")
    doc = org.documents.get()
    assert doc.kind == "registration_certificate" and doc.content_type == "application/pdf"
    assert client.get(response["Location"]).status_code == 200


def test_register_page_refuses_a_file_that_is_not_pdf_jpeg_or_png(client):
    data = payload()
    form = {k: v for k, v in data.items() if k != "organization"} | data["organization"]
    form["certificate"] = SimpleUploadedFile(
        "cert.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    response = client.post("/register/", form)
    assert response.status_code == 200
    assert "PDF" in response.content.decode()
    assert not Organization.objects.filter(name="雅安市雨城区志愿者协会").exists()
    assert not get_user_model().objects.filter(username="newadmin").exists()


def test_register_page_renders(client):
    assert client.get("/register/").status_code == 200


def test_uploads_are_sniffed_and_size_limited(api, ngo, ngo_admin, settings):
    url = f"/api/v1/organizations/{ngo.pk}/documents/"
    ok = api(ngo_admin).post(
        url, {"file": SimpleUploadedFile("a.png", PNG), "kind": "insurance"}, format="multipart"
    )
    assert ok.status_code == 201, ok.json()
    assert ok.json()["content_type"] == "image/png"
    fake = SimpleUploadedFile("a.pdf", b"<html>hi</html>", content_type="application/pdf")
    bad = api(ngo_admin).post(url, {"file": fake}, format="multipart")
    assert bad.status_code == 400 and "file" in bad.json()
    settings.FILE_UPLOAD_MAX_BYTES = 10
    big = api(ngo_admin).post(url, {"file": SimpleUploadedFile("b.pdf", PDF)}, format="multipart")
    assert big.status_code == 400 and "file" in big.json()
    assert Document.objects.count() == 1


def test_documents_are_served_only_to_members_and_officials_in_jurisdiction(
    api, client, ngo, ngo_admin, ngo_member, other_ngo_admin, official, outside_official
):
    doc_id = (
        api(ngo_admin)
        .post(
            f"/api/v1/organizations/{ngo.pk}/documents/",
            {"file": SimpleUploadedFile("c.pdf", PDF)},
            format="multipart",
        )
        .json()["id"]
    )
    url = f"/api/v1/documents/{doc_id}/download/"
    assert api(ngo_member).get(url).status_code == 200
    assert b"".join(api(official).get(url).streaming_content) == PDF
    assert api(other_ngo_admin).get(url).status_code == 404
    assert api(outside_official).get(url).status_code == 404
    assert api().get(url).status_code in (401, 403)
    assert client.get(f"/documents/{doc_id}/").status_code == 302  # to login
    client.force_login(other_ngo_admin)
    assert client.get(f"/documents/{doc_id}/").status_code == 404
