"""Points on the map: checking them, blurring them for the public, bounds, and the datum.

**Datum.** Every stored point (an incident's, a need's, a filing's base, a task's) is in
WGS-84 — what a phone's GPS gives and what CGCS2000 maps (天地图) use, to well under a metre.
The shipped boundaries (static/geo/) are GCJ-02, the offset datum of Amap's data, some hundred
metres away from WGS-84 in China. The map (static/js/tz-map.js) therefore draws everything in
one *display datum*: GCJ-02 when no tile server is configured (the boundaries as shipped, points
shifted with ``wgs84_to_gcj02``), or the tile server's datum (``TONGZHOU_MAP_TILES["datum"]``:
``wgs84`` for 天地图, ``gcj02`` for an Amap-derived city server), the boundaries then shifted the
other way. A point picked by clicking the map is converted back from the display datum to
WGS-84 before it fills the form; "use my location" gives WGS-84 already. So the database holds
one datum, and only the drawing converts. The JavaScript port of ``wgs84_to_gcj02`` is checked
against this one by tests/e2e/test_map.py.

**Blurring.** The public sees a need's, a filing's or a task's point moved by 0.5 to 2 km in a
direction and distance derived from an HMAC of the object's identity (model label and primary
key) keyed with ``SECRET_KEY``, then rounded to 0.001° (about 100 m). The offset is stable (the
same object always lands on the same public point, so averaging many requests reveals nothing)
and unpredictable without the key. Who sees exact points is decided by ``coordination.maps``.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EARTH_RADIUS_KM = 6371.0088
BLUR_MIN_KM = 0.5
BLUR_MAX_KM = 2.0
BLUR_DECIMALS = Decimal("0.001")

# A generous box around China's territory (incl. the South China Sea islands): a point outside
# it is a typo (latitude and longitude swapped, a sign lost), not a place of an incident here.
CHINA_BOX = {"south": 3.0, "north": 54.0, "west": 73.0, "east": 136.0}


def check_point(latitude: Decimal | None, longitude: Decimal | None) -> None:
    """Both or neither, and inside the box around China; otherwise a ValidationError naming
    the field to correct (the services call it, so the pages and the API refuse alike)."""
    if latitude is None and longitude is None:
        return
    if latitude is None:
        raise ValidationError({"latitude": [_("Give the latitude with the longitude.")]})
    if longitude is None:
        raise ValidationError({"longitude": [_("Give the longitude with the latitude.")]})
    if not CHINA_BOX["south"] <= float(latitude) <= CHINA_BOX["north"]:
        raise ValidationError(
            {"latitude": [_("The latitude lies outside China (between 3 and 54 degrees north).")]}
        )
    if not CHINA_BOX["west"] <= float(longitude) <= CHINA_BOX["east"]:
        raise ValidationError(
            {
                "longitude": [
                    _("The longitude lies outside China (between 73 and 136 degrees east).")
                ]
            }
        )


def blur_key(obj) -> str:
    """The identity a blurred point is derived from: ``coordination.need:12``."""
    return f"{obj._meta.label_lower}:{obj.pk}"


def blur(
    latitude: Decimal | float, longitude: Decimal | float, *, key: str
) -> tuple[Decimal, Decimal]:
    """The public stand-in for a point: 0.5-2 km away in a direction and distance fixed by
    HMAC-SHA256(SECRET_KEY, key), rounded to 0.001°."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"tongzhou.geo.blur:{key}".encode(), hashlib.sha256
    ).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    v = int.from_bytes(digest[8:16], "big") / 2**64
    # Uniform over the ring's area, not bunched at its centre.
    distance = math.sqrt(BLUR_MIN_KM**2 + u * (BLUR_MAX_KM**2 - BLUR_MIN_KM**2))
    bearing = 2 * math.pi * v
    lat, lon = float(latitude), float(longitude)
    d_lat = distance * math.cos(bearing) / EARTH_RADIUS_KM
    d_lon = distance * math.sin(bearing) / (EARTH_RADIUS_KM * math.cos(math.radians(lat)))
    return (
        _quantize(lat + math.degrees(d_lat), BLUR_DECIMALS),
        _quantize(lon + math.degrees(d_lon), BLUR_DECIMALS),
    )


