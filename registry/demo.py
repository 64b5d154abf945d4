"""Demo data of the registry: the agencies and organizations behind the demo accounts."""

import datetime

from django.conf import settings
from django.utils import timezone

from core.demo import demo_user
from core.roles import Role
from registry.models import Assessment, Capability, Membership, Organization, Person
from registry.uscc import make

# (prefix, region, name, name_en, kind, status, service regions, [(specialty, declared, assessed)])
# assessed None: declared only. Pending ones fill the verification queues of 雅安 and 四川.
ORGANIZATIONS = [
    (
        "52",
        "511826",
        "芦山县心连心社会工作服务中心",
        "Lushan Heart-to-Heart Social Work Center",
        "social_service",
        "verified",
        ["511826"],
        [("social_work", 2, 2), ("psychological_support", 2, 3)],
    ),
    (
        "51",
        "511802",
        "雅安市雨城区志愿者协会",
        "Yucheng District Volunteers Association",
        "social_group",
        "verified",
        ["511800"],
        [("volunteer_coordination", 2, 2), ("logistics", 3, 3)],
    ),
    (
        "52",
        "511803",
        "名山区蓝天救援队",
        "Mingshan Blue Sky Rescue Team",
        "volunteer_team",
        "verified",
        ["511800", "510000"],
        [("water_rescue", 1, 1), ("mountain_rescue", 2, 2), ("diving_rescue", 2, None)],
    ),
    (
        "52",
        "511823",
        "汉源县应急救援志愿服务队",
        "Hanyuan Emergency Volunteers",
        "volunteer_team",
        "verified",
        ["511823"],
        [("mountain_rescue", 3, 3)],
    ),
    (
        "52",
        "511827",
        "宝兴县山地救援队",
        "Baoxing Mountain Rescue Team",
        "volunteer_team",
        "verified",
        ["511800"],
        [("mountain_rescue", 2, 2), ("emergency_medical", 3, 3)],
    ),
    (
        "52",
        "511825",
        "天全县社区减灾服务中心",
        "Tianquan Community Disaster Reduction Center",
        "social_service",
        "pending",
        ["511825"],
        [("shelter_management", 3, None)],
    ),
    (
        "51",
        "511824",
        "石棉县红十字志愿者协会",
        "Shimian Red Cross Volunteers",
        "social_group",
        "pending",
        ["511824"],
        [("emergency_medical", 3, None)],
    ),
    (
        "52",
        "510104",
        "成都市锦江区阳光社会工作服务中心",
        "Chengdu Jinjiang Sunshine Social Work Center",
        "social_service",
        "verified",
        ["510100"],
        [("social_work", 1, 1), ("psychological_support", 2, 2)],
    ),
    (
        "53",
        "510000",
        "四川省红十字基金会",
        "Sichuan Red Cross Foundation",
        "foundation",
        "verified",
        ["510000"],
        [],
    ),
    (
        "52",
        "510700",
        "绵阳市应急救援协会救援队",
        "Mianyang Emergency Rescue Team",
        "volunteer_team",
        "verified",
        ["510000"],
        [("building_collapse", 1, 1), ("hazmat", 2, 2), ("communications", 2, 2)],
    ),
    (
        "52",
        "513221",
        "汶川县羌心社工服务中心",
        "Wenchuan Qiang Heart Social Work Center",
        "social_service",
        "verified",
        ["513200"],
        [("social_work", 2, 2), ("shelter_management", 2, 2)],
    ),
    (
        "91",
        "510600",
        "德阳市安运物流有限公司",
        "Deyang Anyun Logistics Co., Ltd.",
        "enterprise",
        "verified",
        ["510000"],
        [("logistics", 1, 1)],
    ),
    (
        "52",
        "510100",
        "成都市应急通信志愿服务队",
        "Chengdu Emergency Communications Volunteers",
        "volunteer_team",
        "pending",
        ["510100"],
        [("communications", 2, None)],
    ),
    (
        "52",
        "440106",
        "广州市天河区启智社会工作服务中心",
        "Guangzhou Tianhe Qizhi Social Work Center",
        "social_service",
        "verified",
        ["440100"],
        [("social_work", 1, 1), ("psychological_support", 1, 1)],
    ),
    (
        "52",
        "440304",
        "深圳市公益救援队",
        "Shenzhen Public Welfare Rescue Team",
        "volunteer_team",
        "verified",
        ["440000"],
        [("building_collapse", 1, 1), ("water_rescue", 1, 1), ("diving_rescue", 2, 2)],
    ),
    (
        "53",
        "440300",
        "深圳市壹基金公益基金会",
        "Shenzhen One Foundation",
        "foundation",
        "verified",
        ["440000", "510000"],
        [],
    ),
    (
        "51",
        "440600",
        "佛山市应急志愿者联合会",
        "Foshan Emergency Volunteers Federation",
        "social_group",
        "verified",
        ["440600"],
        [("volunteer_coordination", 2, 2)],
    ),
    (
        "91",
        "441900",
        "东莞市粤安应急装备有限公司",
        "Dongguan Yue'an Emergency Equipment Co.",
        "enterprise",
        "verified",
        ["440000"],
        [("logistics", 2, 2), ("communications", 3, 3)],
    ),
    (
        "52",
        "420102",
        "武汉市江岸区心理援助中心",
        "Wuhan Jiang'an Psychological Support Center",
        "social_service",
        "verified",
        ["420100"],
        [("psychological_support", 1, 1)],
    ),
    (
        "52",
        "420500",
        "宜昌市三峡水上救援队",
        "Yichang Three Gorges Water Rescue Team",
        "volunteer_team",
        "verified",
        ["420000"],
        [("water_rescue", 1, 1), ("diving_rescue", 1, 2)],
    ),
    (
        "53",
        "420100",
        "湖北省楚天公益基金会",
        "Hubei Chutian Charity Foundation",
        "foundation",
        "verified",
        ["420000"],
        [],
    ),
    (
        "51",
        "421000",
        "荆州市社区防汛志愿者协会",
        "Jingzhou Community Flood Volunteers",
        "social_group",
        "pending",
        ["421000"],
        [("water_rescue", 3, None)],
    ),
    (
        "52",
        "620102",
        "兰州市城关区社会工作服务中心",
        "Lanzhou Chengguan Social Work Center",
        "social_service",
        "verified",
        ["620100"],
        [("social_work", 2, 2)],
    ),
    (
        "52",
        "621200",
        "陇南市山地搜救队",
        "Longnan Mountain Search and Rescue Team",
        "volunteer_team",
        "verified",
        ["620000"],
        [("mountain_rescue", 1, 2), ("building_collapse", 2, 2)],
    ),
    (
        "51",
        "622900",
        "临夏州应急志愿者协会",
        "Linxia Emergency Volunteers Association",
        "social_group",
        "verified",
        ["622900"],
        [("shelter_management", 2, 3)],
    ),
    (
        "52",
        "340104",
        "合肥市蜀山区邻里互助服务中心",
        "Hefei Shushan Neighbourhood Mutual Aid Center",
        "social_service",
        "verified",
        ["340100"],
        [("social_work", 3, 3), ("shelter_management", 3, 3)],
    ),
    (
        "52",
        "341500",
        "六安市淠河水上救援队",
        "Lu'an Pi River Water Rescue Team",
        "volunteer_team",
        "verified",
        ["340000"],
        [("water_rescue", 2, 2)],
    ),
    (
        "53",
        "340100",
        "安徽省江淮公益基金会",
        "Anhui Jianghuai Charity Foundation",
        "foundation",
        "verified",
        ["340000"],
        [],
    ),
    (
        "52",
        "341000",
        "黄山市山地救援协会救援队",
        "Huangshan Mountain Rescue Team",
        "volunteer_team",
        "suspended",
        ["341000"],
        [("mountain_rescue", 2, None)],
    ),
    (
        "51",
        "510000",
        "四川省社会工作者协会",
        "Sichuan Social Workers Association",
        "social_group",
        "verified",
        ["510000"],
        [("social_work", 1, None)],
    ),
]

