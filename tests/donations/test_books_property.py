"""The books always balance, whatever happens: a property test over random sequences of
receipts, allocations, sign-fors (with shortfalls), disbursements, reversals, changes of use
and shortfall resolutions, over several incidents and organizations.

After every step, for every incident (and the funds given without one), every organization,
every organization within an incident, and overall::

    received - passed_on - used - written_off == held + in_transit

no lot is below zero or above what it took in, no restricted lot was drawn outside its
incident and purpose, no unnamed draw reached into another incident's lots, and the public
totals (``queries.totals``) equal the books recomputed from the export alone
(``reconcile.export_books``); at the end of each sequence ``verify_ledger``'s checks pass.

Profiles: on SQLite (every CI run) ``SQLITE_EXAMPLES`` sequences, about half a minute; on
PostgreSQL ``PG_EXAMPLES``; ``TONGZHOU_PROPERTY_EXAMPLES`` overrides both (the thousands-of-
sequences run before a release: ``TONGZHOU_PROPERTY_EXAMPLES=3000 DATABASE_URL=postgres://...
pytest -n 0 tests/donations/test_books_property.py``, see docs/DOMAIN.md).
"""

import os
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.states import InvalidTransition
from donations import balances, chain, queries, reconcile, services
from donations.models import EntrySource, LedgerEntry, Lot
from tests.caching import empty_cache
from tests.coordination.factories import IncidentFactory
from tests.donations import factories as df

pytestmark = pytest.mark.django_db

SQLITE_EXAMPLES = 12
PROGRESS = os.environ.get("TONGZHOU_PROPERTY_PROGRESS")
PG_EXAMPLES = 150


def _examples() -> int:
    if os.environ.get("TONGZHOU_PROPERTY_EXAMPLES"):
        return int(os.environ["TONGZHOU_PROPERTY_EXAMPLES"])
    return (
        PG_EXAMPLES
        if os.environ.get("DATABASE_URL", "").startswith("postgres")
        else (SQLITE_EXAMPLES)
    )


GOODS = {"帐篷": ("顶", Decimal("812.50")), "矿泉水": ("箱", Decimal("30.00"))}
PURPOSES = ["", "饮用水", "安置点"]
OPS = ["receipt"] * 3 + ["allocate", "acknowledge", "disburse", "resolve"] * 3
OPS += ["reverse", "change_use"]
REFUSED = (ValidationError, InvalidTransition, PermissionDenied)


class World:
    def __init__(self):
        self.orgs = [
            df.foundation(name="四川同舟公益基金会"),
            df.foundation(name="雅安慈善会"),
            df.foundation(name="芦山县应急救援队", kind="volunteer_team", region_code="511826"),
        ]
        self.writers = [df.writer(org) for org in self.orgs]
        self.incidents = [IncidentFactory(title=f"事件{i}") for i in range(3)]


def _what(data, big: bool = False):
    """Money or goods, in quantities with decimals (``big``: a receipt, larger than uses)."""
    if data.draw(st.booleans(), label="money?"):
        top = 200_000 if big else 40_000
        cents = data.draw(st.integers(min_value=1, max_value=top), label="cents")
        return {"amount": Decimal(cents) / 100}
    name = data.draw(st.sampled_from(sorted(GOODS)), label="item")
    top = 400 if big else 60
    quantity = Decimal(data.draw(st.integers(min_value=1, max_value=top), label="qty")) / 2
    return {"items": [{"name": name, "unit": GOODS[name][0], "quantity": quantity}]}


