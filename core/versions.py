"""Data versions: one counter per scope of public data, bumped after every committed write.

The public response cache (``core.public_cache``) keys every cached response on the versions
of the scopes the page shows, so a write makes every response that could show it unreachable
at once: the next read renders afresh (docs/public-reads.md).

Scopes: one per app that declares ``public_cache_scope`` on its AppConfig ("core",
"registry", "alerts", "coordination", "procurement", "donations"). Per-incident scopes were
considered and not built: an incident page also shows organizations and donations, so it
would still depend on app-wide scopes, and the hot pages during a disaster are few.

How writes are caught (``connect_signals``, called by ``CoreConfig.ready``):

* ``post_save`` / ``post_delete`` of every model of a scoped app and ``m2m_changed`` of its
  many-to-many tables bump the app's scope, except the models listed in the AppConfig's
  ``public_cache_unshown`` (core's audit trail: written by every service, shown on no cached
  page — bumping on it would empty the cache at every write anywhere);
* ``QuerySet.update()``, ``bulk_create()`` and raw SQL send no signal: the services that use
  them on public data call ``bump(scope)`` themselves.

``bump`` registers one ``transaction.on_commit`` callback per transaction (all the scopes it
touched in one batch), so a service saving thousands of rows pays a handful of INCRs once,
after COMMIT; a rolled-back transaction bumps nothing. Outside a transaction the INCR is
immediate.

Correctness with the resilient cache (``core.cache``):

* A version key that is missing (evicted, Redis restarted) is created with ``add()`` from
  the clock in microseconds: a value no earlier version could have held (versions only grow
  by one per bump, far slower than the clock), so a missing key reads as a *new* version.
  Version keys never expire.
* A bump made while this process's cache is degraded (Redis unreachable) went to the local
  fallback only; the scopes are remembered in the process and bumped in Redis again by the
  next ``bump`` or ``current`` call of this process that finds Redis back. Until then other
  processes may serve the version before that write — bounded by the response cache's TTL
  (documented in docs/public-reads.md).
* Readers of a degraded cache bypass the response cache entirely (``core.public_cache``).

Each version carries the time of its bump (``Last-Modified``), stored under a second key as
``"<version>:<unix time>"``; when that stamp does not belong to the version read (a missed
stamp write, a re-created key) the time is taken as "now": never earlier than the change.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import signals

from core.cache import incr_each

logger = logging.getLogger("tongzhou.cache")

PREFIX = "tz:ver:"

#: Every scope: what a page that shows the layout's cross-app hooks depends on.
ALL_SCOPES = (
    "core",
    "registry",
    "alerts",
    "coordination",
    "preparedness",
    "procurement",
    "donations",
    "liaison",
    "community",
    "compensation",
)

_pending_lock = threading.Lock()
# Scopes whose bump reached only the local fallback while Redis was down (per process).
_pending: set[str] = set()
_local = threading.local()


@dataclass(frozen=True)
class Versions:
    """The versions of some scopes, read together, and when the newest of them was bumped."""

    values: dict[str, int]
    modified: float
    extra: dict = field(default_factory=dict)

    def token(self) -> str:
        return ",".join(f"{scope}={self.values[scope]}" for scope in sorted(self.values))


def _key(scope: str) -> str:
    return f"{PREFIX}{scope}"


def _stamp_key(scope: str) -> str:
    return f"{PREFIX}{scope}:at"


def _clock_version() -> int:
    return time.time_ns() // 1000


def is_degraded() -> bool:
    """True while the default cache is this process's local fallback (Redis unreachable)."""
    check = getattr(cache, "is_degraded", None)
    return bool(callable(check) and check())


def unsettled() -> bool:
    """True while this process cannot vouch for the versions it reads: the cache is degraded,
    or bumps of committed writes are still waiting to reach it. The response cache is bypassed
    then."""
    return bool(_pending) or is_degraded()


def scopes() -> tuple[str, ...]:
    """Every scope an installed app declares (``public_cache_scope`` on its AppConfig)."""
    return tuple(
        config.public_cache_scope
        for config in apps.get_app_configs()
        if getattr(config, "public_cache_scope", None)
    )


# --- writing ------------------------------------------------------------------------------------


def _incr_existing(keys: list[str]) -> list[int | None]:
    """INCR each existing key, None for a missing one: one round trip for all of them with the
    resilient Redis cache (``core.cache.ResilientRedisCache.incr_existing``), else ``incr`` per
    key (a missing key raises ValueError there)."""
    many = getattr(cache, "incr_existing", None)
    return many(keys) if callable(many) else incr_each(cache, keys)


def _incr(names: Iterable[str]) -> None:
    """INCR each scope's version now (creating a missing key as a new version) and stamp it.

    Two Redis round trips for the usual bump of one scope, every committed write's: the INCR of
    the existing keys (``_incr_existing``), then the stamp (one SET; MSET in a MULTI for
    several). A missing key costs its ``add`` and ``get`` besides."""
    names = sorted(set(names))
    if not names:
        return
    now = time.time()
    stamps = {}
    keys = [_key(scope) for scope in names]
    for scope, key, value in zip(names, keys, _incr_existing(keys), strict=True):
        if value is None:
            if cache.add(key, _clock_version(), timeout=None):
                value = cache.get(key)
            else:
                value = cache.incr(key)
        stamps[_stamp_key(scope)] = f"{value}:{now}"
    if len(stamps) == 1:
        [(stamp, text)] = stamps.items()
        cache.set(stamp, text, timeout=None)
    else:
        cache.set_many(stamps, timeout=None)
    if is_degraded():
        with _pending_lock:
            _pending.update(names)


