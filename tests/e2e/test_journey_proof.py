"""A donor checks the inclusion proofs of their own entries on the trace page, on a phone:
the browser fetches the signed head and one proof per entry and recomputes them with Web Crypto
SHA-256 ("已验证"); a proof altered on the way (served by the test) is reported as not verified,
and the head's Ed25519 signature is checked where the browser can."""

import base64
import json
from decimal import Decimal

import pytest

from donations import services, transparency
from tests.donations import factories as df
from tests.readable import assert_no_horizontal_scroll, assert_reads_like_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def donation(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TONGZHOU_LEDGER_HEAD_MIN_SECONDS = 0
    settings.TONGZHOU_LEDGER_SIGNING_KEY = base64.b64encode(bytes(range(32))).decode()
    charity = df.foundation(name="四川同舟公益基金会")
    admin = df.writer(charity)
    team = df.foundation(name="芦山县应急救援队")
    for n in range(5):  # others' entries: the donor's are not the whole tree
        df.receipt(charity, admin, f"{n + 10}.00")
    receipt = df.receipt(charity, admin, "500.00")
    sent = services.allocate(
        organization=charity, by=admin, to_organization=team, amount=Decimal(200)
    )
    df.receipt(charity, admin, "30.00")
    transparency.sign_head()
    return receipt, sent


def open_trace(page, receipt, *entries):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{page.base_url}/ledger/trace/?code={receipt.trace_code}")
    for entry in entries:  # (the page's CSP forbids wait_for_function: selectors only)
        page.locator(f"[data-inclusion] li[data-seq='{entry.seq}'][data-state]").wait_for()


def test_the_donor_sees_each_entry_verified_in_the_browser(browser_page, donation, screenshot):
    page = browser_page
    receipt, sent = donation
    open_trace(page, receipt, receipt, sent)
    section = page.locator("[data-inclusion]")
    assert "收录证明" in section.inner_text()
    for entry in (receipt, sent):
        item = section.locator(f"li[data-seq='{entry.seq}']")
        assert item.get_attribute("data-state") == "ok"
        assert f"已验证：第 {entry.seq} 条记录收录于签名树头（共 8 条记录" in item.inner_text()
    page.locator("[data-inclusion-signature][data-state]").wait_for()
    signature = section.locator("[data-inclusion-signature]").inner_text()
    # Chromium with Ed25519 in Web Crypto checks it; older ones say to use the README script
    assert "验证无误" in signature or "README" in signature, signature
    assert "未能通过" not in signature
    assert_reads_like_product(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "trace-inclusion-proof-phone")


def test_an_altered_proof_is_not_verified(browser_page, donation):
    page = browser_page
    receipt, sent = donation

    def alter(route):
        response = route.fetch()
        body = json.loads(response.text())
        if body["seq"] == sent.seq:
            body["audit_path"][0] = "00" * 32
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route("**/api/v1/ledger/proof/inclusion/**", alter)
    open_trace(page, receipt, receipt, sent)
    section = page.locator("[data-inclusion]")
    assert section.locator(f"li[data-seq='{receipt.seq}']").get_attribute("data-state") == "ok"
    bad = section.locator(f"li[data-seq='{sent.seq}']")
    assert bad.get_attribute("data-state") == "bad"
    assert f"未通过验证：第 {sent.seq} 条记录的收录证明推不出已签名的树根" in bad.inner_text()


def test_the_head_page_shows_the_signed_head_and_key_on_a_phone(browser_page, donation):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{page.base_url}/ledger/head/")
    signed = page.locator("[data-testid=signed-head]").inner_text()
    assert "签名树头" in signed and "8 条记录" in signed
    key = page.locator("[data-testid=public-key]").inner_text()
    assert transparency.platform_key().public_b64 in key
    assert "开发密钥" not in key  # a signing key is configured in this journey
    assert_reads_like_product(page)
    assert_no_horizontal_scroll(page)
