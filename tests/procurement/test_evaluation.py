"""Evaluation: panel draw, conflict of interest, same legal representative, scoring arithmetic
with hand-computed expectations, award rules."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace as NS

import pytest

from core.display import display_name
from core.models import AuditEvent
from core.roles import Role
from procurement.models import Criterion, PanelDraw
from procurement.scoring import rank_bids
from tests.procurement.factories import expert_user
from tests.procurement.flow import Flow
from tests.registry.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_comprehensive_scoring_matches_the_hand_computation():
    # price weight 30; lowest valid price 80000
    bids = [NS(pk=1, price=Decimal("80000")), NS(pk=2, price=Decimal("95000"))]
    criteria = [
        NS(pk=10, kind="technical", weight=40),
        NS(pk=11, kind="quality", weight=30),
        NS(pk=12, kind="price", weight=30),
    ]
    scores = [
        NS(bid_id=b, criterion_id=c, expert_id=e, score=Decimal(v))
        for b, c, e, v in [
            (1, 10, 7, "30"),
            (1, 11, 7, "20"),
            (2, 10, 7, "36"),
            (2, 11, 7, "27"),
            (1, 10, 8, "31"),
            (1, 11, 8, "21"),
            (2, 10, 8, "35"),
            (2, 11, 8, "26"),
            (1, 10, 9, "29"),
            (1, 11, 9, "19.5"),
            (2, 10, 9, "37"),
            (2, 11, 9, "28.5"),
        ]
    ]
    ranked = rank_bids(
        evaluation_method="comprehensive",
        bids=bids,
        criteria=criteria,
        scores=scores,
        panel=[7, 8, 9],
    )
    # bid 1: experts 50, 52, 48.5 -> 50.1667 + 30 = 80.17
    # bid 2: experts 63, 61, 65.5 -> 63.1667 + 80000/95000*30 = 25.2632 -> 88.43
    assert [(r.bid_id, r.total, r.price_score, r.rank) for r in ranked] == [
        (2, Decimal("88.43"), Decimal("25.26"), 1),
        (1, Decimal("80.17"), Decimal("30.00"), 2),
    ]
    assert ranked[1].expert_totals == {
        7: Decimal("50.00"),
        8: Decimal("52.00"),
        9: Decimal("48.50"),
    }


def test_lowest_price_ranks_by_price_alone():
    bids = [
        NS(pk=1, price=Decimal("120")),
        NS(pk=2, price=Decimal("100")),
        NS(pk=3, price=Decimal("150")),
    ]
    ranked = rank_bids(
        evaluation_method="lowest_price", bids=bids, criteria=[], scores=[], panel=[]
    )
    assert [r.bid_id for r in ranked] == [2, 1, 3]
    assert ranked[1].total == Decimal("83.33")


@pytest.fixture
def evaluating(api, official):
    flow = Flow(api, official)
    flow.create()
    flow.publish()
    flow.bid_all()
    with flow.after_deadline():
        flow.close_and_open()
        yield flow


def test_the_draw_is_random_recorded_and_audited(evaluating):
    draw = evaluating.draw(size=3)
    record = PanelDraw.objects.get(pk=draw["id"])
    assert len(record.selected) == 3 and set(record.selected) <= set(record.pool)
    assert sorted(record.order) == sorted(record.pool)
    assert AuditEvent.objects.filter(action="procurement.panel_drawn").count() == 1


@pytest.mark.parametrize("size", [1, 2, 4])
def test_the_panel_must_be_odd_and_at_least_three(evaluating, size):
    for _ in range(5):
        expert_user()
    evaluating.post("panel", {"size": size}, expect=400)


def test_an_expert_who_is_a_member_of_a_bidder_is_refused_and_audited(evaluating):
    bidder_org = evaluating.bidders[0][0]
    insiders = [expert_user() for _ in range(2)]
    for user in insiders:
        MembershipFactory(user=user, organization=bidder_org, role=Role.MEMBER)
    outsiders = [expert_user() for _ in range(3)]
    draw = PanelDraw.objects.get(pk=evaluating.post("panel", {"size": 3}, expect=201)["id"])
    assert set(draw.selected) == {u.pk for u in outsiders}
    refused = AuditEvent.objects.filter(action="procurement.expert_refused")
    assert {e.data["expert"] for e in refused} == set(draw.refused)
    assert set(draw.refused) <= {u.pk for u in insiders}


def test_a_draw_without_enough_unconflicted_experts_is_refused(evaluating):
    expert_user()
    expert_user()
    evaluating.post("panel", {"size": 3}, expect=400)


def test_a_panel_expert_who_joins_a_bidder_is_refused_when_scoring(api, evaluating):
    evaluating.draw()
    expert = evaluating.experts[0]
    MembershipFactory(user=expert, organization=evaluating.bidders[2][0], role=Role.MEMBER)
    criterion = Criterion.objects.get(project_id=evaluating.pk, kind="technical")
    evaluating.post(
        "scores",
        {"bid": evaluating.bids[0], "criterion": criterion.pk, "score": 10},
        user=expert,
        expect=403,
    )
    assert AuditEvent.objects.filter(
        action="procurement.expert_refused", data__expert=expert.pk
    ).exists()


def test_an_expert_off_the_panel_cannot_score(evaluating):
    evaluating.draw()
    criterion = Criterion.objects.get(project_id=evaluating.pk, kind="technical")
    evaluating.post(
        "scores",
        {"bid": evaluating.bids[0], "criterion": criterion.pk, "score": 10},
        user=expert_user(),
        expect=403,
    )


def test_scores_are_bounded_by_the_weight_and_price_is_not_scored(evaluating):
    evaluating.draw()
    expert = evaluating.experts[0]
    technical = Criterion.objects.get(project_id=evaluating.pk, kind="technical")
    price = Criterion.objects.get(project_id=evaluating.pk, kind="price")
    r = evaluating.post(
        "scores",
        {"bid": evaluating.bids[0], "criterion": technical.pk, "score": 41},
        user=expert,
        expect=400,
    )
    assert "score" in r
    r = evaluating.post(
        "scores",
        {"bid": evaluating.bids[0], "criterion": price.pk, "score": 1},
        user=expert,
        expect=400,
    )
    assert "criterion" in r


def test_scores_are_hidden_until_the_award_then_shown_per_expert(api, evaluating):
    evaluating.draw()
    evaluating.score_all()
    assert api().get(f"/api/v1/procurements/{evaluating.pk}/scores/").json()["count"] == 0
    mine = api(evaluating.experts[0]).get(f"/api/v1/procurements/{evaluating.pk}/scores/")
    assert mine.json()["count"] == 6
    assert api().get(f"/api/v1/procurements/{evaluating.pk}/ranking/").status_code == 403
    evaluating.award(index=1)
    public = api().get(f"/api/v1/procurements/{evaluating.pk}/scores/").json()
    assert public["count"] == 18
    names = {row["expert"] for row in public["results"]}
    assert names == {display_name(e) for e in evaluating.experts}
    assert not any(e.username in name for e in evaluating.experts for name in names)


def test_award_needs_complete_scores(evaluating):
    evaluating.draw()
    r = evaluating.post("award", {"bid": evaluating.bids[1]}, expect=400)
    assert "bid" in r


def test_awarding_another_bid_than_the_top_needs_a_reason_and_is_audited(evaluating):
    evaluating.draw()
    evaluating.score_all()
    r = evaluating.post("award", {"bid": evaluating.bids[0]}, expect=400)
    assert "reason" in r
    data = evaluating.award(index=0, reason="第一名放弃中标")
    assert data["award"]["is_top_ranked"] is False
    event = AuditEvent.objects.get(action="procurement.awarded")
    assert event.reason == "第一名放弃中标"
    assert event.data["top_ranked"] == evaluating.bids[1]


def test_bidders_with_the_same_legal_representative_are_flagged(api, official):
    flow = Flow(api, official)
    flow.create()
    flow.make_bidders()
    for org, _admin in flow.bidders[:2]:
        org.legal_representative = "王建国"
        org.save()
    flow.publish()
    flow.bid_all()
    with flow.after_deadline():
        flow.close_and_open()
        rows = api(official).get(f"/api/v1/procurements/{flow.pk}/bids/").json()["results"]
    flags = {row["id"]: row["same_legal_representative_as"] for row in rows}
    assert flags == {flow.bids[0]: [flow.bids[1]], flow.bids[1]: [flow.bids[0]], flow.bids[2]: []}
    event = AuditEvent.objects.get(action="procurement.opened")
    assert event.data["same_legal_representative"] == [sorted(flow.bids[:2])]


def test_lowest_price_awards_without_a_panel(api, official):
    flow = Flow(api, official)
    flow.create(
        evaluation_method="lowest_price",
        criteria=[{"name": "价格", "kind": "price", "weight": 100}],
    )
    flow.publish()
    flow.bid_all()
    with flow.after_deadline():
        flow.close_and_open()
        ranking = api(official).get(f"/api/v1/procurements/{flow.pk}/ranking/").json()["results"]
        assert ranking[0]["bid"] == flow.bids[0]
        assert flow.award(index=0)["award"]["amount"] == "90000.00"


def test_the_tender_fails_with_too_few_bids_and_is_retendered(api, official):
    flow = Flow(api, official)
    flow.create()
    flow.publish()
    flow.bid_all(prices=("1000.00", "2000.00"))
    with flow.after_deadline():
        from procurement import tasks

        tasks.close_due_tenders()
        project = flow.project
        assert project.status == "failed"
        assert "流标" in project.status_reason
        flow.post("open", expect=409)
        new = flow.post(
            "retender",
            {"tender_end": (project.tender_end + dt.timedelta(days=40)).isoformat()},
            expect=201,
        )
    assert new["status"] == "draft" and new["previous_round"] == flow.pk
    assert new["round_number"] == 2
    assert len(new["service_standards"]) == 2 and len(new["criteria"]) == 3
    flow.post("retender", {"tender_end": new["tender_end"]}, expect=409)


def test_the_ranking_is_paginated_as_the_schema_says(api, evaluating):
    """Issue "hardening, round two" 12: a bare list where the schema promised a page."""
    from drf_spectacular.generators import SchemaGenerator

    evaluating.draw()
    evaluating.score_all()
    evaluating.award(index=1)
    body = api().get(f"/api/v1/procurements/{evaluating.pk}/ranking/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == len(body["results"]) == 3
    assert [row["rank"] for row in body["results"]] == [1, 2, 3]
    small = api().get(f"/api/v1/procurements/{evaluating.pk}/ranking/?page_size=2").json()
    assert len(small["results"]) == 2 and small["next"]
    schema = SchemaGenerator().get_schema(request=None, public=True)
    ok = schema["paths"]["/api/v1/procurements/{id}/ranking/"]["get"]["responses"]["200"]
    ref = ok["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/PaginatedRankingList"
