"""Demo data of preparedness: a drill of 雅安市 with the 芦山县 team, reviewed, whose gap is
an open follow-up item on the team's home; and a minuted joint meeting with a decision.

Built through the services. Idempotent: a drill or meeting found by its title is left as is.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from preparedness import services
from preparedness.models import Drill, Meeting
from registry.models import Organization

DRILL = "芦山县地震救援联合演练"
MEETING = "雅安市防灾减灾联席会议"


def seed(stdout) -> None:
    users = get_user_model().objects
    bureau, ngo_user = users.get(username="bureau"), users.get(username="ngo")
    team = Organization.objects.get(name="芦山县应急救援队")
    now = timezone.now()
    if not Drill.objects.filter(title=DRILL).exists():
        drill = services.create_drill(
            by=bureau,
            title=DRILL,
            scenario="芦山县发生6.1级地震，县城一所学校教学楼倒塌，多人被困。",
            region_code="511826",
            starts_at=now - timedelta(days=20),
            objectives=["检验倒塌建筑搜救协同", "检验通信保障"],
            participants=[team.pk],
        )
        services.add_inject(
            drill=drill, by=bureau, deliver_at=now - timedelta(days=20), title="余震：二次坍塌"
        )
        services.run_drill(drill=drill, by=bureau)
        services.deliver_due_injects()
        services.end_drill(drill=drill, by=bureau)
        first, second = drill.objectives.order_by("pk")
        services.review_objective(
            objective=first, by=bureau, worked="各队伍30分钟内集结完毕", gaps=[]
        )
        services.review_objective(
            objective=second,
            by=bureau,
            worked="卫星电话畅通",
            gaps=[
                {
                    "title": "补充夜间照明设备",
                    "owner": team.pk,
                    "due_on": timezone.localdate() + timedelta(days=14),
                }
            ],
        )
        stdout.write(f"  drill {drill.pk}: reviewed, one open follow-up item of {team.name}")
    if not Meeting.objects.filter(title=MEETING).exists():
        meeting = services.convene_meeting(
            by=bureau,
            title=MEETING,
            region_code="511800",
            held_at=now - timedelta(days=3),
            agenda="一、汛前准备\n二、应急物资储备",
            members=[team.pk],
        )
        services.record_minutes(
            meeting=meeting, by=bureau, minutes="会议通报了汛前准备情况。", attended=[team.pk]
        )
        services.record_decision(
            meeting=meeting,
            by=bureau,
            text="各救援队一周内报送应急物资清单。",
            followups=[
                {
                    "title": "报送应急物资清单",
                    "owner": team.pk,
                    "due_on": timezone.localdate() + timedelta(days=7),
                }
            ],
        )
        stdout.write(f"  meeting {meeting.pk}: minuted, one decision ({ngo_user.username} owes it)")
