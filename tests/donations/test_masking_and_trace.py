from decimal import Decimal

import pytest

from donations import services
from donations.donors import donor_display
from tests.donations import factories as df


@pytest.mark.parametrize(
    ("name", "kind", "anonymous", "shown"),
    [
        ("张三", "individual", False, "张*"),
        ("欧阳修", "individual", False, "欧阳*"),
        ("John Smith", "individual", False, "S*"),
        ("某某科技有限公司", "company", False, "某某科技有限公司"),
        ("李四", "individual", True, "匿名"),
        ("", "individual", False, "匿名"),
    ],
)
def test_donor_display_masks_individuals(name, kind, anonymous, shown):
    assert donor_display(name, kind, anonymous) == shown


@pytest.mark.django_db
def test_trace_shows_each_step_and_no_private_field(api, charity, charity_admin, ngo, team_writer):
    gift = df.receipt(
        charity,
        charity_admin,
        "300.00",
        donor_name="王小明",
        donor_phone="13912345678",
        donor_address="成都市锦江区某路1号",
    )
    sent = services.allocate(
        organization=charity, by=charity_admin, to_organization=ngo, amount=Decimal(200)
    )
    services.acknowledge(allocation=sent, by=team_writer, amount=Decimal(200))
    services.disburse(
        organization=ngo,
        by=team_writer,
        amount=Decimal(150),
        purpose="安置点餐食",
        region_code="511826",
        beneficiaries=120,
    )
    response = api().get(f"/api/v1/ledger/trace/{gift.trace_code}/")
    assert response.status_code == 200
    text = response.content.decode()
    for private in ("王小明", "13912345678", "成都市锦江区"):
        assert private not in text
    body = response.json()
    assert body["donor_display"] == "王*"
    assert [s["kind"] for s in body["steps"]] == ["allocation", "acknowledgement", "disbursement"]
    page = api().get("/ledger/trace/", {"code": gift.trace_code})
    assert page.status_code == 200 and "王小明" not in page.content.decode()
    assert "安置点餐食" in page.content.decode()


@pytest.mark.django_db
def test_unknown_trace_code_is_404(api):
    assert api().get("/api/v1/ledger/trace/NOPE-NOPE-NOPE/").status_code == 404
