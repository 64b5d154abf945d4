"""Insured rosters: a deployment filing names its people; a high-risk filing with someone
lacking accident cover for its dates is approved only with a reason (service, API, page), and
the incident page counts insured and uninsured people per area."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coordination import services
from coordination.models import Deployment, RosterEntry
from core.models import AuditEvent
from registry.models import InsurancePolicy
from tests.coordination.factories import DeploymentFactory
from tests.readable import assert_readable_html
from tests.registry.factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db

ARRIVAL = timezone.now() + dt.timedelta(days=1)


def insure(person, *, days=30, accident="500000.00", start=None, **kw):
    start = start or timezone.localdate()
    return InsurancePolicy.objects.create(
        person=person,
        insurer="中国人寿",
        policy_number=f"P{person.pk}-{start}",
        accident_amount=Decimal(accident) if accident else None,
        valid_from=start,
        valid_until=start + dt.timedelta(days=days),
        **kw,
    )


def filing(user, incident, organization, people, *, specialties=("water_rescue",), **kw):
    values = {
        "incident": incident,
        "by": user,
        "organization": organization,
        "headcount": 5,
        "area_region_code": "511826",
        "arrival_at": ARRIVAL,
        "leader_name": "王队长",
        "leader_phone": "13900000000",
        "specialties": list(specialties),
        "self_sufficiency_days": 3,
        "roster": [{"person": p.pk, "role": "rescue"} for p in people],
    }
    values.update(kw)
    return services.file_deployment(**values)


@pytest.fixture
def crew(ngo):
    insured = PersonFactory(organization=ngo, name="李救生")
    insure(insured)
    uninsured = PersonFactory(organization=ngo, name="赵无保")
    return insured, uninsured


def test_a_filing_keeps_its_roster_with_roles(ngo, ngo_admin, incident, crew):
    deployment = filing(ngo_admin, incident, ngo, crew)
    assert [(e.person.name, e.role) for e in deployment.roster.all()] == [
        ("李救生", "rescue"),
        ("赵无保", "rescue"),
    ]


def test_uninsured_high_risk_filing_needs_a_reason_naming_them(
    ngo, ngo_admin, official, incident, crew
):
    deployment = filing(ngo_admin, incident, ngo, crew)
    with pytest.raises(ValidationError) as refused:
        services.approve_deployment(deployment=deployment, by=official)
    assert "赵无保" in refused.value.message_dict["reason"][0]
    assert "李救生" not in refused.value.message_dict["reason"][0]
    deployment.refresh_from_db()
    assert deployment.status == "filed"
    services.approve_deployment(deployment=deployment, by=official, reason="保险在途，已口头确认")
    deployment.refresh_from_db()
    assert deployment.status == "approved"
    event = AuditEvent.objects.get(action="deployment.approved", target_id=str(deployment.pk))
    assert event.reason == "保险在途，已口头确认"
    assert event.data == {"uninsured": ["赵无保"]}


def test_everyone_insured_or_an_ordinary_specialty_needs_no_reason(
    ngo, ngo_admin, other_ngo, other_ngo_admin, official, incident, crew
):
    insured, _uninsured = crew
    ok = filing(ngo_admin, incident, ngo, [insured])
    assert services.approve_deployment(deployment=ok, by=official).status == "approved"
    uninsured = PersonFactory(organization=other_ngo)
    ordinary = filing(other_ngo_admin, incident, other_ngo, [uninsured], specialties=["logistics"])
    assert services.approve_deployment(deployment=ordinary, by=official).status == "approved"


def test_cover_must_last_the_filings_dates_and_be_accident_cover(
    ngo, ngo_admin, official, incident
):
    short = PersonFactory(organization=ngo, name="短期保")
    insure(short, days=2)  # ends before arrival + 3 self-sufficiency days
    medical = PersonFactory(organization=ngo, name="只有医疗")
    insure(medical, accident=None, medical_amount=Decimal("10000"))
    deployment = filing(ngo_admin, incident, ngo, [short, medical])
    with pytest.raises(ValidationError) as refused:
        services.approve_deployment(deployment=deployment, by=official)
    assert "短期保" in str(refused.value) and "只有医疗" in str(refused.value)


def test_a_roster_names_only_the_organizations_people_within_the_headcount(
    ngo, ngo_admin, incident, crew
):
    stranger = PersonFactory(organization=OrganizationFactory())
    with pytest.raises(ValidationError) as refused:
        filing(ngo_admin, incident, ngo, [stranger])
    assert "roster" in refused.value.message_dict
    with pytest.raises(ValidationError):
        filing(ngo_admin, incident, ngo, crew, headcount=1)
    with pytest.raises(ValidationError):
        filing(ngo_admin, incident, ngo, [crew[0], crew[0]])
    assert not Deployment.objects.exists() and not RosterEntry.objects.exists()


def test_api_files_a_roster_and_approving_uninsured_needs_a_reason(
    api, ngo, ngo_admin, official, incident, crew
):
    body = {
        "incident": incident.pk,
        "headcount": 4,
        "specialties": ["mountain_rescue"],
        "area_region_code": "511826",
        "arrival_at": ARRIVAL.isoformat(),
        "leader_name": "王队长",
        "leader_phone": "13900000000",
        "self_sufficiency_days": 2,
        "roster": [{"person": p.pk, "role": "search"} for p in crew],
    }
    response = api(ngo_admin).post("/api/v1/deployments/", body, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    detail = api(official).get(f"/api/v1/deployments/{pk}/").json()
    assert detail["uninsured"] == ["赵无保"]
    assert [r["person_name"] for r in detail["roster"]] == ["李救生", "赵无保"]
    refused = api(official).post(f"/api/v1/deployments/{pk}/approve/", {}, format="json")
    assert refused.status_code == 400 and "赵无保" in refused.json()["reason"][0]
    bad = dict(body, roster=[{"person": crew[0].pk, "role": "pilot"}])
    assert api(ngo_admin).post("/api/v1/deployments/", bad, format="json").status_code == 400
    ok = api(official).post(
        f"/api/v1/deployments/{pk}/approve/", {"reason": "队员已购买短期险"}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "approved"


def test_the_page_warns_and_approves_only_with_a_reason(
    client, ngo, ngo_admin, official, incident, crew
):
    deployment = filing(ngo_admin, incident, ngo, crew)
    client.force_login(official)
    url = f"/incidents/{incident.pk}/?tab=deployments"
    page = client.get(url).content.decode()
    assert 'data-testid="uninsured-warning"' in page and "赵无保" in page
    assert_readable_html(page)
    client.post(f"/deployments/{deployment.pk}/approve/", {"reason": ""})
    deployment.refresh_from_db()
    assert deployment.status == "filed"
    response = client.post(f"/deployments/{deployment.pk}/approve/", {"reason": "已确认保险"})
    assert response.status_code == 302
    deployment.refresh_from_db()
    assert deployment.status == "approved" and deployment.status_reason == "已确认保险"


def test_the_filing_form_sends_the_roster(client, ngo, ngo_admin, incident, crew):
    client.force_login(ngo_admin)
    form = client.get(f"/incidents/{incident.pk}/deployments/new/").content.decode()
    assert "李救生" in form and f"roster_{crew[1].pk}" in form
    response = client.post(
        f"/incidents/{incident.pk}/deployments/new/",
        {
            "headcount": 3,
            "specialties": ["water_rescue"],
            "vehicles": 0,
            "area_region_code": "511826",
            "arrival_at": ARRIVAL.strftime("%Y-%m-%dT%H:%M"),
            "leader_name": "王队长",
            "leader_phone": "13900000000",
            "self_sufficiency_days": 1,
            f"roster_{crew[0].pk}": "medical",
            f"roster_{crew[1].pk}": "",
        },
    )
    assert response.status_code == 302
    deployment = Deployment.objects.get()
    assert [(e.person_id, e.role) for e in deployment.roster.all()] == [(crew[0].pk, "medical")]


def test_the_incident_page_counts_insured_and_uninsured_people_per_area(
    client, ngo, ngo_admin, official, incident, crew
):
    deployment = filing(ngo_admin, incident, ngo, crew)
    services.approve_deployment(deployment=deployment, by=official, reason="知悉")
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    row = page[page.index('data-testid="on-site"') :]
    assert 'data-testid="insured">1<' in row
    assert 'data-testid="uninsured">1<' in row
    assert "赵无保" not in page  # counts only, for the public


def test_the_deployments_tab_costs_the_same_with_rosters_of_5_and_50(
    client, official, incident, django_assert_max_num_queries
):
    client.force_login(official)
    for count in (5, 50):
        while Deployment.objects.count() < count:
            org = OrganizationFactory()
            deployment = DeploymentFactory(incident=incident, organization=org, status="filed")
            for _ in range(2):
                person = PersonFactory(organization=org)
                insure(person)
                RosterEntry.objects.create(deployment=deployment, person=person)
        with django_assert_max_num_queries(18):
            assert client.get(f"/incidents/{incident.pk}/?tab=deployments").status_code == 200
