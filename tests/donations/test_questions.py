"""The right to supervise: anyone asks about a ledger entry, the holder answers in public, an
unanswered question past its deadline is flagged and alerted to the supervising bureau once."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from alerts.models import Delivery
from core.models import AuditEvent
from core.roles import Role
from donations import questions
from donations.models import Question
from tests.donations import factories as df
from tests.readable import assert_readable_html

ID_NUMBER = "11010519491231002X"  # a valid GB 11643 check digit
# Monday 2026-11-30 09:00 Beijing time
MONDAY = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def entry(charity, charity_admin):
    return df.receipt(charity, charity_admin, amount="8500.00")


def _ask(client, entry, text="这笔钱用在哪里了？", **extra):
    return client.post(reverse("donations:question_ask", args=[entry.pk]), {"text": text, **extra})


def test_anyone_asks_without_an_account_and_sees_it_masked_on_the_entry(client, entry):
    response = _ask(
        client,
        entry,
        text=f"请联系 138 1234 5678，身份证 {ID_NUMBER}，物资去哪了？",
        contact="wang@example.cn",
    )
    assert response.status_code == 302
    page = client.get(reverse("donations:entry", args=[entry.pk]))
    html = page.content.decode()
    assert "物资去哪了" in html
    assert "138 1234 5678" not in html and ID_NUMBER not in html
    assert "请联系 ***，身份证 ***" in html
    assert "wang@example.cn" not in html  # the contact is never published
    assert_readable_html(page.content)
    question = Question.objects.get()
    assert question.contact == "wang@example.cn"
    assert "13812345678" not in question.text.replace(" ", "")  # never stored in the clear


def test_the_holder_is_told_of_a_question(entry, charity_admin, client):
    _ask(client, entry)
    assert Delivery.objects.filter(user=charity_admin).exists()


def test_an_empty_question_is_a_form_error_not_a_500(client, entry):
    response = _ask(client, entry, text="   ")
    assert response.status_code == 400
    assert Question.objects.count() == 0


def test_asking_is_throttled_per_ip_on_page_and_api_alike(client, entry, api, settings):
    for _n in range(10):
        assert _ask(client, entry).status_code == 302
    refused = _ask(client, entry)
    assert refused.status_code == 429
    assert "Retry-After" in refused
    api_refused = api().post(
        f"/api/v1/ledger/entries/{entry.pk}/questions/", {"text": "还有问题"}, format="json"
    )
    assert api_refused.status_code == 429
    other_ip = client.post(
        reverse("donations:question_ask", args=[entry.pk]),
        {"text": "另一个地址"},
        REMOTE_ADDR="10.9.9.9",
    )
    assert other_ip.status_code == 302
    assert Question.objects.count() == 11


def test_only_the_holders_members_answer(client, entry, charity, ngo_admin, official):
    _ask(client, entry)
    question = Question.objects.get()
    url = reverse("donations:question_answer", args=[question.pk])
    for outsider in (ngo_admin, official):
        client.force_login(outsider)
        assert client.post(url, {"answer": "我来答"}).status_code == 403
    client.logout()
    assert client.post(url, {"answer": "匿名答"}).status_code == 302  # to the login page
    question.refresh_from_db()
    assert question.status == "open"
    member = df.writer(charity, Role.MEMBER)
    client.force_login(member)
    assert client.post(url, {"answer": "已用于购买帐篷，见支出 #12。"}).status_code == 302
    question.refresh_from_db()
    assert question.status == "answered" and question.answered_by == member
    page = client.get(reverse("donations:entry", args=[entry.pk]))
    assert "已用于购买帐篷" in page.content.decode()
    assert AuditEvent.objects.filter(action="donations.question_answered").count() == 1


def test_the_answer_button_is_shown_exactly_to_those_the_service_accepts(
    client, entry, charity_admin, ngo_admin
):
    _ask(client, entry)
    entry_url = reverse("donations:entry", args=[entry.pk])
    assert 'data-question-action="answer"' not in client.get(entry_url).content.decode()
    client.force_login(ngo_admin)
    assert 'data-question-action="answer"' not in client.get(entry_url).content.decode()
    client.force_login(charity_admin)
    assert 'data-question-action="answer"' in client.get(entry_url).content.decode()


def test_a_question_is_answered_once(api, entry, charity_admin):
    asked = api().post(
        f"/api/v1/ledger/entries/{entry.pk}/questions/", {"text": "为什么?"}, format="json"
    )
    assert asked.status_code == 201
    assert "contact" not in asked.json()
    url = f"/api/v1/ledger/questions/{asked.json()['id']}/answer/"
    first = api(charity_admin).post(url, {"answer": "因为……"}, format="json")
    assert first.status_code == 200
    assert first.json()["status"] == "answered"
    assert first.json()["time_taken_seconds"] >= 0
    again = api(charity_admin).post(url, {"answer": "再答一次"}, format="json")
    assert again.status_code == 409


def test_api_refuses_an_answer_from_another_organization(api, entry, ngo_admin):
    asked = api().post(f"/api/v1/ledger/entries/{entry.pk}/questions/", {"text": "?"})
    url = f"/api/v1/ledger/questions/{asked.json()['id']}/answer/"
    assert api(ngo_admin).post(url, {"answer": "x"}, format="json").status_code == 403
    assert api().post(url, {"answer": "x"}, format="json").status_code in (401, 403)
    assert api(ngo_admin).post(url, {}, format="json").status_code == 400


def test_api_lists_questions_publicly_without_contacts(api, entry, client):
    _ask(client, entry, contact="13812345678")
    listed = api().get(f"/api/v1/ledger/entries/{entry.pk}/questions/")
    assert listed.status_code == 200
    assert "13812345678" not in listed.content.decode()
    assert api().get("/api/v1/ledger/entries/999999/questions/").status_code == 404


def test_deadline_counts_working_days_skipping_the_weekend():
    # Monday + 5 working days = next Monday; Friday + 1 working day = Monday.
    assert questions.add_working_days(MONDAY, 5).date() == dt.date(2026, 12, 7)
    friday = MONDAY + dt.timedelta(days=4)
    assert questions.add_working_days(friday, 1).date() == dt.date(2026, 12, 7)


def test_overdue_question_is_flagged_and_alerted_to_the_bureau_once(
    client, entry, province_official, official, charity_admin
):
    with time_machine.travel(MONDAY, tick=False):
        _ask(client, entry)
    question = Question.objects.get()
    with time_machine.travel(MONDAY + dt.timedelta(days=6, hours=23), tick=False):
        assert questions.alert_overdue_questions() == 0  # Sunday evening: not due yet
    with time_machine.travel(MONDAY + dt.timedelta(days=7, minutes=1), tick=False):
        assert questions.alert_overdue_questions() == 1
        assert questions.alert_overdue_questions() == 0  # once
        entry_page = client.get(reverse("donations:entry", args=[entry.pk])).content.decode()
        ledger_page = client.get(reverse("donations:ledger")).content.decode()
    alerted = Delivery.objects.filter(
        alert__title__contains="unanswered"
    ) | Delivery.objects.filter(alert__title__contains="未答复")
    recipients = set(alerted.values_list("user", flat=True))
    assert recipients == {province_official.pk}  # 510000 covers the charity's 510100
    assert "overdue" in entry_page or "逾期" in entry_page
    assert f"#{entry.seq}" in ledger_page and 'id="supervision-flags"' in ledger_page
    question.refresh_from_db()
    assert question.overdue_alerted_at is not None


def test_an_answered_question_is_not_alerted(client, entry, charity_admin, province_official):
    with time_machine.travel(MONDAY, tick=False):
        _ask(client, entry)
        questions.answer_question(question=Question.objects.get(), by=charity_admin, answer="好")
    with time_machine.travel(MONDAY + dt.timedelta(days=30), tick=False):
        assert questions.alert_overdue_questions() == 0


def test_the_overdue_job_runs_as_a_celery_task(client, entry, province_official):
    from donations.tasks import alert_overdue_questions

    with time_machine.travel(MONDAY, tick=False):
        _ask(client, entry)
    with time_machine.travel(MONDAY + dt.timedelta(days=8), tick=False):
        assert alert_overdue_questions.delay().get() == 1


@pytest.mark.parametrize("count", [2, 12])
def test_entry_page_costs_the_same_queries_whatever_the_questions(
    client, entry, charity_admin, count, django_assert_max_num_queries
):
    for n in range(count):
        questions.ask_question(entry=entry, text=f"问题 {n}")
    client.force_login(charity_admin)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("donations:entry", args=[entry.pk]))
    assert response.content.decode().count('data-question-action="answer"') == count


@pytest.mark.parametrize("count", [2, 9])
def test_the_ledger_page_costs_the_same_queries_whatever_the_flags(
    client, charity, charity_admin, count, django_assert_max_num_queries
):
    with time_machine.travel(MONDAY, tick=False):
        for n in range(count):
            entry = df.receipt(charity, charity_admin, amount="100.00")
            questions.ask_question(entry=entry, text=f"问题 {n}")
    with time_machine.travel(MONDAY + dt.timedelta(days=10)), django_assert_max_num_queries(25):
        page = client.get(reverse("donations:ledger"))
    assert page.content.decode().count("提问未答复") == count
    assert_readable_html(page.content)


def test_an_empty_answer_is_a_form_error_and_the_question_stays_open(client, entry, charity_admin):
    _ask(client, entry)
    question = Question.objects.get()
    client.force_login(charity_admin)
    response = client.post(
        reverse("donations:question_answer", args=[question.pk]), {"answer": " "}, follow=True
    )
    assert response.status_code == 200
    assert '<li class="error">' in response.content.decode()
    question.refresh_from_db()
    assert question.status == "open"


def test_the_question_form_page_after_an_error_reads_like_the_product(client, entry):
    response = _ask(client, entry, text="")
    assert response.status_code == 400
    assert_readable_html(response.content)
