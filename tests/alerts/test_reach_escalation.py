"""Issue 17: a mobilization or assignment still unread in-app after N minutes goes out by SMS;
after M minutes the organization's other members are tried. Each escalation is a delivery row
with its reason and state, created exactly once (also under concurrent beat runs)."""

import datetime as dt
import threading

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from alerts import escalation, services, tasks
from alerts.models import Delivery, Preference
from core.roles import Role
from tests.readable import assert_readable_html
from tests.registry import factories as f

pytestmark = pytest.mark.django_db
Reason = Delivery.Reason


@pytest.fixture(autouse=True)
def _minutes(settings):
    settings.TONGZHOU_ESCALATE_SMS_AFTER_MINUTES = 15
    settings.TONGZHOU_ESCALATE_MEMBERS_AFTER_MINUTES = 45


@pytest.fixture
def team(ngo):
    """An admin who took SMS off for mobilizations (in-app only), a member with a phone, and a
    member without one."""
    admin = f.org_user(ngo, Role.ADMIN)
    Preference.objects.create(
        user=admin,
        phone="13800000001",
        channels_by_type={"mobilization": ["in_app"], "assignment": ["in_app"]},
    )
    member = f.org_user(ngo, Role.MEMBER)
    Preference.objects.create(user=member, phone="13800000002")
    phoneless = f.org_user(ngo, Role.MEMBER)
    return admin, member, phoneless


def _mobilize(ngo, roles=None, kind="mobilization", level="blue"):
    audience = {"organizations": [ngo.pk], **({"roles": roles} if roles else {})}
    return services.notify(title="动员", audience=audience, kind=kind, level=level)


