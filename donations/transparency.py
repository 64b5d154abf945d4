"""The ledger as a transparency log (RFC 9162 style): a stored Merkle tree over the sequenced
entries, signed tree heads, inclusion and consistency proofs, witnesses' countersignatures.

Decisions (docs/ledger-chain.md, "Merkle tree and signed heads"):

- **Leaves.** Leaf ``i`` (0-based) is the entry with ``seq = i + 1``; its leaf data is the
  entry's 32-byte chain hash (``bytes.fromhex(entry.hash)``), so the leaf hash is
  ``SHA-256(0x00 || chain hash)``. The chain hash already covers the entry's whole public
  form and the chain before it, so a donor holding an entry from the export checks the leaf
  with one hash; the tree adds logarithmic proofs on top of the chain, it does not replace it.
- **Storage.** Every complete subtree's hash is a ``MerkleNode`` row keyed
  ``level << 56 | index``. A root or proof for any size reads O(log n) rows in one query
  (``merkle.needed_*`` names them first). ``extend_tree`` adds leaves in batches under the
  ``TreeState`` row lock: per batch one query for the entries, one for the few stored left
  siblings it joins, one bulk insert, one update.
- **Only contiguous seqs.** The tree takes entries ``size + 1, size + 2, ...`` and stops at a
  gap (an entry not sequenced yet), so it never skips one.
- **Heads.** ``head_message`` is the signed byte string:
  ``b"tongzhou-ledger-head/v1\\n<tree_size>\\n<root hex>\\n<timestamp ms>\\n"``. One head per
  tree size (unique): ``sign_head`` signs when the tree grew past the newest head, at most
  every ``TONGZHOU_LEDGER_HEAD_MIN_SECONDS`` unless ``force``; no head is signed for an
  empty tree (the API then shows size 0 and the empty root, SHA-256 of nothing, unsigned).
  Timestamps never go backwards.
- **Key.** ``TONGZHOU_LEDGER_SIGNING_KEY``: the 32-byte Ed25519 seed, base64 or 64 hex
  characters. Without it a *development key* is derived from ``SECRET_KEY``
  (``SHA-256("tongzhou-ledger-dev-key:" + SECRET_KEY)``), and the key page says so. ``key_id``
  = the first 16 hex characters of SHA-256 of the raw 32-byte public key.
"""

import base64
import binascii
import hashlib
import time
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from donations import merkle
from donations.models import (
    ChainHead,
    Countersignature,
    LedgerEntry,
    MerkleNode,
    SignedHead,
    TreeState,
    Witness,
)

HEAD_FORMAT = "tongzhou-ledger-head/v1"
BATCH = 10_000
LAZY_LIMIT = 10_000  # entries a reader's request may add to the tree (one batch)
LEVEL_SHIFT = 56


def node_key(level: int, index: int) -> int:
    return level << LEVEL_SHIFT | index


# --- the key --------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlatformKey:
    private: Ed25519PrivateKey
    public_raw: bytes
    development: bool

    @property
    def public_b64(self) -> str:
        return base64.b64encode(self.public_raw).decode()

    @property
    def key_id(self) -> str:
        return key_id(self.public_raw)


def key_id(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).hexdigest()[:16]


def _seed(text: str) -> bytes:
    text = text.strip()
    try:
        seed = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        seed = b""
    if len(seed) != 32:
        raise ImproperlyConfigured(
            "TONGZHOU_LEDGER_SIGNING_KEY must be a 32-byte Ed25519 seed, base64 or 64 hex digits."
        )
    return seed


@lru_cache(maxsize=4)
def _key(configured: str, secret: str) -> PlatformKey:
    if configured:
        seed, development = _seed(configured), False
    else:
        seed = hashlib.sha256(f"tongzhou-ledger-dev-key:{secret}".encode()).digest()
        development = True
    private = Ed25519PrivateKey.from_private_bytes(seed)
    raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return PlatformKey(private, raw, development)


def platform_key() -> PlatformKey:
    return _key(settings.TONGZHOU_LEDGER_SIGNING_KEY, settings.SECRET_KEY)


def head_message(tree_size: int, root_hash: str, timestamp: int) -> bytes:
    """The exact bytes the platform and witnesses sign (ASCII, each line ends with ``\\n``)."""
    return f"{HEAD_FORMAT}\n{tree_size}\n{root_hash}\n{timestamp}\n".encode("ascii")


