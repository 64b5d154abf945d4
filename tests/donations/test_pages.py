from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from donations import services
from donations.models import DonorDetails, LedgerEntry, Lot
from tests.coordination.factories import IncidentFactory
from tests.donations import factories as df
from tests.registry import factories as rf

pytestmark = pytest.mark.django_db


def test_url_name_of_the_navigation_is_kept():
    assert reverse("donations:ledger") == "/ledger/"


def test_public_ledger_shows_totals_charts_and_masked_donors(client, charity, charity_admin):
    df.receipt(charity, charity_admin, "1200.00", donor_name="张三", donor_phone="13900000001")
    services.disburse(
        organization=charity, by=charity_admin, amount=Decimal(200), purpose="安置点餐食"
    )
    html = client.get("/ledger/").content.decode()
    assert "¥1,200" in html and 'data-chart="chart-flows"' in html
    assert "张*" in html and "张三" not in html and "13900000001" not in html
    assert "安置点餐食" in html


def test_public_ledger_filters_and_pages_by_seq(client, charity, charity_admin, settings):
    quake = IncidentFactory(title="芦山地震测试")
    quaked = [df.receipt(charity, charity_admin, "1.00", incident=quake) for _ in range(3)]
    df.receipt(charity, charity_admin, "1.00", donor_name="李四")
    html = client.get("/ledger/", {"incident": quake.pk}).content.decode()
    assert "李*" not in html and html.count("张*") == 3
    # the cursor is the seq; links address entries by id
    older = client.get("/ledger/", {"before": quaked[1].seq}).content.decode()
    assert f'href="/ledger/entries/{quaked[0].pk}/"' in older
    assert f'href="/ledger/entries/{quaked[2].pk}/"' not in older


def test_stuck_goods_and_shortfall_badges(client, charity, charity_admin, ngo, team_writer):
    df.receipt(
        charity,
        charity_admin,
        items=[df.item("帐篷", "顶", "10", "800")],
        received_at=timezone.now() - timedelta(days=9),
    )
    df.receipt(charity, charity_admin, "100.00")
    sent = services.allocate(
        organization=charity, by=charity_admin, to_organization=ngo, amount=Decimal(100)
    )
    services.acknowledge(allocation=sent, by=team_writer, amount=Decimal(60))
    html = client.get("/ledger/").content.decode()
    assert "badge warn" in html
    entries = {e.seq: e for e in __import__("donations.queries", fromlist=["x"]).public_entries()}
    assert entries[1].goods_stuck and not entries[2].goods_stuck
    assert entries[3].short_signed and entries[4].shortfall


@pytest.mark.parametrize("n", [5, 100])
def test_trace_and_entry_pages_cost_fixed_queries(
    n, client, charity, charity_admin, ngo, django_assert_max_num_queries
):
    gift = df.receipt(charity, charity_admin, "100000.00")
    for _ in range(n):
        last = services.disburse(
            organization=charity, by=charity_admin, amount=Decimal(1), purpose="x"
        )
    # the trace page carries the verify widget; the entry page questions and receipt link
    with django_assert_max_num_queries(10):
        assert client.get("/ledger/trace/", {"code": gift.trace_code}).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(f"/ledger/entries/{last.pk}/").status_code == 200


def test_workspace_is_404_for_outsiders_and_login_for_the_public(client, charity, other_ngo_admin):
    url = f"/ledger/organizations/{charity.pk}/"
    assert client.get(url).status_code == 302
    client.force_login(other_ngo_admin)
    assert client.get(url).status_code == 404


