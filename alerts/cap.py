"""OASIS CAP 1.2 documents of public alerts, and the Atom feed that lists them.

Mapping (STANDARDS.md): severity from the colour (red Extreme, orange Severe, yellow Moderate,
blue Minor); category from the incident kind and subtype; urgency and certainty from whether an
incident is under way; area from the region code (GB/T 2260 geocode) and, when the incident's
point is known, a circle whose radius follows the incident grade (a setting).
"""

from django.conf import settings
from django.utils import timezone
from lxml import etree

from alerts.channels import absolute
from alerts.models import Alert, Level, MsgType
from core.models import Region
from core.words import region_path

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"

CATEGORY_BY_SUBTYPE = {
    "earthquake": "Geo",
    "geological": "Geo",
    "landslide": "Geo",
    "debris_flow": "Geo",
    "flood": "Met",
    "typhoon": "Met",
    "drought": "Met",
    "snow_ice": "Met",
    "forest_fire": "Fire",
}
CATEGORY_BY_KIND = {
    "natural_disaster": "Env",
    "accident": "Safety",
    "public_health": "Health",
    "social_security": "Security",
}


def cap_time(value) -> str:
    """CAP wants seconds and a numeric offset: 2026-11-23T17:25:00+08:00."""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def category(incident: dict | None) -> str:
    if not incident:
        return "Other"
    return CATEGORY_BY_SUBTYPE.get(incident.get("subtype") or "") or CATEGORY_BY_KIND.get(
        incident.get("kind") or "", "Other"
    )


def urgency_and_certainty(alert: Alert) -> tuple[str, str]:
    if alert.msg_type == MsgType.CANCEL:
        return "Past", "Observed"
    if alert.incident_ref:
        urgent = alert.level in (Level.RED, Level.ORANGE)
        return ("Immediate" if urgent else "Expected"), "Observed"
    return ("Expected" if alert.level != Level.BLUE else "Future"), "Likely"


def circle(incident: dict | None) -> str | None:
    if not incident:
        return None
    try:
        lat = float(incident.get("latitude"))
        lon = float(incident.get("longitude"))
    except (TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    radius = settings.TONGZHOU_CAP_RADIUS_KM.get(incident.get("grade") or 4, 10)
    return f"{lat:.6f},{lon:.6f} {radius}"


def _sub(parent, tag: str, text: str | None = None):
    element = etree.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _info(root, alert: Alert, *, language: str, title: str, body: str, area_name: str) -> None:
    """One <info>; its single <area> names every region of the alert in <areaDesc> and has one
    <geocode> per region (CAP 1.2 allows many geocodes in one area)."""
    urgency, certainty = urgency_and_certainty(alert)
    incident = alert.incident_ref or {}
    info = _sub(root, "info")
    _sub(info, "language", language)
    _sub(info, "category", category(alert.incident_ref))
    _sub(info, "event", incident.get("title") or title)
    if alert.msg_type == MsgType.CANCEL:
        _sub(info, "responseType", "AllClear")
    _sub(info, "urgency", urgency)
    _sub(info, "severity", alert.severity)
    _sub(info, "certainty", certainty)
    code = _sub(info, "eventCode")
    _sub(code, "valueName", "TONGZHOU_LEVEL")
    _sub(code, "value", alert.level)
    _sub(info, "senderName", "同舟 Tongzhou" if language == "zh-CN" else "Tongzhou")
    _sub(info, "headline", title[:160])
    if body:
        _sub(info, "description", body)
    _sub(info, "web", absolute(f"/alerts/{alert.pk}/"))
    codes = alert.all_regions
    if codes or circle(alert.incident_ref):
        area = _sub(info, "area")
        _sub(area, "areaDesc", area_name or " ".join(codes) or incident.get("title", ""))
        point = circle(alert.incident_ref)
        if point:
            _sub(area, "circle", point)
        for code in codes:
            geocode = _sub(area, "geocode")
            _sub(geocode, "valueName", "GB/T 2260")
            _sub(geocode, "value", code)


def build_cap(alert: Alert) -> bytes:
    """The CAP 1.2 XML of one public alert (zh-CN info, plus en when an English text exists)."""
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _sub(root, "identifier", alert.cap_identifier)
    _sub(root, "sender", settings.TONGZHOU_PLATFORM_ID)
    _sub(root, "sent", cap_time(alert.created_at))
    _sub(root, "status", "Exercise" if alert.is_exercise else "Actual")
    _sub(root, "msgType", alert.msg_type)
    _sub(root, "scope", "Public")
    if alert.references_id and alert.references is not None:
        earlier = alert.references
        _sub(
            root,
            "references",
            f"{settings.TONGZHOU_PLATFORM_ID},{earlier.cap_identifier},{cap_time(earlier.created_at)}",
        )
    if alert.incident_ref and alert.incident_ref.get("id"):
        _sub(root, "incidents", f"incident-{alert.incident_ref['id']}")
    codes = alert.all_regions
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    zh_desc = "、".join(names.get(code, code) for code in codes)
    _info(root, alert, language="zh-CN", title=alert.title, body=alert.body, area_name=zh_desc)
    if alert.title_en:
        _info(
            root,
            alert,
            language="en",
            title=alert.title_en,
            body=alert.body_en,
            area_name=", ".join(
                f"{names[code]} ({code})" if code in names else code for code in codes
            ),
        )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def build_feed(alerts: list[Alert]) -> bytes:
    """An Atom feed of public alerts, each entry linking its CAP document."""
    base = settings.TONGZHOU_PUBLIC_URL.rstrip("/")
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})

    def sub(parent, tag, text=None, **attrs):
        element = etree.SubElement(parent, f"{{{ATOM_NS}}}{tag}", **attrs)
        if text is not None:
            element.text = text
        return element

    sub(feed, "id", f"{base}/alerts/feed.atom")
    sub(feed, "title", "同舟 Tongzhou — 公开预警 Public alerts")
    updated = max((a.created_at for a in alerts), default=timezone.now())
    sub(feed, "updated", cap_time(updated))
    author = sub(feed, "author")
    sub(author, "name", settings.TONGZHOU_PLATFORM_ID)
    sub(feed, "link", rel="self", href=f"{base}/alerts/feed.atom")
    for alert in alerts:
        entry = sub(feed, "entry")
        sub(entry, "id", f"urn:cap:{alert.cap_identifier}")
        sub(entry, "title", alert.title)
        sub(entry, "updated", cap_time(alert.created_at))
        sub(entry, "published", cap_time(alert.created_at))
        sub(entry, "summary", alert.body[:500] or alert.title)
        sub(entry, "category", term=alert.level, label=alert.severity)
        if alert.is_exercise:
            sub(entry, "category", term="exercise", label="演练 Exercise")
        # Every region of the alert: a category per GB/T 2260 code, named (core.words).
        for code in alert.all_regions:
            sub(entry, "category", term=code, scheme="urn:gb:t:2260", label=region_path(code))
        sub(
            entry,
            "link",
            rel="alternate",
            type="application/cap+xml",
            href=f"{base}/alerts/{alert.pk}/cap.xml",
        )
        sub(entry, "link", rel="related", type="text/html", href=f"{base}/alerts/{alert.pk}/")
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)
