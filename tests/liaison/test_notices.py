"""Notices and policies: publish to an audience, read receipts, required acknowledgements
(overdue ones visible to the agency, one reminder), and the public library with search."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alerts.models import Delivery
from liaison.models import Notice, NoticeReceipt
from liaison.services import remind_overdue
from tests.liaison.conftest import JPEG
from tests.registry import factories as f

pytestmark = pytest.mark.django_db


def _publish(api, user=None, **extra):
    body = {
        "title": "关于规范社会应急力量参与芦山地震救援的通知",
        "body": "各社会应急力量进入灾区前须报备，服从现场指挥部统一调度。",
        "audience_regions": ["511800"],
        **extra,
    }
    return api(user).post("/api/v1/notices/", body, format="json")


def test_a_notice_reaches_its_audience_and_counts_acknowledgements(
    api, official, ngo, ngo_admin, ngo_member, other_ngo, other_ngo_admin
):
    far = f.OrganizationFactory(region_code="440300")
    foundation = f.OrganizationFactory(region_code="511826", kind="foundation")
    due = timezone.now() + dt.timedelta(days=2)
    response = _publish(
        api, official, ack_due_at=due.isoformat(), audience_kinds=["volunteer_team"]
    )
    assert response.status_code == 201, response.json()
    notice = response.json()
    assert notice["audience_size"] == 2 and notice["ack_count"] == 0
    addressed = set(NoticeReceipt.objects.values_list("organization_id", flat=True))
    assert addressed == {ngo.pk, other_ngo.pk}  # not the foundation, not Guangdong
    assert far.pk not in addressed and foundation.pk not in addressed
    assert Delivery.objects.filter(user=ngo_member, alert__title=notice["title"]).exists()

    url = f"/api/v1/notices/{notice['id']}"
    assert api(ngo_member).post(f"{url}/read/", {}, format="json").json()["read_count"] == 1
    acked = api(ngo_admin).post(f"{url}/acknowledge/", {}, format="json")
    assert acked.status_code == 200 and acked.json()["ack_count"] == 1
    assert api(ngo_admin).post(f"{url}/acknowledge/", {}, format="json").status_code == 409
    # an organization not addressed cannot acknowledge
    outsider = f.org_user(far)
    assert api(outsider).post(f"{url}/acknowledge/", {}, format="json").status_code == 403

    # the agency sees who is overdue; the reminder goes once, to those who have not acknowledged
    with time_machine.travel(due + dt.timedelta(minutes=1)):
        assert remind_overdue() == 1
        assert remind_overdue() == 0
        receipts = api(official).get(f"{url}/receipts/").json()
        assert [
            r["acknowledged_at"] is None for r in receipts if r["organization"] == other_ngo.pk
        ] == [True]
    reminders = Delivery.objects.filter(alert__title__contains=notice["title"]).exclude(
        alert__title=notice["title"]
    )
    assert set(reminders.values_list("user_id", flat=True)) == {other_ngo_admin.pk}
    # a member sees only its own organization's receipt
    assert [r["organization"] for r in api(ngo_member).get(f"{url}/receipts/").json()] == [ngo.pk]


def test_only_officials_publish_and_only_in_their_area(api, official, ngo_admin, outside_official):
    assert _publish(api, ngo_admin).status_code == 403
    assert _publish(api, outside_official).status_code == 400  # 511800 is not in Guangdong
    assert _publish(api).status_code == 403
    past = (timezone.now() - dt.timedelta(days=1)).isoformat()
    late = _publish(api, official, ack_due_at=past)
    assert late.status_code == 400 and list(late.json()) == ["ack_due_at"]
    assert not Notice.objects.exists()


def test_attachments_are_checked_by_their_bytes(api, official, client):
    fake = SimpleUploadedFile("policy.pdf", b"MZ not a pdf")
    response = api(official).post(
        "/api/v1/notices/",
        {"title": "政策", "body": "正文", "attachments": [fake]},
        format="multipart",
    )
    assert response.status_code == 400 and list(response.json()) == ["attachments"]
    good = SimpleUploadedFile("map.jpg", JPEG)
    response = api(official).post(
        "/api/v1/notices/",
        {"title": "政策", "body": "正文", "attachments": [good]},
        format="multipart",
    )
    assert response.status_code == 201
    [attachment] = response.json()["attachments"]
    assert client.get(attachment["url"]).status_code == 200  # public notice: public attachment


def test_the_public_library_searches_and_hides_private_and_expired(api, client, official):
    _publish(api, official, title="物资捐赠指引", body="捐赠物资须登记。")
    _publish(api, official, title="内部通知", body="仅限社会组织。", public=False)
    soon = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    _publish(api, official, title="临时交通管制", body="龙门乡道路封闭。", expires_at=soon)
    titles = [n["title"] for n in api().get("/api/v1/notices/").json()["results"]]
    assert sorted(titles) == ["临时交通管制", "物资捐赠指引"]
    found = api().get("/api/v1/notices/?search=捐赠").json()["results"]
    assert [n["title"] for n in found] == ["物资捐赠指引"]
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        titles = [n["title"] for n in api().get("/api/v1/notices/").json()["results"]]
        assert titles == ["物资捐赠指引"]
        html = client.get("/notices/?search=交通").content.decode()
        assert "临时交通管制" not in html
    html = client.get("/notices/?search=捐赠").content.decode()
    assert "物资捐赠指引" in html and "内部通知" not in html
    private = Notice.objects.get(title="内部通知")
    assert client.get(f"/notices/{private.pk}/").status_code == 404


def test_notice_pages_publish_read_and_acknowledge(client, official, ngo_admin, ngo):
    client.force_login(official)
    due = (timezone.now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/notices/new/",
        {
            "kind": "notice",
            "title": "报备须知",
            "body": "请按时报备。",
            "public": "on",
            "ack_due_at": due,
        },
    )
    notice = Notice.objects.get()
    assert response.status_code == 302 and response.url == f"/notices/{notice.pk}/"
    client.force_login(ngo_admin)
    html = client.get(f"/notices/{notice.pk}/").content.decode()
    assert 'data-action="acknowledge"' in html
    client.post(f"/notices/{notice.pk}/acknowledge/", {"organization": ngo.pk})
    assert NoticeReceipt.objects.get(organization=ngo).acknowledged_at is not None
    html = client.get(f"/notices/{notice.pk}/").content.decode()
    assert 'data-action="acknowledge"' not in html
    client.force_login(official)
    html = client.get(f"/notices/{notice.pk}/").content.decode()
    assert 'data-testid="receipts"' in html
