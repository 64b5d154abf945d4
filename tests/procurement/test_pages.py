"""Public pages and list endpoints: what the public sees, and a fixed query count for 5 and 100
rows."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.html import escape

from core import words
from core.display import display_name
from core.hooks import collect
from tests.procurement import delivery
from tests.procurement.factories import BidFactory, ProjectFactory
from tests.procurement.flow import Flow

pytestmark = pytest.mark.django_db


def published(agency, n, **fields):
    return [
        ProjectFactory(buyer=agency, status="tendering", published_at=timezone.now(), **fields)
        for _ in range(n)
    ]


def test_the_list_shows_open_tenders_with_eligibility_and_deadline(client, agency):
    project = published(agency, 1)[0]
    ProjectFactory(buyer=agency, title="内部草稿")
    page = client.get("/procurements/").content.decode()
    assert project.title in page
    assert "内部草稿" not in page
    assert words.datetime_text(project.tender_end) in page


def test_a_draft_page_is_404_for_the_public(client, agency):
    draft = ProjectFactory(buyer=agency)
    assert client.get(f"/procurements/{draft.pk}/").status_code == 404


def test_the_detail_page_shows_award_contract_and_acceptance_without_personal_data(
    api, official, client
):
    flow = Flow(api, official)
    flow.create()
    flow.publish()
    flow.bid_all()
    with flow.after_deadline():
        flow.close_and_open()
        flow.draw()
        flow.score_all()
        flow.award()
        end = flow.project.awards.get().standstill_ends_at
    import time_machine

    with time_machine.travel(end + dt.timedelta(minutes=1), tick=True):
        flow.contract()
        milestone = flow.project.contract.milestones.order_by("due_at").first()
        measured = {str(s.pk): "999" for s in milestone.indicators.all()}
        delivery.deliver(api, official, flow.bidders[1][1], milestone, measured=measured)
        delivery.accept(api, official, milestone, recipients=["隐私居民甲"])
    page = client.get(f"/procurements/{flow.pk}/").content.decode()
    winner = flow.bidders[1][0]
    assert winner.name in page and "¥100,000" in page
    assert all(escape(display_name(e)) in page for e in flow.experts)
    assert not any(e.username in page for e in flow.experts)
    assert "999" in page
    assert "隐私居民甲" not in page
    assert winner.contact_phone not in page


def test_the_dashboard_card_counts_open_tenders(agency):
    published(agency, 2)
    cards = [c for c in collect("dashboard_cards", None) if c["url"].startswith("/procurements/")]
    assert cards[0]["value"] == 2


@pytest.mark.parametrize("rows", [5, 100])
def test_the_public_list_page_costs_a_fixed_number_of_queries(
    client, agency, rows, django_assert_max_num_queries
):
    published(agency, rows)
    with django_assert_max_num_queries(14):
        assert client.get("/procurements/").status_code == 200


@pytest.mark.parametrize("rows", [5, 100])
def test_the_api_list_costs_a_fixed_number_of_queries(
    api, official, agency, rows, django_assert_max_num_queries
):
    projects = published(agency, rows)
    for p in projects[:5]:
        BidFactory(project=p)
    client = api(official)
    with django_assert_max_num_queries(16):
        r = client.get("/api/v1/procurements/", {"page_size": 200})
    assert r.json()["count"] == rows


@pytest.mark.parametrize("rows", [5, 100])
def test_the_bid_list_costs_a_fixed_number_of_queries(
    api, official, agency, rows, django_assert_max_num_queries
):
    project = published(agency, 1)[0]
    for _ in range(rows):
        BidFactory(project=project)
    client = api(official)
    with django_assert_max_num_queries(12):
        r = client.get(f"/api/v1/procurements/{project.pk}/bids/", {"page_size": 200})
    assert r.json()["count"] == rows


@pytest.mark.parametrize("rows", [5, 100])
def test_the_detail_page_costs_a_fixed_number_of_queries(
    client, agency, rows, django_assert_max_num_queries
):
    project = published(agency, 1)[0]
    for _ in range(rows):
        BidFactory(project=project)
    with django_assert_max_num_queries(16):
        page = client.get(f"/procurements/{project.pk}/")
    assert page.status_code == 200
    assert "SECRET-PROPOSAL" not in page.content.decode()


def test_the_project_page_runs_the_guards_once_for_buttons_and_reasons(
    client, agency, official, monkeypatch
):
    """One pass of ``core.states.outcomes`` gives both the buttons and the reasons shown: each
    of the project's guards runs once per page."""
    from core import states

    project = published(agency, 1)[0]
    declared = states.actions_of(project)
    checks = []
    original = states.Action.check

    def counted(self, user, obj, **context):
        if obj == project:
            checks.append(self)
        return original(self, user, obj, **context)

    monkeypatch.setattr(states.Action, "check", counted)
    client.force_login(official)
    page = client.get(f"/procurements/{project.pk}/").content.decode()
    assert len(checks) == len(declared.by_name)
    allowed = states.allowed_actions(official, project)
    assert allowed  # an official of the region may act on a tendering project
    for name in allowed:
        assert f'data-action="{name}"' in page
