"""Downloads: the chain as JSON lines (streamed) and totals as CSV with HXL hashtags."""

import csv
import json

from django.http import StreamingHttpResponse
from django.views.decorators.http import require_safe

from core.exports import safe_cell
from core.http import is_id
from donations import chain, queries


@require_safe
def export_jsonl(request):
    """The whole chain, one JSON object a line, streamed in keyset chunks (constant memory)."""
    response = StreamingHttpResponse(
        _batched_lines(chain.chain_rows()), content_type="application/x-ndjson; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="ledger.jsonl"'
    return response


def _batched_lines(rows, batch: int = 256):
    """JSON lines joined ``batch`` at a time: one socket write per batch, not per entry."""
    lines = []
    for row in rows:
        lines.append(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
        if len(lines) == batch:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


class _Echo:
    def write(self, value):
        return value


CSV_COLUMNS = [
    ("scope", "#meta+scope"),
    ("id", "#meta+id"),
    ("name", "#org+name"),
    ("received_money", "#value+received+cny"),
    ("received_goods", "#value+received+goods+cny"),
    ("allocated_money", "#value+allocated+cny"),
    ("allocated_goods", "#value+allocated+goods+cny"),
    ("disbursed_money", "#value+disbursed+cny"),
    ("disbursed_goods", "#value+disbursed+goods+cny"),
    ("balance_money", "#value+balance+cny"),
    ("balance_goods", "#value+balance+goods+cny"),
    # The books (donations.balances.Books); allocated/disbursed/balance = passed on/used/held.
    ("written_off_money", "#value+written_off+cny"),
    ("written_off_goods", "#value+written_off+goods+cny"),
    ("in_transit_money", "#value+in_transit+cny"),
    ("in_transit_goods", "#value+in_transit+goods+cny"),
]


@require_safe
def totals_csv(request):
    """Totals per incident and organization as CSV with an HXL hashtag row."""
    data = queries.totals(**_scope_plain(request))
    rows = [[c for c, _ in CSV_COLUMNS], [t for _, t in CSV_COLUMNS]]
    rows.append(["overall", "", ""] + [data["overall"][c] for c, _ in CSV_COLUMNS[3:]])
    for row in data["incidents"]:
        rows.append(
            ["incident", row["incident"], row["title"]] + [row[c] for c, _ in CSV_COLUMNS[3:]]
        )
    for row in data["organizations"]:
        rows.append(
            ["organization", row["organization"], row["name"]]
            + [row[c] for c, _ in CSV_COLUMNS[3:]]
        )
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([safe_cell(v) for v in row]) for row in rows),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="ledger-totals.csv"'
    return response


def _scope_plain(request) -> dict:
    scope = {}
    for name in ("incident", "organization"):
        value = request.GET.get(name, "")
        if is_id(value):
            scope[f"{name}_id"] = int(value)
    return scope
