"""The public ledger's charts: ECharts options built on the server (static/js/tz-charts.js draws
them with the vendored ECharts), each with the rows of its accessible table.

Every figure comes from a public read of ``donations.queries`` (the books' totals and the
spending reads); nothing here sums entries itself. Values are yuan as floats for ECharts (the
tables show the exact decimals). Labels are translated here, so a chart reads in the page's
language; region names come from ``core.words.region_path``.

Decisions where the issue is silent:
- "Where it went" shows every purpose, region and organization, as horizontal bars whose chart
  grows with the number of rows (``rows`` sets the height), not the top N.
- By organization means what each organization disbursed (money and goods value stacked), from
  ``queries.totals``; by purpose and by region, disbursed value (money + goods), from
  ``queries.spending_by_purpose`` and ``queries.spending_by_region``.
- The flow chart covers the last 60 days (``queries.flows_by_day``' window): every day from the
  first movement to today on the axis (quiet days at zero); its table lists the days with one.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from core import words
from donations import queries

INFLOW = "#2e7d32"
OUTFLOW = "#c62828"
MONEY = "#1565c0"
GOODS = "#ef6c00"


@dataclass
class Chart:
    """One chart: its element id, ECharts option, table rows and number of category rows."""

    id: str
    title: str
    option: dict
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    size: int = 0

    @property
    def empty(self) -> bool:
        return not self.rows


def _yuan(value) -> float:
    return float(Decimal(value or 0).quantize(Decimal("0.01")))


def _bars(names: list[str], series: list[dict]) -> dict:
    """Horizontal bars, one category a row, largest first at the top."""
    return {
        "tzMoney": True,
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0} if len(series) > 1 else {"show": False},
        "grid": {"left": 8, "right": 36, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "name": _("yuan"), "axisLabel": {"hideOverlap": True}},
        "yAxis": {
            "type": "category",
            "inverse": True,
            "data": names,
            "axisLabel": {"width": 140, "overflow": "break"},
        },
        "series": [{"type": "bar", "barMaxWidth": 22, **s} for s in series],
    }


def _calendar(days: list[dict]) -> list[dict]:
    """Every day from the first movement to today, days without one at zero: the axis is time,
    so a quiet week shows as a gap rather than disappearing."""
    if not days:
        return []
    by_day = {d["day"]: d for d in days}
    first, last = days[0]["day"], max(timezone.localdate(), days[-1]["day"])
    zero = {"inflow": Decimal(0), "outflow": Decimal(0)}
    return [
        {"day": day, **by_day.get(day, zero)}
        for day in (first + timedelta(days=n) for n in range((last - first).days + 1))
    ]


def flows(*, incident_id: int | None = None) -> Chart:
    """Received and disbursed per day (money + goods value) over the last 60 days."""
    days = queries.flows_by_day(incident_id=incident_id)
    calendar = _calendar(days)
    received, disbursed = _("Received"), _("Disbursed")
    option = {
        "tzMoney": True,
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "data": [received, disbursed]},
        "grid": {"left": 8, "right": 16, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": [words.date_text(d["day"]) for d in calendar],
            "name": _("date"),
            "axisLabel": {"hideOverlap": True},
        },
        "yAxis": {"type": "value", "name": _("yuan")},
        "series": [
            {
                "name": received,
                "type": "bar",
                "barMaxWidth": 28,
                "color": INFLOW,
                "data": [_yuan(d["inflow"]) for d in calendar],
            },
            {
                "name": disbursed,
                "type": "bar",
                "barMaxWidth": 28,
                "color": OUTFLOW,
                "data": [_yuan(d["outflow"]) for d in calendar],
            },
        ],
    }
    return Chart(
        id="chart-flows",
        title=_("Received and disbursed per day"),
        option=option,
        columns=[_("Date"), received, disbursed],
        rows=[
            [words.date_text(d["day"]), words.money(d["inflow"]), words.money(d["outflow"])]
            for d in days
        ],
        size=len(calendar),
    )


def by_purpose(*, incident_id: int | None = None) -> Chart:
    rows = queries.spending_by_purpose(incident_id=incident_id, limit=None)
    names = [r["purpose"] or _("(no purpose given)") for r in rows]
    disbursed = _("Disbursed (money + goods value)")
    return Chart(
        id="chart-purposes",
        title=_("By purpose"),
        option=_bars(
            names, [{"name": disbursed, "color": MONEY, "data": [_yuan(r["total"]) for r in rows]}]
        ),
        columns=[_("Purpose"), disbursed],
        rows=[[n, words.money(r["total"])] for n, r in zip(names, rows, strict=True)],
        size=len(rows),
    )


def by_region(*, incident_id: int | None = None) -> Chart:
    rows = queries.spending_by_region(incident_id=incident_id)
    names = [
        words.region_path(r["region_code"]) if r["region_code"] else _("(no region given)")
        for r in rows
    ]
    disbursed = _("Disbursed (money + goods value)")
    return Chart(
        id="chart-regions",
        title=_("By region"),
        option=_bars(
            names, [{"name": disbursed, "color": MONEY, "data": [_yuan(r["total"]) for r in rows]}]
        ),
        columns=[_("Region"), disbursed],
        rows=[[n, words.money(r["total"])] for n, r in zip(names, rows, strict=True)],
        size=len(rows),
    )


def by_organization(organizations: list[dict]) -> Chart:
    """``organizations``: the ``organizations`` rows of ``queries.totals`` (already read)."""
    rows = sorted(
        (r for r in organizations if r["disbursed_money"] or r["disbursed_goods"]),
        key=lambda r: (-(r["disbursed_money"] + r["disbursed_goods"]), r["name"]),
    )
    names = [r["name"] for r in rows]
    money, goods = _("Money"), _("Goods (value)")
    series = [
        {
            "name": money,
            "stack": "out",
            "color": MONEY,
            "data": [_yuan(r["disbursed_money"]) for r in rows],
        },
        {
            "name": goods,
            "stack": "out",
            "color": GOODS,
            "data": [_yuan(r["disbursed_goods"]) for r in rows],
        },
    ]
    return Chart(
        id="chart-organizations",
        title=_("By organization"),
        option=_bars(names, series),
        columns=[_("Organization"), money, goods],
        rows=[
            [r["name"], words.money(r["disbursed_money"]), words.money(r["disbursed_goods"])]
            for r in rows
        ],
        size=len(rows),
    )


def age_label(key: str) -> str:
    return {
        "0-7": _("0–7 days"),
        "8-30": _("8–30 days"),
        "31-90": _("31–90 days"),
        "90+": _("more than 90 days"),
    }[key]


def held_goods(*, incident_id: int | None = None) -> Chart:
    """Goods received but not yet passed on or used, by how long they have been held."""
    rows = queries.held_goods_by_age(incident_id=incident_id)
    labels = [age_label(r["age"]) for r in rows]
    value = _("Goods value")
    option = {
        "tzMoney": True,
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"show": False},
        "grid": {"left": 8, "right": 16, "top": 24, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": labels, "name": _("held for")},
        "yAxis": {"type": "value", "name": _("yuan")},
        "series": [
            {
                "name": value,
                "type": "bar",
                "barMaxWidth": 48,
                "data": [
                    {"value": _yuan(r["value"]), "itemStyle": {"color": color}}
                    for r, color in zip(
                        rows, ("#90a4ae", "#ffb300", "#ef6c00", "#c62828"), strict=True
                    )
                ],
            }
        ],
    }
    has_goods = any(r["lots"] for r in rows)
    return Chart(
        id="chart-held",
        title=_("Goods not yet passed on or used, by age"),
        option=option,
        columns=[_("Held for"), value, _("Lots")],
        rows=[
            [label, words.money(r["value"]), words.number(r["lots"])]
            for label, r in zip(labels, rows, strict=True)
        ]
        if has_goods
        else [],
        size=len(rows),
    )


def ledger_charts(*, incident_id: int | None, organizations: list[dict]) -> dict[str, Chart]:
    """The public ledger's charts, keyed by their place on the page."""
    return {
        "flows": flows(incident_id=incident_id),
        "purposes": by_purpose(incident_id=incident_id),
        "regions": by_region(incident_id=incident_id),
        "organizations": by_organization(organizations),
        "held": held_goods(incident_id=incident_id),
    }
