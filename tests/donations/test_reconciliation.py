"""Balances, not only hashes: the export alone recomputes every balance, verify_ledger and the
README snippet reconcile them, and the server's lots are compared with the recomputation."""

import json
import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from donations import chain, reconcile, services
from donations.models import Evidence, LedgerEntry, Lot
from tests.donations import factories as df

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_snippet() -> str:
    return re.search(r"```python verify\n(.*?)```", README.read_text(), re.S).group(1)


def run_readme_snippet(path: Path) -> dict:
    """Run the README's verifier literally, as a donor would: ``python verify.py ledger.jsonl``."""
    namespace = {"__name__": "verify"}
    old_argv = sys.argv
    sys.argv = ["verify.py", str(path)]
    try:
        exec(compile(readme_snippet(), "verify.py", "exec"), namespace)
    finally:
        sys.argv = old_argv
    return namespace


def export(api, tmp_path) -> Path:
    response = api().get("/api/v1/ledger/export.jsonl")
    path = tmp_path / "ledger.jsonl"
    path.write_bytes(b"".join(response.streaming_content))
    return path


def inflate(lot: Lot, by: str) -> None:
    """What the issue found: a lot row inflated in SQL (lots are balances, updatable on PG)."""
    with df.tampering() as cursor:
        cursor.execute(
            f"UPDATE {Lot._meta.db_table} SET quantity = quantity + %s, "  # noqa: S608
            "remaining = remaining + %s WHERE id = %s",
            [Decimal(by), Decimal(by), lot.pk],
        )


def test_a_million_drawn_on_an_inflated_five_thousand_receipt_is_not_intact(
    api, charity, charity_admin, tmp_path, settings
):
    settings.TONGZHOU_EVIDENCE_THRESHOLD = Decimal(10**7)  # evidence rules are not the point
    # given a ¥5,000 receipt whose lot was inflated by ¥1,000,000 in SQL
    gift = df.receipt(charity, charity_admin, "5000.00")
    inflate(Lot.objects.get(origin=gift), "1000000")
    # when a ¥1,000,000 disbursement draws on it through the service (the lot lets it)
    spent = services.disburse(
        organization=charity, by=charity_admin, amount=Decimal(1_000_000), purpose="安置点"
    )
    # then every hash still matches...
    assert chain.verify() == (2, None, "")
    # ...but verify_ledger says NOT intact: a balance violation at the disbursement
    with pytest.raises(CommandError, match=f"balance violation at entry seq {spent.seq}"):
        call_command("verify_ledger")
    # and the server-side comparison names the lot
    _count, problems = reconcile.verify_all()
    assert any(
        p.startswith("lot mismatch") and f"receipt #{gift.seq}" in p and "1005000" in p
        for p in problems
    ), problems
    # and the README snippet, run on the export alone, reports it too
    with pytest.raises(AssertionError, match=f"entry {spent.seq} overdraws"):
        run_readme_snippet(export(api, tmp_path))


def test_an_inflated_lot_is_named_before_anything_overdraws(charity, charity_admin):
    gift = df.receipt(charity, charity_admin, "5000.00")
    call_command("verify_ledger")
    inflate(Lot.objects.get(origin=gift), "10")
    with pytest.raises(CommandError, match=f"lot mismatch.*receipt #{gift.seq}"):
        call_command("verify_ledger")


def test_a_deflated_lot_is_named_too(charity, charity_admin):
    gift = df.receipt(charity, charity_admin, items=[df.item(quantity="100")])
    with df.tampering() as cursor:
        cursor.execute(f"UPDATE {Lot._meta.db_table} SET remaining = 1")  # noqa: S608
    with pytest.raises(CommandError, match=f"矿泉水 of receipt #{gift.seq}.*holds 1"):
        call_command("verify_ledger")


def _every_kind_of_entry(charity, charity_admin, ngo, team_writer):
    """Receipts (money, goods, restricted), allocations (signed for short, reversed), a
    disbursement reversed, a change of use, a receipt reversed: all balance movements."""
    money = df.receipt(charity, charity_admin, "1000.00")
    goods = df.receipt(
        charity,
        charity_admin,
        items=[df.item(quantity="100"), df.item(name="帐篷", unit="顶", quantity="5")],
    )
    restricted = df.receipt(charity, charity_admin, "300.00", restricted=True, purpose="学校")
    sent = services.allocate(
        organization=charity,
        by=charity_admin,
        to_organization=ngo,
        items=[df.item(quantity="40"), df.item(name="帐篷", unit="顶", quantity="2")],
    )
    services.acknowledge(
        allocation=sent,
        by=team_writer,
        items=[df.item(quantity="35"), df.item(name="帐篷", unit="顶", quantity="2")],
    )
    cash = services.allocate(
        organization=charity, by=charity_admin, to_organization=ngo, amount=Decimal(300)
    )
    services.acknowledge(allocation=cash, by=team_writer, amount=Decimal(300))
    back = services.allocate(
        organization=charity, by=charity_admin, to_organization=ngo, amount=Decimal(100)
    )
    services.reverse(entry=back, by=charity_admin, reason="发错机构")
    services.disburse(
        organization=ngo, by=team_writer, items=[df.item(quantity="30")], purpose="饮用水"
    )
    wrong = services.disburse(
        organization=charity, by=charity_admin, amount=Decimal(50), purpose="餐食"
    )
    services.reverse(entry=wrong, by=charity_admin, reason="重复录入")
    services.change_use(
        entry=restricted,
        by=charity_admin,
        purpose="伤员救治",
        filing_reference="民政备案-2026-01",
        donor_consent=True,
    )
    empty = df.receipt(charity, charity_admin, "20.00")
    services.reverse(entry=empty, by=charity_admin, reason="退回捐赠人")
    return money, goods


