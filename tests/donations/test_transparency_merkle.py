"""RFC 9162 hashing and proofs (donations/merkle.py, donations/transparency.py) checked against
an independent small implementation written here from the RFC's definitions (recursion over a
list of leaves, no stored nodes)."""

import hashlib

import pytest

from donations import merkle, transparency
from donations.models import MerkleNode, TreeState


# --- the independent implementation (RFC 9162 2.1.1, 2.1.3.1, 2.1.4.1) -----------------------
def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def k_of(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_root(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) over raw leaf data."""
    if not leaves:
        return sha(b"")
    if len(leaves) == 1:
        return sha(b"\x00" + leaves[0])
    k = k_of(len(leaves))
    return sha(b"\x01" + ref_root(leaves[:k]) + ref_root(leaves[k:]))


def ref_path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) <= 1:
        return []
    k = k_of(len(leaves))
    if m < k:
        return ref_path(m, leaves[:k]) + [ref_root(leaves[k:])]
    return ref_path(m - k, leaves[k:]) + [ref_root(leaves[:k])]


def ref_subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [ref_root(leaves)]
    k = k_of(n)
    if m <= k:
        return ref_subproof(m, leaves[:k], whole) + [ref_root(leaves[k:])]
    return ref_subproof(m - k, leaves[k:], False) + [ref_root(leaves[:k])]


def ref_consistency(m: int, leaves: list[bytes]) -> list[bytes]:
    return ref_subproof(m, leaves, True) if 0 < m < len(leaves) else []


DATA = [f"leaf {i}".encode() for i in range(1000)]
SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 33, 100, 127, 128, 129, 1000]


def stored(count: int):
    nodes = merkle.build_levels([merkle.leaf_hash(d) for d in DATA[:count]])
    return lambda level, index: nodes[(level, index)]


@pytest.mark.parametrize("size", SIZES)
def test_roots_and_audit_paths_match_the_reference(size):
    get = stored(1000)  # a larger tree: complete subtrees of a prefix are the same nodes
    leaves = DATA[:size]
    root = merkle.mth(0, size, get)
    assert root == ref_root(leaves)
    for m in sorted({0, size // 2, size - 1, *range(0, size, max(1, size // 17))}):
        path = merkle.inclusion_path(m, size, get)
        assert path == ref_path(m, leaves)
        leaf = merkle.leaf_hash(leaves[m])
        assert merkle.verify_inclusion(leaf, m, size, path, root)
        # a wrong leaf, index, size or path element fails
        assert not merkle.verify_inclusion(merkle.leaf_hash(b"x"), m, size, path, root)
        if size > 1:
            assert not merkle.verify_inclusion(leaf, (m + 1) % size, size, path, root)
            bad = [*path]
            bad[0] = sha(b"tampered")
            assert not merkle.verify_inclusion(leaf, m, size, bad, root)
        assert not merkle.verify_inclusion(leaf, size, size, path, root)


@pytest.mark.parametrize("second", SIZES)
def test_consistency_proofs_match_the_reference(second):
    get = stored(1000)
    leaves = DATA[:second]
    second_root = ref_root(leaves)
    for first in sorted({1, 2, 3, second // 2, second - 1, second} - {0}):
        if first > second:
            continue
        path = merkle.consistency_path(first, second, get)
        assert path == ref_consistency(first, leaves)
        first_root = ref_root(DATA[:first])
        assert merkle.verify_consistency(first, second, first_root, second_root, path)
        if first < second:
            assert not merkle.verify_consistency(first, second, sha(b"other"), second_root, path)
            assert not merkle.verify_consistency(first, second, first_root, sha(b"other"), path)
            assert not merkle.verify_consistency(first, second, first_root, second_root, [])
            assert not merkle.verify_consistency(first, second, first_root, second_root, path[:-1])


def test_needed_nodes_are_logarithmic():
    for size in (1000, 1_000_000, 1_000_003, 2**20 - 1):
        for index in (0, size // 3, size - 1):
            assert len(merkle.needed_inclusion(index, size)) <= 2 * size.bit_length() + 2
        assert len(merkle.needed_consistency(size // 3, size)) <= 3 * size.bit_length() + 2


@pytest.mark.django_db
def test_extend_tree_in_uneven_batches_stores_every_complete_subtree():
    """The stored nodes after several small batches are exactly the reference's, and proofs
    from storage match the reference for sizes seen in between."""
    from tests.donations.test_transparency import chain_of

    hashes = chain_of(45)
    leaves = [bytes.fromhex(h) for h in hashes]
    expected = merkle.build_levels([merkle.leaf_hash(x) for x in leaves])
    for batch in (1, 3, 7, 45):
        MerkleNode.objects.all().delete()
        TreeState.objects.all().delete()
        assert transparency.extend_tree(batch=batch) == 45
        stored_nodes = {
            (lv, ix): bytes.fromhex(h)
            for lv, ix, h in MerkleNode.objects.values_list("level", "index", "hash")
        }
        assert stored_nodes == expected
    for size in (1, 2, 3, 7, 8, 9, 45):
        assert transparency.root(size) == ref_root(leaves[:size]).hex()
        proof = transparency.inclusion_proof(size, 45)
        assert proof["audit_path"] == [h.hex() for h in ref_path(size - 1, leaves)]
        consistency = transparency.consistency_proof(size, 45)
        assert consistency["consistency_path"] == [h.hex() for h in ref_consistency(size, leaves)]
