"""Demo data of hubs and volunteers (idempotent): 雅安市社会组织服务中心 is a hub with a member
organization, a grassroots team it vouches for (no credit code), two volunteers (one waiting for
the phone code) and a call for volunteers into 芦山县 for the earthquake."""

from django.contrib.auth import get_user_model
from django.utils import timezone

from coordination.models import Incident
from core.roles import Role
from registry import services as reg
from registry.demo import member, organization
from registry.models import HubLink, Organization
from volunteers import services as vs
from volunteers.models import Volunteer, VolunteerCall

HUB = "雅安市社会组织服务中心"
TEAM = "龙门乡青年应急志愿队"
EARTHQUAKE = "芦山县6.1级地震"


def seed(stdout) -> None:
    if Organization.objects.filter(name=TEAM).exists():
        return
    users = get_user_model().objects
    bureau = users.get(username="bureau")
    hub = organization(
        ("52", "511800", "HB000001"),
        name=HUB,
        kind="social_service",
        region_code="511800",
        address="四川省雅安市雨城区",
        contact_name="周敏",
        contact_phone="0835-2220000",
        status=Organization.Status.VERIFIED,
        verified_at=timezone.now(),
        description="雅安市社会组织孵化与联合救灾平台，联系全市基层志愿队伍。",
    )
    worker = member("hub", hub, Role.ADMIN)
    reg.designate_hub(organization=hub, by=bureau)
    team = reg.vouch_team(
        by=worker,
        hub=hub,
        name=TEAM,
        leader_name="李四",
        leader_phone="13800000001",
        region_code="511826",
        members=[
            {"name": "王五", "phone": "13800000002", "skills": ["搜救", "急救"]},
            {"name": "赵六", "phone": "13800000003", "skills": ["物资搬运"]},
        ],
        description="龙门乡本地青年自发组建，熟悉乡村道路。",
    )
    ngo = Organization.objects.get(name="芦山县应急救援队")
    if not HubLink.objects.filter(hub=hub, member=ngo).exists():
        HubLink.objects.create(hub=hub, member=ngo, proposed_by=worker)
    verified = Volunteer.objects.create(
        hub=hub,
        name="陈晓",
        phone="13900009001",
        region_code="511802",
        skills=["心理援助"],
        registered_by=worker,
        phone_verified_at=timezone.now(),
    )
    # Registered, the phone code not entered yet (the demo sends no SMS: the hub resends it).
    Volunteer.objects.create(
        hub=hub,
        name="刘洋",
        phone="13900009002",
        region_code="511826",
        skills=["驾驶"],
        registered_by=worker,
    )
    quake = Incident.objects.filter(title=EARTHQUAKE).first()
    if quake is not None and not VolunteerCall.objects.filter(hub=hub).exists():
        call = vs.post_call(
            by=worker,
            hub=hub,
            incident=quake,
            area_region_code="511826",
            title="龙门乡安置点志愿者",
            description="协助安置点登记、物资发放和儿童看护，自带睡袋。",
            skills=["心理援助", "物资搬运"],
            slots=10,
        )
        vs.sign_up(call=call, by=worker, volunteer=verified)
    stdout.write(f"volunteers: hub {hub.name}, team {team.name} ({team.hub_reference})\n")
