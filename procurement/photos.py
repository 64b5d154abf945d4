"""What a progress photo proves: its EXIF time and GPS position, compared with where and when the
milestone's service was declared to happen, and a perceptual hash that finds the same picture
again in other reports (recompressed, resized, re-saved) whatever the supplier.

Decisions (the issue is silent on them):

- **The perceptual hash is a 64-bit dHash computed with Pillow**, not the ``imagehash`` package
  (it pulls numpy and scipy, which the platform does not otherwise need). dHash: the picture in
  grey, resized to 9x8 with a box filter, one bit per neighbouring pair of a row (left brighter
  than right). It survives recompression, rescaling and small colour changes, which is how a
  photo is recycled; it does not claim to find crops or rotations.
- **Two photos are "near-identical" when their hashes differ in at most
  ``NEAR_DUPLICATE_BITS`` = 10 of 64 bits** (Hamming distance). Copies resized to half and
  recompressed at JPEG quality 40, or brightened, land within 0-2 bits in the tests; unrelated
  pictures land around 28 (32 would be chance); the closest pairs in the tests (14 bits) are
  synthetic pictures with large flat areas, whose equal neighbours all hash to 0. 10 keeps a
  margin on both sides; it is a constant rather than a setting because it belongs to the hash,
  not to the platform's policy. A flag is a warning to the buyer and the inspector, never a refusal.
- **EXIF time** is ``DateTimeOriginal`` (else ``DateTime``), read as Asia/Shanghai local time when
  the camera wrote no offset (``OffsetTimeOriginal``). **GPS** is the GPS IFD's latitude/longitude
  in degrees (WGS-84 as cameras write it; the milestone's site is given in the same system).
- A photo without EXIF time or GPS is flagged ("no camera time", "no position"), not refused:
  screenshots and some phones strip them; the inspector decides.
- The distance to the site is the haversine distance; a photo further than the site's radius
  from its point, or taken outside the service window (with ``WINDOW_SLACK`` of one hour on either
  side for clocks that are a little off), is flagged.
"""

import datetime as dt
import io
import math
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from PIL import Image, UnidentifiedImageError

NEAR_DUPLICATE_BITS = 10
WINDOW_SLACK = dt.timedelta(hours=1)
CLOCK_SLACK = dt.timedelta(minutes=10)
EARTH_RADIUS_M = 6_371_000
CAMERA_ZONE = ZoneInfo("Asia/Shanghai")

EXIF_IFD = 0x8769
GPS_IFD = 0x8825
DATETIME = 0x0132
DATETIME_ORIGINAL = 0x9003
OFFSET_TIME_ORIGINAL = 0x9011


class Flag:
    """Codes of what is wrong with a photo (``Evidence.flags``); the page shows their labels."""

    NO_TIME = "no_time"
    OUTSIDE_WINDOW = "outside_window"
    CLOCK_DIFFERS = "clock_differs"
    NO_POSITION = "no_position"
    FAR_FROM_SITE = "far_from_site"


@dataclass
class PhotoFacts:
    taken_at: dt.datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    dhash: str = ""


@dataclass
class Site:
    """Where and when the service was declared to happen (all optional)."""

    latitude: Decimal | None = None
    longitude: Decimal | None = None
    radius_m: int = 0
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None


def dhash(image: Image.Image) -> str:
    """The 64-bit difference hash of an image as 16 hex digits."""
    small = image.convert("L").resize((9, 8), Image.Resampling.BOX)
    pixels = small.load()
    bits = 0
    for y in range(8):
        for x in range(8):
            bits = (bits << 1) | (1 if pixels[x, y] > pixels[x + 1, y] else 0)
    return f"{bits:016x}"


def distance_bits(a: str, b: str) -> int:
    """Hamming distance of two hex hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def near_duplicate(a: str, b: str) -> bool:
    return bool(a and b) and distance_bits(a, b) <= NEAR_DUPLICATE_BITS


def _ratio(value) -> float:
    if isinstance(value, tuple):  # (numerator, denominator) in old Pillow tags
        return value[0] / value[1] if value[1] else 0.0
    return float(value)


def _degrees(parts, ref) -> Decimal | None:
    try:
        d, m, s = (_ratio(p) for p in parts)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = d + m / 60 + s / 3600
    if str(ref).upper().startswith(("S", "W")):
        value = -value
    return Decimal(f"{value:.6f}")


def _moment(text, offset) -> dt.datetime | None:
    try:
        naive = dt.datetime.strptime(str(text).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    if offset:
        try:
            return dt.datetime.fromisoformat(naive.isoformat() + str(offset).strip("\x00 "))
        except ValueError:
            pass
    return naive.replace(tzinfo=CAMERA_ZONE)


def read_facts(content: bytes) -> PhotoFacts | None:
    """EXIF time, GPS position and dHash of image bytes; None when they are not an image."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            exif = image.getexif()
            image.draft("L", (64, 64))  # JPEG: decode at a reduced size, the hash needs 9x8
            facts = PhotoFacts(dhash=dhash(image))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        return None
    details = exif.get_ifd(EXIF_IFD)
    facts.taken_at = _moment(
        details.get(DATETIME_ORIGINAL) or exif.get(DATETIME), details.get(OFFSET_TIME_ORIGINAL)
    )
    gps = exif.get_ifd(GPS_IFD)
    if gps.get(2) and gps.get(4):
        facts.latitude = _degrees(gps[2], gps.get(1, "N"))
        facts.longitude = _degrees(gps[4], gps.get(3, "E"))
    return facts


def metres_between(lat1, lng1, lat2, lng2) -> float:
    """Haversine distance in metres."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp = p2 - p1
    dl = math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def check(facts: PhotoFacts, site: Site, declared_at: dt.datetime | None = None) -> list[str]:
    """The flags of a photo against the declared site and window (and the time the supplier
    typed for it): a list of ``Flag`` codes, empty when everything matches."""
    flags: list[str] = []
    if facts.taken_at is None:
        flags.append(Flag.NO_TIME)
    else:
        if (site.starts_at and facts.taken_at < site.starts_at - WINDOW_SLACK) or (
            site.ends_at and facts.taken_at > site.ends_at + WINDOW_SLACK
        ):
            flags.append(Flag.OUTSIDE_WINDOW)
        if declared_at and abs(declared_at - facts.taken_at) > CLOCK_SLACK:
            flags.append(Flag.CLOCK_DIFFERS)
    if facts.latitude is None or facts.longitude is None:
        flags.append(Flag.NO_POSITION)
    elif site.latitude is not None and site.longitude is not None:
        away = metres_between(site.latitude, site.longitude, facts.latitude, facts.longitude)
        if away > site.radius_m:
            flags.append(Flag.FAR_FROM_SITE)
    return flags
