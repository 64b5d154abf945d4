"""A donor's trace shows their share at each step: exact where the lots are, pro rata where the
gift was pooled with others; found by trace code or by charity + receipt number."""

from decimal import Decimal

import pytest

from donations import services
from tests.coordination.factories import IncidentFactory
from tests.donations import factories as df
from tests.readable import assert_readable_html

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey(charity, charity_admin, ngo, team_writer):
    """王小明 gives ¥300 for the quake; another donor ¥700; the charity sends ¥800 to the team,
    which spends ¥500 on meals for 120 people and ¥100 on water for 30."""
    quake = IncidentFactory(title="芦山地震", region_code="511826")
    mine = df.receipt(
        charity,
        charity_admin,
        "300.00",
        donor_name="王小明",
        donor_phone="13912345678",
        incident=quake,
        receipt_number="SC-2026-0042",
    )
    df.receipt(charity, charity_admin, "700.00", incident=quake, receipt_number="SC-2026-0043")
    sent = services.allocate(
        organization=charity,
        by=charity_admin,
        to_organization=ngo,
        incident=quake,
        amount=Decimal(800),
    )
    services.acknowledge(allocation=sent, by=team_writer, amount=Decimal(800))
    meals = services.disburse(
        organization=ngo,
        by=team_writer,
        amount=Decimal(500),
        purpose="安置点餐食",
        incident=quake,
        region_code="511826",
        beneficiaries=120,
    )
    services.disburse(
        organization=ngo,
        by=team_writer,
        amount=Decimal(100),
        purpose="饮用水",
        incident=quake,
        region_code="511826",
        beneficiaries=30,
    )
    return {"gift": mine, "quake": quake, "meals": meals, "sent": sent}


def test_the_trace_shows_the_donors_share_at_each_step(api, journey):
    gift = journey["gift"]
    body = api().get(f"/api/v1/ledger/trace/{gift.trace_code}/").json()
    steps = body["steps"]
    assert [s["kind"] for s in steps] == ["allocation", "acknowledgement", "disbursement"]
    assert [s["seq"] for s in steps] == sorted(s["seq"] for s in steps)  # chain order
    allocation, signed, meals = steps
    # all of the ¥300 went into the ¥800 allocation and arrived
    assert allocation["amount"] == "800.00" and allocation["share_amount"] == "300.00"
    assert signed["share_amount"] == "300.00"
    # the meals (¥500, 120 people) drew ¥300 from this gift: 60 %, about 72 people
    assert meals["share_amount"] == "300.00"
    assert Decimal(meals["share_fraction"]) == Decimal("0.6")
    assert meals["share_beneficiaries"] == "72.0"
    assert "recorded_at" in meals and meals["reversed"] is False
    assert body["lots"] == []  # nothing of it is left
    assert "王小明" not in str(body) and "13912345678" not in str(body)


def test_lookup_by_charity_and_receipt_number(api, client, journey, charity):
    response = api().get(
        "/api/v1/ledger/trace/", {"organization": charity.pk, "receipt_number": "SC-2026-0042"}
    )
    assert response.status_code == 200
    assert response.json()["trace_code"] == journey["gift"].trace_code
    page = client.get(
        "/ledger/trace/", {"organization": charity.pk, "receipt_number": "SC-2026-0042"}
    )
    html = page.content.decode()
    assert page.status_code == 200 and journey["gift"].trace_code in html
    assert "安置点餐食" in html and "¥300" in html and "60.0%" in html
    assert "四川省 雅安市 芦山县" in html  # the region in words
    assert_readable_html(page.content)


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 400),
        ({"organization": "x", "receipt_number": "SC-2026-0042"}, 400),
        ({"organization": "1" * 30, "receipt_number": "SC-2026-0042"}, 400),
        ({"organization": "{org}"}, 400),
        ({"organization": "{org}", "receipt_number": "X" * 65}, 400),
        ({"organization": "{org}", "receipt_number": "SC-9999"}, 404),
        ({"organization": "{other}", "receipt_number": "SC-2026-0042"}, 404),
    ],
)
def test_lookup_refuses_bad_input_and_hides_nothing_it_should_not(
    api, client, journey, charity, ngo, params, status
):
    params = {
        k: v.format(org=charity.pk, other=ngo.pk) if isinstance(v, str) else v
        for k, v in params.items()
    }
    assert api().get("/api/v1/ledger/trace/", params).status_code == status
    if status == 400 and params:
        page = client.get("/ledger/trace/", params)
        assert page.status_code in (200, 400)
        assert_readable_html(page.content)


def test_page_by_code_in_words_with_both_dates(client, journey):
    gift = journey["gift"]
    page = client.get("/ledger/trace/", {"code": gift.trace_code.lower()})
    html = page.content.decode()
    assert "记账" in html and "发生" in html  # the sentence saying what each date is
    assert "年" in html and "月" in html  # dates as words, not ISO stamps
    assert html.index("将其拨付给") < html.index("签收了") < html.index("安置点餐食")
    assert_readable_html(page.content)
    missing = client.get("/ledger/trace/", {"code": "NOPE-NOPE-NOPE"})
    assert missing.status_code == 200 and "没有找到这笔捐赠" in missing.content.decode()


def test_goods_shares_are_exact_quantities(api, charity, charity_admin, ngo, team_writer, settings):
    settings.TONGZHOU_EVIDENCE_THRESHOLD = 10**9  # evidence rules: test_evidence_rules.py
    quake = IncidentFactory()
    gift = df.receipt(
        charity, charity_admin, items=[df.item("帐篷", "顶", "20", "800.00")], incident=quake
    )
    df.receipt(
        charity, charity_admin, items=[df.item("帐篷", "顶", "30", "800.00")], incident=quake
    )
    services.disburse(
        organization=charity,
        by=charity_admin,
        purpose="安置点",
        incident=quake,
        items=[{"name": "帐篷", "unit": "顶", "quantity": Decimal(25)}],
        beneficiaries=100,
    )
    body = api().get(f"/api/v1/ledger/trace/{gift.trace_code}/").json()
    (used,) = body["steps"]
    assert used["share_lines"] == [
        {"item": "帐篷", "unit": "顶", "quantity": "20.000", "value": "16000.00"}
    ]
    assert used["share_beneficiaries"] == "80.0"
    assert body["lots"] == []


def test_a_reversed_step_is_marked(api, charity, charity_admin):
    gift = df.receipt(charity, charity_admin, "100.00")
    spent = services.disburse(
        organization=charity, by=charity_admin, amount=Decimal(40), purpose="x"
    )
    services.reverse(entry=spent, by=charity_admin, reason="录入错误")
    steps = api().get(f"/api/v1/ledger/trace/{gift.trace_code}/").json()["steps"]
    assert [(s["kind"], s["reversed"]) for s in steps] == [
        ("disbursement", True),
        ("reversal", False),
    ]


@pytest.mark.parametrize("n", [2, 12])
def test_trace_costs_fixed_queries(
    n, api, client, charity, charity_admin, django_assert_max_num_queries
):
    gift = df.receipt(charity, charity_admin, "1000.00")
    for _ in range(n):
        services.disburse(organization=charity, by=charity_admin, amount=Decimal(10), purpose="x")
    with django_assert_max_num_queries(9):
        assert api().get(f"/api/v1/ledger/trace/{gift.trace_code}/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/ledger/trace/", {"code": gift.trace_code}).status_code == 200
