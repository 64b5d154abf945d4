"""The transparency log on the server: tree extension, signed heads, the proof and witness APIs,
and verify_ledger naming a tampered entry, node or head (donations/transparency.py)."""

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.management import call_command
from django.core.management.base import CommandError

from donations import chain, merkle, transparency
from donations.models import (
    Countersignature,
    LedgerEntry,
    MerkleNode,
    SignedHead,
    TreeState,
    Witness,
)
from tests.donations import factories as df
from tests.donations.test_transparency_merkle import ref_path, ref_root

pytestmark = pytest.mark.django_db


def chain_of(count: int) -> list[str]:
    """``count`` money receipts through the service layer; their chain hashes in seq order."""
    org = df.foundation()
    user = df.writer(org)
    for n in range(count):
        df.receipt(org, user, f"{n + 1}.00")
    return list(LedgerEntry.objects.order_by("seq").values_list("hash", flat=True))


def leaves_of(hashes: list[str]) -> list[bytes]:
    return [bytes.fromhex(h) for h in hashes]


@pytest.fixture
def signed(settings):
    settings.TONGZHOU_LEDGER_HEAD_MIN_SECONDS = 0
    hashes = chain_of(9)
    head = transparency.sign_head()
    return hashes, head


def message(head: dict) -> bytes:
    return (
        f"tongzhou-ledger-head/v1\n{head['tree_size']}\n{head['root_hash']}\n{head['timestamp']}\n"
    ).encode()


def test_head_api_serves_the_chain_and_a_signed_tree_head(api, settings):
    settings.TONGZHOU_LEDGER_HEAD_MIN_SECONDS = 0
    hashes = chain_of(7)
    body = api().get("/api/v1/ledger/head/").json()
    assert body["count"] == 7 and body["head_hash"] == hashes[-1]
    assert body["tree_size"] == 7
    assert body["root_hash"] == ref_root(leaves_of(hashes)).hex()
    key = transparency.platform_key()
    assert body["key_id"] == hashlib.sha256(key.public_raw).hexdigest()[:16]
    Ed25519PublicKey.from_public_bytes(key.public_raw).verify(
        base64.b64decode(body["signature"]), message(body)
    )
    # Nothing new: the same head; a new entry: a new, larger head (lazily, without the beat).
    assert api().get("/api/v1/ledger/head/").json() == body
    df.receipt(LedgerEntry.objects.first().holder, df.writer(LedgerEntry.objects.first().holder))
    newer = api().get("/api/v1/ledger/head/").json()
    assert newer["tree_size"] == 8 and newer["timestamp"] >= body["timestamp"]


def test_empty_ledger_head(api):
    body = api().get("/api/v1/ledger/head/").json()
    assert body["count"] == 0 and body["tree_size"] == 0
    assert body["root_hash"] == hashlib.sha256(b"").hexdigest()


def test_heads_are_rate_limited_but_force_signs(settings):
    settings.TONGZHOU_LEDGER_HEAD_MIN_SECONDS = 3600
    chain_of(2)
    first = transparency.sign_head()
    org = LedgerEntry.objects.first().holder
    df.receipt(org, df.writer(org))
    assert transparency.sign_head() == first  # too soon: the newest head stays
    assert transparency.tree_size() == 3  # but the tree took the entry
    forced = transparency.sign_head(force=True)
    assert forced.tree_size == 3 and SignedHead.objects.count() == 2


def test_beat_task_extends_and_signs(settings):
    from donations.tasks import sign_tree_head

    settings.TONGZHOU_LEDGER_HEAD_MIN_SECONDS = 0
    chain_of(3)
    assert sign_tree_head() == 3
    assert "donations-ledger-tree-head" in settings.CELERY_BEAT_SCHEDULE


