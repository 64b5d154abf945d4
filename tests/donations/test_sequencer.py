"""Sequencing after commit (issue 16): entries are written unsequenced and the sequencer gives
them seq, prev_hash and hash after commit, in id order, in one transaction a batch.

These tests run on SQLite and PostgreSQL; the concurrent and trigger tests are in
test_sequencer_pg.py.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from alerts.models import Alert
from donations import chain, sequencer, services
from donations.models import AppendOnlyError, ChainHead, LedgerEntry
from donations.signals import ledger_sequenced
from tests.donations import factories as df
from tests.readable import assert_readable_html

pytestmark = pytest.mark.django_db

# SAVEPOINT/RELEASE (the sequencer's atomic inside the test's transaction), the advisory lock
# (PostgreSQL only), the head's row lock (one query once the row exists), the entries, lines,
# sources, evidence, the seqs referred to, the bulk UPDATE, the head UPDATE.
QUERIES_PER_BATCH = 11 if connection.vendor == "postgresql" else 10


def skip_ids(count: int) -> None:
    """Make the next entry id jump by ``count`` (as rolled-back writes leave gaps on
    PostgreSQL), so ids and seqs differ and a form that leaked an id would show it."""
    table = LedgerEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + %s)",
                [count],
            )
        else:
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            current = row[0] if row else 0
            if row:
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [current + count, table]
                )
            else:
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, count]
                )


@pytest.fixture
def after_commit(settings):
    settings.TONGZHOU_LEDGER_SEQUENCING = "after_commit"


def _money(charity, charity_admin, amount="1000.00"):
    return df.receipt(charity, charity_admin, amount=amount)


def test_inline_mode_sequences_in_the_writing_transaction(charity, charity_admin):
    skip_ids(40)
    entry = _money(charity, charity_admin)
    assert entry.sequenced and entry.seq == 1 and entry.pk == 41 and entry.sequenced_at
    assert ChainHead.objects.get().seq == 1
    assert chain.verify() == (1, None, "")


def test_after_commit_writes_unsequenced_and_the_commit_sequences_it(
    after_commit, charity, charity_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        entry = _money(charity, charity_admin)
    row = LedgerEntry.objects.get(pk=entry.pk)
    assert (row.seq, row.prev_hash, row.hash, row.sequenced_at) == (None, None, None, None)
    assert row.trace_code and ChainHead.objects.get_or_create(id=1)[0].seq == 0
    for callback in callbacks:
        callback()
    row.refresh_from_db()
    assert row.seq == 1 and row.prev_hash == "0" * 64 and row.hash and row.sequenced_at
    assert chain.verify() == (1, None, "")


def test_the_public_form_refers_to_seqs_never_ids(
    after_commit, charity, charity_admin, ngo, django_capture_on_commit_callbacks
):
    skip_ids(100)
    with django_capture_on_commit_callbacks(execute=True):
        gift = df.receipt(charity, charity_admin, items=[df.item(quantity="10")])
    skip_ids(7)
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.allocate(
            organization=charity,
            by=charity_admin,
            to_organization=ngo,
            items=[df.item(quantity="4")],
            purpose="饮用水",
        )
    skip_ids(3)
    with django_capture_on_commit_callbacks(execute=True):
        back = services.reverse(entry=sent, by=charity_admin, reason="送错了")
    gift.refresh_from_db(), sent.refresh_from_db(), back.refresh_from_db()
    assert (gift.seq, sent.seq, back.seq) == (1, 2, 3)
    assert gift.pk != 1 and sent.pk != 2 and back.pk != 3
    rows = list(chain.chain_rows())
    assert [r["seq"] for r in rows] == [1, 2, 3]
    assert rows[1]["entry"]["sources"][0]["receipt"] == 1
    assert rows[1]["entry"]["sources"][0]["entry"] == 1
    assert rows[2]["entry"]["related"] == 2
    assert [r["entry"] for r in rows] == [chain.stored_form(e) for e in (gift, sent, back)]
    assert chain.verify() == (3, None, "")


def test_pending_entries_are_sequenced_in_id_order_in_batches(
    after_commit, charity, charity_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        entries = [_money(charity, charity_admin, amount=f"{n}.00") for n in (5, 6, 7)]
    sent = []
    ledger_sequenced.connect(receiver := lambda **kw: sent.append(kw), weak=False)
    try:
        assert sequencer.sequence_pending(limit=2) == 2
        assert sequencer.sequence_pending(limit=2) == 1
        assert sequencer.sequence_pending(limit=2) == 0
    finally:
        ledger_sequenced.disconnect(receiver)
    seqs = list(LedgerEntry.objects.order_by("id").values_list("seq", flat=True))
    assert seqs == [1, 2, 3] and [e.pk for e in entries] == sorted(e.pk for e in entries)
    assert [(s["first_seq"], s["last_seq"]) for s in sent] == [(1, 2), (3, 3)]
    assert chain.verify() == (3, None, "")


def test_a_batch_that_fails_midway_leaves_nothing_half_done(
    after_commit, charity, charity_admin, django_capture_on_commit_callbacks
):
    """The receiver runs after the rows were updated and the head moved: its failure rolls
    the whole batch back; the next run redoes it."""
    with django_capture_on_commit_callbacks(execute=False):
        for n in range(4):
            _money(charity, charity_admin, amount=f"{n + 1}.00")

    def crash(**kwargs):
        raise RuntimeError("killed mid-batch")

    ledger_sequenced.connect(crash, weak=False)
    try:
        with pytest.raises(RuntimeError):
            sequencer.sequence_pending()
    finally:
        ledger_sequenced.disconnect(crash)
    assert not LedgerEntry.objects.filter(seq__isnull=False).exists()
    assert not ChainHead.objects.filter(seq__gt=0).exists()
    assert sequencer.sequence_all() == 4
    assert chain.verify() == (4, None, "")


def test_an_entry_with_an_unresolved_reference_is_never_hashed(
    after_commit, charity, charity_admin, ngo, django_capture_on_commit_callbacks, caplog
):
    """Defensive stop: a row referring to an entry still unsequenced after it in id order
    (impossible through the services) halts the batch before it."""
    with django_capture_on_commit_callbacks(execute=False):
        first = _money(charity, charity_admin)
        second = _money(charity, charity_admin)

    # A row pointing at a later row (impossible through the services): built by hand.
    def hand_made(pk, related_id=None):
        now = timezone.now()
        return LedgerEntry(
            id=pk,
            kind=LedgerEntry.Kind.REVERSAL,
            holder=charity,
            occurred_at=now,
            recorded_at=now,
            related_id=related_id,
            chain_format=2,
        )

    fourth = hand_made(second.pk + 10)
    fourth.save()
    third = hand_made(second.pk + 5, related_id=fourth.pk)
    third.save()
    assert sequencer.sequence_pending() == 2
    assert LedgerEntry.objects.get(pk=third.pk).seq is None
    assert "refers to unsequenced entries" in caplog.text
    assert {first.pk, second.pk} == set(
        LedgerEntry.objects.filter(seq__isnull=False).values_list("pk", flat=True)
    )


def test_an_entry_changes_once_and_only_its_sequencing_fields(
    after_commit, charity, charity_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        entry = _money(charity, charity_admin)
    entry.refresh_from_db()
    entry.amount = Decimal("1")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(seq=9)
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.sequence_rows([entry], ["seq", "amount"])
    assert sequencer.sequence_pending() == 0  # already sequenced: not touched again


def test_the_task_is_published_once_while_one_is_queued(
    after_commit, charity, charity_admin, django_capture_on_commit_callbacks, monkeypatch
):
    published = []
    monkeypatch.setattr("donations.tasks.sequence_ledger.delay", lambda: published.append(1))
    with django_capture_on_commit_callbacks(execute=True):
        _money(charity, charity_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _money(charity, charity_admin)
    assert published == [1]  # the second commit found the first task still queued
    from donations.tasks import sequence_ledger

    assert sequence_ledger.run() == 2  # the task clears the flag and sequences both
    with django_capture_on_commit_callbacks(execute=True):
        _money(charity, charity_admin)
    assert published == [1, 1]


def test_api_returns_the_entry_at_once_then_sequenced(
    after_commit, api, charity, charity_admin, django_capture_on_commit_callbacks
):
    client = api(charity_admin)
    payload = {
        "donor_name": "张三",
        "donor_kind": "individual",
        "channel": "bank_transfer",
        "amount": "1200.00",
    }
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        body = client.post("/api/v1/ledger/receipts/", payload, format="json").json()
    assert body["sequenced"] is False and body["seq"] is None and body["hash"] is None
    assert body["trace_code"] and body["id"]
    detail = client.get(f"/api/v1/ledger/entries/{body['id']}/").json()
    assert detail["sequenced"] is False and detail["trace_code"] == body["trace_code"]
    # Public lists and the export carry sequenced entries only.
    assert client.get("/api/v1/ledger/entries/").json()["results"] == []
    assert client.get("/api/v1/ledger/export.jsonl").getvalue().strip() == b""
    for callback in callbacks:
        callback()
    detail = client.get(f"/api/v1/ledger/entries/{body['id']}/").json()
    assert detail["sequenced"] is True and detail["seq"] == 1 and len(detail["hash"]) == 64
    listed = client.get("/api/v1/ledger/entries/").json()["results"]
    assert [(e["id"], e["seq"]) for e in listed] == [(body["id"], 1)]


def test_entry_page_says_when_it_joins_the_public_ledger(
    after_commit, client, charity, charity_admin, django_capture_on_commit_callbacks, settings
):
    settings.TONGZHOU_LEDGER_MAX_MERGE_DELAY = 7
    skip_ids(20)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        entry = _money(charity, charity_admin)
    page = client.get(f"/ledger/entries/{entry.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert page.status_code == 200
    assert "将在 7 秒内加入公开账本" in html and entry.trace_code not in ("", None)
    assert 'data-testid="entry-unsequenced"' in html and "None" not in html
    assert_readable_html(page.content)
    listed = client.get("/ledger/").content.decode()
    assert f"/ledger/entries/{entry.pk}/" not in listed
    client.cookies["django_language"] = "en"
    english = client.get(f"/ledger/entries/{entry.pk}/").content
    assert b"will join the public ledger within 7 seconds" in english
    for callback in callbacks:
        callback()
    client.cookies["django_language"] = "zh-hans"
    html = client.get(f"/ledger/entries/{entry.pk}/").content
    assert "公开账本第 1 条".encode() in html and b"entry-unsequenced" not in html
    assert f"/ledger/entries/{entry.pk}/".encode() in client.get("/ledger/").content


def test_workspace_shows_the_holders_unsequenced_entries(
    after_commit, client, charity, charity_admin, ngo, django_capture_on_commit_callbacks
):
    """The holder's workspace lists what it wrote at once (sequenced or not); the public lists
    wait for the sequencer."""
    with django_capture_on_commit_callbacks(execute=True):
        df.receipt(charity, charity_admin, items=[df.item(quantity="10")])
    with django_capture_on_commit_callbacks(execute=False):
        sent = services.allocate(
            organization=charity,
            by=charity_admin,
            to_organization=ngo,
            items=[df.item(quantity="4")],
            purpose="饮用水",
        )
    ngo_user = df.writer(ngo)
    client.force_login(ngo_user)
    page = client.get(f"/ledger/organizations/{ngo.pk}/")
    assert page.status_code == 200
    assert f"/ledger/entries/{sent.pk}/".encode() in page.content
    assert b"#None" not in page.content


def _late_alerts():
    return Alert.objects.filter(title_en="Ledger entries are late joining the public ledger")


def test_merge_delay_alerts_the_platform_admins_once_per_lateness(
    after_commit, charity, charity_admin, django_capture_on_commit_callbacks, monkeypatch
):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    with django_capture_on_commit_callbacks(execute=False):
        _money(charity, charity_admin)
    assert sequencer.check_merge_delay.__module__ == "donations.sequencer"
    # On time: nothing to say.
    monkeypatch.setattr(sequencer, "sequence_pending", lambda **kw: 0)  # the worker is down
    assert sequencer.check_merge_delay() == 0 and not _late_alerts().exists()
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(seconds=6))
    assert sequencer.check_merge_delay() == 1
    alert = _late_alerts().get()
    assert alert.title == "捐赠账本记录未能按时加入公开账本"
    assert list(alert.deliveries.values_list("user_id", flat=True)) == [admin.pk]
    assert sequencer.check_merge_delay() == 1 and _late_alerts().count() == 1  # once
    monkeypatch.undo()
    assert sequencer.check_merge_delay() == 0  # the sequencer ran: the lateness is over
    with django_capture_on_commit_callbacks(execute=False):
        _money(charity, charity_admin)
    monkeypatch.setattr(sequencer, "sequence_pending", lambda **kw: 0)
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(seconds=60))
    assert sequencer.check_merge_delay() == 1 and _late_alerts().count() == 2  # a new one


def test_inline_mode_sequences_committed_leftovers_first(
    settings, charity, charity_admin, ngo, django_capture_on_commit_callbacks
):
    """Switching from after_commit to inline: pending committed entries get their seqs before
    the new one, so an entry drawing on them points to earlier seqs."""
    settings.TONGZHOU_LEDGER_SEQUENCING = "after_commit"
    with django_capture_on_commit_callbacks(execute=False):
        gift = df.receipt(charity, charity_admin, items=[df.item(quantity="10")])
    settings.TONGZHOU_LEDGER_SEQUENCING = "inline"
    spent = services.disburse(
        organization=charity, by=charity_admin, items=[df.item(quantity="2")], purpose="饮用水"
    )
    gift.refresh_from_db()
    assert (gift.seq, spent.seq) == (1, 2)
    assert chain.verify() == (2, None, "")


@pytest.mark.parametrize("count", [2, 12])
def test_a_batch_costs_the_same_queries_whatever_its_size(
    count,
    after_commit,
    charity,
    charity_admin,
    ngo,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
):
    """Entries, lines, sources, evidence, the seqs referred to, one bulk UPDATE, the head,
    plus the transaction and the head lock: fixed, whatever the batch."""
    with django_capture_on_commit_callbacks(execute=True):
        df.receipt(charity, charity_admin, items=[df.item(quantity="1000")])
    with django_capture_on_commit_callbacks(execute=False):
        for _ in range(count // 2):
            df.receipt(charity, charity_admin)
            services.allocate(
                organization=charity,
                by=charity_admin,
                to_organization=ngo,
                items=[df.item(quantity="3")],
                purpose="饮用水",
            )
    with django_assert_num_queries(QUERIES_PER_BATCH):
        assert sequencer.sequence_pending() == count
    assert chain.verify() == (count + 1, None, "")


def test_messages_about_an_unsequenced_entry_never_show_an_id_or_none(
    after_commit, client, charity, charity_admin, django_capture_on_commit_callbacks
):
    """Before its seq, an entry is named by its kind in the audit trail and by words in the
    question alert, never by its internal id (which would look like a public number)."""
    from alerts.models import Delivery
    from core.audit_words import _TARGETS
    from donations.models import Question

    describe_target = _TARGETS["donations.ledgerentry"][1]
    skip_ids(30)
    with django_capture_on_commit_callbacks(execute=False):
        entry = _money(charity, charity_admin)
    assert entry.seq is None
    assert "#" not in describe_target(entry) and "None" not in describe_target(entry)
    client.post(f"/ledger/entries/{entry.pk}/questions/new/", {"text": "这笔钱用在哪里？"})
    assert Question.objects.filter(entry=entry).exists()
    alert = Delivery.objects.filter(user=charity_admin).latest("id").alert
    for text in (alert.title, alert.title_en):
        assert f"#{entry.pk}" not in text and "None" not in text
