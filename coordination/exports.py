"""Who-does-what-where as CSV with HXL hashtags (https://hxlstandard.org)."""

import csv
import io

from core.exports import safe_cell

COLUMNS = [
    ("Organization", "#org", "organization"),
    ("Sector", "#sector", "sector"),
    ("Province", "#adm1+name", "adm1_name"),
    ("Province code", "#adm1+code", "adm1_code"),
    ("Prefecture", "#adm2+name", "adm2_name"),
    ("Prefecture code", "#adm2+code", "adm2_code"),
    ("County", "#adm3+name", "adm3_name"),
    ("County code", "#adm3+code", "adm3_code"),
    ("Activity", "#activity", "activity"),
    ("People reached", "#reached", "reached"),
    ("Status", "#status", "status"),
]


def three_w_csv(rows: list[dict]) -> str:
    """Header row, HXL hashtag row, then one row per activity."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([label for label, _tag, _key in COLUMNS])
    writer.writerow([tag for _label, tag, _key in COLUMNS])
    for row in rows:
        writer.writerow([safe_cell(row[key]) for _label, _tag, key in COLUMNS])
    return buffer.getvalue()
