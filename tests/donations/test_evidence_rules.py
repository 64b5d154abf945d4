"""Evidence rules: disbursements above the threshold need evidence (nothing half-written
otherwise); evidence photos are stored and served without EXIF (no GPS), and the chained hash
is of the served bytes; files marked private are chained but never served publicly."""

import hashlib
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import ExifTags, Image

from donations import chain
from donations.models import ChainHead, Evidence, LedgerEntry, Lot
from tests.donations import factories as df

API = "/api/v1/ledger/disbursements/"


def gps_jpeg(name="photo.jpg") -> SimpleUploadedFile:
    """A 40x30 JPEG taken 'rotated' (orientation 6) with a GPS position and a camera make."""
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.Base.Orientation] = 6
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (30.0, 9.0, 0.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (102.0, 55.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the premise
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def pdf(name="invoice.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% invoice\n%%EOF\n", content_type="application/pdf")


@pytest.fixture
def funded(charity, charity_admin, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    df.receipt(charity, charity_admin, amount="50000.00")
    return charity


def _state():
    head = ChainHead.objects.first()
    return (
        head.seq if head else 0,
        LedgerEntry.objects.count(),
        sorted(Lot.objects.values_list("remaining", flat=True)),
        Evidence.objects.count(),
    )


def test_a_disbursement_above_the_threshold_without_evidence_is_refused_whole(
    api, funded, charity_admin
):
    before = _state()
    response = api(charity_admin).post(
        API, {"purpose": "采购帐篷", "amount": "12000.00"}, format="json"
    )
    assert response.status_code == 400
    assert "evidence" in response.json()
    assert _state() == before  # nothing half-written: no entry, no head move, no lot drawn


def test_at_the_threshold_no_evidence_is_needed(api, funded, charity_admin):
    response = api(charity_admin).post(
        API, {"purpose": "采购帐篷", "amount": "10000.00"}, format="json"
    )
    assert response.status_code == 201


def test_goods_are_valued_for_the_threshold(api, charity, charity_admin, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    df.receipt(charity, charity_admin, items=[df.item(quantity="500", unit_value="30.00")])
    items = '[{"name": "矿泉水", "unit": "箱", "quantity": "400"}]'  # 400 x 30 = 12,000
    refused = api(charity_admin).post(
        API, {"purpose": "发放饮用水", "items": items}, format="multipart"
    )
    assert refused.status_code == 400 and "evidence" in refused.json()
    accepted = api(charity_admin).post(
        API, {"purpose": "发放饮用水", "items": items, "evidence": [pdf()]}, format="multipart"
    )
    assert accepted.status_code == 201


def test_the_threshold_is_a_setting(api, funded, charity_admin, settings):
    settings.TONGZHOU_EVIDENCE_THRESHOLD = Decimal("100")
    response = api(charity_admin).post(API, {"purpose": "餐食", "amount": "500"}, format="json")
    assert response.status_code == 400


def test_private_evidence_counts_as_evidence(api, funded, charity_admin):
    response = api(charity_admin).post(
        API,
        {"purpose": "采购帐篷", "amount": "12000.00", "private_evidence": [pdf()]},
        format="multipart",
    )
    assert response.status_code == 201


def test_the_workspace_shows_the_evidence_rule_as_an_error(client, funded, charity_admin):
    client.force_login(charity_admin)
    before = _state()
    response = client.post(
        reverse("donations:workspace", args=[funded.pk]),
        {"form": "disbursement", "d-purpose": "采购帐篷", "d-amount": "12000"},
        follow=True,
    )
    assert response.status_code == 200
    assert "10,000" in response.content.decode()
    assert _state() == before


def test_photos_are_stored_and_served_without_exif_and_the_chain_hashes_those_bytes(
    api, client, funded, charity_admin
):
    response = api(charity_admin).post(
        API,
        {"purpose": "采购帐篷", "amount": "12000.00", "evidence": [gps_jpeg()]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    evidence = Evidence.objects.get()
    stored = evidence.file.read()
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif()  # no EXIF at all, hence no GPS
    assert b"PhoneCo" not in stored
    assert image.size == (30, 40)  # the orientation was applied to the pixels
    assert hashlib.sha256(stored).hexdigest() == evidence.sha256
    entry = LedgerEntry.objects.get(pk=evidence.entry_id)
    assert chain.stored_form(entry)["evidence"] == [evidence.sha256]
    served = client.get(reverse("donations:evidence_public", args=[evidence.pk]))
    body = b"".join(served.streaming_content)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert hashlib.sha256(body).hexdigest() == evidence.sha256
    assert not Image.open(io.BytesIO(body)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    page = client.get(reverse("donations:entry", args=[entry.pk])).content.decode()
    assert reverse("donations:evidence_public", args=[evidence.pk]) in page
    call_command("verify_ledger")  # evidence files match the chain


def test_private_files_are_chained_but_not_served_publicly(api, client, funded, charity_admin):
    response = api(charity_admin).post(
        API,
        {
            "purpose": "采购帐篷",
            "amount": "12000.00",
            "evidence": [pdf("public.pdf")],
            "private_evidence": [gps_jpeg("id-card.jpg")],
        },
        format="multipart",
    )
    assert response.status_code == 201
    public, private = Evidence.objects.order_by("private")
    assert (public.private, private.private) == (False, True)
    entry = LedgerEntry.objects.get(pk=private.entry_id)
    assert chain.stored_form(entry)["evidence"] == sorted([public.sha256, private.sha256])
    assert client.get(reverse("donations:evidence_public", args=[private.pk])).status_code == 404
    assert client.get(reverse("donations:evidence_public", args=[public.pk])).status_code == 200
    page = client.get(reverse("donations:entry", args=[entry.pk])).content.decode()
    assert reverse("donations:evidence_public", args=[private.pk]) not in page
    client.force_login(charity_admin)  # the holder still opens it
    assert client.get(reverse("donations:evidence", args=[private.pk])).status_code == 200


def test_a_broken_image_is_a_400_not_a_500(api, funded, charity_admin):
    broken = SimpleUploadedFile("x.jpg", b"\xff\xd8\xff\xe0" + b"garbage" * 20)
    response = api(charity_admin).post(
        API,
        {"purpose": "采购帐篷", "amount": "12000.00", "evidence": [broken]},
        format="multipart",
    )
    assert response.status_code == 400
    assert "evidence" in response.json()
    assert Evidence.objects.count() == 0
