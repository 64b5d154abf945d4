"""A donor's journey in the browser (zh-Hans): a charity records a receipt with the donor's
phone and consent, sees the printable receipt with the trace code and its QR code (also on a
phone); then, with no account, the donor traces the donation by its code and has the browser
verify the ledger (Web Crypto SHA-256 over the real export, format 1 and format 2 entries);
a tampered export, served by the test, makes the same check fail where the change is.

Tracing by receipt number is not in this journey: the trace page on this branch accepts only
``?code=`` (the receipt-number form belongs to the trace page's owner)."""

import json
from decimal import Decimal

import pytest

from alerts.models import Delivery
from donations import chain, services
from donations.models import LedgerEntry
from tests.donations import factories as df
from tests.readable import assert_no_horizontal_scroll, assert_reads_like_product
from tests.registry import factories as rf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOGIN_BUTTON = "form:has(input[name=password]) [type=submit]"
ODD_TEXT = '饮用水\t安置点\u2028第一批 "加急" \\ 🚑 / \x7f \x01'


@pytest.fixture
def ledger(monkeypatch, settings):
    """A real chain: format-1 entries (handler in the clear, an acknowledgement without sources,
    text that needs JSON escaping) followed by format-2 entries (commitments), as an upgraded
    ledger has them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TONGZHOU_SMS_BACKEND = "console"
    charity = df.foundation(name="四川同舟公益基金会")
    admin = df.writer(charity)
    team = rf.OrganizationFactory(name="芦山县应急救援队", region_code="511826")
    team_writer = df.writer(team)
    monkeypatch.setattr(chain, "FORMAT", 1)
    water = df.receipt(
        charity,
        admin,
        items=[df.item("矿泉水", "箱", "120", "30.00", spec='500ml "纯净" 24瓶/箱')],
        handler="李经手",
        purpose=ODD_TEXT,
    )
    sent = services.allocate(
        organization=charity,
        by=admin,
        to_organization=team,
        items=[{"name": "矿泉水", "unit": "箱", "quantity": Decimal(50)}],
    )
    services.acknowledge(
        allocation=sent,
        by=team_writer,
        items=[{"name": "矿泉水", "unit": "箱", "quantity": Decimal("45.5")}],
    )
    monkeypatch.setattr(chain, "FORMAT", 2)
    df.receipt(charity, admin, "2000.00", donor_phone="13900000009", donor_address="成都市")
    services.disburse(
        organization=charity,
        by=admin,
        amount=Decimal("300.50"),
        purpose="安置点餐食",
        region_code="511826",
        beneficiaries=12,
    )
    return {"charity": charity, "admin": admin, "water": water}


def log_in(page, user, next_path):
    page.goto(f"{page.base_url}/accounts/login/?next={next_path}")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "correct-horse-battery")
    page.click(LOGIN_BUTTON)


def verify_in_page(page) -> str:
    page.click("[data-verify-start]")
    page.wait_for_selector("[data-verify][data-result]")
    return page.inner_text("[data-verify-status]")


def test_a_donor_gets_a_trace_code_and_verifies_the_ledger_in_the_browser(
    browser_page, ledger, screenshot
):
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    charity = ledger["charity"]

    # The charity records the receipt, with the donor's phone and consent.
    log_in(page, ledger["admin"], f"/ledger/organizations/{charity.pk}/")
    page.click("#receipt summary")  # the workspace's forms fold open
    page.fill("#id_r-donor_name", "王小明")
    page.select_option("#id_r-donor_kind", "individual")
    page.fill("#id_r-donor_phone", "139 0000 0001")
    page.select_option("#id_r-channel", "bank_transfer")
    page.fill("#id_r-amount", "8500")
    page.fill("#id_r-receipt_number", "SC-2026-0042")
    page.check("input[name=r-notify_sms]")
    page.check("input[name=r-notify_consent]")
    page.click("form:has(input[name=form][value=receipt]) [type=submit]")

    # ... and lands on the printable receipt.
    page.wait_for_selector("[data-testid=receipt]")
    entry = LedgerEntry.objects.get(receipt_number="SC-2026-0042")
    assert page.inner_text("[data-testid=trace-code]") == entry.trace_code
    assert page.is_visible("svg.qr")
    text = page.inner_text("main")
    assert "¥8,500" in text and "王小明" in text and "四川同舟公益基金会" in text
    assert "追溯码正通过短信发送给捐赠人" in text
    delivery = Delivery.objects.get(channel="sms")
    assert delivery.address == "13900000001" and delivery.status == Delivery.Status.SENT
    assert_reads_like_product(page)
    screenshot(page, "donor-receipt")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.is_visible("[data-testid=trace-code]")
    assert_no_horizontal_scroll(page)
    screenshot(page, "donor-receipt-phone")
    page.emulate_media(media="print")  # the printed receipt: no navigation, no buttons
    assert page.is_visible("svg.qr") and page.is_visible("[data-testid=trace-code]")
    assert not page.is_visible("header.topbar") and not page.is_visible("[data-print]")
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The donor, with no account, traces the donation by its code ...
    page.context.clear_cookies()
    page.goto(f"{page.base_url}/ledger/trace/")
    page.fill("#code", entry.trace_code.lower())
    page.click("form:has(#code) [type=submit]")
    page.wait_for_selector("text=王*")
    assert "王小明" not in page.inner_text("main")

    # ... or by the charity and the number printed on their 捐赠票据 ...
    page.goto(f"{page.base_url}/ledger/trace/")
    page.select_option("#organization", str(charity.pk))
    page.fill("#receipt_number", "SC-2026-0042")
    page.click("form:has(#receipt_number) [type=submit]")
    page.wait_for_selector("text=王*")
    assert entry.trace_code in page.inner_text("main")

    # ... and has the browser check the whole ledger and their own entry.
    assert verify_in_page(page) == "核验通过：6 条记录，链头一致。"
    mine = page.inner_text("[data-verify-mine]")
    assert f"第 6 条记录是追溯码为 {entry.trace_code} 的收据：内容与哈希一致" in mine
    assert_reads_like_product(page)
    screenshot(page, "donor-trace-verified")

    # The donor's receipt is reachable with the code alone, without the donor's name.
    page.goto(f"{page.base_url}/ledger/receipts/{entry.trace_code}/")
    assert "王*" in page.inner_text("[data-testid=donor]")
    assert not page.is_visible("[data-testid=notices]")
    assert_reads_like_product(page)
    screenshot(page, "donor-receipt-public")


def tamper(page, change):
    """Serve the real export with ``change(rows)`` applied, as a compromised server would."""

    def handle(route):
        original = route.fetch()
        rows = [json.loads(line) for line in original.text().split("\n") if line]
        body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in change(rows))
        route.fulfill(response=original, body=body.encode("utf-8"))

    page.route("**/api/v1/ledger/export.jsonl", handle)


def test_a_changed_entry_in_the_export_fails_the_check_where_it_was_changed(
    browser_page, ledger, screenshot
):
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    code = ledger["water"].trace_code
    page.goto(f"{page.base_url}/ledger/trace/?code={code}")
    # Untouched first: the format-1 receipt and what became of it (allocation, signed for).
    assert verify_in_page(page) == "核验通过：5 条记录，链头一致。"
    assert page.locator("[data-verify-mine] li.good").count() == 3

    def inflate(rows):
        rows[3]["entry"]["amount"] = "20000.00"  # the format-2 receipt, hash left as it was
        return rows

    tamper(page, inflate)
    page.reload()
    status = verify_in_page(page)
    assert status == "核验失败：第 4 条记录的内容与其哈希不符，账本在这里被改动过。"
    assert page.locator("[data-verify-mine] li.good").count() == 3
    assert_reads_like_product(page)
    screenshot(page, "donor-verify-tampered")

    # The donor of the changed receipt sees their entry fail and what came after it unchecked.
    money = LedgerEntry.objects.get(seq=4)
    page.goto(f"{page.base_url}/ledger/trace/?code={money.trace_code}")
    verify_in_page(page)
    assert page.inner_text("[data-verify-mine] li.bad") == "第 4 条记录：内容与哈希不符。"
    assert "第 5 条记录：核验在此之前已中止，未检查。" in page.inner_text("[data-verify-mine]")


def test_a_rehashed_entry_breaks_the_link_and_a_dropped_one_the_numbering(
    browser_page, ledger, screenshot
):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})

    def rehash_second(rows):
        entry = rows[1]["entry"]
        entry["purpose"] = "改写的用途"
        rows[1]["hash"] = chain.chain_hash(rows[1]["prev_hash"], entry)
        return rows

    tamper(page, rehash_second)
    page.goto(f"{page.base_url}/ledger/head/")
    assert verify_in_page(page) == "核验失败：第 3 条记录与上一条记录的链接断开。"

    page.unroute("**/api/v1/ledger/export.jsonl")
    tamper(page, lambda rows: rows[:1] + rows[2:])
    page.reload()
    assert verify_in_page(page) == "核验失败：第 2 行的序号不连续（应为第 2 条，实为第 3 条）。"
    assert_reads_like_product(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "donor-head-phone")


def test_a_rewritten_history_does_not_match_the_published_head(browser_page, ledger):
    """Every hash recomputed from the changed entry on: consistent in itself, but not the head."""
    page = browser_page

    def rewrite(rows):
        prev = chain.GENESIS_HASH
        rows[0]["entry"]["donor_display"] = "某*"
        for row in rows:
            row["prev_hash"] = prev
            row["hash"] = prev = chain.chain_hash(prev, row["entry"])
        return rows

    tamper(page, rewrite)
    page.goto(f"{page.base_url}/ledger/")
    assert verify_in_page(page) == "核验失败：重新计算的第 5 条记录哈希与链头不一致。"
    page.unroute("**/api/v1/ledger/export.jsonl")
    tamper(page, lambda rows: rows[:3])
    page.reload()
    assert verify_in_page(page) == "核验失败：下载的账本只有 3 条记录，链头却有 5 条。"
