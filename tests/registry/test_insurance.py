"""Insurance policies of the talent pool: members record them (page and API), officials of the
region read them, other organizations do not see them; a fixed number of queries."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from registry.models import Document, InsurancePolicy
from tests.readable import assert_readable_html
from tests.registry.factories import PersonFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/insurance-policies/"


def body(person, **kw):
    return {
        "person": person.pk,
        "insurer": "中国平安",
        "policy_number": "PA-2026-001",
        "accident_amount": "600000.00",
        "medical_amount": "50000.00",
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
        **kw,
    }


def test_a_member_records_a_policy_with_its_document(api, ngo, ngo_member):
    person = PersonFactory(organization=ngo, name="钱救援")
    pdf = SimpleUploadedFile("policy.pdf", b"%PDF-1.4 policy", content_type="application/pdf")
    response = api(ngo_member).post(URL, {**body(person), "document": pdf}, format="multipart")
    assert response.status_code == 201, response.json()
    policy = InsurancePolicy.objects.get()
    assert policy.person == person and policy.document.kind == Document.Kind.INSURANCE
    assert response.json()["person_name"] == "钱救援"


def test_policy_input_is_checked_field_by_field(api, ngo, ngo_member):
    person = PersonFactory(organization=ngo)
    user = api(ngo_member)
    nothing = body(person, accident_amount=None, medical_amount=None)
    assert "accident_amount" in user.post(URL, nothing, format="json").json()
    backwards = body(person, valid_from="2026-12-31", valid_until="2026-01-01")
    assert "valid_until" in user.post(URL, backwards, format="json").json()
    assert "typo" in user.post(URL, {**body(person), "typo": 1}, format="json").json()
    assert not InsurancePolicy.objects.exists()


def test_who_sees_and_who_edits_policies(
    api, ngo, ngo_member, other_ngo_admin, official, outside_official
):
    person = PersonFactory(organization=ngo)
    # another organization does not even see the person: 404
    assert api(other_ngo_admin).post(URL, body(person), format="json").status_code == 404
    # an official of the region sees the pool but does not write it
    assert api(official).post(URL, body(person), format="json").status_code == 403
    created = api(ngo_member).post(URL, body(person), format="json").json()
    assert [p["id"] for p in api(official).get(URL).json()["results"]] == [created["id"]]
    assert api(outside_official).get(URL).json()["results"] == []
    assert api(other_ngo_admin).get(URL).json()["results"] == []
    assert api().get(URL).status_code == 403
    assert api(other_ngo_admin).delete(f"{URL}{created['id']}/").status_code == 404
    assert api(official).delete(f"{URL}{created['id']}/").status_code == 403
    assert api(ngo_member).delete(f"{URL}{created['id']}/").status_code == 204


def test_the_database_refuses_a_policy_without_cover_or_backwards():
    person = PersonFactory()
    for bad in (
        {"accident_amount": None},
        {"valid_until": dt.date(2025, 1, 1)},
        {"accident_amount": -1, "medical_amount": 5},
    ):
        values = {
            "person": person,
            "insurer": "x",
            "policy_number": "1",
            "accident_amount": 100,
            "valid_from": dt.date(2026, 1, 1),
            "valid_until": dt.date(2026, 2, 1),
            **bad,
        }
        with pytest.raises(IntegrityError), transaction.atomic():
            InsurancePolicy.objects.create(**values)


def test_the_insurance_page_lists_and_adds_policies(client, ngo, ngo_admin, other_ngo_admin):
    person = PersonFactory(organization=ngo, name="孙队员")
    client.force_login(ngo_admin)
    url = f"/organizations/{ngo.pk}/insurance/"
    response = client.post(
        url,
        {
            "person": person.pk,
            "insurer": "中国人保",
            "policy_number": "PICC-9",
            "accident_amount": "３０００００",  # full-width digits from a Chinese keyboard
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
        },
    )
    assert response.status_code == 302
    assert InsurancePolicy.objects.get().accident_amount == 300000
    page = client.get(url).content.decode()
    assert "孙队员" in page and "PICC-9" in page and "¥300,000" in page
    assert_readable_html(page)
    client.force_login(other_ngo_admin)
    assert client.get(url).status_code == 404


def test_the_insurance_page_refuses_an_empty_policy_with_a_field_message(client, ngo, ngo_admin):
    person = PersonFactory(organization=ngo)
    client.force_login(ngo_admin)
    response = client.post(
        f"/organizations/{ngo.pk}/insurance/",
        {
            "person": person.pk,
            "insurer": "中国人保",
            "policy_number": "PICC-9",
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
        },
    )
    assert response.status_code == 200 and not InsurancePolicy.objects.exists()
    assert "errorlist" in response.content.decode()


@pytest.mark.parametrize("where", ["api", "page"])
def test_policy_lists_cost_the_same_for_5_and_50(
    api, client, ngo, ngo_admin, where, django_assert_max_num_queries
):
    client.force_login(ngo_admin)
    for count in (5, 50):
        while InsurancePolicy.objects.count() < count:
            InsurancePolicy.objects.create(
                person=PersonFactory(organization=ngo),
                insurer="中国人寿",
                policy_number="X",
                accident_amount=1000,
                valid_from=dt.date(2026, 1, 1),
                valid_until=dt.date(2026, 12, 31),
            )
        with django_assert_max_num_queries(12):
            if where == "api":
                assert api(ngo_admin).get(URL).status_code == 200
            else:
                assert client.get(f"/organizations/{ngo.pk}/insurance/").status_code == 200