PEOPLE = [
    ("芦山县心连心社会工作服务中心", "陈静", ["个案辅导", "心理援助"], "intermediate"),
    ("芦山县心连心社会工作服务中心", "杨帆", ["安置点管理", "儿童服务"], "assistant"),
    ("成都市锦江区阳光社会工作服务中心", "刘敏", ["心理援助", "危机干预"], "senior"),
    ("汶川县羌心社工服务中心", "马骏", ["社区重建", "羌语翻译"], "intermediate"),
    ("芦山县应急救援队", "周强", ["绳索救援", "急救"], "none"),
]


def organization(uscc_parts: tuple[str, str, str] | None, **fields) -> Organization:
    uscc = make(*uscc_parts) if uscc_parts else None
    lookup = {"uscc": uscc} if uscc else {"name": fields["name"]}
    org, _ = Organization.objects.update_or_create(**lookup, defaults=fields)
    return org


def member(username: str, org: Organization, role: str):
    user = demo_user(username)
    Membership.objects.update_or_create(user=user, organization=org, defaults={"role": role})
    return user


def seed(stdout) -> None:
    now = timezone.now()
    today = timezone.localdate()
    province = organization(
        ("11", "510000", "MB000001"),
        name="四川省应急管理厅",
        name_en="Sichuan Provincial Department of Emergency Management",
        kind="agency",
        region_code="510000",
        status="verified",
        verified_at=now,
    )
    bureau = organization(
        ("11", "511800", "MB000002"),
        name="雅安市应急管理局",
        name_en="Ya'an Emergency Management Bureau",
        kind="agency",
        region_code="511800",
        status="verified",
        verified_at=now,
    )
    team = organization(
        ("52", "511826", "MJ000101"),
        name="芦山县应急救援队",
        name_en="Lushan County Emergency Rescue Team",
        kind="volunteer_team",
        region_code="511826",
        address="四川省雅安市芦山县芦阳街道",
        contact_name="李队长",
        contact_phone="13800000001",
        description="山地与建筑物倒塌搜救，2013年芦山地震中组建。",
        service_regions=["511800"],
        status="verified",
        verified_at=now,
    )
    foundation = organization(
        ("53", "510000", "MJ000102"),
        name="四川同舟公益基金会",
        name_en="Sichuan Tongzhou Charity Foundation",
        kind="foundation",
        region_code="510100",
        contact_name="王女士",
        contact_phone="13800000002",
        description="接收与分配救灾捐赠款物。",
        service_regions=["510000"],
        status="verified",
        verified_at=now,
    )
    member("province", province, Role.OFFICIAL)
    member("bureau", bureau, Role.OFFICIAL)
    member("ngo", team, Role.ADMIN)
    member("charity", foundation, Role.ADMIN)
    member("expert", province, Role.EXPERT)
    for specialty, grade in (("building_collapse", 2), ("mountain_rescue", 1)):
        Capability.objects.update_or_create(
            organization=team,
            specialty=specialty,
            defaults={
                "declared_grade": grade,
                "assessed_grade": grade,
                "assessed_score": 85,
                "assessed_on": today,
                "valid_until": today.replace(year=today.year + 3),
                "personnel": {"management": 3, "search": 12, "rescue": 10, "safety_officer": 1},
                "equipment": [{"name": "生命探测仪", "quantity": 2}],
            },
        )
    for n, (prefix, region, name, name_en, kind, status, served, caps) in enumerate(ORGANIZATIONS):
        org = organization(
            (prefix, region, f"MJ{200 + n:06d}"),
            name=name,
            name_en=name_en,
            kind=kind,
            region_code=region,
            address=name[:3],
            contact_name="联络员",
            contact_phone=f"1380000{n + 100:04d}",
            description=name_en,
            service_regions=served,
            status=status,
            verified_at=now if status != "pending" else None,
            status_reason="装备清单与实际不符，整改中" if status == "suspended" else "",
        )
        for specialty, declared, assessed in caps:
            capability(org, specialty, declared, assessed, today)
    for org_name, person_name, skills, level in PEOPLE:
        org = Organization.objects.filter(name=org_name).first()
        if org:
            Person.objects.update_or_create(
                organization=org,
                name=person_name,
                defaults={
                    "skills": skills,
                    "skills_index": "," + ",".join(skills).lower() + ",",
                    "social_worker_level": level,
                    "region_code": org.region_code,
                    "phone": "13900000000",
                },
            )
    stdout.write(f"registry: {Organization.objects.count()} organizations\n")


