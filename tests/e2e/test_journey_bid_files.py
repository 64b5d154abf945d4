"""A rescue team sends its sealed bid with the proposal's files from a phone; once the bids are
opened the buying official finds the files on the project page."""

import datetime as dt

import pytest
from django.utils import timezone

from procurement.models import BidDocument
from tests.e2e.test_journey_procurement import login, readable
from tests.procurement.factories import ProjectFactory, bidder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n%proposal\n" + b"x" * 500


def test_a_team_bids_with_files_and_the_buyer_reads_them_after_opening(
    browser_page, official, agency, screenshot
):
    page = browser_page
    base = page.base_url
    project = ProjectFactory(
        buyer=agency, title="安置点心理援助", status="tendering", published_at=timezone.now()
    )
    _team, team_admin = bidder(name="芦山县蓝天救援队", region_code="511826")

    page.set_viewport_size({"width": 390, "height": 844})
    login(page, team_admin)
    page.goto(base + f"/procurements/{project.pk}/bid/")
    readable(page)
    page.fill("input[name=price]", "120000")
    page.fill("input[name=team_size]", "8")
    page.fill("textarea[name=proposal]", "每周三次驻点，心理咨询师两名。")
    page.set_input_files(
        "input[name=documents]",
        [
            {"name": "技术方案.pdf", "mimeType": "application/pdf", "buffer": PDF},
            {"name": "人员名单.pdf", "mimeType": "application/pdf", "buffer": PDF + b"2"},
        ],
    )
    page.click("[data-testid=bid-form] button[type=submit]")
    page.wait_for_selector("[data-testid=my-bid]")
    readable(page)
    files = page.inner_text("[data-testid=my-bid] [data-testid=bid-files]")
    assert "技术方案.pdf" in files and "人员名单.pdf" in files
    screenshot(page, "journey-bid-files-phone")
    assert BidDocument.objects.count() == 2

    # After the deadline the bids are opened: the buyer reads the files.
    project.tender_end = timezone.now() - dt.timedelta(minutes=5)
    project.opened_at = timezone.now()
    project.status = "evaluating"
    project.save(update_fields=["tender_end", "opened_at", "status"])
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, official)
    page.goto(base + f"/procurements/{project.pk}/")
    readable(page)
    assert "技术方案.pdf" in page.inner_text("[data-testid=bids]")
    with page.expect_download() as download:
        page.click("[data-testid=bids] a:has-text('技术方案.pdf')")
    assert download.value.suggested_filename == "技术方案.pdf"
    screenshot(page, "journey-bid-files")