def _later(minutes: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def test_unread_after_n_minutes_goes_out_by_sms_once(ngo, team, django_capture_on_commit_callbacks):
    admin, member, phoneless = team
    alert = _mobilize(ngo)
    # the member chose SMS for mobilizations: it went out with the alert, nothing to escalate
    assert alert.deliveries.filter(user=member, channel="sms", reason=Reason.AUDIENCE).exists()
    assert escalation.escalate(_later(10)) == {"sms": 0, "members": 0}
    assert not alert.deliveries.filter(reason=Reason.ESCALATION_SMS).exists()
    with (
        time_machine.travel(_later(16), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        escalation.escalate(enqueue=tasks.enqueue)
    rows = alert.deliveries.filter(reason=Reason.ESCALATION_SMS)
    by_user = {d.user_id: d for d in rows}
    assert set(by_user) == {admin.pk, phoneless.pk}
    assert by_user[admin.pk].status == Delivery.Status.SENT  # eager Celery sent it
    assert by_user[admin.pk].address == "13800000001"
    assert by_user[phoneless.pk].status == Delivery.Status.FAILED
    assert by_user[phoneless.pk].last_error == "no mobile phone number"
    source = alert.deliveries.get(user=admin, channel="in_app")
    assert by_user[admin.pk].escalated_from_id == source.pk and source.escalation_step == 1
    escalation.escalate(_later(17))
    escalation.escalate(_later(30))
    assert alert.deliveries.filter(reason=Reason.ESCALATION_SMS).count() == 2


def test_a_read_alert_does_not_escalate(ngo, team):
    admin, _member, _phoneless = team
    alert = _mobilize(ngo)
    services.mark_read(delivery=alert.deliveries.get(user=admin, channel="in_app"), by=admin)
    escalation.escalate(_later(60))
    assert not alert.deliveries.filter(user=admin, reason=Reason.ESCALATION_SMS).exists()


def test_other_types_never_escalate(ngo, team):
    alert = _mobilize(ngo, kind="approval")
    untyped = services.notify(title="t", audience={"organizations": [ngo.pk]})
    escalation.escalate(_later(120))
    for a in (alert, untyped):
        assert not a.deliveries.exclude(reason=Reason.AUDIENCE).exists()


def test_after_m_minutes_the_organizations_other_members_are_tried_once(ngo, team):
    admin, member, phoneless = team
    alert = _mobilize(ngo, roles=[Role.ADMIN], kind="assignment")
    assert set(alert.deliveries.values_list("user_id", flat=True)) == {admin.pk}
    escalation.escalate(_later(20))  # step 1 only
    assert not alert.deliveries.filter(reason=Reason.ESCALATION_MEMBERS).exists()
    escalation.escalate(_later(46))
    rows = alert.deliveries.filter(reason=Reason.ESCALATION_MEMBERS)
    assert sorted(rows.values_list("user_id", "channel")) == sorted(
        [(member.pk, "in_app"), (member.pk, "sms"), (phoneless.pk, "in_app")]
    )
    assert all(r.organization_id == ngo.pk for r in rows)
    escalation.escalate(_later(50))
    escalation.escalate(_later(500))
    assert alert.deliveries.filter(reason=Reason.ESCALATION_MEMBERS).count() == 3
    # the escalation's own in-app rows do not escalate again
    assert not alert.deliveries.filter(escalated_from__reason=Reason.ESCALATION_MEMBERS).exists()


def test_no_member_escalation_once_someone_of_the_organization_read_it(ngo, team):
    admin, member, _phoneless = team
    second_admin = f.org_user(ngo, Role.ADMIN)
    alert = _mobilize(ngo, roles=[Role.ADMIN], kind="assignment")
    services.mark_read(
        delivery=alert.deliveries.get(user=second_admin, channel="in_app"), by=second_admin
    )
    escalation.escalate(_later(60))
    assert not alert.deliveries.filter(reason=Reason.ESCALATION_MEMBERS).exists()
    # the admin who did not read it still got the step-1 SMS
    assert alert.deliveries.filter(user=admin, reason=Reason.ESCALATION_SMS).exists()


def test_the_alert_page_shows_escalations(client, official, ngo, team):
    admin, _member, _phoneless = team
    body = {
        "title": "动员",
        "level": "orange",
        "audience": {"organizations": [ngo.pk]},
        "channels": ["in_app"],
    }
    alert = services.issue_alert(by=official, body="集结", **body)
    alert.alert_type = "mobilization"
    alert.save(update_fields=["alert_type"])
    escalation.escalate(_later(16))
    client.force_login(official)
    page = client.get(f"/alerts/{alert.pk}/")
    assert_readable_html(page.content)
    html = page.content.decode()
    assert 'data-reason="escalation_sms"' in html and "升级：未读，改发短信" in html


def test_the_beat_runs_escalation_every_minute():
    entry = django_settings.CELERY_BEAT_SCHEDULE["alerts-escalate"]
    assert entry["task"] == "alerts.escalate" and entry["schedule"] <= 60
    from alerts.tasks import escalate_task

    assert escalate_task.name == "alerts.escalate"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_beat_runs_escalate_exactly_once(ngo, team):
    """Four beat runs at the same moment: every unread row is escalated by exactly one of them
    (each SMS queued once), without errors or deadlocks."""
    admin, member, phoneless = team
    admins = [admin]
    for n in range(30):
        extra = f.org_user(ngo, Role.ADMIN)
        Preference.objects.create(
            user=extra, phone=f"139{n:08d}", channels_by_type={"mobilization": ["in_app"]}
        )
        admins.append(extra)
    alert = _mobilize(ngo, roles=[Role.ADMIN], kind="mobilization")
    at = _later(50)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []
    queued: list[dict] = []

    def run():
        try:
            barrier.wait()
            queued.append(escalation.escalate(at))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(q["sms"] for q in queued) == len(admins)  # each SMS queued by one run only
    assert sum(q["members"] for q in queued) == 1  # the member with a phone
    sms = alert.deliveries.filter(reason=Reason.ESCALATION_SMS)
    assert sorted(sms.values_list("user_id", flat=True)) == sorted(a.pk for a in admins)
    assert set(
        alert.deliveries.filter(reason=Reason.AUDIENCE, channel="in_app").values_list(
            "escalation_step", flat=True
        )
    ) == {2}
    assert sorted(
        alert.deliveries.filter(reason=Reason.ESCALATION_MEMBERS).values_list("user_id", "channel")
    ) == sorted([(member.pk, "in_app"), (member.pk, "sms"), (phoneless.pk, "in_app")])
