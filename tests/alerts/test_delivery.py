"""notify writes the outbox in the caller's transaction; workers claim, send, retry, fail;
the sweep re-queues what was lost; digests wait for the hour."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from alerts import delivery as engine
from alerts import services, tasks
from alerts.models import Alert, Delivery, Preference
from core.states import InvalidTransition
from tests.alerts.factories import DeliveryFactory, WebhookFactory
from tests.registry import factories as f

pytestmark = pytest.mark.django_db
Status = Delivery.Status


def _notify(**kwargs):
    values = {
        "title": "芦山县山洪预警",
        "body": "沿河人员立即转移。",
        "level": "red",
        "audience": {"regions": ["511826"]},
        "channels": ["in_app", "email", "webhook"],
    }
    values.update(kwargs)
    return services.notify(**values)


def test_notify_writes_one_delivery_per_recipient_and_channel(
    ngo, ngo_admin, ngo_member, stub, django_capture_on_commit_callbacks
):
    WebhookFactory(organization=ngo, url=stub.url)
    with django_capture_on_commit_callbacks(execute=True):
        alert = _notify()
    rows = list(alert.deliveries.values_list("channel", "user_id", "organization_id"))
    assert sorted(rows, key=str) == sorted(
        [
            # a person's rows name the organization through which they were reached
            ("in_app", ngo_admin.pk, ngo.pk),
            ("in_app", ngo_member.pk, ngo.pk),
            ("email", ngo_admin.pk, ngo.pk),
            ("email", ngo_member.pk, ngo.pk),
            ("webhook", None, ngo.pk),
        ],
        key=str,
    )
    assert alert.recipient_count == 2 and alert.organization_count == 1
    # after commit every delivery went out (Celery eager in tests)
    assert set(alert.deliveries.values_list("status", flat=True)) == {"sent"}
    assert len(mail.outbox) == 2 and mail.outbox[0].subject.endswith("芦山县山洪预警")
    assert list(stub.ids.values()) == [1]


def test_nothing_is_sent_before_commit(ngo_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        alert = _notify(channels=["email"])
    assert alert.deliveries.get().status == Status.PENDING
    assert mail.outbox == [] and len(callbacks) == 1


def test_a_rolled_back_business_change_leaves_no_alert_and_sends_nothing(ngo_admin):
    with pytest.raises(RuntimeError), transaction.atomic():
        _notify(channels=["in_app", "email"])
        raise RuntimeError("the business change failed")
    assert not Alert.objects.exists() and not Delivery.objects.exists()
    assert mail.outbox == []


def test_in_app_deliveries_are_in_the_inbox_at_once(ngo_admin):
    alert = _notify(channels=["in_app"])
    assert alert.deliveries.get(user=ngo_admin).status == Status.SENT


def test_preferences_drop_channels_and_sms_needs_a_phone(ngo_admin, ngo_member):
    Preference.objects.create(user=ngo_admin, email=False, sms=True, phone="13800000001")
    alert = _notify(channels=["email", "sms"])
    got = set(alert.deliveries.values_list("user_id", "channel"))
    assert got == {(ngo_admin.pk, "sms"), (ngo_member.pk, "email")}


def test_low_levels_wait_for_the_digest_and_red_never_does(
    ngo_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        blue = _notify(level="blue", channels=["email"])
        red = _notify(level="red", channels=["email"])
    held = blue.deliveries.get()
    assert held.digest and held.status == Status.PENDING
    assert held.next_attempt_at > timezone.now()
    assert red.deliveries.get().status == Status.SENT


def test_the_hourly_digest_sends_one_message_for_all_waiting_alerts(ngo_admin):
    for n in range(3):
        _notify(level="blue", title=f"蓝色预警{n}", channels=["email"])
    mail.outbox.clear()
    assert engine.send_digests() == 0  # not yet due
    Delivery.objects.update(next_attempt_at=timezone.now())
    assert engine.send_digests() == 1
    assert len(mail.outbox) == 1 and "3" in mail.outbox[0].subject
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_two_workers_never_claim_the_same_delivery(ngo_admin):
    delivery = DeliveryFactory(channel="email", status="pending", address="a@example.org")
    assert engine.claim(Delivery.objects.filter(pk=delivery.pk)) is not None
    assert engine.claim(Delivery.objects.filter(pk=delivery.pk)) is None
    assert engine.deliver(delivery.pk) == "skipped"


def test_a_transient_failure_is_retried_with_exponential_backoff(ngo, stub, settings):
    settings.TONGZHOU_ALERTS_RETRY_BASE_SECONDS = 10
    stub.status = 503
    webhook = WebhookFactory(organization=ngo, url=stub.url)
    delivery = DeliveryFactory(
        user=None, organization=ngo, webhook=webhook, channel="webhook", status="pending"
    )
    assert engine.deliver(delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.status == Status.PENDING and delivery.attempts == 1
    first_wait = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=8) < first_wait <= timedelta(seconds=10)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert engine.deliver(delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert (
        timedelta(seconds=18) < delivery.next_attempt_at - timezone.now() <= timedelta(seconds=20)
    )
    assert engine.backoff(3) == 40


def test_a_delivery_fails_after_the_last_attempt(ngo, stub, settings):
    settings.TONGZHOU_ALERTS_MAX_ATTEMPTS = 2
    stub.status = 500
    webhook = WebhookFactory(organization=ngo, url=stub.url)
    delivery = DeliveryFactory(
        user=None, organization=ngo, webhook=webhook, channel="webhook", status="pending"
    )
    engine.deliver(delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert engine.deliver(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED and "500" in delivery.last_error


def test_a_permanent_refusal_fails_at_once(ngo, stub):
    stub.status = 410
    webhook = WebhookFactory(organization=ngo, url=stub.url)
    delivery = DeliveryFactory(
        user=None, organization=ngo, webhook=webhook, channel="webhook", status="pending"
    )
    assert engine.deliver(delivery.pk) == "failed"


def test_the_sweep_requeues_rows_whose_worker_died_and_rows_the_broker_lost(ngo_admin, settings):
    long_ago = timezone.now() - timedelta(hours=1)
    dead = DeliveryFactory(
        channel="email",
        address="a@example.org",
        status="sending",
        claimed_at=long_ago,
        attempts=1,
    )
    lost = DeliveryFactory(channel="email", address="b@example.org", status="pending")
    Delivery.objects.filter(pk=lost.pk).update(next_attempt_at=long_ago)
    busy = DeliveryFactory(
        channel="email", address="c@example.org", status="sending", claimed_at=timezone.now()
    )
    worn_out = DeliveryFactory(
        channel="email",
        address="d@example.org",
        status="sending",
        claimed_at=long_ago,
        attempts=settings.TONGZHOU_ALERTS_MAX_ATTEMPTS,
    )
    assert tasks.requeue_stuck() == 2
    statuses = dict(Delivery.objects.values_list("pk", "status"))
    assert statuses[dead.pk] == statuses[lost.pk] == "sent"
    assert statuses[busy.pk] == "sending"
    assert statuses[worn_out.pk] == "failed"
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]


def test_marking_read_is_for_sent_in_app_rows_of_ones_own(ngo_admin, ngo_member):
    delivery = DeliveryFactory(user=ngo_admin)
    services.mark_read(delivery=delivery, by=ngo_admin)
    assert Delivery.objects.get(pk=delivery.pk).status == Status.READ
    services.mark_read(delivery=delivery, by=ngo_admin)  # twice: no change, no error
    with pytest.raises(PermissionDenied):
        services.mark_read(delivery=delivery, by=ngo_member)
    failed = DeliveryFactory(user=ngo_admin, status="failed")
    with pytest.raises(InvalidTransition):
        services.mark_read(delivery=failed, by=ngo_admin)


def test_retry_is_only_for_failed_deliveries(official, ngo_admin):
    alert = _notify(channels=["in_app"], actor=official)
    delivery = alert.deliveries.get()
    with pytest.raises(InvalidTransition):
        services.retry_delivery(delivery=delivery, by=official)


def test_preferences_refuse_to_hold_red_or_orange_for_the_digest(ngo_admin):
    with pytest.raises(ValidationError, match="digest_levels"):
        services.set_preferences(user=ngo_admin, email=True, sms=False, digest_levels=["red"])
    with pytest.raises(ValidationError, match="phone"):
        services.set_preferences(user=ngo_admin, email=True, sms=True, phone="")
    pref = services.set_preferences(
        user=ngo_admin, email=False, sms=True, phone="138 0000 0001", digest_levels=["yellow"]
    )
    assert pref.phone == "13800000001" and pref.digest_levels == ["yellow"]


def test_an_unknown_level_or_channel_is_refused(ngo_admin):
    with pytest.raises(ValidationError, match="level"):
        _notify(level="purple")
    with pytest.raises(ValidationError, match="channels"):
        _notify(channels=["pigeon"])


def test_notify_writes_deliveries_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    org = f.OrganizationFactory(region_code="511826")
    for _ in range(30):
        f.org_user(org)
    with django_assert_max_num_queries(12):
        alert = _notify(channels=["in_app", "email"])
    assert alert.deliveries.count() == 60
