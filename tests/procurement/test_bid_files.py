"""The files of a sealed bid's technical proposal: sent with the bid (page and API), sealed like
it (the bidder always; the project's officials and its panel after opening; never the public),
replaced with it, and served only by the permission-checked download view."""

import datetime as dt
import hashlib
import io
import zipfile

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from procurement.models import Bid, BidDocument, PanelMember
from tests.procurement.factories import BidFactory, ProjectFactory, bidder, expert_user
from tests.readable import assert_readable_html

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%proposal\n" + b"x" * 200


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def pdf(name="方案.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def tender(agency):
    return ProjectFactory(buyer=agency, status="tendering", published_at=timezone.now())


@pytest.fixture
def supplier():
    return bidder()


def _submit(api, user, project, files, **extra):
    body = {"price": "98000.00", "proposal": "驻点服务", "team_size": 5, "documents": files}
    return api(user).post(
        f"/api/v1/procurements/{project.pk}/bids/", body | extra, format="multipart"
    )


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _download(user, doc):
    return _client(user).get(reverse("procurement:bid_document", args=[doc.pk]))


def _open_bids(project):
    """After the deadline, the buyer has opened the bids."""
    project.tender_end = timezone.now() - dt.timedelta(hours=1)
    project.opened_at = timezone.now()
    project.status = "evaluating"
    project.save(update_fields=["tender_end", "opened_at", "status"])


# --- sending them ---------------------------------------------------------------------------


def test_the_api_takes_files_with_the_bid(api, tender, supplier):
    org, admin = supplier
    r = _submit(api, admin, tender, [pdf(), SimpleUploadedFile("表.docx", _docx())])
    assert r.status_code == 201, r.json()
    files = r.json()["documents"]
    assert [f["name"] for f in files] == ["方案.pdf", "表.docx"]
    assert files[0]["content_type"] == "application/pdf"
    assert files[1]["content_type"].endswith("wordprocessingml.document")
    assert files[0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert files[0]["size"] == len(PDF)
    doc = BidDocument.objects.get(pk=files[0]["id"])
    assert doc.bid.organization == org and doc.uploaded_by == admin
    assert doc.file.read() == PDF


def test_the_bid_page_takes_several_files(tender, supplier):
    org, admin = supplier
    client = _client(admin)
    page = client.get(reverse("procurement:bid", args=[tender.pk]))
    assert b'type="file"' in page.content and b"multiple" in page.content
    assert b'enctype="multipart/form-data"' in page.content
    r = client.post(
        reverse("procurement:bid", args=[tender.pk]),
        {
            "price": "98000.00",
            "team_size": 5,
            "proposal": "驻点服务",
            "documents": [pdf(), pdf("附件.pdf", PDF + b"2")],
        },
    )
    assert r.status_code == 302, r.content[:2000]
    bid = Bid.objects.get(project=tender, organization=org)
    assert set(bid.documents.values_list("original_name", flat=True)) == {"附件.pdf", "方案.pdf"}
    detail = client.get(reverse("procurement:project_detail", args=[tender.pk]))
    assert "方案.pdf" in detail.content.decode()
    assert_readable_html(detail.content)


def test_files_are_replaced_with_the_bid_and_kept_when_none_are_sent(api, tender, supplier):
    _org, admin = supplier
    first = _submit(api, admin, tender, [pdf("旧.pdf")]).json()["documents"][0]
    old = BidDocument.objects.get(pk=first["id"])
    old_name = old.file.name
    storage = old.file.storage
    with django_capture_on_commit():
        r = _submit(api, admin, tender, [pdf("新.pdf")])
    assert [d["name"] for d in r.json()["documents"]] == ["新.pdf"]
    assert not BidDocument.objects.filter(pk=old.pk).exists()
    assert not storage.exists(old_name)
    r = _submit(api, admin, tender, [], price="97000.00")
    assert r.status_code == 201
    assert [d["name"] for d in r.json()["documents"]] == ["新.pdf"]


def django_capture_on_commit():
    """Run the on-commit callbacks of the block (the test runs in a transaction)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


# --- refusals -------------------------------------------------------------------------------


def test_a_file_of_another_type_is_refused_naming_it(api, tender, supplier):
    _org, admin = supplier
    fake = SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    r = _submit(api, admin, tender, [pdf(), fake])
    assert r.status_code == 400
    assert "病毒.pdf" in str(r.json()["documents"])
    assert not Bid.objects.filter(project=tender).exists()
    zipped = SimpleUploadedFile("a.zip", b"PK\x03\x04" + b"\x00" * 40)
    assert _submit(api, admin, tender, [zipped]).status_code == 400


def test_a_file_over_the_limit_is_refused(api, tender, supplier, settings):
    settings.PROCUREMENT_BID_FILE_MAX_BYTES = 100
    _org, admin = supplier
    r = _submit(api, admin, tender, [pdf("大.pdf")])
    assert r.status_code == 400
    assert "大.pdf" in str(r.json()["documents"])
    assert not BidDocument.objects.exists()


def test_too_many_files_are_refused(api, tender, supplier, settings):
    settings.PROCUREMENT_BID_FILES_MAX = 2
    _org, admin = supplier
    r = _submit(api, admin, tender, [pdf(f"{i}.pdf") for i in range(3)])
    assert r.status_code == 400 and "documents" in r.json()


def test_the_page_shows_a_refused_file_as_a_form_error(tender, supplier):
    _org, admin = supplier
    r = _client(admin).post(
        reverse("procurement:bid", args=[tender.pk]),
        {
            "price": "98000.00",
            "team_size": 5,
            "proposal": "驻点服务",
            "documents": [SimpleUploadedFile("x.exe", b"MZ\x90\x00")],
        },
    )
    assert r.status_code == 400
    assert "x.exe" in r.content.decode()
    assert_readable_html(r.content)
    assert not Bid.objects.filter(project=tender).exists()


def test_no_file_after_the_deadline(api, tender, supplier):
    _org, admin = supplier
    assert _submit(api, admin, tender, [pdf()]).status_code == 201
    with time_machine.travel(tender.tender_end + dt.timedelta(minutes=1)):
        r = _submit(api, admin, tender, [pdf("迟.pdf")])
    assert r.status_code == 409
    assert list(BidDocument.objects.values_list("original_name", flat=True)) == ["方案.pdf"]


def test_an_ineligible_organization_is_refused_before_its_files_are_read(api, tender):
    _org, admin = bidder(specialty="water_rescue")
    r = _submit(api, admin, tender, [SimpleUploadedFile("x.exe", b"MZ")])
    assert r.status_code == 403


# --- who reads them -------------------------------------------------------------------------


@pytest.fixture
def sent(api, tender, supplier):
    _org, admin = supplier
    r = _submit(api, admin, tender, [pdf()])
    return BidDocument.objects.get(pk=r.json()["documents"][0]["id"])


def test_before_opening_only_the_bidder_downloads(
    tender, supplier, sent, official, outside_official, other_ngo_admin
):
    _org, admin = supplier
    r = _download(admin, sent)
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == PDF
    assert r["Content-Type"] == "application/pdf"
    assert "attachment" in r["Content-Disposition"]
    expert = expert_user()
    PanelMember.objects.create(project=tender, expert=expert)
    for user in (None, official, outside_official, other_ngo_admin, expert):
        assert _download(user, sent).status_code == 404, user


def test_after_opening_the_officials_and_the_panel_download(
    tender, supplier, sent, official, outside_official, other_ngo_admin
):
    expert = expert_user()
    PanelMember.objects.create(project=tender, expert=expert)
    _open_bids(tender)
    for user in (official, expert, supplier[1]):
        assert _download(user, sent).status_code == 200, user
    for user in (None, outside_official, other_ngo_admin, expert_user()):
        assert _download(user, sent).status_code == 404, user


def test_after_the_deadline_before_opening_the_officials_wait(tender, sent, official):
    tender.tender_end = timezone.now() - dt.timedelta(hours=1)
    tender.save(update_fields=["tender_end"])
    assert _download(official, sent).status_code == 404


def test_the_api_lists_files_only_to_who_may_read_them(api, tender, supplier, sent, official):
    _org, admin = supplier
    rows = api(official).get(f"/api/v1/procurements/{tender.pk}/bids/").json()["results"]
    assert rows[0]["documents"] is None
    mine = api(admin).get(f"/api/v1/procurements/{tender.pk}/bids/").json()["results"]
    assert [d["name"] for d in mine[0]["documents"]] == ["方案.pdf"]
    _open_bids(tender)
    rows = api(official).get(f"/api/v1/procurements/{tender.pk}/bids/").json()["results"]
    assert rows[0]["documents"][0]["url"] == reverse("procurement:bid_document", args=[sent.pk])


def test_the_project_page_shows_files_to_the_buyer_after_opening_only(tender, sent, official):
    client = _client(official)
    url = reverse("procurement:project_detail", args=[tender.pk])
    assert "方案.pdf" not in client.get(url).content.decode()
    _open_bids(tender)
    page = client.get(url)
    assert "方案.pdf" in page.content.decode()
    assert_readable_html(page.content)
    assert "方案.pdf" not in _client().get(url).content.decode()


def test_the_project_page_costs_the_same_with_more_bids_and_files(
    tender, sent, official, django_assert_max_num_queries
):
    _open_bids(tender)
    client = _client(official)
    url = reverse("procurement:project_detail", args=[tender.pk])
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(3):
        bid = BidFactory(project=tender)
        for i in range(2):
            BidDocument.objects.create(
                bid=bid,
                file=f"x{i}",
                original_name=f"{i}.pdf",
                content_type="application/pdf",
                sha256="0" * 64,
                size=1,
            )
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200


def test_api_clients_download_with_the_same_rule(api, tender, supplier, sent, official):
    _org, admin = supplier
    url = f"/api/v1/bid-documents/{sent.pk}/"
    r = api(admin).get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert api(None).get(url).status_code in (401, 403)
    assert api(official).get(url).status_code == 404
    _open_bids(tender)
    rows = api(official).get(f"/api/v1/procurements/{tender.pk}/bids/").json()["results"]
    assert rows[0]["documents"][0]["download"] == url
    assert api(official).get(url).status_code == 200
    assert api(official).get("/api/v1/bid-documents/999999/").status_code == 404