def test_every_kind_of_entry_reconciles_from_the_export_alone(
    api, charity, charity_admin, ngo, team_writer, tmp_path
):
    _every_kind_of_entry(charity, charity_admin, ngo, team_writer)
    call_command("verify_ledger")
    path = export(api, tmp_path)
    namespace = run_readme_snippet(path)
    assert namespace["prev"] == LedgerEntry.objects.order_by("-seq").first().hash
    # the export alone gives every lot's remaining balance: the same as the server's lots
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    recomputed = reconcile.recompute(rows)
    assert reconcile.compare_lots(recomputed) == []
    for lot in Lot.objects.all():
        # the export names entries by seq (ids may differ: issue 16)
        key = (lot.holder_id, lot.acquired_by.seq, lot.origin.seq, lot.item, lot.unit)
        assert recomputed.balance[key] == lot.remaining
    positions = {k: v for k, v in namespace["held"].items() if k[0] != "transit" and v}
    assert positions == {k: v for k, v in recomputed.balance.items() if v}
    # what arrived short of an allocation stays in transit, visibly
    assert sorted(v for k, v in namespace["held"].items() if k[0] == "transit" and v) == [
        Decimal(5)
    ]


def test_acknowledgements_name_what_arrived_per_receipt(charity, charity_admin, ngo, team_writer):
    first = df.receipt(charity, charity_admin, "100.00")
    second = df.receipt(charity, charity_admin, "100.00")
    sent = services.allocate(
        organization=charity, by=charity_admin, to_organization=ngo, amount=Decimal(150)
    )
    signed = services.acknowledge(allocation=sent, by=team_writer, amount=Decimal(120))
    form = chain.stored_form(signed)
    assert form["format"] == 2
    assert [(s["receipt"], s["quantity"]) for s in form["sources"]] == [
        (first.seq, "100"),
        (second.seq, "20"),
    ]


def test_an_old_format_ledger_still_verifies_and_reconciles(
    api, charity, charity_admin, ngo, team_writer, tmp_path, monkeypatch
):
    # given a ledger written before format 2 (acknowledgements without sources) ...
    monkeypatch.setattr(chain, "FORMAT", 1)
    _every_kind_of_entry(charity, charity_admin, ngo, team_writer)
    old_ack = LedgerEntry.objects.filter(kind="acknowledgement").first()
    assert "format" not in chain.stored_form(old_ack) and old_ack.sources.count() == 0
    # ... and continued in format 2
    monkeypatch.setattr(chain, "FORMAT", 2)
    _every_kind_of_entry(charity, charity_admin, ngo, team_writer)
    assert set(LedgerEntry.objects.values_list("chain_format", flat=True)) == {1, 2}
    # then the whole chain verifies, reconciles, and the snippet agrees
    call_command("verify_ledger")
    run_readme_snippet(export(api, tmp_path))


def test_an_old_format_overdraft_is_caught_by_the_snippet(
    api, charity, charity_admin, ngo, team_writer, tmp_path, monkeypatch
):
    monkeypatch.setattr(chain, "FORMAT", 1)
    gift = df.receipt(charity, charity_admin, "100.00")
    inflate(Lot.objects.get(origin=gift), "900")
    sent = services.allocate(
        organization=charity, by=charity_admin, to_organization=ngo, amount=Decimal(1000)
    )
    services.acknowledge(allocation=sent, by=team_writer, amount=Decimal(1000))
    with pytest.raises(AssertionError, match=f"entry {sent.seq} overdraws"):
        run_readme_snippet(export(api, tmp_path))
    with pytest.raises(CommandError, match="balance violation"):
        call_command("verify_ledger")


def test_evidence_files_are_rehashed(charity, charity_admin, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    df.receipt(charity, charity_admin, "100.00")
    pdf = SimpleUploadedFile("r.pdf", b"%PDF-1.4 receipt", content_type="application/pdf")
    entry = services.disburse(
        organization=charity, by=charity_admin, amount=Decimal(10), purpose="x", evidence=[pdf]
    )
    call_command("verify_ledger")
    evidence = Evidence.objects.get(entry=entry)
    Path(evidence.file.path).write_bytes(b"%PDF-1.4 another receipt")
    with pytest.raises(CommandError, match=f"evidence {evidence.pk} of entry seq {entry.seq}"):
        call_command("verify_ledger")
    Path(evidence.file.path).unlink()
    with pytest.raises(CommandError, match="missing"):
        call_command("verify_ledger")


def test_the_readme_snippet_is_the_docs_snippet():
    docs = (README.parent / "docs" / "donations.md").read_text()
    assert readme_snippet() in docs
