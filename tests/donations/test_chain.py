import hashlib
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.http import StreamingHttpResponse

from donations import chain
from donations.models import AppendOnlyError, GoodsLine, LedgerEntry
from tests.donations import factories as df

pytestmark = pytest.mark.django_db


def _some_entries(charity, charity_admin, ngo):
    first = df.receipt(charity, charity_admin, "500.00")
    df.receipt(
        charity,
        charity_admin,
        items=[df.item()],
        donor_kind="company",
        donor_name="某某科技有限公司",
    )
    from donations import services

    services.allocate(organization=charity, by=charity_admin, to_organization=ngo, amount=200)
    services.reverse(entry=first, by=charity_admin, reason="重复录入") if False else None
    return first


def test_chain_follows_the_documented_format(charity, charity_admin, ngo):
    _some_entries(charity, charity_admin, ngo)
    prev = "0" * 64
    for entry in LedgerEntry.objects.order_by("seq"):
        form = chain.stored_form(entry)
        body = json.dumps(form, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert entry.prev_hash == prev
        assert entry.hash == hashlib.sha256((prev + body).encode("utf-8")).hexdigest()
        assert form["seq"] == entry.seq and isinstance(form["amount"], str)
        prev = entry.hash
    assert chain.verify() == (3, None, "")


def test_head_publishes_count_and_last_hash(api, charity, charity_admin, ngo):
    _some_entries(charity, charity_admin, ngo)
    body = api().get("/api/v1/ledger/head/").json()
    assert body["count"] == 3 and body["head_hash"] == LedgerEntry.objects.get(seq=3).hash
    assert body["tree_size"] == 3  # the signed tree head (tests/donations/test_transparency.py)


def test_verify_ledger_names_the_row_tampered_in_sql(charity, charity_admin, ngo):
    _some_entries(charity, charity_admin, ngo)
    call_command("verify_ledger")
    with df.tampering() as cursor:
        cursor.execute(f"UPDATE {LedgerEntry._meta.db_table} SET amount = 5 WHERE seq = 3")
    with pytest.raises(CommandError, match="seq 3"):
        call_command("verify_ledger")


def test_tampered_goods_line_is_caught_too(charity, charity_admin, ngo):
    _some_entries(charity, charity_admin, ngo)
    with df.tampering() as cursor:
        cursor.execute(f"UPDATE {GoodsLine._meta.db_table} SET quantity = 1")
    with pytest.raises(CommandError, match="seq 2"):
        call_command("verify_ledger")


def test_a_row_slipped_in_beyond_the_head_is_caught(charity, charity_admin, ngo):
    _some_entries(charity, charity_admin, ngo)
    table = LedgerEntry._meta.db_table
    columns = [f.column for f in LedgerEntry._meta.concrete_fields if f.column not in ("seq", "id")]
    # A copy of seq 3 under a hash no SHA-256 hex digest can equal ("stray" is not hex), so the
    # unique hash column never refuses it (rewriting one character of the copied hash collided
    # whenever that character already had the new value: one run in sixteen).
    stray_hash = "stray".ljust(64, "0")
    copied = ", ".join(c if c != "hash" else "%s AS hash" for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, seq, {', '.join(columns)}) "  # noqa: S608
            f"SELECT 1000, 4, {copied} FROM {table} WHERE seq = 3",
            [stray_hash],
        )
    assert LedgerEntry.objects.get(seq=4).hash == stray_hash
    assert chain.verify() == (3, 4, "entry beyond the chain head")


def test_chain_rows_rebuild_exactly_the_stored_form(charity, charity_admin, ngo):
    _some_entries(charity, charity_admin, ngo)
    rows = list(chain.chain_rows(chunk_size=2))
    stored = [chain.stored_form(e) for e in LedgerEntry.objects.order_by("seq")]
    assert [row["entry"] for row in rows] == stored


def test_entries_cannot_be_updated_or_deleted_through_the_orm(charity, charity_admin):
    entry = df.receipt(charity, charity_admin)
    entry.amount = 1
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.all().delete()


def test_export_streams_lazily_and_the_docs_snippet_verifies_it(
    api, charity, charity_admin, ngo, tmp_path, django_assert_max_num_queries
):
    _some_entries(charity, charity_admin, ngo)
    response = api().get("/api/v1/ledger/export.jsonl")
    assert isinstance(response, StreamingHttpResponse)
    with django_assert_max_num_queries(0):
        # Nothing was read yet: the generator only queries when consumed.
        iterator = iter(response.streaming_content)
    first = next(iterator)
    rest = b"".join(iterator)
    path = tmp_path / "ledger.jsonl"
    path.write_bytes(first + rest)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [1, 2, 3]
    assert "张三" not in path.read_text(encoding="utf-8")

    docs = (Path(__file__).resolve().parents[2] / "docs" / "donations.md").read_text()
    snippet = re.search(r"```python verify\n(.*?)```", docs, re.S).group(1)
    assert len(snippet.strip().splitlines()) <= 40
    namespace = {"__name__": "verify"}
    import sys

    old_argv = sys.argv
    sys.argv = ["verify.py", str(path)]
    try:
        exec(compile(snippet, "verify.py", "exec"), namespace)
    finally:
        sys.argv = old_argv
    assert namespace["prev"] == LedgerEntry.objects.get(seq=3).hash
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert snippet in readme, "README.md must show the same verifier as docs/donations.md"
