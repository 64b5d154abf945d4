"""Demo ledger for the Ya'an earthquake: three charities, money and goods, allocations to the
Lushan rescue team, disbursements, one reversal and one stuck shipment (idempotent)."""

import random
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from coordination.models import Incident
from core.demo import demo_user
from core.roles import Role
from donations import sequencer, services
from donations.models import LedgerEntry
from registry.models import Membership, Organization
from registry.uscc import make

DEMO_PREFIX = "YA-DEMO-"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
COMPANIES = [
    "雅安茶业有限公司",
    "成都蜀锦科技有限公司",
    "四川川味食品有限公司",
    "绵阳云帆电子有限公司",
]
GOODS = [
    ("帐篷", "顶", Decimal("800.00")),
    ("矿泉水", "箱", Decimal("30.00")),
    ("方便面", "箱", Decimal("45.00")),
    ("棉被", "床", Decimal("120.00")),
    ("医用外科口罩", "盒", Decimal("25.00")),
]
PURPOSES = ["安置点餐食", "帐篷与棉被发放", "伤员医疗救助", "饮用水保障", "临时学校物资"]


def _org(uscc: tuple[str, str, str], **fields) -> Organization:
    org, _ = Organization.objects.update_or_create(uscc=make(*uscc), defaults=fields)
    return org


def _writer(username: str, org: Organization):
    user = demo_user(username)
    Membership.objects.update_or_create(user=user, organization=org, defaults={"role": Role.ADMIN})
    return user


def _incident(now) -> Incident:
    found = (
        Incident.objects.filter(region_code="511826", kind="natural_disaster", is_exercise=False)
        .order_by("-started_at")
        .first()
    )
    return found or Incident.objects.create(
        title="芦山县6.1级地震",
        kind="natural_disaster",
        subtype="earthquake",
        grade=2,
        response_level=2,
        region_code="511826",
        started_at=now - timedelta(days=20),
        status=Incident.Status.RESPONDING,
    )


