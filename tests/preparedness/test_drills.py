"""Drills leave results: the review opens follow-up items on the owners' homes; the owner closes
them with an audit trail; the drill closes only when every item is done or carried over."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts.models import Alert
from core.models import AuditEvent
from preparedness import services
from preparedness.models import Drill, FollowUp
from tests.preparedness.flow import due, plan_drill, reviewed_drill
from tests.readable import assert_readable_html
from tests.registry import factories as f

pytestmark = pytest.mark.django_db


def test_official_plans_a_drill_through_the_api(api, official, ngo, agency):
    body = {
        "title": "防汛联合演练",
        "scenario": "青衣江超警戒水位。",
        "region_code": "511826",
        "starts_at": (timezone.now() + dt.timedelta(days=3)).isoformat(),
        "objectives": ["转移群众", "水上搜救"],
        "participants": [ngo.pk],
    }
    response = api(official).post("/api/v1/drills/", body, format="json")
    assert response.status_code == 201, response.json()
    drill = response.json()
    assert drill["is_exercise"] and drill["status"] == "planned"
    assert {p["id"] for p in drill["participants"]} == {ngo.pk, agency.pk}
    assert [o["text"] for o in drill["objectives"]] == ["转移群众", "水上搜救"]
    assert drill["actions"] == ["add_inject", "run"]


@pytest.mark.parametrize("who", ["ngo_admin", "outside_official", "expert"])
def test_only_officials_with_jurisdiction_plan_drills(api, who, request, ngo):
    body = {
        "title": "演练",
        "scenario": "x",
        "region_code": "511826",
        "starts_at": timezone.now().isoformat(),
        "objectives": ["a"],
        "participants": [],
    }
    response = api(request.getfixturevalue(who)).post("/api/v1/drills/", body, format="json")
    assert response.status_code == 403
    assert not Drill.objects.exists()


def test_bad_drill_input_is_a_field_error_and_writes_nothing(api, official):
    body = {
        "title": "演练",
        "scenario": "x",
        "region_code": "511826",
        "starts_at": timezone.now().isoformat(),
        "objectives": ["a"],
        "participants": [999999],
    }
    response = api(official).post("/api/v1/drills/", body, format="json")
    assert response.status_code == 400 and "participants" in response.json()
    response = api(official).post(
        "/api/v1/drills/", {**body, "participants": [], "objectives": [" "]}, format="json"
    )
    assert response.status_code == 400 and "objectives" in response.json()
    assert not Drill.objects.exists()


def test_illegal_drill_moves_are_409(api, official, ngo):
    drill = plan_drill(official, ngo)
    assert api(official).post(f"/api/v1/drills/{drill.pk}/end/").status_code == 409
    assert api(official).post(f"/api/v1/drills/{drill.pk}/close/").status_code == 409
    assert api(official).post(f"/api/v1/drills/{drill.pk}/run/").status_code == 200
    assert api(official).post(f"/api/v1/drills/{drill.pk}/run/").status_code == 409
    objective = drill.objectives.get()
    review = {"worked": "好", "gaps": []}
    url = f"/api/v1/drills/{drill.pk}/objectives/{objective.pk}/review/"
    assert api(official).post(url, review, format="json").status_code == 409


def test_participants_see_but_do_not_run_a_drill(api, official, ngo, ngo_admin, other_ngo_admin):
    drill = plan_drill(official, ngo)
    assert api(ngo_admin).get(f"/api/v1/drills/{drill.pk}/").json()["actions"] == []
    assert api(ngo_admin).post(f"/api/v1/drills/{drill.pk}/run/").status_code == 403
    assert api(other_ngo_admin).get(f"/api/v1/drills/{drill.pk}/").status_code == 404
    assert api().get(f"/api/v1/drills/{drill.pk}/").status_code == 403


def test_review_gaps_must_be_owned_by_a_participant(api, official, ngo, other_ngo):
    drill = plan_drill(official, ngo)
    services.run_drill(drill=drill, by=official)
    services.end_drill(drill=drill, by=official)
    objective = drill.objectives.get()
    url = f"/api/v1/drills/{drill.pk}/objectives/{objective.pk}/review/"
    gap = {"title": "通信中断", "owner": other_ngo.pk, "due_on": due().isoformat()}
    response = api(official).post(url, {"worked": "好", "gaps": [gap]}, format="json")
    assert response.status_code == 400 and "gaps" in response.json()
    past = {**gap, "owner": ngo.pk, "due_on": (due(-2)).isoformat()}
    response = api(official).post(url, {"worked": "好", "gaps": [past]}, format="json")
    assert response.status_code == 400 and "gaps" in response.json()
    assert not FollowUp.objects.exists()


def test_drill_close_is_refused_while_an_item_is_open(api, official, ngo, ngo_admin):
    drill = reviewed_drill(official, ngo, gaps=2)
    detail = api(official).get(f"/api/v1/drills/{drill.pk}/").json()
    assert "close" not in detail["actions"]
    response = api(official).post(f"/api/v1/drills/{drill.pk}/close/")
    assert response.status_code == 400
    assert "2" in str(response.json())
    first, second = drill.followups.order_by("pk")
    assert (
        api(ngo_admin)
        .post(f"/api/v1/followups/{first.pk}/complete/", {"note": "已采购"}, format="json")
        .status_code
        == 200
    )
    assert api(official).post(f"/api/v1/drills/{drill.pk}/close/").status_code == 400
    response = api(ngo_admin).post(
        f"/api/v1/followups/{second.pk}/carry-over/", {"reason": ""}, format="json"
    )
    assert response.status_code == 400 and "reason" in response.json()
    response = api(official).post(
        f"/api/v1/followups/{second.pk}/carry-over/",
        {"reason": "列入明年预算"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "carried_over"
    assert "close" in api(official).get(f"/api/v1/drills/{drill.pk}/").json()["actions"]
    assert api(official).post(f"/api/v1/drills/{drill.pk}/close/").json()["status"] == "closed"


def test_followup_closes_with_an_audit_trail(api, official, ngo, ngo_member, other_ngo_admin):
    drill = reviewed_drill(official, ngo)
    item = drill.followups.get()
    assert api(other_ngo_admin).post(f"/api/v1/followups/{item.pk}/complete/").status_code == 404
    assert api(official).post(f"/api/v1/followups/{item.pk}/complete/").status_code == 403
    response = api(ngo_member).post(
        f"/api/v1/followups/{item.pk}/complete/", {"note": "已补齐"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "done" and response.json()["actions"] == []
    trail = list(
        AuditEvent.objects.filter(target_id=str(item.pk), action__startswith="followup.")
        .order_by("pk")
        .values_list("action", "to_status", "organization_id", "actor_id")
    )
    assert trail == [
        ("followup.opened", "open", ngo.pk, official.pk),
        ("followup.done", "done", ngo.pk, ngo_member.pk),
    ]
    again = api(ngo_member).post(f"/api/v1/followups/{item.pk}/complete/")
    assert again.status_code == 409


def test_open_items_show_on_the_owners_home_and_the_bureaus(client, official, ngo, ngo_admin):
    drill = reviewed_drill(official, ngo)
    item = drill.followups.get()
    client.force_login(ngo_admin)
    home = client.get("/").content.decode()
    assert "待办结的整改事项" in home
    assert f"/followups/{item.pk}/" in home
    client.force_login(official)
    home = client.get("/").content.decode()
    assert f"/followups/{item.pk}/" in home
    services.complete_followup(item=item, by=ngo_admin)
    client.force_login(ngo_admin)
    assert f"/followups/{item.pk}/" not in client.get("/").content.decode()


def test_the_ngo_closes_its_item_from_the_page(client, official, ngo, ngo_admin):
    drill = reviewed_drill(official, ngo)
    item = drill.followups.get()
    client.force_login(ngo_admin)
    page = client.get(f"/followups/{item.pk}/").content.decode()
    assert 'data-action="complete"' in page and 'data-action="carry_over"' in page
    assert_readable_html(page)
    response = client.post(f"/followups/{item.pk}/complete/", {"note": "已补齐"}, follow=True)
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.status == "done"
    page = response.content.decode()
    assert 'data-action="complete"' not in page


def test_reminders_go_once_per_item(official, ngo, ngo_admin, settings):
    settings.TONGZHOU_FOLLOWUP_REMINDER_DAYS = 3
    drill = reviewed_drill(official, ngo)
    item = drill.followups.get()  # due in 10 days
    assert services.remind_due_followups() == 0
    later = timezone.now() + dt.timedelta(days=8)
    assert services.remind_due_followups(now=later) == 1
    assert services.remind_due_followups(now=later) == 0
    assert services.remind_due_followups(now=later + dt.timedelta(days=5)) == 0
    reminders = Alert.objects.filter(alert_type="deadline", link=f"/followups/{item.pk}/")
    assert reminders.count() == 1
    assert ngo_admin.pk in reminders.get().deliveries.values_list("user_id", flat=True)


def test_drill_pages_show_the_buttons_the_service_accepts(client, official, ngo, ngo_admin):
    drill = plan_drill(official, ngo)
    client.force_login(official)
    page = client.get(f"/drills/{drill.pk}/").content.decode()
    assert 'data-action="run"' in page and 'data-action="add_inject"' in page
    assert 'data-action="close"' not in page
    assert_readable_html(page)
    client.post(
        f"/drills/{drill.pk}/injects/",
        {
            "deliver_at": (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "title": "集结",
            "body": "",
        },
    )
    assert drill.injects.count() == 1
    client.post(f"/drills/{drill.pk}/run/")
    client.post(f"/drills/{drill.pk}/end/")
    drill.refresh_from_db()
    assert drill.status == "reviewing"
    objective = drill.objectives.get()
    client.post(
        f"/drills/{drill.pk}/objectives/{objective.pk}/review/",
        {
            "worked": "集结迅速",
            "item_title": "补充照明",
            "item_owner": ngo.pk,
            "item_due_on": due().isoformat(),
        },
    )
    assert drill.followups.get().title == "补充照明"
    page = client.get(f"/drills/{drill.pk}/").content.decode()
    assert 'data-action="close"' not in page and 'data-testid="close-reason"' in page
    client.force_login(ngo_admin)
    page = client.get(f"/drills/{drill.pk}/").content.decode()
    assert 'data-action="' not in page


def test_public_summary_counts_drills_and_closed_items(client, api, official, ngo, ngo_admin):
    drill = reviewed_drill(official, ngo, gaps=2)
    first, _second = drill.followups.order_by("pk")
    services.complete_followup(item=first, by=ngo_admin)
    year = timezone.localdate().year
    rows = api().get("/api/v1/preparedness/summary/").json()
    this = next(r for r in rows if r["year"] == drill.starts_at.year)
    assert this["held"] == 1
    items = next(r for r in rows if r["year"] == year)
    assert items["opened"] == 2 and items["done"] == 1
    page = client.get("/drills/summary/").content.decode()
    assert "drills-chart" in page and "echarts" in page
    assert_readable_html(page)


@pytest.mark.parametrize("rows", [5, 50])
def test_followup_list_costs_a_fixed_number_of_queries(
    rows, api, client, official, ngo, ngo_admin, django_assert_max_num_queries
):
    drill = reviewed_drill(official, ngo, gaps=rows)
    assert drill.followups.count() == rows
    with django_assert_max_num_queries(8):
        assert len(api(ngo_admin).get("/api/v1/followups/?page_size=100").json()["results"]) > 0
    client.force_login(ngo_admin)
    with django_assert_max_num_queries(16):
        assert client.get("/followups/").status_code == 200
    client.force_login(official)
    with django_assert_max_num_queries(24):
        assert client.get(f"/drills/{drill.pk}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert api(official).get(f"/api/v1/drills/{drill.pk}/").status_code == 200
    with django_assert_max_num_queries(10):
        assert api(official).get("/api/v1/drills/").status_code == 200


def test_a_second_drill_participant_sees_its_items_only(
    api, official, ngo, other_ngo, other_ngo_admin
):
    drill = plan_drill(official, ngo, other_ngo)
    services.run_drill(drill=drill, by=official)
    services.end_drill(drill=drill, by=official)
    services.review_objective(
        objective=drill.objectives.get(),
        by=official,
        worked="",
        gaps=[
            {"title": "A", "owner": ngo.pk, "due_on": due()},
            {"title": "B", "owner": other_ngo.pk, "due_on": due()},
        ],
    )
    titles = [i["title"] for i in api(other_ngo_admin).get("/api/v1/followups/").json()["results"]]
    assert titles == ["B"]
    assert f.OrganizationFactory  # registry factories stay importable for extensions