def verify_signature(public_raw: bytes, message: bytes, signature_b64: str) -> bool:
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, message)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def head_signature_ok(head: SignedHead) -> bool:
    """Is ``head`` signed by the platform's current key (and labelled with its id)?"""
    key = platform_key()
    return head.key_id == key.key_id and verify_signature(
        key.public_raw, head_message(head.tree_size, head.root_hash, head.timestamp), head.signature
    )


# --- the tree -------------------------------------------------------------------------------
def tree_size() -> int:
    return TreeState.objects.filter(id=1).values_list("size", flat=True).first() or 0


def _fetch(keys: list[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    wanted = {node_key(level, index): (level, index) for level, index in keys}
    found = {
        wanted[key]: bytes.fromhex(value)
        for key, value in MerkleNode.objects.filter(id__in=list(wanted)).values_list("id", "hash")
    }
    missing = set(wanted.values()) - set(found)
    if missing:
        level, index = min(missing)
        raise LookupError(f"Merkle node level {level} index {index} is missing")
    return found


def _new_nodes(size: int, leaves: list[bytes]) -> list[tuple[int, int, bytes]]:
    """The complete subtrees that appending ``leaves`` (leaf hashes) to a tree of ``size``
    leaves completes: one query for the stored left siblings they join."""
    end = size + len(leaves)
    old = []
    level = 0
    while (end >> (level + 1)) > (size >> (level + 1)):
        left = (size >> (level + 1)) * 2
        if (left + 1) << level <= size:
            old.append((level, left))
        level += 1
    stored = _fetch(old) if old else {}
    out = [(0, size + i, h) for i, h in enumerate(leaves)]
    current = {size + i: h for i, h in enumerate(leaves)}
    level = 0
    while True:
        lo, hi = size >> (level + 1), end >> (level + 1)
        if lo >= hi:
            return out
        parents = {}
        for p in range(lo, hi):
            left = current.get(2 * p) or stored[(level, 2 * p)]
            parents[p] = merkle.node_hash(left, current[2 * p + 1])
        level += 1
        out.extend((level, p, h) for p, h in parents.items())
        current = parents


def _locked_state(wait: bool) -> TreeState | None:
    """The ``TreeState`` row locked for this transaction; None when ``wait`` is false and
    another process holds it (that one is doing the work)."""
    TreeState.objects.get_or_create(id=1)
    return TreeState.objects.select_for_update(skip_locked=not wait).filter(id=1).first()


def extend_tree(batch: int = BATCH, wait: bool = True) -> int:
    """Add every sequenced entry beyond the stored tree (in seq order up to the chain head,
    stopping at a gap or a malformed hash: ``verify_ledger`` names those) and return the new
    tree size. Batches of ``batch`` entries, five queries each, each batch its
    own transaction under the ``TreeState`` lock (concurrent callers queue, then find the work
    done; with ``wait=False`` they return the stored size at once instead)."""
    while True:
        with transaction.atomic():
            state = _locked_state(wait)
            if state is None:
                return tree_size()
            size = state.size
            top = ChainHead.objects.filter(id=1).values_list("seq", flat=True).first() or 0
            rows = list(
                LedgerEntry.objects.filter(seq__gt=size, seq__lte=top, hash__isnull=False)
                .order_by("seq")
                .values_list("seq", "hash")[:batch]
            )
            leaves = []
            for position, (seq, chain_hash) in enumerate(rows, start=size + 1):
                try:
                    data = bytes.fromhex(chain_hash) if seq == position else b""
                except ValueError:
                    data = b""
                if len(data) != 32:
                    break
                leaves.append(merkle.leaf_hash(data))
            if not leaves:
                return size
            MerkleNode.objects.bulk_create(
                [
                    MerkleNode(id=node_key(level, index), level=level, index=index, hash=h.hex())
                    for level, index, h in _new_nodes(size, leaves)
                ],
                batch_size=5000,
            )
            state.size = size + len(leaves)
            state.save(update_fields=["size"])
        if len(leaves) < batch:
            return state.size


def _getter(keys: list[tuple[int, int]]):
    nodes = _fetch(keys)
    return lambda level, index: nodes[(level, index)]


def root(size: int) -> str:
    """The root hash (hex) of the first ``size`` leaves, from O(log size) stored nodes."""
    if size > tree_size():
        raise ValueError(f"the tree holds fewer than {size} entries")
    return merkle.mth(0, size, _getter(merkle.needed_root(size))).hex()


def inclusion_proof(seq: int, size: int) -> dict:
    """The audit path of entry ``seq`` in the tree of ``size`` entries (``seq <= size``)."""
    index = seq - 1
    get = _getter(merkle.needed_inclusion(index, size))
    leaf = get(0, index)
    return {
        "seq": seq,
        "leaf_index": index,
        "tree_size": size,
        "leaf_hash": leaf.hex(),
        "audit_path": [h.hex() for h in merkle.inclusion_path(index, size, get)],
        "root_hash": merkle.mth(0, size, get).hex(),
    }


def consistency_proof(first: int, second: int) -> dict:
    """The RFC 9162 consistency proof from the tree of ``first`` to that of ``second``."""
    get = _getter(merkle.needed_consistency(first, second))
    return {
        "first": first,
        "second": second,
        "first_root": merkle.mth(0, first, get).hex(),
        "second_root": merkle.mth(0, second, get).hex(),
        "consistency_path": [h.hex() for h in merkle.consistency_path(first, second, get)],
    }


# --- heads ----------------------------------------------------------------------------------
def latest_head() -> SignedHead | None:
    return SignedHead.objects.order_by("-tree_size").first()


def _due(latest: SignedHead | None, size: int, force: bool, now_ms: int) -> bool:
    if latest is None:
        return True
    too_soon = settings.TONGZHOU_LEDGER_HEAD_MIN_SECONDS * 1000
    return size > latest.tree_size and (force or now_ms - latest.timestamp >= too_soon)


def sign_head(force: bool = False, wait: bool = True) -> SignedHead | None:
    """Extend the tree and sign a head for it when it grew past the newest head (or there is
    none yet). Without ``force`` at most one head per ``TONGZHOU_LEDGER_HEAD_MIN_SECONDS``;
    returns the newest head either way (None while the tree is empty). Signing happens under
    the ``TreeState`` lock, so heads are created in tree-size order and their timestamps never
    go backwards. ``wait=False`` (readers signing lazily) never queues behind another process
    holding the lock: it returns the newest head instead."""
    size = extend_tree(wait=wait)
    latest = latest_head()
    if size == 0 or not _due(latest, size, force, int(time.time() * 1000)):
        return latest
    with transaction.atomic():
        state = _locked_state(wait)
        if state is None:
            return latest
        latest = latest_head()
        now_ms = int(time.time() * 1000)
        if not _due(latest, state.size, force, now_ms):
            return latest
        size = state.size
        timestamp = max(now_ms, latest.timestamp if latest else 0)
        root_hash = root(size)
        key = platform_key()
        signature = key.private.sign(head_message(size, root_hash, timestamp))
        return SignedHead.objects.create(
            tree_size=size,
            root_hash=root_hash,
            timestamp=timestamp,
            signature=base64.b64encode(signature).decode(),
            key_id=key.key_id,
        )


def head_json(head: SignedHead | None) -> dict:
    """The head's public fields (``GET /api/v1/ledger/head/`` adds the chain's)."""
    if head is None:
        return {
            "tree_size": 0,
            "root_hash": merkle.EMPTY_ROOT.hex(),
            "timestamp": None,
            "signature": "",
            "key_id": platform_key().key_id,
        }
    return {
        "tree_size": head.tree_size,
        "root_hash": head.root_hash,
        "timestamp": head.timestamp,
        "signature": head.signature,
        "key_id": head.key_id,
    }


def current_head(chain_seq: int | None = None) -> SignedHead | None:
    """The newest head, signing one first when the chain (``chain_seq``: the chain head's seq,
    read here when not given) has grown past it: lazily, so a reader never waits for the beat
    job; rate-limited like the beat. A reader never waits on another process's lock, nor
    extends the tree by more than ``LAZY_LIMIT`` entries (after a bulk import the beat job
    does that; the reader gets the newest head). None while the ledger is empty."""
    head = latest_head()
    if chain_seq is None:
        chain_seq = ChainHead.objects.filter(id=1).values_list("seq", flat=True).first() or 0
    behind = chain_seq - (head.tree_size if head else 0)
    if 0 < behind <= LAZY_LIMIT:
        head = sign_head(wait=False) or head
    return head


def countersign(
    head: SignedHead, witness_name: str, signature: str
) -> tuple[Countersignature, bool]:
    """Record ``witness_name``'s countersignature of ``head``; (row, created). Field errors for
    an unknown or inactive witness and for a signature that does not verify with its key;
    countersigning the same head twice returns the first row."""
    witness = Witness.objects.filter(name=witness_name, active=True).first()
    if witness is None:
        raise ValidationError({"witness": _("No active witness is registered under this name.")})
    try:
        public_raw = base64.b64decode(witness.public_key, validate=True)
    except (ValueError, binascii.Error):
        public_raw = b""
    message = head_message(head.tree_size, head.root_hash, head.timestamp)
    if len(public_raw) != 32 or not verify_signature(public_raw, message, signature):
        raise ValidationError(
            {"signature": _("The signature does not verify with this witness's key for this head.")}
        )
    try:
        with transaction.atomic():
            return Countersignature.objects.create(
                head=head, witness=witness, signature=signature
            ), True
    except IntegrityError:
        return Countersignature.objects.get(head=head, witness=witness), False


# --- verification ---------------------------------------------------------------------------
def node_problem(level: int, index: int, what: str) -> tuple[int, str]:
    """(the node's first entry, a sentence naming the node and what is wrong with it)."""
    first = (index << level) + 1
    last = (index + 1) << level
    span = f"entry {first}" if level == 0 else f"entries {first}-{last}"
    return first, f"Merkle tree node level {level} index {index} ({span}) {what}"


def verify_tree(chain_hashes: list[bytes]) -> tuple[int | None, str]:
    """Recompute every stored complete subtree from the verified chain hashes (leaf ``i`` =
    entry ``i + 1``), level by level, comparing each with its stored row (streamed, one query
    a level); then check the newest signed head within the checked size: its root and its
    signature. Returns (first entry of the first bad node or the head's size, what is wrong)
    or (None, ""). Leaves beyond the stored tree (not added yet) are not compared; a head
    signed beyond what was checked waits for the next run."""
    size = min(tree_size(), len(chain_hashes))
    _nodes, bad = check_levels([merkle.leaf_hash(h) for h in chain_hashes[:size]])
    if bad is not None:
        return node_problem(*bad)
    return check_head(size)


def check_levels(
    current: list[bytes], level: int = 0, first: int = 0, stop: int | None = None
) -> tuple[list[bytes], tuple[int, int, str] | None]:
    """Compare the complete subtrees ``current`` (level ``level``, indexes ``first``,
    ``first + 1``, ...) with their stored rows, then their parents, level by level, up to the
    root or below level ``stop``: (the hashes of the first level not checked, the first bad
    node as (level, index, what is wrong) or None). ``verify_tree`` checks the whole tree from the
    leaves; ``chain.verify``'s workers check the levels under ``stop`` of their own aligned
    range of leaves (``first`` a multiple of ``2**stop``) and the parent checks the rest."""
    node = merkle.node_hash
    while current and (stop is None or level < stop):
        expected = 0
        first_key = node_key(level, first)
        rows = (  # a primary-key range: the nodes of one level, in index order
            MerkleNode.objects.filter(id__gte=first_key, id__lt=first_key + len(current))
            .order_by("id")
            .values_list("id", "hash")
            .iterator(chunk_size=20_000)
        )
        for key, stored in rows:
            index = key - first_key
            if index != expected:
                return current, (level, first + expected, "is missing")
            if stored != current[index].hex():
                return current, (level, first + index, "does not match the entries' chain hashes")
            expected += 1
        if expected < len(current):
            return current, (level, first + expected, "is missing")
        current = [node(current[i], current[i + 1]) for i in range(0, len(current) - 1, 2)]
        level += 1
        first >>= 1
    return current, None


def check_head(size: int) -> tuple[int | None, str]:
    """The newest signed head within the first ``size`` entries: its root against the stored
    tree and its signature with the platform's key."""
    head = SignedHead.objects.filter(tree_size__lte=size).order_by("-tree_size").first()
    if head is not None:
        if head.root_hash != root(head.tree_size):
            return head.tree_size, (
                f"signed head of tree size {head.tree_size}: its root does not match the tree"
            )
        if not head_signature_ok(head):
            return head.tree_size, (
                f"signed head of tree size {head.tree_size}: the signature does not verify "
                "with the platform's key"
            )
    return None, ""
