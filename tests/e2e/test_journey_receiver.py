"""Journeys of the right to supervise and of end receivers, in a real browser:

1. a charity hands goods to a hospital that has no account and gets a sign-for link and QR code;
   the hospital's person opens the link on a phone (390x844), notes that KN95 came instead of
   N95, adds a photo and signs; the public ledger then shows the mismatch;
2. someone without an account asks a question on an entry, the charity answers it on the entry
   page, and the question and answer are public there.
"""

import pytest
from django.urls import reverse

from donations.models import LedgerEntry, Question, ReceiverDelivery
from tests.donations import factories as df
from tests.donations.test_evidence_rules import gps_jpeg
from tests.readable import assert_no_horizontal_scroll, assert_reads_like_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LOGIN = "form:has(input[name=password]) [type=submit]"


def _login(page, user):
    page.goto(page.base_url + reverse("login"))
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "correct-horse-battery")
    page.click(LOGIN)
    page.wait_for_load_state()


def _phone(page):
    context = page.context.browser.new_context(locale="zh-CN", viewport=PHONE)
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    phone.base_url = page.base_url
    return phone


@pytest.fixture
def charity(db):
    return df.foundation(name="四川同舟公益基金会")


@pytest.fixture
def charity_admin(charity):
    return df.writer(charity)


@pytest.fixture
def charity_with_masks(charity, charity_admin, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    df.receipt(
        charity,
        charity_admin,
        items=[
            df.item(name="N95口罩", unit="盒", quantity="200", unit_value="50.00"),
            df.item(name="防护服", unit="套", quantity="40", unit_value="80.00"),
        ],
    )
    return charity


def test_a_hospital_without_an_account_signs_for_goods_on_a_phone(
    browser_page, charity_with_masks, charity_admin, screenshot
):
    page = browser_page
    _login(page, charity_admin)
    page.goto(page.base_url + reverse("donations:workspace", args=[charity_with_masks.pk]))
    panel = page.locator("#end-receivers")
    panel.locator("input[name=receiver_name]").fill("芦山县人民医院")
    panel.locator("select[name=receiver_kind]").select_option("public_institution")
    panel.locator("input[name=region_code]").fill("511826")
    panel.locator("input[name=purpose]").fill("医院防疫物资")
    panel.locator("textarea[name=items]").fill("N95口罩 | 盒 | 100\n防护服 | 套 | 20")
    panel.locator("button[type=submit]").click()
    page.wait_for_selector("[data-qr] svg")
    link = page.locator("[data-receiver-link]").get_attribute("href")
    assert "/ledger/receive/" in link
    assert_reads_like_product(page)
    screenshot(page, "receiver-link")

    phone = _phone(page)
    phone.goto(link)
    assert phone.locator("input[name=q0]").input_value() == "100"
    assert_no_horizontal_scroll(phone)
    assert_reads_like_product(phone)
    phone.fill("input[name=note0]", "订的N95，到的是KN95")
    photo = gps_jpeg()
    phone.set_input_files(
        "input[name=photos]",
        files=[{"name": "arrived.jpg", "mimeType": "image/jpeg", "buffer": photo.read()}],
    )
    phone.wait_for_selector(".thumbs img")  # the thumbnail of the picked photo
    phone.fill("input[name=signer_name]", "李秀英")
    phone.fill("input[name=signer_role]", "药剂科主任")
    screenshot(phone, "receiver-sign-form-phone")
    phone.click("form[data-action=sign] button[type=submit]")
    phone.wait_for_selector("[data-link-state=signed]")
    assert_no_horizontal_scroll(phone)
    assert_reads_like_product(phone)
    screenshot(phone, "receiver-signed-phone")

    delivery = ReceiverDelivery.objects.get()
    assert delivery.status == "signed" and delivery.mismatched
    signed = LedgerEntry.objects.get(kind="receiver_signed")
    assert signed.reason == "N95口罩: 订的N95，到的是KN95" and signed.evidence.count() == 1

    phone.goto(page.base_url + reverse("donations:ledger"))
    flags = phone.locator("#supervision-flags")
    assert "KN95" in flags.inner_text() and "芦山县人民医院" in flags.inner_text()
    row = phone.locator(f"tr:has(a[href='/ledger/entries/{signed.pk}/'])").first
    assert "与所订不符" in row.inner_text()  # the entry's row carries the badge too
    assert "李秀英" not in phone.content()
    assert_reads_like_product(phone)
    screenshot(phone, "ledger-mismatch-flag-phone")

    phone.goto(link)  # the link worked once
    assert phone.locator("[data-link-state=used]").count() == 1
    phone.context.close()


def test_a_question_asked_anonymously_is_answered_by_the_holder(
    browser_page, charity, charity_admin, screenshot
):
    entry = df.receipt(charity, charity_admin, amount="8500.00")
    page = browser_page
    phone = _phone(page)
    entry_url = page.base_url + reverse("donations:entry", args=[entry.pk])
    phone.goto(entry_url)
    phone.fill("#questions textarea[name=text]", "这笔捐款什么时候用？请回电 13812345678")
    phone.click("#questions form[action$='/questions/new/'] button[type=submit]")
    phone.wait_for_selector("[data-question]")
    assert "13812345678" not in phone.inner_text("#questions")
    assert_no_horizontal_scroll(phone)

    _login(page, charity_admin)
    page.goto(entry_url)
    page.fill("#questions textarea[name=answer]", "已于本周用于采购帐篷，见支出记录。")
    page.click("form[data-question-action=answer] button[type=submit]")
    page.wait_for_selector("text=已于本周用于采购帐篷")
    assert Question.objects.get().status == "answered"

    phone.reload()
    questions = phone.inner_text("#questions")
    assert "这笔捐款什么时候用" in questions and "已于本周用于采购帐篷" in questions
    assert_no_horizontal_scroll(phone)
    assert_reads_like_product(phone)
    screenshot(phone, "question-answered-phone")
    phone.context.close()
