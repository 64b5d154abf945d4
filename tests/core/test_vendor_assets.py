"""Front-end assets: the vendored libraries, the boundaries, the favicon, and no CDN anywhere.

The platform runs on closed government networks: every script, stylesheet and map shape is
served from the repository's own static files (docs/ARCHITECTURE.md, "Front-end assets").
"""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from core import region_data

ROOT = Path(settings.BASE_DIR)
STATIC = ROOT / "static"

# folder -> files the pages serve (besides VERSION and the licence files)
VENDORED = {
    "echarts": ["echarts.min.js", "NOTICE"],
    "leaflet": [
        "leaflet.js",
        "leaflet.js.map",
        "leaflet.css",
        "images/layers.png",
        "images/layers-2x.png",
        "images/marker-icon.png",
        "images/marker-icon-2x.png",
        "images/marker-shadow.png",
    ],
}
# provinces.json, then prefectures-PP.json and counties-PP.json for every province PP.
GEO = {
    "provinces.json": "",
    **{path.name: path.stem.split("-")[1] for path in (STATIC / "geo").glob("*-??.json")},
}
MAX_GEO_BYTES = 1_500_000
MAX_GEO_TOTAL_BYTES = 12_500_000


def test_every_province_has_its_prefecture_and_county_files_and_the_set_stays_small():
    provinces = {code[:2] for code, _, level, _ in region_data.rows() if level == "province"}
    for province in provinces:
        assert f"prefectures-{province}.json" in GEO, province
        assert f"counties-{province}.json" in GEO, province
    assert sum((STATIC / "geo" / name).stat().st_size for name in GEO) < MAX_GEO_TOTAL_BYTES


@pytest.mark.parametrize("name", sorted(VENDORED))
def test_every_vendored_library_has_its_version_licence_and_files(name):
    folder = STATIC / "vendor" / name
    for filename in ["VERSION", "LICENSE", *VENDORED[name]]:
        path = folder / filename
        assert path.is_file(), path
        assert path.stat().st_size > 0, path
    version = dict(
        line.split(": ", 1) for line in (folder / "VERSION").read_text().splitlines() if line
    )
    assert version["name"] == name
    assert re.fullmatch(r"\d+\.\d+\.\d+", version["version"])
    assert re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", version["integrity"])


def test_the_refresh_script_pins_the_versions_the_folders_hold():
    script = (ROOT / "scripts" / "vendor_refresh.sh").read_text()
    for name in VENDORED:
        version = dict(
            line.split(": ", 1)
            for line in (STATIC / "vendor" / name / "VERSION").read_text().splitlines()
            if line
        )
        assert f'{name.upper()}_VERSION="{version["version"]}"' in script
        assert f'{name.upper()}_INTEGRITY="{version["integrity"]}"' in script


def test_the_vendored_code_is_the_version_it_claims():
    assert 't.version="6.1.0"' in (STATIC / "vendor/echarts/echarts.min.js").read_text()
    assert 't.version="1.9.4"' in (STATIC / "vendor/leaflet/leaflet.js").read_text()


