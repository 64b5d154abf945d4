"""core.geo: the public stand-in of a point, the datum conversion, points' checks, bounds, and
the map settings (tiles, boundary files, the Content-Security-Policy for a tile server)."""

import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import override_settings

from core import geo

LUSHAN = (Decimal("30.284000"), Decimal("102.956000"))


def test_a_blurred_point_is_the_same_for_the_same_object_every_time():
    first = geo.blur(*LUSHAN, key="coordination.need:7")
    assert geo.blur(*LUSHAN, key="coordination.need:7") == first
    assert geo.blur(*LUSHAN, key="coordination.need:8") != first
    assert geo.blur(*LUSHAN, key="coordination.task:7") != first


@pytest.mark.parametrize("latitude", ["18.25", "30.284", "53.4"])
def test_a_blurred_point_lies_half_a_kilometre_to_about_two_away(latitude):
    point = (Decimal(latitude), Decimal("110.5"))
    distances = [
        geo.distance_km(point, geo.blur(*point, key=f"coordination.need:{pk}"))
        for pk in range(1, 301)
    ]
    # 0.5-2 km, give or take the 0.001° rounding (at most about 80 m).
    assert min(distances) > 0.42
    assert max(distances) < 2.08
    # spread over the ring, not bunched at one distance or one side
    assert min(distances) < 0.7 and max(distances) > 1.8
    bearings = {
        (lat > point[0], lon > point[1])
        for lat, lon in (geo.blur(*point, key=f"coordination.task:{pk}") for pk in range(40))
    }
    assert len(bearings) == 4


def test_a_blurred_point_is_rounded_to_a_thousandth_of_a_degree():
    latitude, longitude = geo.blur(*LUSHAN, key="coordination.need:1")
    assert latitude == latitude.quantize(Decimal("0.001"))
    assert longitude == longitude.quantize(Decimal("0.001"))


def test_the_offset_depends_on_the_secret_key_so_nobody_can_undo_it():
    ours = geo.blur(*LUSHAN, key="coordination.need:1")
    with override_settings(SECRET_KEY="another-deployment-" + "x" * 40):
        theirs = geo.blur(*LUSHAN, key="coordination.need:1")
    assert ours != theirs


def test_points_must_come_in_pairs_and_lie_in_china():
    geo.check_point(None, None)
    geo.check_point(*LUSHAN)
    geo.check_point(Decimal("3.9"), Decimal("112.3"))  # 曾母暗沙
    for latitude, longitude, field in [
        (LUSHAN[0], None, "longitude"),
        (None, LUSHAN[1], "latitude"),
        (LUSHAN[1], LUSHAN[0], "latitude"),  # swapped
        (Decimal("30.2"), Decimal("-102.9"), "longitude"),  # sign lost
        (Decimal("-30.2"), Decimal("102.9"), "latitude"),
    ]:
        with pytest.raises(ValidationError) as refused:
            geo.check_point(latitude, longitude)
        assert field in refused.value.message_dict


def test_gps_points_move_a_few_hundred_metres_into_the_boundaries_datum_and_back():
    for point in [(30.284, 102.956), (39.9087, 116.3975), (22.3193, 114.1694), (45.75, 126.65)]:
        shifted = geo.wgs84_to_gcj02(*point)
        assert 0.05 < geo.distance_km(point, shifted) < 0.8
        assert geo.gcj02_to_wgs84(*shifted) == pytest.approx(point, abs=1e-6)
    # Beijing, the published reference pair of the algorithm, to about a metre.
    assert geo.wgs84_to_gcj02(39.915, 116.404) == pytest.approx((39.91640, 116.41024), abs=2e-5)
    # outside China GCJ-02 is not defined: unchanged
    assert geo.wgs84_to_gcj02(51.5, -0.12) == (51.5, -0.12)


def test_bounds_of_points():
    assert geo.bounds([]) is None
    assert geo.bounds([(30.3, 102.9), (30.1, 103.2), (30.2, 103.0)]) == [
        [30.1, 102.9],
        [30.3, 103.2],
    ]