def test_workspace_records_a_receipt_with_several_goods_lines(client, charity, charity_admin):
    client.force_login(charity_admin)
    url = f"/ledger/organizations/{charity.pk}/"
    response = client.post(
        url,
        {
            "form": "receipt",
            "r-donor_name": "王五",
            "r-donor_kind": "individual",
            "r-channel": "in_kind",
            "r-donor_phone": "13800000009",
            "r-items": "帐篷 | 顶 | 10 | 800 | 3x4m\n矿泉水 | 箱 | 50 | 30",
        },
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get()
    assert entry.lines.count() == 2 and entry.goods_value == Decimal("9500.00")
    assert DonorDetails.objects.get(entry=entry).phone == "13800000009"
    html = client.get(url).content.decode()
    assert "帐篷" in html and "矿泉水" in html


def test_workspace_rejects_bad_goods_lines_without_writing(client, charity, charity_admin):
    client.force_login(charity_admin)
    response = client.post(
        f"/ledger/organizations/{charity.pk}/",
        {
            "form": "receipt",
            "r-donor_kind": "individual",
            "r-channel": "in_kind",
            "r-items": "帐篷 | 顶 | many",
        },
    )
    assert response.status_code == 200 and not LedgerEntry.objects.exists()


def _png() -> bytes:
    """A real PNG: evidence images are decoded to strip their metadata (donations.images)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()


def test_workspace_disburses_with_evidence_and_evidence_is_private(
    client, charity, charity_admin, other_ngo_admin
):
    df.receipt(charity, charity_admin, "100.00")
    client.force_login(charity_admin)
    png = SimpleUploadedFile("p.png", _png(), content_type="image/png")
    response = client.post(
        f"/ledger/organizations/{charity.pk}/",
        {
            "form": "disbursement",
            "d-amount": "30.00",
            "d-purpose": "医疗救助",
            "d-region_code": "511826",
            "d-beneficiaries": "12",
            "d-evidence": png,
        },
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(kind="disbursement")
    evidence = entry.evidence.get()
    assert evidence.content_type == "image/png"
    assert client.get(f"/ledger/evidence/{evidence.pk}/").status_code == 200
    client.force_login(other_ngo_admin)
    assert client.get(f"/ledger/evidence/{evidence.pk}/").status_code == 404


def test_overdraft_on_the_page_is_a_message_not_an_error(client, charity, charity_admin):
    df.receipt(charity, charity_admin, "10.00")
    client.force_login(charity_admin)
    response = client.post(
        f"/ledger/organizations/{charity.pk}/",
        {"form": "disbursement", "d-amount": "30.00", "d-purpose": "x"},
        follow=True,
    )
    assert response.status_code == 200
    assert LedgerEntry.objects.filter(kind="disbursement").count() == 0
    assert list(response.context["messages"])


def test_reverse_and_sign_for_through_the_entry_page(
    client, charity, charity_admin, ngo, team_writer
):
    df.receipt(charity, charity_admin, "100.00")
    sent = services.allocate(
        organization=charity, by=charity_admin, to_organization=ngo, amount=Decimal(40)
    )
    client.force_login(team_writer)
    page = client.get(f"/ledger/entries/{sent.pk}/").content.decode()
    assert "acknowledge" in page
    client.post(f"/ledger/entries/{sent.pk}/acknowledge/", {"amount": "40.00"})
    assert Lot.objects.get(holder=ngo).remaining == Decimal(40)
    spent = services.disburse(organization=ngo, by=team_writer, amount=Decimal(10), purpose="x")
    client.post(f"/ledger/entries/{spent.pk}/reverse/", {"reason": "录错"})
    assert LedgerEntry.objects.filter(kind="reversal", related=spent).exists()
    client.force_login(rf.UserFactory())
    client.post(f"/ledger/entries/{sent.pk}/reverse/", {"reason": "x"})
    assert not LedgerEntry.objects.filter(kind="reversal", related=sent).exists()


@pytest.mark.parametrize("n", [5, 100])
def test_workspace_costs_fixed_queries(
    n, client, charity, charity_admin, ngo, team_writer, django_assert_max_num_queries
):
    # given n goods receipts, each allocated to the team and waiting to be signed for
    for i in range(n):
        df.receipt(charity, charity_admin, items=[df.item(f"物资{i}", quantity="10")])
        services.allocate(
            organization=charity,
            by=charity_admin,
            to_organization=ngo,
            items=[{"name": f"物资{i}", "unit": "箱", "quantity": Decimal(1)}],
        )
    # then both workspaces cost the same number of queries whatever n is
    client.force_login(charity_admin)
    with django_assert_max_num_queries(20):
        assert client.get(f"/ledger/organizations/{charity.pk}/").status_code == 200
    client.force_login(team_writer)
    with django_assert_max_num_queries(20):
        page = client.get(f"/ledger/organizations/{ngo.pk}/")
    assert page.content.decode().count("/ledger/entries/") >= n


def test_the_workspace_marks_evidence_not_to_publish(client, charity, charity_admin):
    df.receipt(charity, charity_admin, "100.00")
    client.force_login(charity_admin)
    public = SimpleUploadedFile("发放现场.png", _png(), content_type="image/png")
    private = SimpleUploadedFile("身份证.png", _png(), content_type="image/png")
    response = client.post(
        f"/ledger/organizations/{charity.pk}/",
        {
            "form": "disbursement",
            "d-amount": "30.00",
            "d-purpose": "医疗救助",
            "d-evidence": public,
            "d-private_evidence": private,
        },
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(kind="disbursement")
    shown = entry.evidence.get(original_name="发放现场.png")
    hidden = entry.evidence.get(original_name="身份证.png")
    assert not shown.private and hidden.private
    client.logout()
    assert client.get(f"/ledger/evidence/{shown.pk}/public/").status_code == 200
    assert client.get(f"/ledger/evidence/{hidden.pk}/public/").status_code == 404