def test_sequenced_batches_queue_one_signing_run_at_a_time(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    """While a sign_tree_head run is queued (not started), further sequenced batches do not
    queue another: the queued run takes them all in. Once it starts, the next batch queues."""
    from django.core.cache import cache

    from donations import tasks

    settings.TONGZHOU_LEDGER_HEAD_MIN_SECONDS = 0
    queued = []
    monkeypatch.setattr(tasks.sign_tree_head, "delay", lambda: queued.append(1))
    cache.delete(tasks.SIGN_QUEUED_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        hashes = chain_of(3)  # three sequenced batches
    assert len(hashes) == 3 and queued == [1]
    assert tasks.sign_tree_head() == 3  # the run starts: the key is cleared
    with django_capture_on_commit_callbacks(execute=True):
        chain_of(1)
    assert queued == [1, 1]
    cache.delete(tasks.SIGN_QUEUED_KEY)


def test_inclusion_proof_api_matches_the_reference(api, signed):
    hashes, head = signed
    leaves = leaves_of(hashes)
    for seq in range(1, 10):
        for size in (seq, 9):
            body = api().get(f"/api/v1/ledger/proof/inclusion/{seq}?tree_size={size}").json()
            assert body["audit_path"] == [h.hex() for h in ref_path(seq - 1, leaves[:size])]
            assert body["root_hash"] == ref_root(leaves[:size]).hex()
            assert body["entry_hash"] == hashes[seq - 1]
            assert merkle.verify_inclusion(
                merkle.leaf_hash(leaves[seq - 1]),
                seq - 1,
                size,
                [bytes.fromhex(h) for h in body["audit_path"]],
                bytes.fromhex(head.root_hash) if size == 9 else ref_root(leaves[:size]),
            )
    body = api().get("/api/v1/ledger/proof/inclusion/4").json()
    assert body["tree_size"] == 9 and body["head"]["signature"] == head.signature


@pytest.mark.parametrize(
    ("url", "status", "field"),
    [
        ("/api/v1/ledger/proof/inclusion/5?tree_size=4", 400, "tree_size"),
        ("/api/v1/ledger/proof/inclusion/5?tree_size=10", 400, "tree_size"),
        ("/api/v1/ledger/proof/inclusion/5?tree_size=abc", 400, "tree_size"),
        ("/api/v1/ledger/proof/inclusion/5?tree_size=0", 400, "tree_size"),
        ("/api/v1/ledger/proof/inclusion/50", 404, None),
        ("/api/v1/ledger/proof/inclusion/0", 404, None),
        ("/api/v1/ledger/proof/consistency?first=5&second=3", 400, "first"),
        ("/api/v1/ledger/proof/consistency?first=3&second=10", 400, "second"),
        ("/api/v1/ledger/proof/consistency?second=3", 400, "first"),
        ("/api/v1/ledger/proof/consistency?first=-1&second=3", 400, "first"),
        ("/api/v1/ledger/heads/5/", 404, None),
        ("/api/v1/ledger/heads/99999999999999999999999/", 404, None),
        ("/api/v1/ledger/proof/inclusion/99999999999999999999999", 404, None),
        ("/api/v1/ledger/proof/inclusion/3?tree_size=99999999999999999999999", 400, "tree_size"),
    ],
)
def test_proof_api_refuses_bad_input_with_field_messages(api, signed, url, status, field):
    response = api().get(url)
    assert response.status_code == status
    if field:
        assert field in response.json()


def test_consistency_proof_api_checks_against_two_heads(api, signed, settings):
    hashes, old = signed
    org = LedgerEntry.objects.first().holder
    for _ in range(5):
        df.receipt(org, df.writer(org))
    new = transparency.sign_head()
    assert new.tree_size == 14
    body = api().get("/api/v1/ledger/proof/consistency?first=9&second=14").json()
    path = [bytes.fromhex(h) for h in body["consistency_path"]]
    assert merkle.verify_consistency(
        9, 14, bytes.fromhex(old.root_hash), bytes.fromhex(new.root_hash), path
    )
    assert not merkle.verify_consistency(
        9, 14, hashlib.sha256(b"forked").digest(), bytes.fromhex(new.root_hash), path
    )


def test_proofs_cost_a_fixed_number_of_queries(api, settings, django_assert_max_num_queries):
    settings.TONGZHOU_LEDGER_HEAD_MIN_SECONDS = 0
    chain_of(40)
    transparency.sign_head()
    # the entry, the newest head, the chain head, the O(log n) nodes (one IN query), and the
    # head of exactly that size when it is not the newest: the same at 40 entries or a million
    for seq, size in ((1, 2), (3, 7), (17, 40), (40, 40)):
        with django_assert_max_num_queries(5):
            assert (
                api().get(f"/api/v1/ledger/proof/inclusion/{seq}?tree_size={size}").status_code
                == 200
            )
    for first, second in ((1, 2), (7, 40), (33, 40)):
        with django_assert_max_num_queries(3):  # the newest head, the chain head, the nodes
            assert (
                api()
                .get(f"/api/v1/ledger/proof/consistency?first={first}&second={second}")
                .status_code
                == 200
            )


def _witness(name="四川省应急管理厅审计处") -> tuple[Witness, Ed25519PrivateKey]:
    private = Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return Witness.objects.create(name=name, public_key=base64.b64encode(raw).decode()), private


def test_witness_countersigns_a_head(api, signed):
    _hashes, head = signed
    witness, private = _witness()
    body = transparency.head_json(head)
    signature = base64.b64encode(private.sign(message(body))).decode()
    url = f"/api/v1/ledger/heads/{head.tree_size}/countersign"
    response = api().post(url, {"witness": witness.name, "signature": signature})
    assert response.status_code == 201, response.content
    assert api().post(url, {"witness": witness.name, "signature": signature}).status_code == 200
    detail = api().get(f"/api/v1/ledger/heads/{head.tree_size}/").json()
    assert detail["countersignatures"][0]["witness"] == witness.name
    assert Countersignature.objects.count() == 1


def test_bad_countersignatures_are_refused(api, signed):
    _hashes, head = signed
    witness, private = _witness()
    other = Ed25519PrivateKey.generate()
    body = transparency.head_json(head)
    url = f"/api/v1/ledger/heads/{head.tree_size}/countersign"
    cases = [
        (
            {"witness": witness.name, "signature": base64.b64encode(other.sign(message(body)))},
            "signature",
        ),
        (
            {"witness": witness.name, "signature": base64.b64encode(private.sign(b"other"))},
            "signature",
        ),
        ({"witness": witness.name, "signature": "not base64!"}, "signature"),
        (
            {"witness": "无名氏", "signature": base64.b64encode(private.sign(message(body)))},
            "witness",
        ),
        ({"witness": witness.name}, "signature"),
    ]
    for data, field in cases:
        data = {k: v.decode() if isinstance(v, bytes) else v for k, v in data.items()}
        response = api().post(url, data)
        assert response.status_code == 400 and field in response.json(), data
    witness.active = False
    witness.save()
    good = base64.b64encode(private.sign(message(body))).decode()
    assert api().post(url, {"witness": witness.name, "signature": good}).status_code == 400
    assert (
        api()
        .post("/api/v1/ledger/heads/999/countersign", {"witness": witness.name, "signature": good})
        .status_code
        == 404
    )
    assert not Countersignature.objects.exists()


# --- verify_ledger: chain, tree and head ------------------------------------------------------
def test_verify_checks_chain_tree_and_head(signed):
    assert chain.verify() == (9, None, "")
    call_command("verify_ledger")


def test_tampered_entry_row_is_named(signed):
    with df.tampering() as cursor:
        cursor.execute(f"UPDATE {LedgerEntry._meta.db_table} SET amount = 999 WHERE seq = 6")
    assert chain.verify() == (6, 6, "hash does not match the entry's content")
    with pytest.raises(CommandError, match="seq 6"):
        call_command("verify_ledger")


def test_tampered_stored_node_is_named(signed):
    MerkleNode.objects.filter(level=1, index=2).update(hash="ab" * 32)
    count, bad, problem = chain.verify()
    assert (count, bad) == (9, 5)
    assert (
        problem
        == "Merkle tree node level 1 index 2 (entries 5-6) does not match the entries' chain hashes"
    )
    with pytest.raises(CommandError, match="level 1 index 2"):
        call_command("verify_ledger")


def test_missing_leaf_node_is_named(signed):
    MerkleNode.objects.filter(level=0, index=8).delete()
    assert chain.verify()[1:] == (9, "Merkle tree node level 0 index 8 (entry 9) is missing")


def test_rehashed_chain_and_tree_still_caught_by_the_signed_head(signed):
    """An intruder rewrites an entry, recomputes every chain hash and the whole tree: only the
    signed head (whose key they do not hold) still tells."""
    _hashes, head = signed
    with df.tampering() as cursor:
        cursor.execute(f"UPDATE {LedgerEntry._meta.db_table} SET amount = 999 WHERE seq = 9")
    entry = LedgerEntry.objects.get(seq=9)
    new_hash = chain.chain_hash(entry.prev_hash, chain.stored_form(entry))
    with df.tampering() as cursor:
        cursor.execute(
            f"UPDATE {LedgerEntry._meta.db_table} SET hash = %s WHERE seq = 9", [new_hash]
        )
        cursor.execute("UPDATE donations_chainhead SET head_hash = %s", [new_hash])
    MerkleNode.objects.all().delete()
    TreeState.objects.all().delete()
    transparency.extend_tree()
    assert chain.verify() == (
        9,
        9,
        "signed head of tree size 9: its root does not match the tree",
    )


def test_forged_head_signature_is_named(signed):
    _hashes, head = signed
    SignedHead.objects.filter(pk=head.pk).update(signature=base64.b64encode(b"x" * 64).decode())
    assert chain.verify()[1:] == (
        9,
        "signed head of tree size 9: the signature does not verify with the platform's key",
    )


def test_signing_key_from_the_environment(settings):
    seed = bytes(range(32))
    settings.TONGZHOU_LEDGER_SIGNING_KEY = seed.hex()
    key = transparency.platform_key()
    assert not key.development
    assert key.public_raw == Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw
    )
    settings.TONGZHOU_LEDGER_SIGNING_KEY = base64.b64encode(seed).decode()
    assert transparency.platform_key().public_raw == key.public_raw
    settings.TONGZHOU_LEDGER_SIGNING_KEY = ""
    assert transparency.platform_key().development
    from django.core.exceptions import ImproperlyConfigured

    settings.TONGZHOU_LEDGER_SIGNING_KEY = "too short"
    with pytest.raises(ImproperlyConfigured):
        transparency.platform_key()


def test_tree_stops_at_the_chain_head(settings):
    """A row slipped in beyond the chain head (not appended) never enters the tree; verify
    names it instead."""
    from django.db import connection

    chain_of(3)
    assert transparency.extend_tree() == 3
    count = MerkleNode.objects.count()
    assert transparency.extend_tree() == 3 and MerkleNode.objects.count() == count
    table = LedgerEntry._meta.db_table
    columns = [f.column for f in LedgerEntry._meta.concrete_fields if f.column not in ("seq", "id")]
    replaced = {"hash": "%s AS hash", "trace_code": "NULL AS trace_code"}
    copied = ", ".join(replaced.get(c, c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (seq, {', '.join(columns)}) "  # noqa: S608
            f"SELECT 4, {copied} FROM {table} WHERE seq = 3",
            ["ab" * 32],
        )
    assert transparency.extend_tree() == 3
    assert chain.verify() == (3, 4, "entry beyond the chain head")


def test_sequenced_signal_receiver_signs_a_head(settings, django_capture_on_commit_callbacks):
    """The sequencer's signal is connected (DonationsConfig.ready): when its batch commits, the
    tree grows and a head is signed without waiting for the beat (eager Celery in the tests)."""
    from donations.signals import ledger_sequenced

    settings.TONGZHOU_LEDGER_HEAD_MIN_SECONDS = 0
    chain_of(2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ledger_sequenced.send(sender=LedgerEntry, first_seq=1, last_seq=2)
    assert callbacks  # queued for the commit, never run inside the batch
    assert transparency.latest_head().tree_size == 2


def test_admin_refuses_a_witness_key_that_is_not_32_bytes(db):
    from donations.admin import WitnessForm

    form = WitnessForm({"name": "审计处", "public_key": "AAAA", "active": True})
    assert not form.is_valid() and "public_key" in form.errors
    good = base64.b64encode(bytes(32)).decode()
    assert WitnessForm({"name": "审计处", "public_key": good, "active": True}).is_valid()


# --- pages ----------------------------------------------------------------------------------
def test_head_page_shows_the_signed_head_key_and_countersignatures(client, signed):
    from tests.readable import assert_readable_html

    _hashes, head = signed
    witness, private = _witness()
    signature = base64.b64encode(private.sign(message(transparency.head_json(head)))).decode()
    transparency.countersign(head, witness.name, signature)
    response = client.get("/ledger/head/")
    html = response.content.decode()
    assert f'data-testid="root-hash">{head.root_hash}<' in html
    assert "签名树头" in html and "9 条记录" in html
    assert witness.name in html and "副署" in html
    key = transparency.platform_key()
    assert f'data-testid="public-key-b64">{key.public_b64}<' in html
    assert 'data-testid="development-key"' in html  # no key configured in the tests
    assert_readable_html(response.content)


def test_head_page_with_a_configured_key_has_no_development_warning(client, signed, settings):
    settings.TONGZHOU_LEDGER_SIGNING_KEY = base64.b64encode(bytes(32)).decode()
    html = client.get("/ledger/head/").content.decode()
    assert 'data-testid="development-key"' not in html


def test_key_api(api, settings):
    body = api().get("/api/v1/ledger/key/").json()
    key = transparency.platform_key()
    assert body["public_key"] == key.public_b64 and body["key_id"] == key.key_id
    assert body["development"] is True and body["algorithm"] == "Ed25519"


def test_trace_page_has_an_inclusion_proof_section_per_entry(client, settings):
    from decimal import Decimal

    from donations import services
    from tests.readable import assert_readable_html

    settings.TONGZHOU_LEDGER_HEAD_MIN_SECONDS = 0
    org = df.foundation()
    admin = df.writer(org)
    ngo = df.foundation(name="雅安救援队")
    receipt = df.receipt(org, admin, "100.00")
    sent = services.allocate(organization=org, by=admin, to_organization=ngo, amount=Decimal(40))
    response = client.get("/ledger/trace/", {"code": receipt.trace_code})
    html = response.content.decode()
    assert "收录证明" in html and "donations/inclusion.js" in html
    assert f'<li data-seq="{receipt.seq}">' in html and f'<li data-seq="{sent.seq}">' in html
    assert 'data-proof="/api/v1/ledger/proof/inclusion/0"' in html
    assert_readable_html(response.content)
    assert "收录证明" not in client.get("/ledger/trace/").content.decode()


# --- the README's stand-alone script ------------------------------------------------------------
def readme_script() -> str:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    return text.split("```python check-head\n", 1)[1].split("```", 1)[0]


def run_readme_script(client, monkeypatch, *args) -> str:
    """Run the README's script as written, its HTTP requests answered by the test client."""
    import contextlib
    import io
    import sys
    import urllib.request
    from urllib.error import HTTPError

    def urlopen(url):
        path = url.removeprefix("https://tongzhou.test")
        response = client.get(path)
        if response.status_code != 200:
            raise HTTPError(url, response.status_code, "refused", {}, None)
        return io.BytesIO(response.content)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    monkeypatch.setattr(sys, "argv", ["check_head.py", "https://tongzhou.test", *map(str, args)])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(readme_script(), "check_head.py", "exec"), {"__name__": "__main__"})  # noqa: S102
    return out.getvalue()


def test_readme_script_checks_inclusion_consistency_and_signatures(client, monkeypatch, signed):
    from cryptography.exceptions import InvalidSignature

    _hashes, old = signed
    org = LedgerEntry.objects.first().holder
    for _ in range(4):
        df.receipt(org, df.writer(org))
    new = transparency.sign_head()
    key = transparency.platform_key().public_b64
    for seq, kept in ((1, 9), (9, 9), (13, 13), (6, 9)):
        out = run_readme_script(client, monkeypatch, key, seq, kept)
        assert f"entry {seq} " in out and f"signed tree of {new.tree_size} entries" in out
        assert f"extends the head of {kept} you kept" in out
    # another key: the signature check fails
    other = base64.b64encode(bytes(32)).decode()
    with pytest.raises(InvalidSignature):
        run_readme_script(client, monkeypatch, other, 3, 9)
    # a platform that rewrote history: the old head it signed no longer fits
    SignedHead.objects.filter(pk=old.pk).update(root_hash="00" * 32)
    forged = SignedHead.objects.get(pk=old.pk)
    msg = transparency.head_message(forged.tree_size, forged.root_hash, forged.timestamp)
    sig = base64.b64encode(transparency.platform_key().private.sign(msg)).decode()
    SignedHead.objects.filter(pk=old.pk).update(signature=sig)
    with pytest.raises(AssertionError, match="does not extend"):
        run_readme_script(client, monkeypatch, key, 3, 9)
    # a proof that does not lead to the root
    MerkleNode.objects.filter(level=0, index=1).update(hash="11" * 32)
    with pytest.raises(AssertionError, match="not included"):
        run_readme_script(client, monkeypatch, key, 1, 13)


def test_readme_publishes_the_embedded_development_key():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    key = transparency._key("", "dev-only-insecure-key-tongzhou-do-not-use-in-production")
    assert f"`{key.public_b64}`" in readme and f"`{key.key_id}`" in readme


def test_verify_ledger_prints_the_key_and_reports_the_tree(signed, capsys):
    call_command("verify_ledger", "--print-key")
    out = capsys.readouterr().out
    key = transparency.platform_key()
    assert key.public_b64 in out and key.key_id in out and "development" in out
    call_command("verify_ledger")
    out = capsys.readouterr().out
    assert "Merkle tree" in out and "signed head of 9 entries" in out


def test_fast_canonical_text_equals_the_reference_on_the_demo_ledger(monkeypatch):
    """verify builds the canonical text without the dict: on every row of the demo ledger
    (every kind, formats 1 and 2, lines, sources, evidence, commitments) it is byte for byte
    ``canonical(public_form(...))``, and a difference makes verify fall back, not fail."""
    import io

    from donations import demo as donations_demo
    from registry import demo as registry_demo

    out = io.StringIO()
    registry_demo.seed(out)
    monkeypatch.setattr(chain, "FORMAT", 1)  # the first receipts in the old format
    org = df.foundation()
    old = df.receipt(org, df.writer(org), items=[df.item(spec="500ml", expiry_date=None)])
    monkeypatch.setattr(chain, "FORMAT", 2)
    donations_demo.seed(out)
    assert LedgerEntry.objects.get(seq=old.seq).chain_format == 1
    shapes = set()
    for entries, lines, sources, evidence in chain._chunks(50, None, 0):
        for e in entries:
            got = lines.get(e.seq, ()), sources.get(e.seq, ()), evidence.get(e.seq, ())
            assert chain._fast_canonical(e, *got) == chain.canonical(chain.public_form(e, *got))
            shapes.add((e.chain_format, *map(bool, got), bool(e.commitments)))
    assert (1, True, False, False, False) in shapes  # format 1 with goods lines
    assert all(
        any(s[i] for s in shapes) for i in (1, 2, 3, 4)
    )  # lines, sources, evidence, commitments
    count = LedgerEntry.objects.count()
    assert chain.verify() == (count, None, "")
    # a fast path gone wrong (simulated) is caught by the reference and the run still passes
    monkeypatch.setattr(chain, "_fast_canonical", lambda *a: "{}")
    assert chain.verify() == (count, None, "")


def test_a_reader_does_not_extend_a_tree_far_behind(api, settings, monkeypatch):
    """After a bulk import the beat job builds the tree; a reader gets the newest head."""
    settings.TONGZHOU_LEDGER_HEAD_MIN_SECONDS = 0
    chain_of(3)
    first = transparency.sign_head()
    org = LedgerEntry.objects.first().holder
    for _ in range(3):
        df.receipt(org, df.writer(org))
    monkeypatch.setattr(transparency, "LAZY_LIMIT", 2)
    assert api().get("/api/v1/ledger/head/").json()["tree_size"] == first.tree_size == 3
    assert transparency.tree_size() == 3
    monkeypatch.setattr(transparency, "LAZY_LIMIT", 3)
    assert api().get("/api/v1/ledger/head/").json()["tree_size"] == 6