def test_every_province_has_its_boundary_files():
    urls = geo.boundary_urls()
    assert urls["provinces"] == settings.STATIC_URL + "geo/provinces.json"
    provinces = [key for key in urls if key != "provinces"]
    assert len(provinces) == 34 and "51" in provinces and "71" in provinces
    assert urls["51"] == {
        "prefectures": settings.STATIC_URL + "geo/prefectures-51.json",
        "counties": settings.STATIC_URL + "geo/counties-51.json",
    }


def test_without_a_tile_server_the_map_has_no_tile_layer():
    assert settings.TONGZHOU_MAP_TILES == ""
    assert geo.map_settings()["tiles"] is None


@override_settings(
    TONGZHOU_MAP_TILES="https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=KEY&x={x}&y={y}&l={z}",
    TONGZHOU_MAP_TILES_ATTRIBUTION="天地图",
    TONGZHOU_MAP_TILES_DATUM="wgs84",
)
def test_a_tile_server_is_passed_to_the_map_with_its_datum():
    tiles = geo.map_settings()["tiles"]
    assert tiles["url"].startswith("https://t{s}.tianditu.gov.cn/")
    assert tiles["datum"] == "wgs84" and tiles["attribution"] == "天地图"


def _settings_with(env: dict) -> subprocess.CompletedProcess:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings';"
        "from django.conf import settings; print(settings.CONTENT_SECURITY_POLICY)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_tile_server_is_the_only_other_origin_images_may_come_from():
    result = _settings_with(
        {"TONGZHOU_MAP_TILES": "https://t{s}.tianditu.gov.cn/vec_w/wmts?x={x}&y={y}&l={z}"}
    )
    assert result.returncode == 0, result.stderr
    assert "img-src 'self' data: https://*.tianditu.gov.cn blob:;" in result.stdout
    assert "script-src 'self';" in result.stdout


@pytest.mark.parametrize(
    "env",
    [
        {"TONGZHOU_MAP_TILES": "tiles.example.cn/{z}/{x}/{y}.png"},
        {"TONGZHOU_MAP_TILES_DATUM": "bd09"},
    ],
)
def test_a_bad_map_setting_fails_at_start_up(env):
    result = _settings_with(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_the_map_words_are_translated():
    from django.utils import translation

    with translation.override("zh-hans"):
        labels = geo.map_settings()["labels"]
    assert labels["locate"] == "使用我的位置"
    assert json.dumps(labels, ensure_ascii=False).count("location") == 0


def _inside(point, geometry) -> bool:
    """Ray casting over a (Multi)Polygon's outer rings and holes."""
    lon, lat = point
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    hits = 0
    for polygon in polygons:
        for ring in polygon:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
                if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                    hits += 1
    return hits % 2 == 1


@pytest.mark.parametrize(
    "place, lon_lat, province",
    [
        ("达旺 (藏南)", (91.86, 27.59), "540000"),
        ("阿克赛钦", (79.5, 35.2), "650000"),
        ("台北", (121.56, 25.04), "710000"),
        ("海口", (110.33, 20.03), "460000"),
    ],
)
def test_the_boundaries_follow_chinas_official_map(place, lon_lat, province):
    """The shipped shapes draw China's territory as the official map does: 藏南, 阿克赛钦,
    台湾 and the South China Sea islands are inside the province the official map puts them in
    (the dashed maritime line is checked in tests/core/test_vendor_assets.py)."""
    features = json.loads((settings.BASE_DIR / "static/geo/provinces.json").read_text())["features"]
    containing = [
        f["properties"]["code"]
        for f in features
        if f["properties"]["level"] == "province" and _inside(lon_lat, f["geometry"])
    ]
    assert containing == [province], (place, containing)


def test_the_south_china_sea_islands_are_drawn_as_parts_of_hainan():
    features = json.loads((settings.BASE_DIR / "static/geo/provinces.json").read_text())["features"]
    hainan = next(f for f in features if f["properties"]["code"] == "460000")
    vertices = [
        v for polygon in hainan["geometry"]["coordinates"] for ring in polygon for v in ring
    ]
    for place, (lon, lat) in {"永兴岛": (112.335, 16.834), "曾母暗沙": (112.28, 3.97)}.items():
        nearest = min(((x - lon) ** 2 + (y - lat) ** 2) ** 0.5 for x, y in vertices)
        assert nearest < 0.1, place
