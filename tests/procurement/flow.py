"""Drive a project through its life cycle via the API, step by step, for the tests."""

import datetime as dt
from decimal import Decimal

import time_machine
from django.utils import timezone

from procurement import tasks
from procurement.models import Criterion, Project
from tests.procurement.factories import bidder, expert_user


def project_payload(**overrides) -> dict:
    data = {
        "title": "芦山县安置点心理援助服务",
        "category": "recovery_reconstruction",
        "method": "open_tender",
        "budget_amount": "150000.00",
        "region_code": "511826",
        "description": "为安置点居民提供心理援助。",
        "eligibility": {"specialty": "building_collapse", "min_grade": 2},
        "service_standards": [
            {
                "indicator": "服务人次",
                "target": "500",
                "unit": "人次",
                "verification": "beneficiary_sampling",
            },
            {"indicator": "满意度", "target": "90", "unit": "%", "verification": "third_party"},
        ],
        "criteria": [
            {"name": "技术方案", "kind": "technical", "weight": 40},
            {"name": "服务质量", "kind": "quality", "weight": 30},
            {"name": "价格", "kind": "price", "weight": 30},
        ],
        "tender_end": (timezone.now() + dt.timedelta(days=21)).isoformat(),
    }
    data.update(overrides)
    return data


PRICES = ("90000.00", "100000.00", "120000.00")
# (technical, quality) per expert per bid: hand-computed totals 80.00, 93.00, 72.50.
EXPERT_SCORES = (
    ((30, 20), (38, 28), (35, 25)),
    ((32, 22), (36, 26), (30, 20)),
    ((28, 18), (40, 30), (25, 15)),
)


class Flow:
    def __init__(self, api, official):
        self.api = api
        self.official = official
        self.client = api(official)
        self.bidders = []
        self.bids = []
        self.experts = []

    def create(self, **overrides) -> int:
        r = self.client.post("/api/v1/procurements/", project_payload(**overrides), format="json")
        assert r.status_code == 201, r.json()
        self.pk = r.json()["id"]
        return self.pk

    @property
    def project(self) -> Project:
        return Project.objects.get(pk=self.pk)

    def post(self, action: str, data=None, user=None, expect=200):
        client = self.api(user) if user else self.client
        r = client.post(f"/api/v1/procurements/{self.pk}/{action}/", data or {}, format="json")
        assert r.status_code == expect, (r.status_code, r.content[:500])
        return r.json() if r.content else None

    def publish(self):
        return self.post("publish")

    def make_bidders(self, n=3):
        while len(self.bidders) < n:
            self.bidders.append(bidder())

    def bid_all(self, prices=PRICES):
        self.make_bidders(len(prices))
        for (_org, admin), price in zip(self.bidders, prices, strict=False):
            r = self.post(
                "bids",
                {"price": price, "proposal": f"方案 {price}", "team_size": 6},
                user=admin,
                expect=201,
            )
            self.bids.append(r["id"])

    def after_deadline(self):
        return time_machine.travel(self.project.tender_end + dt.timedelta(minutes=1), tick=True)

    def close_and_open(self):
        tasks.close_due_tenders()
        return self.post("open")

    def draw(self, size=3):
        self.experts = [expert_user() for _ in range(size)]
        return self.post("panel", {"size": size}, expect=201)

    def score_all(self, table=EXPERT_SCORES):
        technical = Criterion.objects.get(project_id=self.pk, kind="technical")
        quality = Criterion.objects.get(project_id=self.pk, kind="quality")
        for expert, rows in zip(self.experts, table, strict=True):
            for bid, (t, q) in zip(self.bids, rows, strict=True):
                for criterion, score in ((technical, t), (quality, q)):
                    self.post(
                        "scores",
                        {"bid": bid, "criterion": criterion.pk, "score": score},
                        user=expert,
                        expect=201,
                    )

    def award(self, index=1, reason=""):
        return self.post("award", {"bid": self.bids[index], "reason": reason})

    def contract(self, percents=("40", "60")):
        now = timezone.now()
        milestones = [
            {
                "title": f"阶段{i + 1}",
                "due_at": (now + dt.timedelta(days=30 * (i + 1))).isoformat(),
                "payment_percent": p,
            }
            for i, p in enumerate(percents)
        ]
        return self.post("contract", {"milestones": milestones}, expect=201)


def to_evaluation(api, official) -> Flow:
    flow = Flow(api, official)
    flow.create()
    flow.publish()
    flow.bid_all()
    return flow


def amount(value) -> Decimal:
    return Decimal(str(value))