def _step(world: World, data) -> None:
    op = data.draw(st.sampled_from(OPS), label="op")
    holders = sorted(set(Lot.objects.filter(remaining__gt=0).values_list("holder_id", flat=True)))
    if op in ("allocate", "disburse") and holders:  # mostly someone who holds something
        pks = [o.pk for o in world.orgs]
        i = pks.index(data.draw(st.sampled_from(holders), label="holder"))
    else:
        i = data.draw(st.integers(0, len(world.orgs) - 1), label="org")
    org, by = world.orgs[i], world.writers[i]
    incident = data.draw(st.sampled_from([None, *world.incidents]), label="incident")
    purpose = data.draw(st.sampled_from(PURPOSES), label="purpose")
    what = None
    held = list(Lot.objects.filter(holder=org, remaining__gt=0).order_by("id"))
    if (
        op in ("allocate", "disburse")
        and held
        and data.draw(st.sampled_from([True] * 9 + [False]), label="from held?")
    ):
        # mostly uses that fit what is held: a lot's incident, its purpose if restricted
        lot = data.draw(st.sampled_from(held), label="lot")
        incident = lot.incident
        purpose = lot.purpose if lot.restricted else purpose
        share = Decimal(data.draw(st.integers(1, 100), label="share %")) / 100
        if lot.item:
            quantity = (lot.remaining * share).quantize(Decimal("0.5"))
            what = {"items": [{"name": lot.item, "unit": lot.unit, "quantity": quantity}]}
        else:
            what = {"amount": (lot.remaining * share).quantize(Decimal("0.01"))}
    entries = list(LedgerEntry.objects.order_by("seq"))
    if op == "receipt":
        what = _what(data, big=True)
        if "items" in what:
            name = what["items"][0]["name"]
            what["items"][0]["unit_value"] = GOODS[name][1]
        restricted = data.draw(st.booleans(), label="restricted") and bool(incident or purpose)
        df.receipt(
            org,
            by,
            incident=incident,
            purpose=purpose,
            restricted=restricted,
            **({"items": what["items"]} if "items" in what else {"amount": str(what["amount"])}),
        )
    elif op == "allocate":
        j = (i + data.draw(st.integers(1, len(world.orgs) - 1), label="to")) % len(world.orgs)
        services.allocate(
            organization=org,
            by=by,
            to_organization=world.orgs[j],
            incident=incident,
            purpose=purpose,
            **(what or _what(data)),
        )
    elif op == "disburse":
        services.disburse(
            organization=org,
            by=by,
            incident=incident,
            purpose=purpose or "救灾",
            beneficiaries=data.draw(st.integers(0, 50), label="people"),
            **(what or _what(data)),
        )
    elif op == "acknowledge":
        pending = list(
            LedgerEntry.objects.filter(kind="allocation")
            .exclude(followers__kind__in=["acknowledgement", "reversal"])
            .select_related("counterparty")
            .order_by("seq")
        )
        if not pending:
            return
        allocation = data.draw(st.sampled_from(pending), label="allocation")
        receiver = world.orgs.index(allocation.counterparty)
        sent: dict = {}
        for s in allocation.sources.select_related("lot"):
            sent[s.lot.item] = sent.get(s.lot.item, Decimal(0)) + s.quantity
        share = Decimal(data.draw(st.sampled_from([100, 75, 50, 1]), label="%")) / 100
        arrived = {k: (v * share).quantize(Decimal("0.001")) for k, v in sent.items()}
        if "" in arrived:
            arrived[""] = arrived[""].quantize(Decimal("0.01"))
        if any(v <= 0 for v in arrived.values()):
            return
        (item, quantity), *_ = arrived.items()  # an allocation is money or goods
        services.acknowledge(
            allocation=allocation,
            by=world.writers[receiver],
            amount=None if item else quantity,
            items=[{"name": item, "unit": GOODS[item][0], "quantity": quantity}] if item else None,
        )
    elif op == "reverse":
        candidates = [e for e in entries if e.kind in ("receipt", "allocation", "disbursement")]
        if not candidates:
            return
        entry = data.draw(st.sampled_from(candidates), label="entry")
        services.reverse(
            entry=entry, by=world.writers[world.orgs.index(entry.holder)], reason="录入错误"
        )
    elif op == "change_use":
        candidates = [e for e in entries if e.kind in ("receipt", "acknowledgement")]
        if not candidates:
            return
        entry = data.draw(st.sampled_from(candidates), label="entry")
        services.change_use(
            entry=entry,
            by=world.writers[world.orgs.index(entry.holder)],
            incident=incident,
            purpose=purpose,
            filing_reference="川民备〔2026〕1号",
            donor_consent=True,
        )
    elif op == "resolve":
        open_ = queries.open_shortfalls()
        if not open_:
            return
        found = data.draw(st.sampled_from(open_), label="shortfall")
        allocation = found["allocation"]
        outcome = data.draw(st.sampled_from(["recovered", "written_off", "replaced"]), label="how")
        side = allocation.counterparty if outcome == "replaced" else allocation.holder
        line = found["lines"][0]
        part = {}
        if data.draw(st.booleans(), label="part?") and line["quantity"] > 1:
            half = (line["quantity"] / 2).quantize(Decimal("0.001"))
            if line["item"]:
                part = {"items": [{"name": line["item"], "unit": line["unit"], "quantity": half}]}
            else:
                part = {"amount": half.quantize(Decimal("0.01"))}
        services.resolve_shortfall(
            allocation=allocation,
            by=world.writers[world.orgs.index(side)],
            outcome=outcome,
            reason="运输损毁",
            **part,
        )


