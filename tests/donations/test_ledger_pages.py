"""The ledger pages read like a product: charts with every purpose, region and organization,
entries in chain order with both dates, goods as rows, the sign-for form prefilled."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from donations import services
from donations.models import LedgerEntry, Lot
from tests.coordination.factories import IncidentFactory
from tests.donations import factories as df
from tests.readable import assert_readable_html

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    """A real PNG: evidence images are decoded to strip their metadata (donations.images)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()


PNG = _png()


def chart(html: str, chart_id: str) -> dict:
    """The ECharts option the page hands to tz-charts.js (json_script)."""
    match = re.search(
        rf'<script id="{chart_id}" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, f"no option for {chart_id}"
    return json.loads(match.group(1))


def goods_rows(prefix: str, rows: list[dict], extra: int = 0) -> dict:
    """The formset fields a browser sends for goods rows (and ``extra`` empty rows)."""
    data = {
        f"{prefix}-goods-TOTAL_FORMS": str(len(rows) + extra),
        f"{prefix}-goods-INITIAL_FORMS": "0",
        f"{prefix}-goods-MIN_NUM_FORMS": "0",
        f"{prefix}-goods-MAX_NUM_FORMS": "200",
    }
    for i, row in enumerate(rows + [{}] * extra):
        for name in ("name", "spec", "unit", "quantity", "unit_value"):
            data[f"{prefix}-goods-{i}-{name}"] = row.get(name, "")
    return data


# --- the public ledger ------------------------------------------------------------------------


def test_charts_show_every_purpose_region_and_organization(client, charity, charity_admin, ngo):
    # given ten purposes in nine counties, spent by two organizations
    team_admin = df.writer(ngo)
    df.receipt(charity, charity_admin, "90000.00")
    df.receipt(ngo, team_admin, "5000.00")
    counties = ["511802", "511803", "511822", "511823", "511824", "511825", "511826", "511827"]
    purposes = [f"用途{i}" for i in range(10)]
    for i, purpose in enumerate(purposes):
        services.disburse(
            organization=charity,
            by=charity_admin,
            amount=Decimal(100 + i),
            purpose=purpose,
            region_code=counties[i % len(counties)],
        )
    services.disburse(organization=ngo, by=team_admin, amount=Decimal(7), purpose="饮用水")
    html = client.get("/ledger/").content.decode()
    # then every one of them is in its chart, not the top three or eight
    by_purpose = chart(html, "chart-purposes")
    assert set(purposes + ["饮用水"]) == set(by_purpose["yAxis"]["data"])
    by_region = chart(html, "chart-regions")
    assert "四川省 雅安市 芦山县" in by_region["yAxis"]["data"]
    assert len(by_region["yAxis"]["data"]) == len(counties) + 1  # + "no region given"
    by_org = chart(html, "chart-organizations")
    assert by_org["yAxis"]["data"] == [charity.name, ngo.name]
    assert by_org["series"][0]["data"] == [float(sum(100 + i for i in range(10))), 7.0]
    # and the numbers read without JavaScript, in yuan with separators
    assert "¥1,045" in html and "<details" in html
    assert_readable_html(html)


def test_flow_chart_has_dates_and_both_directions(client, charity, charity_admin):
    df.receipt(charity, charity_admin, "1200.00", received_at=timezone.now() - timedelta(days=3))
    services.disburse(
        organization=charity, by=charity_admin, amount=Decimal(200), purpose="安置点餐食"
    )
    html = client.get("/ledger/").content.decode()
    flows = chart(html, "chart-flows")
    assert flows["tzMoney"] is True and flows["yAxis"]["type"] == "value"
    # every day from the first movement to today is on the axis, quiet days at zero
    assert len(flows["xAxis"]["data"]) == 4 and "年" in flows["xAxis"]["data"][0]
    received, disbursed = flows["series"]
    assert (received["name"], disbursed["name"]) == ("接收", "使用")
    assert received["data"] == [1200.0, 0.0, 0.0, 0.0]
    assert disbursed["data"] == [0.0, 0.0, 0.0, 200.0]
    assert html.count("¥1,200") >= 2  # the table lists the two days with a movement
    assert "static/vendor/echarts/echarts.min.js" in html and "static/js/tz-charts.js" in html


def test_goods_not_passed_on_are_counted_by_age(client, charity, charity_admin, ngo, team_writer):
    now = timezone.now()
    for days, value in ((2, "10"), (10, "20"), (45, "30"), (120, "40")):
        df.receipt(
            charity,
            charity_admin,
            items=[df.item(f"物资{days}", quantity="1", unit_value=value)],
            received_at=now - timedelta(days=days),
        )
    # goods passed on and signed for count at the receiver, from the day they arrived
    sent = services.allocate(
        organization=charity,
        by=charity_admin,
        to_organization=ngo,
        items=[{"name": "物资120", "unit": "箱", "quantity": Decimal(1)}],
    )
    services.acknowledge(
        allocation=sent,
        by=team_writer,
        items=[{"name": "物资120", "unit": "箱", "quantity": Decimal(1)}],
    )
    df.receipt(charity, charity_admin, "999.00")  # money is not goods
    held = chart(client.get("/ledger/").content.decode(), "chart-held")
    assert held["xAxis"]["data"] == ["0–7 天", "8–30 天", "31–90 天", "90 天以上"]
    assert [bar["value"] for bar in held["series"][0]["data"]] == [50.0, 20.0, 30.0, 0.0]


def test_entries_are_in_chain_order_with_both_dates_explained(client, charity, charity_admin):
    first = df.receipt(charity, charity_admin, "10.00")
    late = df.receipt(
        charity, charity_admin, "20.00", received_at=timezone.now() - timedelta(days=40)
    )
    html = client.get("/ledger/").content.decode()
    assert html.index(f'href="/ledger/entries/{late.pk}/"') < html.index(
        f'href="/ledger/entries/{first.pk}/"'
    )
    assert "发生时间" in html and "记录时间" in html and "链上顺序" in html
    occurred = timezone.localtime(late.occurred_at)
    assert f"{occurred.year}年{occurred.month}月{occurred.day}日" in html
    assert 'data-label="发生时间"' in html  # the phone cards label every cell
    assert "个人" in html and "¥20" in html  # donor kind translated, money formatted
    assert_readable_html(html)


@pytest.mark.parametrize("n", [5, 60])
def test_ledger_page_costs_fixed_queries(
    n, client, charity, charity_admin, ngo, django_assert_max_num_queries
):
    quake = IncidentFactory(title="芦山地震")
    df.receipt(charity, charity_admin, "100000.00", incident=quake)
    for i in range(n):
        df.receipt(charity, charity_admin, items=[df.item(f"物资{i}", quantity="3")])
        services.disburse(
            organization=charity,
            by=charity_admin,
            amount=Decimal(1),
            purpose=f"用途{i}",
            region_code="511826",
            incident=quake,
        )
    # 18 for the ledger itself, +2 for the public-supervision flags panel, +1 open shortfalls.
    with django_assert_max_num_queries(21):
        response = client.get("/ledger/")
    assert response.status_code == 200
    with django_assert_max_num_queries(21):
        assert client.get("/ledger/", {"incident": quake.pk}).status_code == 200


# --- the entry page ---------------------------------------------------------------------------


def test_entry_page_shows_both_dates_hash_copy_and_readable_values(client, charity, charity_admin):
    df.receipt(charity, charity_admin, "100.00")
    spent = services.disburse(
        organization=charity,
        by=charity_admin,
        amount=Decimal("12.5"),
        purpose="医疗救助",
        region_code="511826",
        beneficiaries=1200,
    )
    html = client.get(f"/ledger/entries/{spent.pk}/").content.decode()
    assert "发生时间" in html and "记录时间" in html
    assert "四川省 雅安市 芦山县" in html and "¥12.50" in html and "1,200" in html
    assert f'data-copy="{spent.hash}"' in html and spent.prev_hash in html
    assert_readable_html(html)


@pytest.mark.parametrize("n", [5, 60])
def test_entry_page_costs_fixed_queries(
    n, client, charity, charity_admin, django_assert_max_num_queries
):
    gift = df.receipt(charity, charity_admin, items=[df.item(f"物资{i}") for i in range(n)])
    client.force_login(charity_admin)
    with django_assert_max_num_queries(15):
        assert client.get(f"/ledger/entries/{gift.pk}/").status_code == 200


def test_image_evidence_shows_as_thumbnails_to_the_holder_only(
    client, charity, charity_admin, other_ngo_admin
):
    df.receipt(charity, charity_admin, "100.00")
    client.force_login(charity_admin)
    photos = [
        SimpleUploadedFile("发放1.png", PNG, content_type="image/png"),
        SimpleUploadedFile("发放2.png", PNG, content_type="image/png"),
    ]
    response = client.post(
        f"/ledger/organizations/{charity.pk}/",
        {"form": "disbursement", "d-amount": "30", "d-purpose": "饮用水", "d-evidence": photos},
    )
    assert response.status_code == 302
    spent = LedgerEntry.objects.get(kind="disbursement")
    assert spent.evidence.count() == 2
    html = client.get(f"/ledger/entries/{spent.pk}/").content.decode()
    assert html.count('<img class="thumb"') == 2
    for viewer in (other_ngo_admin, None):
        client.logout()
        if viewer:
            client.force_login(viewer)
        assert (
            '<img class="thumb"' not in client.get(f"/ledger/entries/{spent.pk}/").content.decode()
        )


# --- the workspace forms ----------------------------------------------------------------------


def test_receipt_goods_rows_accept_chinese_digits_and_separators(client, charity, charity_admin):
    client.force_login(charity_admin)
    url = f"/ledger/organizations/{charity.pk}/"
    body = {
        "form": "receipt",
        "r-donor_name": "王五",
        "r-donor_kind": "company",
        "r-channel": "in_kind",
        **goods_rows(
            "r",
            [
                {
                    "name": "帐篷",
                    "spec": "3×4米",
                    "unit": "顶",
                    "quantity": "１０",
                    "unit_value": "８００",
                },
                {"name": "矿泉水", "unit": "箱", "quantity": "1，200", "unit_value": "30。5"},
            ],
            extra=2,
        ),
        "r-items": "棉被、床、50、120",
    }
    assert client.post(url, body).status_code == 302
    entry = LedgerEntry.objects.get()
    lines = {line.name: line for line in entry.lines.all()}
    assert lines["帐篷"].quantity == 10 and lines["帐篷"].spec == "3×4米"
    assert lines["矿泉水"].quantity == 1200 and lines["矿泉水"].unit_value == Decimal("30.50")
    assert lines["棉被"].quantity == 50
    assert entry.goods_value == Decimal("8000") + Decimal("36600") + Decimal("6000")


def test_full_width_amount_is_accepted(client, charity, charity_admin):
    client.force_login(charity_admin)
    body = {"form": "receipt", "r-donor_kind": "individual", "r-channel": "cash"}
    body |= {"r-amount": "１，２００．５０", **goods_rows("r", [], extra=3)}
    assert client.post(f"/ledger/organizations/{charity.pk}/", body).status_code == 302
    assert LedgerEntry.objects.get().amount == Decimal("1200.50")


def test_every_error_is_shown_at_once_field_by_field(client, charity, charity_admin):
    client.force_login(charity_admin)
    body = {
        "form": "receipt",
        "r-channel": "not-a-channel",
        **goods_rows(
            "r",
            [
                {"name": "帐篷", "quantity": "很多"},  # no unit, quantity not a number
                {"unit": "箱", "quantity": "5"},  # no name
                {"name": "药品", "unit": "盒", "quantity": "٣"},  # Arabic-Indic digit
            ],
        ),
    }
    response = client.post(f"/ledger/organizations/{charity.pk}/", body)
    assert response.status_code == 200 and not LedgerEntry.objects.exists()
    form = response.context["receipt_form"]
    assert {"donor_kind", "channel"} <= set(form.errors)
    assert [sorted(row.errors) for row in form.goods.forms] == [
        ["quantity", "unit"],
        ["name"],
        ["quantity"],
    ]
    html = response.content.decode()
    assert html.count('class="errorlist') >= 6 and "请修改下面标出的各项" in html
    assert "帐篷" in html  # what was typed is kept
    assert_readable_html(html)


@pytest.mark.parametrize("total", ["abc", "-1", "100000"])
def test_tampered_goods_rows_are_a_form_error_not_a_crash(client, charity, charity_admin, total):
    client.force_login(charity_admin)
    body = {"form": "receipt", "r-donor_kind": "individual", "r-channel": "cash"}
    body |= {**goods_rows("r", [{"name": "帐篷", "unit": "顶", "quantity": "1"}])}
    body["r-goods-TOTAL_FORMS"] = total
    response = client.post(f"/ledger/organizations/{charity.pk}/", body)
    assert response.status_code == 200 and not LedgerEntry.objects.exists()
    form = response.context["receipt_form"]
    assert form.goods.non_form_errors() or form.non_field_errors()


def test_a_form_with_neither_amount_nor_goods_says_so(client, charity, charity_admin):
    client.force_login(charity_admin)
    body = {"form": "allocation", "a-to_organization": "", **goods_rows("a", [], extra=3)}
    response = client.post(f"/ledger/organizations/{charity.pk}/", body)
    assert response.status_code == 200
    assert "to_organization" in response.context["allocation_form"].errors
    assert response.context["allocation_form"].non_field_errors()


@pytest.mark.parametrize(
    ("typed", "saved"),
    [("芦山县", "511826"), ("雅安市 芦山县", "511826"), ("５１１８２６", "511826"), ("", "")],
)
def test_disbursement_region_is_typed_as_a_name_or_code(
    client, charity, charity_admin, typed, saved
):
    df.receipt(charity, charity_admin, "100.00")
    client.force_login(charity_admin)
    body = {"form": "disbursement", "d-amount": "5", "d-purpose": "饮用水", "d-region_code": typed}
    assert client.post(f"/ledger/organizations/{charity.pk}/", body).status_code == 302
    assert LedgerEntry.objects.get(kind="disbursement").region_code == saved


@pytest.mark.parametrize(
    ("typed", "says"),
    [("朝阳区", "北京市 朝阳区、吉林省 长春市 朝阳区"), ("火星县", "火星县"), ("999999", "代码")],
)
def test_an_unknown_or_shared_region_name_is_a_field_error(
    client, charity, charity_admin, typed, says
):
    df.receipt(charity, charity_admin, "100.00")
    client.force_login(charity_admin)
    body = {"form": "disbursement", "d-amount": "5", "d-purpose": "饮用水", "d-region_code": typed}
    response = client.post(f"/ledger/organizations/{charity.pk}/", body)
    assert response.status_code == 200 and not LedgerEntry.objects.filter(kind="disbursement")
    errors = response.context["disbursement_form"].errors["region_code"]
    assert says in errors[0]


def test_workspace_offers_goods_rows_that_work_without_javascript(client, charity, charity_admin):
    client.force_login(charity_admin)
    html = client.get(f"/ledger/organizations/{charity.pk}/").content.decode()
    assert 'name="r-goods-TOTAL_FORMS" value="3"' in html
    assert 'name="r-goods-2-quantity"' in html and "data-add-row" in html
    assert 'name="r-goods-0-unit_value"' in html and 'name="r-goods-0-spec"' in html
    # goods passed on or handed out take their value from the lots drawn: not asked again
    assert 'name="a-goods-0-quantity"' in html and 'name="a-goods-0-unit_value"' not in html
    assert 'name="d-goods-0-name"' in html and 'name="d-goods-0-spec"' not in html
    assert "data-photo-input" in html and "photo-input.js" in html and "goods-lines.js" in html
    assert_readable_html(html)


# --- signing for ------------------------------------------------------------------------------


@pytest.fixture
def goods_sent(charity, charity_admin, ngo):
    df.receipt(
        charity,
        charity_admin,
        items=[df.item("帐篷", "顶", "10", "800"), df.item("矿泉水", "箱", "50", "30")],
    )
    return services.allocate(
        organization=charity,
        by=charity_admin,
        to_organization=ngo,
        items=[
            {"name": "帐篷", "unit": "顶", "quantity": Decimal(10)},
            {"name": "矿泉水", "unit": "箱", "quantity": Decimal(50)},
        ],
    )


def test_sign_for_form_is_prefilled_with_what_was_sent(client, goods_sent, team_writer):
    client.force_login(team_writer)
    html = client.get(f"/ledger/entries/{goods_sent.pk}/").content.decode()
    assert re.search(r'name="line-0" value="10"', html) and re.search(
        r'name="line-1" value="50"', html
    )
    assert "发出：10 顶" in html and "发出：50 箱" in html
    assert_readable_html(html)


def test_signing_for_everything_needs_no_reason(client, goods_sent, team_writer, ngo):
    client.force_login(team_writer)
    body = {"line-0": "10", "line-1": "50", "reason": ""}
    response = client.post(f"/ledger/entries/{goods_sent.pk}/acknowledge/", body)
    assert response.status_code == 302
    signed = LedgerEntry.objects.get(kind="acknowledgement")
    assert not signed.shortfall and signed.reason == ""


def test_a_shortfall_needs_a_reason_which_is_published(client, goods_sent, team_writer, ngo):
    client.force_login(team_writer)
    url = f"/ledger/entries/{goods_sent.pk}/acknowledge/"
    response = client.post(url, {"line-0": "10", "line-1": "４８", "reason": " "})
    assert response.status_code == 200 and not LedgerEntry.objects.filter(kind="acknowledgement")
    assert "请说明实收少于发出的原因" in response.content.decode()
    assert response.context["sign_form"]["line-1"].value() == "４８"  # what was typed is kept

    client.post(url, {"line-0": "10", "line-1": "48", "reason": "运输途中破损两箱"})
    signed = LedgerEntry.objects.get(kind="acknowledgement")
    assert signed.shortfall and signed.reason == "运输途中破损两箱"
    water = Lot.objects.get(holder=ngo, item="矿泉水")
    assert water.quantity == 48
    html = client.get(f"/ledger/entries/{signed.pk}/").content.decode()
    assert "运输途中破损两箱" in html and "badge warn" in html
    assert f"{goods_sent.holder.name} → {ngo.name}" in html  # from the sender to the team


def test_more_than_sent_or_nothing_at_all_is_a_field_error(client, goods_sent, team_writer):
    client.force_login(team_writer)
    url = f"/ledger/entries/{goods_sent.pk}/acknowledge/"
    response = client.post(url, {"line-0": "11", "line-1": "abc", "reason": "x"})
    assert set(response.context["sign_form"].errors) == {"line-0", "line-1"}
    response = client.post(url, {"line-0": "0", "line-1": "0", "reason": "全部丢失"})
    assert response.context["sign_form"].non_field_errors()
    assert not LedgerEntry.objects.filter(kind="acknowledgement").exists()


def test_only_the_receiver_signs_and_only_once(
    client, goods_sent, team_writer, charity_admin, other_ngo_admin
):
    url = f"/ledger/entries/{goods_sent.pk}/acknowledge/"
    body = {"line-0": "10", "line-1": "50"}
    for outsider in (charity_admin, other_ngo_admin):
        client.force_login(outsider)
        assert "sign-for" not in client.get(f"/ledger/entries/{goods_sent.pk}/").content.decode()
        client.post(url, body)
    assert not LedgerEntry.objects.filter(kind="acknowledgement").exists()
    client.force_login(team_writer)
    client.post(url, body)
    response = client.post(url, body, follow=True)
    assert LedgerEntry.objects.filter(kind="acknowledgement").count() == 1
    assert list(response.context["messages"])
    assert 'data-action="acknowledge"' not in response.content.decode()


def test_signing_for_what_is_not_an_allocation_or_an_unknown_action_is_404(
    client, charity, charity_admin, team_writer
):
    gift = df.receipt(charity, charity_admin, "100.00")
    client.force_login(team_writer)
    assert (
        client.post(f"/ledger/entries/{gift.pk}/acknowledge/", {"amount": "1"}).status_code == 404
    )
    assert client.post(f"/ledger/entries/{gift.pk}/approve/").status_code == 404
    assert client.post("/ledger/entries/999/acknowledge/", {"amount": "1"}).status_code == 404
    assert client.get(f"/ledger/entries/{gift.pk}/acknowledge/").status_code == 302


def test_money_sign_for_is_prefilled_and_a_reason_goes_through_the_api(
    client, api, charity, charity_admin, ngo, team_writer
):
    df.receipt(charity, charity_admin, "500.00")
    sent = services.allocate(
        organization=charity, by=charity_admin, to_organization=ngo, amount=Decimal(300)
    )
    client.force_login(team_writer)
    html = client.get(f"/ledger/entries/{sent.pk}/").content.decode()
    assert 'name="amount" value="300.00"' in html and "发出：¥300" in html
    response = api(team_writer).post(
        f"/api/v1/ledger/allocations/{sent.pk}/acknowledge/",
        {"amount": "250.00", "reason": "银行手续费"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert LedgerEntry.objects.get(kind="acknowledgement").reason == "银行手续费"


@pytest.mark.parametrize("n", [5, 60])
def test_workspace_costs_fixed_queries_with_goods_rows(
    n, client, charity, charity_admin, django_assert_max_num_queries
):
    for i in range(n):
        df.receipt(charity, charity_admin, items=[df.item(f"物资{i}")])
    client.force_login(charity_admin)
    # the goods rows, the receivers panel, the open shortfalls and whether it has campaigns
    with django_assert_max_num_queries(16):
        html = client.get(f"/ledger/organizations/{charity.pk}/").content.decode()
    assert html.count('<option value="物资') == n  # every item held is offered on the rows


def test_the_pages_read_in_english_too(client, charity, charity_admin, ngo):
    df.receipt(charity, charity_admin, items=[df.item("帐篷", "顶", "3", "800")])
    sent = services.allocate(
        organization=charity,
        by=charity_admin,
        to_organization=ngo,
        items=[{"name": "帐篷", "unit": "顶", "quantity": Decimal(2)}],
    )
    client.cookies["django_language"] = "en"
    html = client.get("/ledger/").content.decode()
    assert "Received and disbursed over time" in html and "Occurred" in html
    assert chart(html, "chart-held")["xAxis"]["data"][0] == "0–7 days"
    client.force_login(df.writer(ngo))
    client.cookies["django_language"] = "en"
    html = client.get(f"/ledger/entries/{sent.pk}/").content.decode()
    assert "Sign for what arrived" in html and "Sent: 2 顶" in html


# --- public fundraising campaigns (公开募捐) -----------------------------------------------------


def test_a_receipt_recorded_for_a_campaign_on_the_page_is_bound_to_it(
    client, charity, charity_admin, ngo
):
    from donations.models import Campaign

    client.force_login(charity_admin)
    page = client.get(f"/ledger/organizations/{charity.pk}/").content.decode()
    assert 'name="r-campaign"' not in page  # no campaign filed: no field
    quake = IncidentFactory(title="宝兴泥石流", region_code="511827")
    campaign = Campaign.objects.create(
        organization=charity,
        title="宝兴泥石流救灾",
        record_number="53100000MJ0000001A2026",
        incident=quake,
    )
    Campaign.objects.create(organization=ngo, title="别家的募捐", record_number="X-1")
    page = client.get(f"/ledger/organizations/{charity.pk}/").content.decode()
    assert 'name="r-campaign"' in page and "宝兴泥石流救灾" in page and "别家的募捐" not in page
    body = {"form": "receipt", "r-donor_kind": "individual", "r-channel": "cash"}
    body |= {"r-amount": "500", "r-purpose": "随便用", "r-campaign": str(campaign.pk)}
    body |= goods_rows("r", [], extra=3)
    assert client.post(f"/ledger/organizations/{charity.pk}/", body).status_code == 302
    gift = LedgerEntry.objects.get(kind="receipt")
    assert gift.restricted and gift.incident_id == quake.pk and gift.purpose == campaign.label
    other = Campaign.objects.get(organization=ngo)
    body["r-campaign"] = str(other.pk)  # another organization's campaign is not a choice
    response = client.post(f"/ledger/organizations/{charity.pk}/", body)
    assert response.status_code == 200 and LedgerEntry.objects.filter(kind="receipt").count() == 1
