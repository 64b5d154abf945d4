"""Real threads against PostgreSQL: a one-time sign-for link is signed exactly once, and the
overdue-question job alerts once even when two workers run it at the same time."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from alerts.models import Alert
from core.states import InvalidTransition
from donations import chain, questions, receivers
from donations.models import LedgerEntry, ReceiverDelivery
from tests.donations import factories as df
from tests.registry import factories as rf

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_together(n: int, work) -> list:
    outcomes: list = []
    barrier = threading.Barrier(n)

    def run():
        try:
            barrier.wait()
            outcomes.append(work())
        except InvalidTransition as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - any other failure is the bug we look for
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_ten_people_opening_one_link_sign_once():
    charity = df.foundation()
    admin = df.writer(charity)
    df.receipt(charity, admin, items=[df.item(name="N95口罩", unit="盒", quantity="100")])
    _delivery, token = receivers.allocate_to_receiver(
        by=admin,
        organization=charity,
        receiver_name="芦山县人民医院",
        receiver_kind="public_institution",
        region_code="511826",
        purpose="医院防疫",
        items=[df.item(name="N95口罩", unit="盒", quantity="10")],
    )

    def sign():
        receivers.sign_for(
            token=token, lines=[{"quantity": 10, "note": ""}], signer_name="李", signer_role="院长"
        )
        return "ok"

    outcomes = _run_together(10, sign)
    assert outcomes.count("ok") == 1, outcomes
    assert len(outcomes) == 10 and set(outcomes) <= {"ok", "conflict", "invalid_transition"}
    assert LedgerEntry.objects.filter(kind="receiver_signed").count() == 1
    assert ReceiverDelivery.objects.get().status == "signed"
    assert chain.verify()[2] == ""


def test_two_overdue_jobs_at_once_alert_once():
    charity = df.foundation(region_code="510100")
    admin = df.writer(charity)
    rf.official("510000", username="province_official")
    entry = df.receipt(charity, admin, "100.00")
    monday = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)
    with time_machine.travel(monday, tick=False):
        questions.ask_question(entry=entry, text="钱去哪了？")
    with time_machine.travel(monday + dt.timedelta(days=10)):
        outcomes = _run_together(2, questions.alert_overdue_questions)
    assert sorted(outcomes) == [0, 1], outcomes
    assert (
        Alert.objects.filter(title__contains="unanswered").count()
        + Alert.objects.filter(title__contains="未答复").count()
        == 1
    )
