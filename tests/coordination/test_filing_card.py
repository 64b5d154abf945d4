"""The incident page's "your filing" card (overview tab): the filing organization sees its open
filings with the roster (name, role, accident cover for the dates) and the uninsured warning,
and a link to the roster page where it names its people again (``services.set_roster``, page
and API), at a fixed number of queries."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coordination import services
from coordination.models import Deployment, RosterEntry
from core.models import AuditEvent
from core.states import InvalidTransition
from tests.caching import empty_cache
from tests.conftest import client_for
from tests.coordination.test_rosters import filing, insure
from tests.readable import assert_readable_html
from tests.registry.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def crew(ngo):
    insured = PersonFactory(organization=ngo, name="李救生")
    insure(insured)
    return insured, PersonFactory(organization=ngo, name="赵无保")


def overview(client, user, incident) -> str:
    client.force_login(user)
    response = client.get(f"/incidents/{incident.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_filing_organization_sees_its_roster_on_the_incident_page(
    client, ngo, ngo_admin, incident, crew
):
    deployment = filing(ngo_admin, incident, ngo, crew)
    html = overview(client, ngo_admin, incident)
    assert_readable_html(html)
    card = html.split('data-testid="your-filing"', 1)[1].split("</section>", 1)[0]
    assert "你的报备：芦山县应急救援队" in card
    insured, uninsured = crew
    assert f'data-person="{insured.pk}"><td data-label="姓名">李救生</td>' in card
    assert "已投保" in card.split(f'data-person="{insured.pk}"')[1].split("</tr>")[0]
    assert "未投保" in card.split(f'data-person="{uninsured.pk}"')[1].split("</tr>")[0]
    assert 'data-testid="uninsured-warning"' in card and "赵无保" in card
    assert "已列名 2 人，共 5 人" in card
    assert f'href="/deployments/{deployment.pk}/roster/" data-action="edit_roster"' in card


def test_others_see_no_card(client, ngo, ngo_admin, other_ngo_admin, official, incident, crew):
    filing(ngo_admin, incident, ngo, crew)
    for user in (other_ngo_admin, official):
        assert 'data-testid="your-filing"' not in overview(client, user, incident)
    client.logout()
    assert (
        'data-testid="your-filing"' not in client.get(f"/incidents/{incident.pk}/").content.decode()
    )


def test_a_withdrawn_filing_leaves_the_card(client, ngo, ngo_admin, incident, crew):
    deployment = filing(ngo_admin, incident, ngo, crew)
    services.withdraw_deployment(deployment=deployment, by=ngo_admin)
    assert 'data-testid="your-filing"' not in overview(client, ngo_admin, incident)


def test_the_card_costs_the_same_with_rosters_of_1_and_20(client, ngo, ngo_admin, incident):
    people = [PersonFactory(organization=ngo) for _ in range(20)]
    for person in people[::2]:
        insure(person)
    deployment = filing(ngo_admin, incident, ngo, people[:1], headcount=20)
    client.force_login(ngo_admin)

    def count() -> int:
        empty_cache()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/incidents/{incident.pk}/").status_code == 200
        return len(queries)

    one = count()
    services.set_roster(
        deployment=deployment,
        by=ngo_admin,
        roster=[{"person": p.pk, "role": "rescue"} for p in people],
    )
    assert count() == one


# --- changing the roster: service, page, API ----------------------------------------------------


def test_the_service_replaces_the_roster_and_keeps_an_audit_row(ngo, ngo_admin, incident, crew):
    deployment = filing(ngo_admin, incident, ngo, crew[:1])
    services.set_roster(
        deployment=deployment, by=ngo_admin, roster=[{"person": crew[1].pk, "role": "medical"}]
    )
    assert list(RosterEntry.objects.values_list("person_id", "role")) == [(crew[1].pk, "medical")]
    event = AuditEvent.objects.get(action="deployment.roster")
    assert event.data == {"roster": [crew[1].pk], "before": [crew[0].pk]}


def test_the_service_refuses_others_withdrawn_filings_and_bad_rosters(
    ngo, ngo_admin, other_ngo_admin, official, incident, crew
):
    deployment = filing(ngo_admin, incident, ngo, crew, headcount=2)
    for user in (other_ngo_admin, official):
        with pytest.raises(PermissionDenied):
            services.set_roster(deployment=deployment, by=user, roster=[])
    stranger = PersonFactory()
    with pytest.raises(ValidationError) as error:
        services.set_roster(
            deployment=deployment, by=ngo_admin, roster=[{"person": stranger.pk, "role": "rescue"}]
        )
    assert "roster" in error.value.message_dict
    third = PersonFactory(organization=ngo)
    with pytest.raises(ValidationError):  # more people than the headcount
        services.set_roster(
            deployment=deployment,
            by=ngo_admin,
            roster=[{"person": p.pk, "role": "rescue"} for p in (*crew, third)],
        )
    services.withdraw_deployment(deployment=deployment, by=ngo_admin)
    with pytest.raises(InvalidTransition):
        services.set_roster(deployment=deployment, by=ngo_admin, roster=[])
    assert RosterEntry.objects.filter(deployment=deployment).count() == 2


def test_an_approved_high_risk_filing_takes_no_uninsured_newcomer(
    ngo, ngo_admin, official, incident, crew
):
    insured, uninsured = crew
    deployment = filing(ngo_admin, incident, ngo, [insured])
    services.approve_deployment(deployment=deployment, by=official)
    with pytest.raises(ValidationError) as error:
        services.set_roster(
            deployment=deployment,
            by=ngo_admin,
            roster=[{"person": p.pk, "role": "rescue"} for p in crew],
        )
    assert "赵无保" in str(error.value)
    assert list(RosterEntry.objects.values_list("person_id", flat=True)) == [insured.pk]
    services.set_roster(deployment=deployment, by=ngo_admin, roster=[])  # removing is fine
    assert not RosterEntry.objects.exists()


def test_the_roster_page_saves_for_the_team_and_refuses_in_words_to_the_official(
    client, ngo, ngo_admin, official, incident, crew
):
    insured, uninsured = crew
    deployment = filing(ngo_admin, incident, ngo, [insured])
    url = f"/deployments/{deployment.pk}/roster/"
    client.force_login(ngo_admin)
    page = client.get(url).content.decode()
    assert_readable_html(page)
    assert 'data-action="roster"' in page and f'name="roster_{uninsured.pk}"' in page
    response = client.post(url, {f"roster_{insured.pk}": "", f"roster_{uninsured.pk}": "medical"})
    assert response.status_code == 302 and response.url == f"/incidents/{incident.pk}/"
    assert list(RosterEntry.objects.values_list("person_id", "role")) == [(uninsured.pk, "medical")]
    response = client.post(url, {f"roster_{insured.pk}": "nonsense"})
    assert response.status_code == 200 and response.context["form"].errors
    client.force_login(official)
    page = client.get(url).content.decode()
    assert 'data-action="roster"' not in page
    assert "只有报备的组织可以修改其名单" in page
    assert "赵无保" in page  # the official sees the roster


def test_the_api_replaces_the_roster(ngo, ngo_admin, other_ngo_admin, incident, crew):
    deployment = filing(ngo_admin, incident, ngo, crew[:1])
    url = f"/api/v1/deployments/{deployment.pk}/roster/"
    body = {"roster": [{"person": crew[1].pk, "role": "medical"}]}
    assert client_for(other_ngo_admin).post(url, body, format="json").status_code == 404
    response = client_for(ngo_admin).post(url, body, format="json")
    assert response.status_code == 200, response.content
    assert [r["person"] for r in response.json()["roster"]] == [crew[1].pk]
    bad = client_for(ngo_admin).post(url, {"roster": [{"person": 0}]}, format="json")
    assert bad.status_code == 400 and "roster" in bad.json()
    assert Deployment.objects.get().roster.count() == 1
