"""Evaluation arithmetic, pure: no database access (the caller passes rows it loaded).

Comprehensive scoring (综合评分法): experts give 0..weight points on each non-price criterion;
the price criterion gives ``lowest valid price / bid price x price weight``; a bid's total is the
average over the panel of each expert's non-price points, plus its price points.
Lowest evaluated price (最低评标价法): ranked by price alone.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Ranked:
    bid_id: int
    price: Decimal
    price_score: Decimal = Decimal("0.00")
    expert_totals: dict[int, Decimal] = field(default_factory=dict)
    total: Decimal = Decimal("0.00")
    rank: int = 0


def rank_bids(
    *, evaluation_method: str, bids: list, criteria: list, scores: list, panel: list[int]
) -> list[Ranked]:
    """``bids``: objects with pk and price; ``criteria``: pk, kind, weight; ``scores``: bid_id,
    criterion_id, expert_id, score; ``panel``: expert ids."""
    if not bids:
        return []
    lowest = min(b.price for b in bids)
    rows = [Ranked(bid_id=b.pk, price=b.price) for b in bids]
    if evaluation_method == "lowest_price":
        rows.sort(key=lambda r: (r.price, r.bid_id))
        for i, r in enumerate(rows, start=1):
            r.rank = i
            r.total = q(lowest / r.price * 100)
            r.price_score = r.total
        return rows
    price_weight = sum((Decimal(c.weight) for c in criteria if c.kind == "price"), Decimal(0))
    non_price = {c.pk for c in criteria if c.kind != "price"}
    points: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for s in scores:
        if s.criterion_id in non_price and s.expert_id in panel:
            points[(s.bid_id, s.expert_id)] += Decimal(s.score)
    for r in rows:
        r.price_score = q(lowest / r.price * price_weight)
        r.expert_totals = {e: q(points[(r.bid_id, e)]) for e in panel}
        average = sum(points[(r.bid_id, e)] for e in panel) / len(panel) if panel else Decimal(0)
        r.total = q(average + lowest / r.price * price_weight)
    rows.sort(key=lambda r: (-r.total, r.price, r.bid_id))
    for i, r in enumerate(rows, start=1):
        r.rank = i
    return rows
