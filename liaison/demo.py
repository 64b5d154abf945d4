"""Demo data of the liaison app: the directories of 雅安市应急管理局 and 四川省应急管理厅, two
notices (one asking for acknowledgement), a request from 芦山县应急救援队 acknowledged and
confirmed on the earthquake's map, one still waiting, and a safety check-in.

Built through the services; idempotent (nothing is added once the bureau has a directory)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from coordination.models import Deployment, Incident
from liaison import services
from liaison.models import Responsibility

BUREAU_ROWS = [
    ("social_coordination", "社会应急力量协调科", "王协调", "0835-2221001", True),
    ("supply_allocation", "救灾和物资保障科", "李物资", "0835-2221002", True),
    ("disaster_statistics", "风险监测和综合减灾科", "张统计", "0835-2221003", True),
    ("relief", "救灾救助科", "赵救助", "0835-2221004", True),
    ("rescue", "应急指挥中心值班室", "值班员", "0835-2221000", True),
    ("traffic", "交通保障专班（市交通运输局派驻）", "刘交通", "0835-2221005", False),
]
PROVINCE_ROWS = [
    ("supply_allocation", "救灾物资保障处", "周物资", "028-8888001", True),
    ("insurance_claims", "灾害保险协调处", "吴保险", "028-8888002", True),
]


def _user(username: str):
    return get_user_model().objects.get(username=username)


def seed(stdout) -> None:
    bureau, province, ngo = _user("bureau"), _user("province"), _user("ngo")
    if Responsibility.objects.filter(agency__name="雅安市应急管理局").exists():
        return
    for rows, official in ((BUREAU_ROWS, bureau), (PROVINCE_ROWS, province)):
        for function, unit, contact, phone, public in rows:
            services.save_responsibility(
                by=official,
                function=function,
                unit=unit,
                duty_contact=contact,
                duty_phone=phone,
                duty_hours="24小时",
                public=public,
            )
    now = timezone.now()
    services.publish_notice(
        by=bureau,
        title="关于社会应急力量参与芦山地震救援的通知",
        body="一、进入灾区前须在平台报备，获同意后方可进入。\n二、服从现场指挥部统一调度，"
        "每6小时报平安一次。\n三、物资需求请通过平台发送，由救灾和物资保障科统一调配。",
        ack_due_at=now + timedelta(days=2),
    )
    services.publish_notice(
        by=province,
        kind="policy",
        title="四川省社会应急力量参与抢险救灾工作指引",
        body="明确社会应急力量的报备、调度、保障和激励措施。",
    )
    quake = Incident.objects.filter(title="芦山县6.1级地震").first()
    if quake is None:
        return
    request = services.send_field_report(
        by=ngo,
        incident=quake,
        category="supplies",
        urgency="high",
        description="龙门乡古城村安置点有群众120人，缺帐篷40顶、饮用水。",
        people_count=120,
        region_code="511826",
        latitude="30.318000",
        longitude="102.972000",
    )
    services.acknowledge_report(report=request, by=bureau)
    services.confirm_report(report=request, by=bureau)
    services.send_field_report(
        by=ngo,
        incident=quake,
        category="road_blocked",
        urgency="critical",
        description="宝盛乡至玉溪村道路塌方，车辆无法通行。",
        region_code="511826",
        latitude="30.260000",
        longitude="102.990000",
    )
    filing = Deployment.objects.filter(
        incident=quake, organization__name="芦山县应急救援队", status__in=Deployment.OCCUPYING
    ).first()
    if filing is not None:
        services.check_in(deployment=filing, by=ngo, note="全员平安，正在龙门乡搜救。")
    stdout.write("liaison: directories, notices, field reports and a check-in\n")
