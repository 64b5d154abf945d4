"""Permission matrix: every registry write endpoint against the five personas.

anonymous, NGO member (of the target org), NGO admin of another org, official outside
the jurisdiction (广东), official inside it (雅安市, a delegated assessing city).
404 where the caller may not even see the object; 403 where they see it but may not act.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.roles import Role
from tests.registry import factories as f

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "member", "other_admin", "outside_official", "official"]
_serial = iter(range(1, 10_000))


@pytest.fixture
def world(ngo, ngo_admin, ngo_member, other_ngo_admin, official, outside_official):
    pending = f.OrganizationFactory(status="pending", region_code="511826")
    f.org_user(pending)
    suspended = f.OrganizationFactory(status="suspended", region_code="511826")
    f.MembershipFactory(user=ngo_member, organization=suspended, role=Role.MEMBER)
    cap = f.CapabilityFactory(organization=ngo, specialty="water_rescue")
    extra_member = f.org_user(ngo, Role.MEMBER)
    person = f.PersonFactory(organization=ngo)
    return {
        "ngo": ngo,
        "pending": pending,
        "suspended": suspended,
        "cap": cap,
        "membership": extra_member.memberships.get(),
        "person": person,
        "users": {
            "anonymous": None,
            "member": ngo_member,
            "other_admin": other_ngo_admin,
            "outside_official": outside_official,
            "official": official,
        },
    }


def _pdf():
    return SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%%EOF\n")


def _register_body():
    n = next(_serial)
    return {
        "username": f"matrix{n}",
        "password": "a-Long-pass-2024",
        "email": f"m{n}@example.org",
        "organization": {
            "name": f"矩阵{n}",
            "uscc": f.valid_uscc("social_service", "511826"),
            "kind": "social_service",
            "region_code": "511826",
        },
    }


# endpoint -> (method, url(world), body(world), format, expected statuses by persona)
ENDPOINTS = {
    "register": (
        "post",
        lambda w: "/api/v1/register/",
        lambda w: _register_body(),
        "json",
        [201, 201, 201, 201, 201],
    ),
    "profile": (
        "patch",
        lambda w: f"/api/v1/organizations/{w['ngo'].pk}/",
        lambda w: {"description": "x"},
        "json",
        [403, 403, 403, 403, 403],
    ),
    "verify": (
        "post",
        lambda w: f"/api/v1/organizations/{w['pending'].pk}/verify/",
        lambda w: {"decision": "verified"},
        "json",
        [404, 404, 404, 404, 200],
    ),
    "suspend": (
        "post",
        lambda w: f"/api/v1/organizations/{w['ngo'].pk}/suspend/",
        lambda w: {"reason": "x"},
        "json",
        [403, 403, 403, 403, 200],
    ),
    "reinstate": (
        "post",
        lambda w: f"/api/v1/organizations/{w['suspended'].pk}/reinstate/",
        lambda w: {},
        "json",
        [404, 403, 404, 404, 200],
    ),
    "declare_capability": (
        "post",
        lambda w: f"/api/v1/organizations/{w['ngo'].pk}/capabilities/",
        lambda w: {"specialty": "hazmat", "declared_grade": 3},
        "json",
        [403, 403, 403, 403, 403],
    ),
    "edit_capability": (
        "patch",
        lambda w: f"/api/v1/capabilities/{w['cap'].pk}/",
        lambda w: {"declared_grade": 1},
        "json",
        [403, 403, 403, 403, 403],
    ),
    "assess": (
        "post",
        lambda w: f"/api/v1/capabilities/{w['cap'].pk}/assess/",
        lambda w: {"grade": 1, "score": 90},
        "json",
        [403, 403, 403, 403, 201],
    ),
    "revoke": (
        "post",
        lambda w: f"/api/v1/capabilities/{w['cap'].pk}/revoke/",
        lambda w: {"reason": "x"},
        "json",
        [403, 403, 403, 403, 200],
    ),
    "add_member": (
        "post",
        lambda w: f"/api/v1/organizations/{w['ngo'].pk}/members/",
        lambda w: {"username": w["users"]["other_admin"].username},
        "json",
        [404, 403, 404, 404, 403],
    ),
    "set_role": (
        "patch",
        lambda w: f"/api/v1/memberships/{w['membership'].pk}/",
        lambda w: {"role": "admin"},
        "json",
        [403, 403, 404, 404, 404],
    ),
    "remove_member": (
        "delete",
        lambda w: f"/api/v1/memberships/{w['membership'].pk}/",
        lambda w: None,
        "json",
        [403, 403, 404, 404, 404],
    ),
    "upload_document": (
        "post",
        lambda w: f"/api/v1/organizations/{w['ngo'].pk}/documents/",
        lambda w: {"file": _pdf()},
        "multipart",
        [404, 403, 404, 404, 403],
    ),
    "add_person": (
        "post",
        lambda w: "/api/v1/people/",
        lambda w: {"organization": w["ngo"].pk, "name": "李四", "skills": ["急救"]},
        "json",
        [403, 201, 403, 403, 403],
    ),
    "edit_person": (
        "patch",
        lambda w: f"/api/v1/people/{w['person'].pk}/",
        lambda w: {"phone": "1"},
        "json",
        [403, 200, 404, 404, 403],
    ),
    "remove_person": (
        "delete",
        lambda w: f"/api/v1/people/{w['person'].pk}/",
        lambda w: None,
        "json",
        [403, 204, 404, 404, 403],
    ),
}

CASES = [
    pytest.param(name, persona, spec[4][i], id=f"{name}-{persona}")
    for name, spec in ENDPOINTS.items()
    for i, persona in enumerate(PERSONAS)
]


@pytest.mark.parametrize(("endpoint", "persona", "expected"), CASES)
def test_permission_matrix(api, world, endpoint, persona, expected):
    method, url, body, fmt, _statuses = ENDPOINTS[endpoint]
    client = api(world["users"][persona])
    response = getattr(client, method)(url(world), body(world), format=fmt)
    assert response.status_code == expected, getattr(response, "data", response)


@pytest.mark.parametrize(
    ("method", "url", "body", "fmt", "expected"),
    [
        ("patch", "/api/v1/organizations/{ngo}/", {"description": "新简介"}, "json", 200),
        (
            "post",
            "/api/v1/organizations/{ngo}/capabilities/",
            {"specialty": "hazmat", "declared_grade": 3},
            "json",
            201,
        ),
        ("patch", "/api/v1/capabilities/{cap}/", {"declared_grade": 1}, "json", 200),
        (
            "post",
            "/api/v1/organizations/{ngo}/members/",
            {"username": "outsider_joins"},
            "json",
            201,
        ),
        ("patch", "/api/v1/memberships/{membership}/", {"role": "admin"}, "json", 200),
        ("delete", "/api/v1/memberships/{membership}/", None, "json", 204),
        ("post", "/api/v1/organizations/{ngo}/documents/", "pdf", "multipart", 201),
    ],
)
def test_the_org_admin_may_do_the_admin_writes(
    api, world, ngo_admin, method, url, body, fmt, expected
):
    f.UserFactory(username="outsider_joins")
    ids = {"ngo": world["ngo"].pk, "cap": world["cap"].pk, "membership": world["membership"].pk}
    body = {"file": _pdf()} if body == "pdf" else body
    response = getattr(api(ngo_admin), method)(url.format(**ids), body, format=fmt)
    assert response.status_code == expected, getattr(response, "data", response)


def test_the_last_admin_cannot_step_down(api, ngo, ngo_admin):
    membership = ngo_admin.memberships.get()
    response = api(ngo_admin).patch(
        f"/api/v1/memberships/{membership.pk}/", {"role": "member"}, format="json"
    )
    assert response.status_code == 400 and "role" in response.json()
