"""Demo data of the incident board: a grade II earthquake in 芦山县 being responded to, with
needs, filings (approved, held, held over capacity), tasks in every status, and a grade IV
flood in 英德市 (Guangdong).

Built through the services, so the history tabs and alerts look like real use. Idempotent:
an incident found by its title is left as it is.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from coordination import services
from coordination.models import Incident
from core.roles import Role
from registry.demo import member, organization
from registry.models import Capability, Organization

EARTHQUAKE = "芦山县6.1级地震"
FLOOD = "英德市北江洪涝"


def _user(username: str):
    return get_user_model().objects.get(username=username)


def _extra_team(uscc_serial: str, name: str, region_code: str, specialty: str, grade: int):
    """Two teams of this demo only (the registry's four are not enough to fill an area)."""
    today = timezone.localdate()
    team = organization(
        ("52", region_code, uscc_serial),
        name=name,
        kind="volunteer_team",
        region_code=region_code,
        contact_name="值班员",
        contact_phone="13800000099",
        status="verified",
        verified_at=timezone.now(),
    )
    Capability.objects.update_or_create(
        organization=team,
        specialty=specialty,
        defaults={
            "declared_grade": grade,
            "assessed_grade": grade,
            "assessed_score": 80,
            "assessed_on": today,
            "valid_until": today.replace(year=today.year + 3),
        },
    )
    return team


def seed(stdout) -> None:
    if not Incident.objects.filter(title=EARTHQUAKE).exists():
        _earthquake(stdout)
    if not Incident.objects.filter(title=FLOOD).exists():
        _flood(stdout)


def _earthquake(stdout) -> None:
    now = timezone.now()
    bureau, province, ngo = _user("bureau"), _user("province"), _user("ngo")
    team = Organization.objects.get(name="芦山县应急救援队")
    foundation = Organization.objects.get(name="四川同舟公益基金会")
    yucheng = _extra_team("CD000201", "雨城区山地救援协会", "511802", "mountain_rescue", 2)
    chengdu = _extra_team("CD000202", "成都市蓝豹应急救援队", "510100", "building_collapse", 1)
    yucheng_user = member("yucheng", yucheng, Role.ADMIN)
    chengdu_user = member("chengdu", chengdu, Role.ADMIN)

    quake = services.create_incident(
        by=bureau,
        title=EARTHQUAKE,
        kind="natural_disaster",
        subtype="earthquake",
        grade=2,
        region_code="511826",
        latitude="30.284000",
        longitude="102.956000",
        started_at=now - timedelta(hours=20),
        description="震源深度13公里，龙门乡、宝盛乡房屋倒塌严重，道路多处塌方。",
    )
    services.change_status(
        incident=quake,
        by=bureau,
        status="responding",
        response_level=2,
        expected_duration_hours=168,
        measures="启动二级应急响应；开放芦阳、龙门两处安置点；社会应急力量须先报备后进入。",
    )
    services.set_area_capacity(incident=quake, by=bureau, area_region_code="511826", max_teams=2)

    tents = services.post_need(
        incident=quake,
        by=bureau,
        category="shelter",
        description="龙门乡安置点帐篷",
        quantity=300,
        unit="顶",
        region_code="511826",
        urgency="critical",
    )
    water = services.post_need(
        incident=quake,
        by=bureau,
        category="food_water",
        description="瓶装饮用水",
        quantity=2000,
        unit="箱",
        region_code="511826",
        urgency="high",
    )
    services.post_need(
        incident=quake,
        by=ngo,
        category="psychological",
        description="安置点儿童心理疏导",
        quantity=200,
        unit="人次",
        region_code="511826",
        urgency="normal",
        organization=team,
    )

    arrival = now + timedelta(hours=2)
    filing = {"area_region_code": "511826", "arrival_at": arrival, "self_sufficiency_days": 3}
    team_filing = services.file_deployment(
        incident=quake,
        organization=team,
        by=ngo,
        headcount=26,
        specialties=["building_collapse", "mountain_rescue"],
        vehicles=4,
        leader_name="李队长",
        leader_phone="13800000001",
        **filing,
    )
    services.approve_deployment(deployment=team_filing, by=bureau)
    services.arrive_deployment(deployment=team_filing, by=ngo)
    charity = _user("charity")
    foundation_filing = services.file_deployment(
        incident=quake,
        organization=foundation,
        by=charity,
        headcount=6,
        specialties=["logistics"],
        vehicles=2,
        leader_name="王女士",
        leader_phone="13800000002",
        **filing,
    )
    services.hold_deployment(
        deployment=foundation_filing, by=bureau, reason="国道351线塌方，物资车辆暂缓进入"
    )

    chengdu_filing = services.file_deployment(
        incident=quake,
        organization=chengdu,
        by=chengdu_user,
        headcount=18,
        specialties=["building_collapse"],
        vehicles=3,
        leader_name="陈队长",
        leader_phone="13800000031",
        **filing,
    )
    services.approve_deployment(deployment=chengdu_filing, by=bureau)
    # the area is full (2 teams): this one is held automatically, with the reason
    services.file_deployment(
        incident=quake,
        organization=yucheng,
        by=yucheng_user,
        headcount=12,
        specialties=["mountain_rescue"],
        vehicles=2,
        leader_name="杨会长",
        leader_phone="13800000021",
        **filing,
    )

    def task(title, **fields):
        defaults = {"region_code": "511826", "priority": "high"}
        return services.create_task(
            incident=quake, by=bureau, title=title, **{**defaults, **fields}
        )

    task("宝盛乡倒塌民房二次搜索", specialty="building_collapse", min_grade=2, priority="critical")
    assigned = task("龙门乡山体滑坡区域搜索", specialty="mountain_rescue", min_grade=2)
    services.assign_task(task=assigned, organization=team, by=bureau)
    accepted = task("芦阳镇危房排查", specialty="building_collapse", min_grade=2)
    services.claim_task(task=accepted, organization=chengdu, by=chengdu_user)
    services.accept_task(task=accepted, by=chengdu_user)
    in_progress = task(
        "龙门乡安置点帐篷搭建",
        need=tents,
        quantity_committed=150,
        specialty="",
        priority="critical",
    )
    services.assign_task(task=in_progress, organization=team, by=bureau)
    services.accept_task(task=in_progress, by=ngo)
    services.start_task(task=in_progress, by=ngo)
    services.report_task(
        task=in_progress, by=ngo, summary="已搭建帐篷60顶", people_served=240, quantity_delivered=60
    )
    completed = task("龙门村被困群众搜救", specialty="building_collapse", min_grade=2)
    services.claim_task(task=completed, organization=chengdu, by=chengdu_user)
    services.accept_task(task=completed, by=chengdu_user)
    services.start_task(task=completed, by=chengdu_user)
    services.report_task(
        task=completed, by=chengdu_user, summary="救出被困群众3人，已移交医疗组", people_served=3
    )
    services.complete_task(task=completed, by=chengdu_user)
    verified = task("瓶装水分发", need=water, quantity_committed=800, specialty="")
    services.assign_task(task=verified, organization=team, by=bureau)
    services.accept_task(task=verified, by=ngo)
    services.start_task(task=verified, by=ngo)
    services.report_task(
        task=verified,
        by=ngo,
        summary="向芦阳安置点分发饮用水800箱",
        people_served=1600,
        quantity_delivered=800,
        beneficiaries="芦阳安置点登记名册（略）",
    )
    services.complete_task(task=verified, by=ngo)
    services.verify_task(task=verified, by=province, accepted=True)
    cancelled = task("宝兴县方向道路抢通", specialty="logistics")
    services.cancel_task(task=cancelled, by=bureau, reason="已由交通部门承担")
    stdout.write(f"  incident {quake.pk}: {EARTHQUAKE}")


def _flood(stdout) -> None:
    flood = Incident.objects.create(
        title=FLOOD,
        kind="natural_disaster",
        subtype="flood",
        grade=4,
        response_level=4,
        region_code="441881",
        latitude="24.186000",
        longitude="113.415000",
        started_at=timezone.now() - timedelta(days=2),
        description="北江英德段水位超警戒，部分村庄进水。",
        status=Incident.Status.RESPONDING,
        response_started_at=timezone.now() - timedelta(days=2),
        expected_duration_hours=72,
        response_measures="启动四级应急响应，转移低洼地区群众。",
    )
    stdout.write(f"  incident {flood.pk}: {FLOOD}")