def _figures(exact: dict) -> dict:
    return {
        name: exact.get((name, True), Decimal(0)) + exact.get((name, False), Decimal(0))
        for name in balances.FIGURES
    }


def _check(world: World) -> None:
    books = balances.books()
    scopes = [{}]
    scopes += [{"organization_id": o.pk} for o in world.orgs]
    scopes += [{"incident_id": i} for i in [None, *(x.pk for x in world.incidents)]]
    scopes += [
        {"organization_id": o.pk, "incident_id": i}
        for o in world.orgs
        for i in [None, *(x.pk for x in world.incidents)]
    ]
    for scope in scopes:
        f = _figures(books.exact(**scope))
        left = f["received"] - f["passed_on"] - f["used"] - f["written_off"]
        assert left == f["held"] + f["in_transit"], (scope, f)
        assert f["held"] >= 0 and f["in_transit"] >= 0, (scope, f)
    assert not Lot.objects.filter(remaining__lt=0).exists()
    for lot in Lot.objects.all():
        assert 0 <= lot.remaining <= lot.quantity
    for source in EntrySource.objects.filter(
        entry__kind__in=["allocation", "disbursement"]
    ).select_related("lot", "entry"):
        lot, entry = source.lot, source.entry
        if lot.restricted:
            assert balances.compatible(lot, incident_id=entry.incident_id, purpose=entry.purpose)
        if source.chosen_by_service:
            assert lot.incident_id in (None, entry.incident_id), "reached another incident"
    # the public totals equal the books recomputed from the export alone
    empty_cache()
    public = queries.totals()
    from_export = reconcile.export_books(chain.chain_rows())
    assert {k: public["overall"][k] for k in balances.FIGURES} == {
        k: from_export.figures()[k] for k in balances.FIGURES
    }
    for row in public["organizations"]:
        mine = from_export.figures(organization_id=row["organization"])
        assert all(row[k] == mine[k] for k in balances.FIGURES), row
    for row in public["incidents"]:
        mine = from_export.figures(incident_id=row["incident"])
        assert all(row[k] == mine[k] for k in balances.FIGURES), row
    for scope in scopes:  # and so does every cell, organization within incident
        assert books.figures(**scope) == from_export.figures(**scope), scope


@pytest.fixture
def world(db):
    return World()


def test_the_books_always_balance(world):
    @settings(
        max_examples=_examples(),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
        print_blob=True,
    )
    @given(data=st.data())
    def run(data):
        empty_cache()
        with transaction.atomic():
            steps = data.draw(st.integers(min_value=1, max_value=20), label="steps")
            for _ in range(steps):
                try:
                    with transaction.atomic():
                        _step(world, data)
                except REFUSED:
                    pass  # a refused step writes nothing; the books must still balance
                _check(world)
            count, problems = reconcile.verify_all()
            assert problems == [], problems
            transaction.set_rollback(True)
        if PROGRESS:  # a long run says how far it got
            with open(PROGRESS, "a", encoding="utf-8") as out:
                out.write(f"{count} entries, {steps} steps: balanced\n")

    run()