def seed(stdout) -> None:
    if LedgerEntry.objects.filter(receipt_number__startswith=DEMO_PREFIX).exists():
        stdout.write("donations: demo ledger already present")
        return
    rng = random.Random(511826)
    now = timezone.now()
    quake = _incident(now)
    now_ = now
    foundation = Organization.objects.filter(uscc=make("53", "510000", "MJ000102")).first()
    foundation = foundation or _org(
        ("53", "510000", "MJ000102"),
        name="四川同舟公益基金会",
        kind="foundation",
        region_code="510100",
        status="verified",
        verified_at=now,
    )
    charity_user = demo_user("charity")
    Membership.objects.get_or_create(
        user=charity_user, organization=foundation, defaults={"role": Role.ADMIN}
    )
    cishan = _org(
        ("51", "511800", "MJ000201"),
        name="雅安市慈善会",
        name_en="Ya'an Charity Association",
        kind="social_group",
        region_code="511800",
        status="verified",
        verified_at=now,
        description="接收社会捐赠，支持雅安灾后救助。",
    )
    shuguang = _org(
        ("53", "510100", "MJ000202"),
        name="蜀光公益基金会",
        name_en="Shuguang Charity Foundation",
        kind="foundation",
        region_code="510100",
        status="verified",
        verified_at=now,
        description="应急物资募集与发放。",
    )
    charities = [
        (foundation, charity_user),
        (cishan, _writer("yaan_charity", cishan)),
        (shuguang, _writer("shuguang", shuguang)),
    ]
    team = Organization.objects.filter(uscc=make("52", "511826", "MJ000101")).first()
    team_user = demo_user("ngo") if team else None
    if team and not Membership.objects.filter(user=team_user, organization=team).exists():
        Membership.objects.create(user=team_user, organization=team, role=Role.ADMIN)

    start = quake.started_at if quake.started_at < now_ else now_ - timedelta(days=20)
    span = max((now_ - start).total_seconds() - 3600, 3600)
    number = 0
    for org, user in charities:
        for _ in range(70):
            number += 1
            when = start + timedelta(seconds=rng.uniform(0, span * 0.6))
            kind = rng.choice(["individual"] * 6 + ["company"] * 2)
            name = (
                rng.choice(SURNAMES) + rng.choice("伟芳娜敏静丽强磊军洋")
                if kind == "individual"
                else rng.choice(COMPANIES)
            )
            common = {
                "organization": org,
                "by": user,
                "donor_name": name,
                "donor_kind": kind,
                "anonymous": rng.random() < 0.1,
                "incident": quake,
                "restricted": rng.random() < 0.3,
                "received_at": when,
                "receipt_number": f"{DEMO_PREFIX}{number:05d}",
                "handler": "经办人",
            }
            if rng.random() < 0.75:
                services.record_receipt(
                    amount=Decimal(rng.choice([50, 100, 200, 500, 1000, 5000, 20000])),
                    channel=rng.choice(["bank_transfer", "online_platform"]),
                    **common,
                )
            else:
                lines = []
                for good, unit, value in rng.sample(GOODS, rng.randint(1, 3)):
                    lines.append(
                        {
                            "name": good,
                            "unit": unit,
                            "unit_value": value,
                            "quantity": Decimal(rng.randint(10, 200)),
                        }
                    )
                services.record_receipt(items=lines, channel="in_kind", **common)
    # Allocations to the rescue team, signed for (one with a shortfall), then disbursements.
    mid = start + timedelta(seconds=span * 0.65)
    if team:
        for index, (org, user) in enumerate(charities):
            sent = services.allocate(
                organization=org,
                by=user,
                to_organization=team,
                incident=quake,
                amount=Decimal(20000),
                occurred_at=mid,
            )
            received = Decimal(20000) if index else Decimal(18500)
            services.acknowledge(allocation=sent, by=team_user, amount=received)
        services.disburse(
            organization=team,
            by=team_user,
            purpose="搜救队伍后勤保障",
            region_code="511826",
            beneficiaries=60,
            incident=quake,
            amount=Decimal(30000),
            # Now: it spends what the team signed for just now (a use cannot precede its lots).
            # Above TONGZHOU_EVIDENCE_THRESHOLD: a disbursement this size needs its invoice.
            evidence=[ContentFile(b"%PDF-1.4\n% demo invoice\n%%EOF\n", name="invoice.pdf")],
        )
    for org, user in charities:
        for _n in range(25):
            when = mid + timedelta(seconds=rng.uniform(0, span * 0.3))
            try:
                services.disburse(
                    organization=org,
                    by=user,
                    purpose=rng.choice(PURPOSES),
                    region_code="511826",
                    beneficiaries=rng.randint(10, 400),
                    incident=quake,
                    amount=Decimal(rng.choice([500, 1000, 3000])),
                    occurred_at=when,
                )
            except services.Conflict:
                continue
        for good, unit, _value in GOODS[1:]:
            try:
                services.disburse(
                    organization=org,
                    by=user,
                    purpose="物资发放",
                    region_code="511826",
                    beneficiaries=rng.randint(50, 300),
                    incident=quake,
                    occurred_at=min(mid + timedelta(days=1), now_ - timedelta(minutes=20)),
                    items=[{"name": good, "unit": unit, "quantity": Decimal(5)}],
                )
            except services.Conflict:
                continue
    # One mistaken disbursement, reversed.
    org, user = charities[1]
    wrong = services.disburse(
        organization=org,
        by=user,
        purpose="饮用水保障",
        region_code="511826",
        incident=quake,
        amount=Decimal(100),
        occurred_at=now_,
    )
    services.reverse(entry=wrong, by=user, reason="重复录入，已冲正")
    # One stuck shipment: tents received 12 days ago and never handed out.
    services.record_receipt(
        organization=shuguang,
        by=charities[2][1],
        donor_name="成都蜀锦科技有限公司",
        donor_kind="company",
        incident=quake,
        channel="in_kind",
        received_at=now_ - timedelta(days=12),
        receipt_number=f"{DEMO_PREFIX}STUCK",
        handler="仓库",
        items=[
            {
                "name": "折叠床",
                "unit": "张",
                "quantity": Decimal(300),
                "unit_value": Decimal("150.00"),
                "spec": "90x190cm",
            }
        ],
    )
    # In real mode entries are sequenced after commit by the worker; the demo numbers its
    # own at once (also when seeded inside a transaction, e.g. the tests' shared worlds).
    sequencer.sequence_all()
    stdout.write(f"donations: {LedgerEntry.objects.count()} ledger entries")
