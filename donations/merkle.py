"""RFC 9162 Merkle tree hashing and proofs, independent of storage (docs/ledger-chain.md,
"Merkle tree and signed heads").

- leaf hash ``SHA-256(0x00 || leaf data)``, node hash ``SHA-256(0x01 || left || right)``;
- the tree of ``n`` leaves splits at ``k``, the largest power of two below ``n`` (RFC 9162
  2.1.1); the root of the empty tree is ``SHA-256("")``;
- a *complete subtree* is ``(level, index)``: the ``2**level`` leaves starting at
  ``index * 2**level``. Every subtree the RFC's recursion meets in a tree of any size is a
  complete subtree or a right edge made of at most ``log2 n`` complete ones, so with every
  complete subtree's hash stored, a root or a proof for any size reads O(log n) of them.

``mth``, ``inclusion_path`` and ``consistency_path`` take ``get(level, index) -> bytes``;
``needed_*`` return the ``(level, index)`` pairs they will ask for, so a caller fetches them
in one query first. ``verify_inclusion`` and ``verify_consistency`` are RFC 9162 2.1.3.2 and
2.1.4.2, the same algorithms as the README's stand-alone script.
"""

import hashlib
from collections.abc import Callable, Iterable

Getter = Callable[[int, int], bytes]
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two strictly below ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def mth(start: int, end: int, get: Getter) -> bytes:
    """The hash of leaves ``[start, end)`` where ``start`` is aligned as the RFC's recursion
    leaves it (a multiple of the largest power of two not above ``end - start``)."""
    size = end - start
    if size == 0:
        return EMPTY_ROOT
    if size & (size - 1) == 0:  # a complete subtree
        level = size.bit_length() - 1
        return get(level, start >> level)
    k = split(size)
    return node_hash(mth(start, start + k, get), mth(start + k, end, get))


def inclusion_path(index: int, size: int, get: Getter, start: int = 0) -> list[bytes]:
    """RFC 9162 2.1.3.1 PATH(m, D[n]) for leaf ``index`` (0-based) of the first ``size``
    leaves, bottom-up."""
    if size <= 1:
        return []
    k = split(size)
    if index < k:
        return inclusion_path(index, k, get, start) + [mth(start + k, start + size, get)]
    return inclusion_path(index - k, size - k, get, start + k) + [mth(start, start + k, get)]


def consistency_path(first: int, second: int, get: Getter) -> list[bytes]:
    """RFC 9162 2.1.4.1 PROOF(m, D[n]) for ``0 < first <= second``."""

    def subproof(m: int, start: int, n: int, whole: bool) -> list[bytes]:
        if m == n:
            return [] if whole else [mth(start, start + n, get)]
        k = split(n)
        if m <= k:
            return subproof(m, start, k, whole) + [mth(start + k, start + n, get)]
        return subproof(m - k, start + k, n - k, False) + [mth(start, start + k, get)]

    if first == second or first == 0:
        return []
    return subproof(first, 0, second, True)


def _collect(run: Callable[[Getter], object]) -> list[tuple[int, int]]:
    keys: list[tuple[int, int]] = []

    def record(level: int, index: int) -> bytes:
        keys.append((level, index))
        return EMPTY_ROOT

    run(record)
    return list(dict.fromkeys(keys))


def needed_root(size: int) -> list[tuple[int, int]]:
    return _collect(lambda get: mth(0, size, get))


def needed_inclusion(index: int, size: int) -> list[tuple[int, int]]:
    return _collect(
        lambda get: (get(0, index), inclusion_path(index, size, get), mth(0, size, get))
    )


def needed_consistency(first: int, second: int) -> list[tuple[int, int]]:
    return _collect(
        lambda get: (consistency_path(first, second, get), mth(0, first, get), mth(0, second, get))
    )


def verify_inclusion(
    leaf: bytes, index: int, size: int, path: Iterable[bytes], root: bytes
) -> bool:
    """RFC 9162 2.1.3.2: does ``path`` prove leaf hash ``leaf`` at ``index`` in ``root``?"""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, path: list[bytes]
) -> bool:
    """RFC 9162 2.1.4.2: does ``path`` prove the tree of ``second`` leaves extends the tree of
    ``first``? (``first == second`` needs an empty path and equal roots.)"""
    if first > second or first < 0:
        return False
    if first == second:
        return not path and first_root == second_root
    if first == 0:
        return not path
    path = list(path)
    if not path:
        return False
    if first & (first - 1) == 0:  # a power of two: the first root is the first node
        path = [first_root, *path]
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_root and sr == second_root


def build_levels(leaves: list[bytes]) -> dict[tuple[int, int], bytes]:
    """Every complete subtree's hash over ``leaves`` (leaf hashes): for tests and tools."""
    nodes = {(0, i): h for i, h in enumerate(leaves)}
    level, row = 0, leaves
    while len(row) > 1:
        row = [node_hash(row[i], row[i + 1]) for i in range(0, len(row) - 1, 2)]
        level += 1
        nodes.update({(level, i): h for i, h in enumerate(row)})
    return nodes
