"""Evidence that proves (issue 19): a progress photo keeps its EXIF time and GPS in a private
original while the copy is stripped; the server compares them with the milestone's window and
site; identical and near-identical pictures are flagged across milestones and suppliers."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from procurement import photos
from procurement.models import Award, Contract, Evidence, Milestone
from tests.procurement.factories import BidFactory, ProjectFactory, jpeg, scene
from tests.registry.factories import org_user

SITE = (Decimal("30.152000"), Decimal("102.934000"))  # 芦山县城
WINDOW_START = dt.datetime(2026, 11, 20, 8, 0, tzinfo=photos.CAMERA_ZONE)
WINDOW_END = dt.datetime(2026, 11, 20, 18, 0, tzinfo=photos.CAMERA_ZONE)


def exif(when: str | None = "2026:11:20 10:30:00", lat=(30, 9, 7.2), lng=(102, 56, 2.4)):
    data = Image.Exif()
    if when:
        data.get_ifd(photos.EXIF_IFD)[photos.DATETIME_ORIGINAL] = when
    if lat:
        data.get_ifd(photos.GPS_IFD).update(
            {1: "N", 2: tuple(float(x) for x in lat), 3: "E", 4: tuple(float(x) for x in lng)}
        )
    return data


def milestone_of(agency, organization, **site) -> Milestone:
    project = ProjectFactory(buyer=agency, status="implementing", published_at=timezone.now())
    bid = BidFactory(project=project, organization=organization)
    award = Award.objects.create(
        project=project, bid=bid, amount=bid.price, standstill_ends_at=timezone.now()
    )
    contract = Contract.objects.create(
        project=project, award=award, supplier=organization, value=award.amount
    )
    return Milestone.objects.create(
        contract=contract,
        title="驻点服务",
        due_at=timezone.now() + dt.timedelta(days=30),
        payment_percent=Decimal("100"),
        **site,
    )


@pytest.fixture
def sited(agency, ngo):
    return milestone_of(
        agency,
        ngo,
        site_latitude=SITE[0],
        site_longitude=SITE[1],
        site_radius_m=1000,
        service_starts_at=WINDOW_START,
        service_ends_at=WINDOW_END,
    )


def upload(api, user, milestone, *contents, taken_at=None):
    body = {
        "summary": "驻点服务",
        "values": json.dumps({}),
        "evidence": [
            SimpleUploadedFile(f"p{i}.jpg", c, content_type="image/jpeg")
            for i, c in enumerate(contents)
        ],
    }
    if taken_at:
        body["taken_at"] = [taken_at] * len(contents)
    r = api(user).post(f"/api/v1/milestones/{milestone.pk}/report/", body, format="multipart")
    assert r.status_code == 201, r.content
    return r.json()["evidence"]


# --- the perceptual hash -------------------------------------------------------------------


def test_resized_and_recompressed_copies_are_near_identical_and_other_pictures_are_not():
    for seed in range(6):
        original = scene(seed, (640, 480))
        h = photos.read_facts(jpeg(original)).dhash
        smaller = photos.read_facts(jpeg(original.resize((320, 240)), quality=40)).dhash
        brighter = photos.read_facts(jpeg(original.point(lambda v: min(255, v + 12)), 70)).dhash
        assert photos.near_duplicate(h, smaller) and photos.near_duplicate(h, brighter)
        for other in range(100, 110):
            different = photos.read_facts(jpeg(scene(other, (640, 480)))).dhash
            assert not photos.near_duplicate(h, different), (seed, other)
            assert photos.distance_bits(h, different) > photos.NEAR_DUPLICATE_BITS + 2


def test_the_hash_is_64_bits_and_the_distance_counts_differing_bits():
    h = photos.dhash(scene(1))
    assert len(h) == 16 and int(h, 16) < 2**64
    assert photos.distance_bits("0" * 16, "f" * 16) == 64
    assert photos.distance_bits(h, h) == 0


# --- EXIF kept privately, compared with the site and the window ----------------------------


def test_the_original_keeps_exif_and_the_copy_is_stripped(api, ngo_admin, sited, client, official):
    (row,) = upload(api, ngo_admin, sited, jpeg(scene(3), exif=exif()))
    evidence = Evidence.objects.get(pk=row["id"])
    with Image.open(evidence.original.open("rb")) as original:
        gps = original.getexif().get_ifd(photos.GPS_IFD)
        assert gps[1] == "N" and original.getexif().get_ifd(photos.EXIF_IFD)
    with Image.open(evidence.file.open("rb")) as public:
        assert not public.getexif() and not public.getexif().get_ifd(photos.GPS_IFD)
    assert timezone.localtime(evidence.camera_taken_at).hour == 10
    assert abs(evidence.latitude - Decimal("30.152")) < Decimal("0.001")
    assert row["flags"] == [] and row["camera_taken_at"].startswith("2026-11-20T10:30")
    # the original is the buyer's (and evaluator's), not the supplier's
    client.force_login(ngo_admin)
    assert client.get(f"/procurement-files/original/{evidence.pk}/").status_code == 404
    assert client.get(f"/procurement-files/evidence/{evidence.pk}/").status_code == 200
    client.force_login(official)
    response = client.get(f"/procurement-files/original/{evidence.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == evidence.original.open("rb").read()


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        (exif(when="2026:11:25 10:30:00"), {"outside_window"}),
        (exif(lat=(30, 30, 0), lng=(103, 0, 0)), {"far_from_site"}),
        (exif(when=None, lat=None), {"no_time", "no_position"}),
        (None, {"no_time", "no_position"}),
    ],
)
def test_photos_off_the_declared_time_or_site_are_flagged(api, ngo_admin, sited, meta, expected):
    content = jpeg(scene(4), exif=meta) if meta is not None else jpeg(scene(4))
    (row,) = upload(api, ngo_admin, sited, content)
    assert set(row["flags"]) == expected


def test_a_typed_time_far_from_the_camera_time_is_flagged(api, ngo_admin, sited):
    (row,) = upload(
        api, ngo_admin, sited, jpeg(scene(6), exif=exif()), taken_at="2026-11-20T15:00:00+08:00"
    )
    assert row["flags"] == ["clock_differs"]


def test_near_identical_pictures_are_flagged_across_milestones_and_suppliers(
    api, agency, ngo_admin, sited, other_ngo, other_ngo_admin, official, client
):
    (first,) = upload(api, ngo_admin, sited, jpeg(scene(8, (640, 480)), exif=exif()))
    elsewhere = milestone_of(agency, other_ngo)
    smaller = jpeg(scene(8, (640, 480)).resize((400, 300)), quality=50)
    copy, fresh = upload(api, other_ngo_admin, elsewhere, smaller, jpeg(scene(9, (640, 480))))
    assert copy["near_duplicate_of"] == first["id"] and copy["duplicate_of"] is None
    assert fresh["near_duplicate_of"] is None
    # the buyer sees the flag on the milestone page, the public does not
    client.force_login(official)
    html = client.get(f"/milestones/{elsewhere.pk}/").content.decode()
    assert 'data-testid="near-duplicate"' in html and 'data-flag="no_time"' in html
    client.logout()
    html = client.get(f"/milestones/{elsewhere.pk}/").content.decode()
    assert 'data-testid="near-duplicate"' not in html and "data-flag" not in html


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_written(api, sited):
    admin = org_user(sited.contract.supplier)
    body = {
        "summary": "x",
        "values": "{}",
        "evidence": [SimpleUploadedFile("x.jpg", b"\xff\xd8\xff\xe0broken", "image/jpeg")],
    }
    r = api(admin).post(f"/api/v1/milestones/{sited.pk}/report/", body, format="multipart")
    assert r.status_code == 400 and not sited.reports.exists() and not Evidence.objects.exists()


def test_a_site_needs_both_coordinates_and_a_window_in_order():
    from procurement.services.contracts import check_site

    with pytest.raises(Exception, match="经度和纬度|both coordinates"):
        check_site({"site_latitude": Decimal("30.1")})
    start = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(Exception, match="结束早于开始|ends before"):
        check_site({"service_starts_at": start, "service_ends_at": start - dt.timedelta(hours=1)})
    check_site({"site_latitude": Decimal("30.1"), "site_longitude": Decimal("102.9")})


def test_io_helpers_read_only_images():
    assert photos.read_facts(b"%PDF-1.4 not an image") is None
    buffer = io.BytesIO()
    Image.new("RGB", (9, 8), (10, 20, 30)).save(buffer, "PNG")
    assert photos.read_facts(buffer.getvalue()).taken_at is None