def _flush_pending() -> None:
    """Bump again in Redis what was bumped only in the fallback during an outage (or not at
    all, after an error)."""
    if not _pending or is_degraded():
        return
    with _pending_lock:
        names = set(_pending)
        _pending.clear()
    try:
        _incr(names)
    except Exception:
        logger.exception("could not bump data versions %s", sorted(names))
        with _pending_lock:
            _pending.update(names)


class _Batch:
    """The scopes one transaction touched, bumped by a single on_commit callback."""

    def __init__(self, hooks: list, using: str):
        self.hooks = hooks
        self.using = using
        self.scopes: set[str] = set()
        self.done = False

    def __call__(self) -> None:
        self.done = True
        try:
            _incr(self.scopes)
        except Exception:
            # The write has committed: failing its request now would report an error for a
            # done deed. The scopes are retried by this process's next bump or read.
            logger.exception("could not bump data versions %s", sorted(self.scopes))
            with _pending_lock:
                _pending.update(self.scopes)


def bump(*names: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Make the next read of these scopes a new version, once the current transaction commits.

    Inside ``transaction.atomic`` one on_commit callback per transaction carries every scope
    bumped in it (a batch is reused while it is still queued on the same list of commit hooks;
    a rolled-back savepoint or transaction replaces that list, so its bumps vanish with it).
    Outside a transaction the bump is immediate.
    """
    if not names:
        return
    _flush_pending()
    connection = connections[using]
    if not connection.in_atomic_block:
        _incr(names)
        return
    hooks = connection.run_on_commit
    batch = getattr(_local, "batch", None)
    if batch is None or batch.done or batch.hooks is not hooks or batch.using != using:
        batch = _Batch(hooks, using)
        _local.batch = batch
        transaction.on_commit(batch, using=using)
    batch.scopes.update(names)


def bump_model(model, using: str = DEFAULT_DB_ALIAS) -> None:
    """Bump the scope of ``model``'s app (nothing for an unshown or unscoped model): for
    helpers that write any model with QuerySet.update(), such as ``core.states``."""
    scope = _model_scopes.get(model)
    if scope:
        bump(scope, using=using)


# --- reading ------------------------------------------------------------------------------------


def current(*names: str, also: Iterable[str] = ()) -> Versions:
    """The versions of ``names`` in one round trip (get_many); a missing key becomes a new
    version (``add`` from the clock; if another process created it first, its value).

    ``also``: other cache keys read in the same round trip (the public cache's stored
    response), returned in ``Versions.extra`` (absent keys left out)."""
    _flush_pending()
    also = list(also)
    keys = [_key(n) for n in names] + [_stamp_key(n) for n in names] + also
    found = cache.get_many(keys)
    values: dict[str, int] = {}
    now = time.time()
    modified = 0.0
    for name in names:
        value = found.get(_key(name))
        if value is None:
            cache.add(_key(name), _clock_version(), timeout=None)
            value = cache.get(_key(name))
            if value is None:  # evicted again at once: serve as a version nobody cached
                value = _clock_version()
            else:  # stamped now: nothing it shows can have changed after its creation
                cache.add(_stamp_key(name), f"{value}:{now}", timeout=None)
        values[name] = int(value)
        stamp = found.get(_stamp_key(name))
        at = now
        if isinstance(stamp, str):
            version, _, when = stamp.partition(":")
            if version == str(value):
                try:
                    at = float(when)
                except ValueError:
                    at = now
        modified = max(modified, at)
    extra = {key: found[key] for key in also if key in found}
    return Versions(values=values, modified=modified, extra=extra)


# --- catching writes ----------------------------------------------------------------------------


_model_scopes: dict[type, str] = {}


def _on_write(sender, **kwargs) -> None:
    scope = _model_scopes.get(sender)
    if scope:
        bump(scope, using=kwargs.get("using") or DEFAULT_DB_ALIAS)


def _on_m2m(sender, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        _on_write(sender, using=kwargs.get("using"))


def connect_signals() -> None:
    """Connect post_save / post_delete / m2m_changed of every model of each scoped app."""
    for config in apps.get_app_configs():
        scope = getattr(config, "public_cache_scope", None)
        if not scope:
            continue
        unshown = set(getattr(config, "public_cache_unshown", ()))
        for model in config.get_models(include_auto_created=True):
            if model.__name__ in unshown:
                continue
            _model_scopes[model] = scope
            uid = f"tz-versions-{model._meta.label}"
            signals.post_save.connect(_on_write, sender=model, dispatch_uid=uid + "-save")
            signals.post_delete.connect(_on_write, sender=model, dispatch_uid=uid + "-delete")
    signals.m2m_changed.connect(_on_m2m, dispatch_uid="tz-versions-m2m")