@pytest.mark.parametrize("filename", sorted(GEO))
def test_boundaries_parse_and_every_feature_has_a_code_and_a_name(filename):
    path = STATIC / "geo" / filename
    assert 0 < path.stat().st_size < MAX_GEO_BYTES
    collection = json.loads(path.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    assert collection["features"]
    prefix = GEO[filename]
    for feature in collection["features"]:
        properties = feature["properties"]
        assert re.fullmatch(r"\d{6}", properties["code"]), properties
        assert properties["name"].strip(), properties
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon", "MultiLineString"}
        assert feature["geometry"]["coordinates"]
        if properties.get("level") != "maritime":
            assert properties["code"].startswith(prefix), properties


def _features(filename):
    return json.loads((STATIC / "geo" / filename).read_text(encoding="utf-8"))["features"]


def test_the_country_map_has_every_province_and_the_maritime_boundary():
    features = _features("provinces.json")
    codes = {f["properties"]["code"] for f in features if f["properties"]["level"] == "province"}
    provinces = {code for code, _, level, _ in region_data.rows() if level == "province"}
    # Every province the platform knows (台湾省, 香港, 澳门 included) has its shape.
    assert provinces <= codes, sorted(provinces - codes)
    assert len(codes) == 34
    maritime = [f for f in features if f["properties"]["level"] == "maritime"]
    assert len(maritime) == 1
    assert maritime[0]["geometry"]["type"] == "MultiLineString"
    hainan = next(f for f in features if f["properties"]["code"] == "460000")
    # The South China Sea islands are parts of 海南省, down to about 4°N.
    southmost = min(
        lat for polygon in hainan["geometry"]["coordinates"] for ring in polygon for _, lat in ring
    )
    assert southmost < 5


def test_the_demo_region_maps_match_the_platform_regions():
    """The Sichuan and 雅安 shapes join to core.Region codes (what the map pages colour)."""
    known = {code: name for code, name, _, _ in region_data.rows()}
    for filename, prefix, expected in [
        ("prefectures-51.json", "51", 21),
        ("counties-51.json", "5118", 8),
    ]:
        features = [f for f in _features(filename) if f["properties"]["code"].startswith(prefix)]
        assert len(features) == expected
        for feature in features:
            code, name = feature["properties"]["code"], feature["properties"]["name"]
            assert known.get(code) == name, (code, name, known.get(code))


# What loads a resource from another host: src= (script, img, iframe ...), <link href=>
# (stylesheets, icons, preloads), CSS url() and @import, with http(s): or protocol-relative //.
# A plain <a href="https://..."> is a link the person may follow, not a load (Leaflet's
# attribution control links to leafletjs.com that way), so it is not matched.
EXTERNAL = re.compile(
    r"""(?:\bsrc\s*=\s*["']?|<link\b[^>]*?\bhref\s*=\s*["']?|url\(\s*["']?|@import\s+["'])"""
    r"""\s*(?:https?:)?//""",
    re.IGNORECASE,
)


def _own_and_external_files():
    folders = [ROOT / "templates", STATIC, *ROOT.glob("*/templates"), *ROOT.glob("*/static")]
    for folder in folders:
        if ".venv" in folder.parts:
            continue
        for path in folder.rglob("*"):
            if path.suffix in {".html", ".js", ".css", ".txt", ".svg"} and path.is_file():
                yield path


def test_no_template_or_static_file_loads_anything_from_another_host():
    offenders = []
    for path in _own_and_external_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in EXTERNAL.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            offenders.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0)}")
    assert not offenders, "\n".join(offenders)


def test_the_cdn_check_catches_what_it_is_meant_to_catch():
    for sample in [
        '<script src="https://cdn.jsdelivr.net/npm/echarts/dist/echarts.min.js"></script>',
        "<link rel=stylesheet href=http://unpkg.com/leaflet/dist/leaflet.css>",
        '<link rel="icon" href="https://example.org/favicon.ico">',
        '<img src="https://a.tile.openstreetmap.org/0/0/0.png">',
        '<script src="//cdn.example.org/x.js"></script>',
        ".tile { background: url('https://a.tile.openstreetmap.org/0/0/0.png'); }",
        '@import "https://fonts.googleapis.com/css?family=Noto+Sans";',
    ]:
        assert EXTERNAL.search(sample), sample
    for sample in [
        '<script src="/static/vendor/echarts/echarts.min.js"></script>',
        "<link href=\"{% static 'vendor/leaflet/leaflet.css' %}\" rel=stylesheet>",
        ".leaflet-control-layers-toggle { background-image: url(images/layers.png); }",
        '<svg xmlns="http://www.w3.org/2000/svg">',
        '<a href="https://leafletjs.com" title="A JavaScript library">Leaflet</a>',
    ]:
        assert not EXTERNAL.search(sample), sample


@pytest.mark.django_db
def test_favicon_ico_is_served_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == settings.STATIC_URL + "favicon.ico"
    assert (STATIC / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"  # ICO header
    assert client.post("/favicon.ico").status_code == 405  # GET and HEAD only


@pytest.mark.django_db
def test_every_page_links_the_icon(client):
    html = client.get("/").content.decode()
    assert f'<link rel="icon" href="{settings.STATIC_URL}favicon.svg" type="image/svg+xml">' in html
    assert f'<link rel="icon" href="{settings.STATIC_URL}favicon.ico"' in html
    svg = (STATIC / "favicon.svg").read_text()
    assert svg.startswith("<svg") and "<text" not in svg  # shapes only: no font needed
