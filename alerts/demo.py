"""Demo data of the alerts app: a public red earthquake alert and a few more for the demo
accounts (idempotent: looked up by title)."""

from alerts import services
from alerts.models import Alert
from registry.models import Organization

DEMO_ALERTS = [
    {
        "title": "芦山县6.1级地震红色预警",
        "title_en": "Lushan M6.1 earthquake: red warning",
        "body": "芦山县发生6.1级地震，请远离受损建筑，听从当地指挥转移。",
        "body_en": "An M6.1 earthquake struck Lushan county. Keep away from damaged buildings.",
        "level": "red",
        "public": True,
        "incident_ref": {
            "title": "芦山6.1级地震",
            "kind": "natural_disaster",
            "subtype": "earthquake",
            "grade": 2,
            "region_code": "511826",
            "latitude": "30.284000",
            "longitude": "102.956000",
        },
    },
    {
        "title": "雅安市暴雨黄色预警",
        "title_en": "Ya'an heavy rain: yellow warning",
        "body": "未来24小时雅安市部分地区有暴雨，注意防范山洪和地质灾害。",
        "level": "yellow",
        "public": True,
        "incident_ref": None,
    },
    {
        "title": "救援队集结通知",
        "body": "请芦山县应急救援队于今晚20时前在芦阳街道集结，待命出发。",
        "level": "orange",
        "public": False,
        "incident_ref": None,
    },
]


def seed(stdout) -> None:
    team = Organization.objects.filter(name="芦山县应急救援队").first()
    bureau = Organization.objects.filter(name="雅安市应急管理局").first()
    if team is None or bureau is None:
        return
    audience = {"organizations": [team.pk], "officials_for": "511826"}
    for item in DEMO_ALERTS:
        if Alert.objects.filter(title=item["title"]).exists():
            continue
        services.notify(
            title=item["title"],
            title_en=item.get("title_en", ""),
            body=item["body"],
            body_en=item.get("body_en", ""),
            level=item["level"],
            audience=audience,
            channels=["in_app"],
            public=item["public"],
            incident_ref=item["incident_ref"],
            region_code="511826",
            link="/alerts/",
        )
    stdout.write(f"alerts: {Alert.objects.count()} alerts")