def _quantize(value: float, step: Decimal) -> Decimal:
    return Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = (math.radians(float(x)) for x in (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def bounds(points: Iterable[tuple[float, float]]) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` of the points (Leaflet's fitBounds), None if none."""
    points = [(float(lat), float(lon)) for lat, lon in points]
    if not points:
        return None
    lats = [lat for lat, _ in points]
    lons = [lon for _, lon in points]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


# --- WGS-84 -> GCJ-02 (the published algorithm; tz-map.js carries the same code) ---------------
_A = 6378245.0
_EE = 0.00669342162296594323


def _outside_china(lat: float, lon: float) -> bool:
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _shift_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(latitude: float, longitude: float) -> tuple[float, float]:
    """A WGS-84 point in GCJ-02 (unchanged outside China, where GCJ-02 is not defined)."""
    lat, lon = float(latitude), float(longitude)
    if _outside_china(lat, lon):
        return lat, lon
    d_lat = _shift_lat(lon - 105.0, lat - 35.0)
    d_lon = _shift_lon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return lat + d_lat, lon + d_lon


def gcj02_to_wgs84(latitude: float, longitude: float) -> tuple[float, float]:
    """The inverse, by three fixed-point iterations (error well under a metre in China)."""
    lat, lon = float(latitude), float(longitude)
    guess_lat, guess_lon = lat, lon
    for _step in range(3):
        shifted_lat, shifted_lon = wgs84_to_gcj02(guess_lat, guess_lon)
        guess_lat += lat - shifted_lat
        guess_lon += lon - shifted_lon
    return guess_lat, guess_lon


@functools.lru_cache(maxsize=1)
def boundary_urls() -> dict:
    """Static URLs of the shipped boundary files (hashed names in production):
    ``{"provinces": url, "51": {"prefectures": url, "counties": url}, ...}``. The map loads a
    province's two files only when it shows something there."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    urls: dict = {"provinces": staticfiles_storage.url("geo/provinces.json")}
    for province in _province_prefixes():
        urls[province] = {
            layer: staticfiles_storage.url(f"geo/{layer}-{province}.json")
            for layer in ("prefectures", "counties")
        }
    return urls


def _province_prefixes() -> list[str]:
    folder = settings.BASE_DIR / "static" / "geo"
    return sorted(
        path.stem.split("-", 1)[1]
        for path in folder.glob("counties-*.json")
        if (folder / f"prefectures-{path.stem.split('-', 1)[1]}.json").is_file()
    )


def tile_settings() -> dict | None:
    """The configured tile layer (``TONGZHOU_MAP_TILES*`` settings), None when there is none:
    the map then draws the shipped boundaries only, which works on a closed network."""
    url = getattr(settings, "TONGZHOU_MAP_TILES", "")
    if not url:
        return None
    return {
        "url": url,
        "attribution": settings.TONGZHOU_MAP_TILES_ATTRIBUTION,
        "subdomains": settings.TONGZHOU_MAP_TILES_SUBDOMAINS,
        "datum": settings.TONGZHOU_MAP_TILES_DATUM,
    }


def map_settings() -> dict:
    """What every map on a page needs besides its data: tiles, boundary files, words."""
    return {
        "tiles": tile_settings(),
        "boundaries": boundary_urls(),
        "labels": {
            "locate": _("Use my location"),
            "locating": _("Finding your location…"),
            "located": _("Your location was placed on the map."),
            "locateFailed": _("Your location is not available; click the map instead."),
            "picked": _("Point placed; check the latitude and longitude."),
            "boundariesFailed": _("The boundaries could not be loaded."),
        },
    }
