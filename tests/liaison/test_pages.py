"""The liaison pages as people use them, their buttons, and their fixed query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core.states import allowed_actions
from liaison.models import FieldReport
from liaison.services import publish_notice
from tests.coordination.factories import DeploymentFactory
from tests.liaison.conftest import JPEG
from tests.liaison.factories import FieldReportFactory, ResponsibilityFactory
from tests.readable import assert_readable_html
from tests.registry import factories as f

pytestmark = pytest.mark.django_db


def test_an_ngo_sends_a_request_with_a_photo_and_the_bureau_acknowledges_it(
    client, ngo_admin, official, agency, incident
):
    ResponsibilityFactory(agency=agency, unit="救灾和物资保障科")
    client.force_login(ngo_admin)
    form = client.get(f"/field-reports/new/?incident={incident.pk}").content.decode()
    assert 'name="latitude"' in form and "data-point-picker" in form
    assert 'capture="environment"' in form  # the phone's camera
    response = client.post(
        "/field-reports/new/",
        {
            "incident": incident.pk,
            "category": "supplies",
            "urgency": "high",
            "description": "龙门乡安置点缺帐篷 40 顶",
            "people_count": "１２０",  # full-width digits from a Chinese input method
            "region_code": "511826",
            "latitude": "30.3",
            "longitude": "102.95",
            "photos": [SimpleUploadedFile("tent.jpg", JPEG)],
        },
    )
    report = FieldReport.objects.get()
    assert response.status_code == 302 and response.url == f"/field-reports/{report.pk}/"
    assert report.people_count == 120 and report.photos.count() == 1
    html = client.get(response.url).content.decode()
    assert "救灾和物资保障科" in html and 'data-testid="waiting"' in html
    assert 'data-action="acknowledge"' not in html
    assert client.get(f"/api/v1/field-reports/photos/{report.photos.get().pk}/").status_code == 200

    bureau = Client()
    bureau.force_login(official)
    inbox = bureau.get("/field-reports/?status=sent").content.decode()
    assert f"/field-reports/{report.pk}/" in inbox
    assert_readable_html(inbox)
    page = bureau.get(f"/field-reports/{report.pk}/").content.decode()
    shown = {a for a in ("acknowledge", "confirm", "dismiss") if f'data-action="{a}"' in page}
    assert shown == set(allowed_actions(official, report)) == {"acknowledge", "dismiss"}
    assert_readable_html(page)
    bureau.post(f"/field-reports/{report.pk}/acknowledge/")
    report.refresh_from_db()
    assert report.status == "acknowledged"
    page = bureau.get(f"/field-reports/{report.pk}/").content.decode()
    assert 'data-action="confirm"' in page and 'data-action="acknowledge"' not in page
    # another team neither sees the report nor its photo
    other = Client()
    other.force_login(f.org_user())
    assert other.get(f"/field-reports/{report.pk}/").status_code == 404
    assert other.get(f"/api/v1/field-reports/photos/{report.photos.get().pk}/").status_code == 404


def test_a_bad_photo_or_point_is_a_form_message_and_nothing_is_written(client, ngo_admin, incident):
    client.force_login(ngo_admin)
    body = {
        "incident": incident.pk,
        "category": "hazard",
        "urgency": "normal",
        "description": "山体裂缝",
        "region_code": "511826",
    }
    response = client.post(
        "/field-reports/new/", {**body, "photos": [SimpleUploadedFile("x.jpg", b"GIF89a")]}
    )
    assert response.status_code == 200 and "JPEG" in response.content.decode()
    response = client.post(
        "/field-reports/new/", {**body, "latitude": "102.9", "longitude": "30.3"}
    )
    assert response.status_code == 200
    assert not FieldReport.objects.exists()


def test_the_home_lists_reports_to_acknowledge_and_notices_to_acknowledge(
    client, official, ngo_admin, ngo, agency, incident
):
    import datetime as dt

    from django.utils import timezone

    FieldReportFactory(incident=incident, organization=ngo, routed_to=agency, filed_by=ngo_admin)
    publish_notice(
        by=official, title="须知", body="正文", ack_due_at=timezone.now() + dt.timedelta(days=1)
    )
    client.force_login(official)
    assert 'class="waiting" data-key="reports_to_acknowledge"' in client.get("/").content.decode()
    client.force_login(ngo_admin)
    assert 'class="waiting" data-key="notices_to_acknowledge"' in client.get("/").content.decode()


@pytest.mark.parametrize("n", [5, 50])
def test_lists_cost_fixed_queries(
    client, api, official, ngo_admin, ngo, agency, incident, django_assert_max_num_queries, n
):
    for i in range(n):
        FieldReportFactory(
            incident=incident, organization=ngo, routed_to=agency, filed_by=ngo_admin
        )
        ResponsibilityFactory(agency=f.AgencyFactory(region_code="511826"), unit=f"科室{i}")
    for i in range(n):
        publish_notice(by=official, title=f"通知{i}", body="正文")
    client.force_login(official)
    with django_assert_max_num_queries(12):
        assert client.get("/field-reports/").status_code == 200
    with django_assert_max_num_queries(6):
        assert api(official).get("/api/v1/field-reports/?page_size=100").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/directory/?function=supply_allocation&region=511826").status_code == 200
    with django_assert_max_num_queries(4):
        assert (
            api()
            .get("/api/v1/responsibilities/?function=supply_allocation&region=511826")
            .status_code
            == 200
        )
    with django_assert_max_num_queries(10):
        assert client.get("/notices/").status_code == 200
    with django_assert_max_num_queries(4):
        assert api().get("/api/v1/notices/?page_size=100").status_code == 200
    notice = publish_notice(by=official, title="回执", body="正文")
    with django_assert_max_num_queries(12):
        assert client.get(f"/notices/{notice.pk}/").status_code == 200
    DeploymentFactory(organization=ngo, incident=incident)
    client.force_login(ngo_admin)
    with django_assert_max_num_queries(12):
        assert client.get("/check-ins/").status_code == 200


def test_the_check_in_page_fits_a_phone_form(client, ngo_member, ngo, incident):
    DeploymentFactory(organization=ngo, incident=incident)
    client.force_login(ngo_member)
    html = client.get("/check-ins/").content.decode()
    assert_readable_html(html)
    assert 'type="radio"' in html and 'data-action="check_in"' in html
