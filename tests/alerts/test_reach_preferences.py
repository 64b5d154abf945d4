"""Issue 17: automatic alerts go out on each person's channels for their type (defaults:
mobilization and assignment in-app + SMS, approvals and deadlines in-app + e-mail, digests
e-mail), SMS only with a phone number, and quiet hours hold SMS / e-mail except red and orange
mobilizations."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from alerts import services
from alerts.models import AlertType, Delivery, Preference
from core.notifications import notify as core_notify
from tests.readable import assert_readable_html
from tests.registry import factories as f

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def person(ngo):
    user = f.org_user(ngo)
    Preference.objects.create(user=user, phone="13800000000", sms=True, email=True)
    return user


def _channels(alert, user) -> dict[str, str]:
    return dict(alert.deliveries.filter(user=user).values_list("channel", "status"))


def _notify(user, kind: str, level: str = "blue"):
    return services.notify(title="测试", audience={"users": [user.pk]}, kind=kind, level=level)


@pytest.mark.parametrize(
    "kind, expected",
    [
        ("mobilization", {"in_app", "sms"}),
        ("assignment", {"in_app", "sms"}),
        ("approval", {"in_app", "email"}),
        ("deadline", {"in_app", "email"}),
        ("digest", {"in_app", "email"}),
    ],
)
def test_default_channels_per_type(person, kind, expected):
    alert = _notify(person, kind, level="red")
    assert set(_channels(alert, person)) == expected
    assert alert.alert_type == kind


def test_an_untyped_alert_keeps_the_callers_channels(person):
    alert = services.notify(title="t", audience={"users": [person.pk]})
    assert set(_channels(alert, person)) == {"in_app"}


def test_no_phone_means_no_sms_and_sms_off_is_a_master_switch(ngo):
    no_phone = f.org_user(ngo)
    switched_off = f.org_user(ngo)
    Preference.objects.create(user=switched_off, phone="13800000001", sms=False)
    for user in (no_phone, switched_off):
        assert set(_channels(_notify(user, "mobilization", "red"), user)) == {"in_app"}


def test_the_api_sets_channels_per_type_and_refuses_bad_ones(api, person):
    client = api(person)
    current = client.get("/api/v1/alert-preferences/").json()
    assert current["channels_by_type"]["mobilization"] == ["in_app", "sms"]
    assert current["channels_by_type"]["approval"] == ["in_app", "email"]
    body = {
        "email": True,
        "sms": True,
        "phone": "13800000000",
        "channels_by_type": {"mobilization": ["email"], "approval": []},
        "quiet_start": "22:00",
        "quiet_end": "07:00",
    }
    saved = client.put("/api/v1/alert-preferences/", body, format="json")
    assert saved.status_code == 200, saved.json()
    assert saved.json()["channels_by_type"]["mobilization"] == ["in_app", "email"]
    assert saved.json()["channels_by_type"]["approval"] == ["in_app"]
    assert saved.json()["channels_by_type"]["assignment"] == ["in_app", "sms"]  # kept
    assert saved.json()["quiet_start"] == "22:00:00"
    assert set(_channels(_notify(person, "mobilization", "red"), person)) == {"in_app", "email"}
    assert set(_channels(_notify(person, "approval"), person)) == {"in_app"}
    for bad, field in (
        ({**body, "channels_by_type": {"parade": ["sms"]}}, "channels_by_type"),
        ({**body, "channels_by_type": {"approval": ["fax"]}}, "channels_by_type"),
        ({**body, "quiet_end": None}, "quiet_end"),
        ({**body, "quiet_end": "22:00"}, "quiet_end"),
    ):
        response = client.put("/api/v1/alert-preferences/", bad, format="json")
        assert response.status_code == 400 and field in response.json(), response.json()
    pref = Preference.objects.get(user=person)
    assert pref.channels_by_type["mobilization"] == ["in_app", "email"]  # nothing half-written


def test_an_unknown_type_is_refused_by_notify(person):
    with pytest.raises(Exception) as error:
        _notify(person, "gossip")
    assert "kind" in error.value.message_dict


@pytest.fixture
def quiet_person(person):
    Preference.objects.filter(user=person).update(
        quiet_start=dt.time(22, 0), quiet_end=dt.time(7, 0)
    )
    return person


def test_quiet_hours_hold_sms_and_email_until_they_end(quiet_person):
    with time_machine.travel(dt.datetime(2026, 7, 1, 23, 30, tzinfo=SHANGHAI), tick=False):
        alert = _notify(quiet_person, "approval", level="yellow")
        email = alert.deliveries.get(channel="email")
        assert email.status == Delivery.Status.PENDING
        assert email.next_attempt_at == dt.datetime(2026, 7, 2, 7, 0, tzinfo=SHANGHAI)
        assert alert.deliveries.get(channel="in_app").status == Delivery.Status.SENT
        blue_mobilization = _notify(quiet_person, "mobilization", level="blue")
        held = blue_mobilization.deliveries.get(channel="sms")
        assert held.next_attempt_at == dt.datetime(2026, 7, 2, 7, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize("level", ["red", "orange"])
def test_red_and_orange_mobilizations_break_quiet_hours(quiet_person, level):
    at = dt.datetime(2026, 7, 2, 3, 0, tzinfo=SHANGHAI)
    with time_machine.travel(at, tick=False):
        alert = _notify(quiet_person, "mobilization", level=level)
        assert alert.deliveries.get(channel="sms").next_attempt_at == at
        # an orange assignment still waits
        assignment = _notify(quiet_person, "assignment", level=level)
        assert assignment.deliveries.get(channel="sms").next_attempt_at == dt.datetime(
            2026, 7, 2, 7, 0, tzinfo=SHANGHAI
        )


def test_outside_quiet_hours_nothing_waits(quiet_person):
    at = dt.datetime(2026, 7, 2, 12, 0, tzinfo=SHANGHAI)
    with time_machine.travel(at, tick=False):
        alert = _notify(quiet_person, "assignment", level="yellow")
        assert alert.deliveries.get(channel="sms").next_attempt_at == at


def test_a_held_email_is_sent_by_the_sweep_once_quiet_hours_end(
    quiet_person, django_capture_on_commit_callbacks, settings
):
    settings.TONGZHOU_ALERTS_REQUEUE_AFTER = 60
    from alerts.tasks import requeue_stuck

    with time_machine.travel(dt.datetime(2026, 7, 1, 23, 30, tzinfo=SHANGHAI), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            alert = _notify(quiet_person, "approval", level="yellow")
        assert mail.outbox == []
    with time_machine.travel(dt.datetime(2026, 7, 2, 7, 5, tzinfo=SHANGHAI), tick=False):
        requeue_stuck()
    assert alert.deliveries.get(channel="email").status == Delivery.Status.SENT
    assert len(mail.outbox) == 1


def test_core_notify_passes_the_type(person):
    alert = core_notify(title=lambda: "任务", audience={"users": [person.pk]}, kind="assignment")
    assert alert.alert_type == AlertType.ASSIGNMENT
    assert set(_channels(alert, person)) == {"in_app", "sms"}


def test_the_preferences_page_sets_types_and_quiet_hours(client, person):
    client.force_login(person)
    page = client.get("/inbox/preferences/")
    assert_readable_html(page.content)
    html = page.content.decode()
    assert "动员" in html and "免打扰" in html
    form = {
        "email": "on",
        "sms": "on",
        "phone": "13800000000",
        "type_mobilization": ["sms", "email"],
        "type_approval": [],
        "quiet_start": "22:30",
        "quiet_end": "06:30",
    }
    response = client.post("/inbox/preferences/", form)
    assert response.status_code == 302
    pref = Preference.objects.get(user=person)
    assert pref.channels_by_type["mobilization"] == ["in_app", "sms", "email"]
    assert pref.channels_by_type["approval"] == ["in_app"]
    assert pref.quiet_start == dt.time(22, 30)
    bad = client.post("/inbox/preferences/", {**form, "quiet_end": ""})
    assert bad.status_code == 200 and "免打扰时段需要开始和不同的结束时间" in bad.content.decode()
    assert Preference.objects.get(user=person).quiet_end == dt.time(6, 30)
