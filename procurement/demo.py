"""Demo data of procurement: a competitive consultation (¥80,000, the small-value route, three
invited suppliers) open for bids, one in evaluation, one under contract with milestones, and one
terminated for falsified records with an open clawback (its supplier is debarred).

Everything goes through the services, as a user would. Only the clock is faked: after the bids
are in, the deadline (and for the later projects the stand-still) is moved into the past with a
plain update, because a demo cannot wait 20 days. Idempotent: projects are looked up by title.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from core.demo import demo_user
from core.roles import Role
from procurement import services
from procurement.models import Award, Contract, Criterion, Project
from registry.models import Capability, Membership, Organization
from registry.uscc import make

TITLES = {
    "open": "芦山县2026年社区综合减灾培训演练服务",
    "evaluating": "雅安市山地搜救备勤服务",
    "contracted": "芦山县过渡安置点管理与心理援助服务",
    "terminated": "宝兴县灾后入户评估服务",
}


def _supplier(code: str, name: str, kind: str, username: str) -> tuple[Organization, object]:
    prefix = {"volunteer_team": "52", "social_service": "52", "enterprise": "91"}[kind]
    org, _ = Organization.objects.update_or_create(
        uscc=make(prefix, "511800", code),
        defaults={
            "name": name,
            "kind": kind,
            "region_code": "511802",
            "status": "verified",
            "verified_at": timezone.now(),
            "legal_representative": f"{name[:2]}负责人",
            "description": "政府购买服务演示承接主体。",
        },
    )
    today = timezone.localdate()
    Capability.objects.update_or_create(
        organization=org,
        specialty="building_collapse",
        defaults={
            "declared_grade": 2,
            "assessed_grade": 2,
            "assessed_score": 82,
            "assessed_on": today,
            "valid_until": today + dt.timedelta(days=3 * 365),
        },
    )
    user = demo_user(username)
    Membership.objects.update_or_create(user=user, organization=org, defaults={"role": Role.ADMIN})
    return org, user


def _draft(bureau, title: str, **extra) -> Project:
    return services.create_project(
        by=bureau,
        title=title,
        category=extra.pop("category", "recovery_reconstruction"),
        method=extra.pop("method", "open_tender"),
        invitees=extra.pop("invitees", None),
        budget_amount=Decimal(extra.pop("budget", "300000")),
        region_code="511826",
        tender_end=timezone.now() + dt.timedelta(days=25),
        description=extra.pop("description", "面向芦山地震受灾群众的社会服务。"),
        eligibility={"specialty": "building_collapse", "min_grade": 2},
        service_standards=[
            {
                "indicator": "服务人次",
                "target": Decimal("600"),
                "unit": "人次",
                "verification": "beneficiary_sampling",
                "sample_size": 3,
            },
            {
                "indicator": "服务对象满意度",
                "target": Decimal("90"),
                "unit": "%",
                "verification": "third_party",
            },
        ],
        criteria=[
            {"name": "技术方案", "kind": "technical", "weight": 40},
            {"name": "团队与经验", "kind": "experience", "weight": 30},
            {"name": "价格", "kind": "price", "weight": 30},
        ],
    )


def _tender(bureau, title, bidders, prices) -> Project:
    project = _draft(bureau, title)
    services.publish_project(project=project, by=bureau)
    for (org, user), price in zip(bidders, prices, strict=True):
        services.submit_bid(
            project=project,
            organization=org,
            by=user,
            price=Decimal(price),
            proposal=f"{org.name}的服务方案：驻点团队、每周走访、月度报告。",
            team_size=8,
        )
    # The demo's only shortcut: the deadline passes at once.
    Project.objects.filter(pk=project.pk).update(
        tender_end=timezone.now() - dt.timedelta(hours=1),
        published_at=timezone.now() - dt.timedelta(days=26),
    )
    services.open_bids(project=project, by=bureau)
    return project


def _evaluate_and_award(bureau, project, experts) -> Project:
    draw = services.draw_panel(project=project, by=bureau, size=3)
    panel = [e for e in experts if e.pk in draw.selected]
    criteria = list(Criterion.objects.filter(project=project).exclude(kind="price"))
    for i, expert in enumerate(panel):
        for j, bid in enumerate(project.bids.order_by("id")):
            for criterion in criteria:
                points = criterion.weight * Decimal(90 - 10 * j - 2 * i) / 100
                services.submit_score(
                    project=project,
                    by=expert,
                    bid=bid,
                    criterion=criterion,
                    score=points.quantize(Decimal("0.01")),
                )
    top = services.evaluation.ranking(project)[0]
    services.award(project=project, by=bureau, bid=project.bids.get(pk=top.bid_id))
    Award.objects.filter(project=project).update(
        standstill_ends_at=timezone.now() - dt.timedelta(minutes=1)
    )
    return project


def _contract(bureau, project) -> Project:
    now = timezone.now()
    services.create_contract(
        project=project,
        by=bureau,
        milestones=[
            {
                "title": "第一阶段：进驻与需求评估",
                "due_at": now + dt.timedelta(days=30),
                "payment_percent": Decimal("30"),
            },
            {
                "title": "第二阶段：持续服务",
                "due_at": now + dt.timedelta(days=90),
                "payment_percent": Decimal("40"),
            },
            {
                "title": "第三阶段：总结与验收",
                "due_at": now + dt.timedelta(days=150),
                "payment_percent": Decimal("30"),
            },
        ],
    )
    return project


def _evaluator() -> tuple[Organization, object]:
    """A registered third-party evaluator organization (第三方评估机构) with its own account."""
    org, _ = Organization.objects.update_or_create(
        uscc=make("52", "511800", "MP000301"),
        defaults={
            "name": "雅安市安澜社会服务评估中心",
            "kind": "evaluator",
            "region_code": "511802",
            "status": "verified",
            "verified_at": timezone.now(),
            "legal_representative": "钱立新",
            "description": "政府购买服务第三方评估机构（演示）。",
        },
    )
    user = demo_user("evaluator")
    Membership.objects.update_or_create(user=user, organization=org, defaults={"role": Role.ADMIN})
    return org, user


def _deliver_first(bureau, project, supplier_user) -> None:
    """The first milestone delivered the way acceptance now requires: the evaluator assigned,
    the report with the recipients served, a sample confirming by SMS, the evaluator's
    inspection measuring every indicator, then acceptance and payment."""
    milestone = project.contract.milestones.order_by("due_at").first()
    standards = list(project.service_standards.order_by("id"))
    evaluator, evaluator_user = _evaluator()
    services.assign_evaluator(milestone=milestone, by=bureau, organization=evaluator)
    services.report_progress(
        milestone=milestone,
        by=supplier_user,
        summary="进驻三个安置点。",
        values={str(standards[0].pk): "650", str(standards[1].pk): "93"},
        recipients=[{"name": f"安置点居民{n}", "phone": f"1390835{n:04d}"} for n in range(1, 9)],
    )
    for row in services.sample_recipients(milestone=milestone, by=bureau):
        services.answer_confirmation(token=row.token, confirmed=True)
    services.inspect_milestone(
        milestone=milestone,
        by=evaluator_user,
        notes="现场走访两个安置点，电话回访抽样居民。",
        findings="台账完整。",
        third_party_score=Decimal("88"),
        measured={str(s.pk): ("650" if i == 0 else "93") for i, s in enumerate(standards)},
    )
    services.accept_milestone(
        milestone=milestone, by=bureau, recipients=["安置点居民代表A", "安置点居民代表B"]
    )
    services.pay_milestone(milestone=milestone, by=bureau)


def seed(stdout) -> None:
    if Project.objects.filter(title__in=TITLES.values()).count() == len(TITLES):
        return
    bureau = demo_user("bureau")
    province = Organization.objects.get(uscc=make("11", "510000", "MB000001"))
    team = Organization.objects.get(uscc=make("52", "511826", "MJ000101"))
    experts = [demo_user("expert")]
    for username in ("expert2", "expert3"):
        user = demo_user(username)
        Membership.objects.update_or_create(
            user=user, organization=province, defaults={"role": Role.EXPERT}
        )
        experts.append(user)
    bidders = [
        (team, demo_user("ngo")),
        _supplier("MJ000201", "雅安市蓝天应急服务中心", "social_service", "supplier_bluesky"),
        _supplier("MJ000202", "四川安居社区服务有限公司", "enterprise", "supplier_anju"),
    ]
    if not Project.objects.filter(title=TITLES["open"]).exists():
        # ¥80,000 is below the small-purchase threshold: competitive consultation among three
        # invited, verified suppliers (the small-value route), not an open tender.
        shequ = _supplier("MJ000203", "芦山县社区发展服务中心", "social_service", "supplier_shequ")
        project = _draft(
            bureau,
            TITLES["open"],
            category="training_drills",
            budget="80000",
            method="competitive_consultation",
            invitees=[bidders[1][0], bidders[2][0], shequ[0]],
        )
        services.publish_project(project=project, by=bureau)
    if not Project.objects.filter(title=TITLES["evaluating"]).exists():
        _tender(bureau, TITLES["evaluating"], bidders, ["180000", "195000", "210000"])
    if not Project.objects.filter(title=TITLES["contracted"]).exists():
        project = _tender(bureau, TITLES["contracted"], bidders, ["260000", "245000", "280000"])
        _contract(bureau, _evaluate_and_award(bureau, project, experts))
        winner = project.contract.supplier
        _deliver_first(bureau, project, next(u for o, u in bidders if o.pk == winner.pk))
    if not Project.objects.filter(title=TITLES["terminated"]).exists():
        project = _tender(bureau, TITLES["terminated"], bidders, ["120000", "118000", "125000"])
        _contract(bureau, _evaluate_and_award(bureau, project, experts))
        winner = project.contract.supplier
        _deliver_first(bureau, project, next(u for o, u in bidders if o.pk == winner.pk))
        services.terminate(
            project=project,
            by=bureau,
            reason="入户评估记录与抽查结果严重不符。",
            clawback_amount=Contract.objects.get(project=project).paid_amount,
            ground="falsification",  # debars the supplier (procurement.debarment)
        )
    stdout.write("procurement: 4 demo projects")