def capability(org: Organization, specialty: str, declared: int, assessed: int | None, today):
    equipment = {
        "water_rescue": [{"name": "冲锋舟", "quantity": 4}, {"name": "救生衣", "quantity": 60}],
        "building_collapse": [
            {"name": "生命探测仪", "quantity": 2},
            {"name": "液压破拆工具组", "quantity": 3},
        ],
        "mountain_rescue": [{"name": "绳索救援套装", "quantity": 6}],
    }.get(specialty, [])
    fields = {
        "declared_grade": declared,
        "personnel": {"management": 2, "rescue": 6 * (4 - declared), "safety_officer": 1},
        "equipment": equipment,
        "mobility_range": {1: "neighbouring", 2: "province", 3: "local"}[declared],
        "assembly_hours_local": {1: 4, 2: 6, 3: 8}[declared],
        "assembly_hours_remote": {1: 8, 2: 12, 3: None}[declared],
        "phases": ["response", "resettlement"],
    }
    if assessed:
        fields.update(
            assessed_grade=assessed,
            assessed_score=95 - 8 * assessed,
            assessed_on=today,
            valid_until=today + datetime.timedelta(days=settings.TONGZHOU_ASSESSMENT_VALID_DAYS),
        )
    cap, _ = Capability.objects.update_or_create(
        organization=org, specialty=specialty, defaults=fields
    )
    if assessed and not cap.assessments.exists():
        Assessment.objects.create(
            capability=cap,
            grade=assessed,
            score=cap.assessed_score,
            assessed_on=today,
            valid_until=cap.valid_until,
            notes="演示数据",
        )
