#!/usr/bin/env python
"""Build static/geo/regions.json, the index the region picker (static/js/region-picker.js) reads.

Run by hand after the region data changes (pypinyin is a ``tools`` extra, not a runtime
dependency):  /work/main/.venv/bin/python scripts/build_region_index.py

The file is a JSON object ``{"version": 1, "regions": [[code, name, parent, initials], ...]}``
in parent-first order (provinces, then each one's prefectures and counties, as core.region_data
lists them); ``parent`` is "" for a province and ``initials`` the lower-case pinyin initials of
the name (四川省 -> "scs"), so a person can type "yas" for 雅安市. The same rows fill core.Region,
so a code the picker offers is one the server accepts.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pypinyin import Style, lazy_pinyin  # noqa: E402

from core import region_data  # noqa: E402


def initials(name: str) -> str:
    return "".join(p[:1] for p in lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()


def build() -> dict:
    rows = [
        [code, name, parent or "", initials(name)]
        for code, name, _level, parent in region_data.rows()
    ]
    return {"version": 1, "regions": rows}


def main() -> None:
    out = ROOT / "static" / "geo" / "regions.json"
    out.write_text(
        json.dumps(build(), ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    print(f"{out.relative_to(ROOT)}: {out.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
