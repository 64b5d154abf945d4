from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.admin.sites import site
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from alerts.models import Alert
from core import hooks
from donations import services
from donations.models import Flag, LedgerEntry
from donations.tasks import check_disclosure_and_stuck_goods
from tests.coordination.factories import IncidentFactory
from tests.donations import factories as df

pytestmark = pytest.mark.django_db


def test_overdue_receipts_and_stuck_goods_alert_holder_and_officials_once(charity, charity_admin):
    quake = IncidentFactory(region_code="511826")
    old = timezone.now() - timedelta(days=8)
    money = df.receipt(charity, charity_admin, "100.00", incident=quake, received_at=old)
    goods = df.receipt(charity, charity_admin, items=[df.item()], incident=quake, received_at=old)
    used = df.receipt(charity, charity_admin, "50.00", incident=quake, received_at=old)
    services.disburse(
        organization=charity,
        by=charity_admin,
        amount=Decimal(50),
        purpose="x",
        incident=quake,
        sources=[{"entry": used.pk, "amount": 50}],
    )
    df.receipt(charity, charity_admin, "70.00", incident=quake)  # fresh: not due yet

    alerted = check_disclosure_and_stuck_goods.delay().get()

    # two receipts overdue without disbursement, one goods lot stuck
    assert alerted == 3
    assert set(Flag.objects.values_list("kind", "receipt_id")) == {
        ("disclosure_overdue", money.pk),
        ("disclosure_overdue", goods.pk),
        ("stuck_goods", goods.pk),
    }
    alert = Alert.objects.filter(title__contains=f"#{money.seq}").get()
    assert alert.audience == {"organizations": [charity.pk], "officials_for": "511826"}
    assert check_disclosure_and_stuck_goods.delay().get() == 0


def test_stuck_goods_respect_the_setting(charity, charity_admin, settings):
    settings.TONGZHOU_STUCK_GOODS_DAYS = 20
    df.receipt(
        charity, charity_admin, items=[df.item()], received_at=timezone.now() - timedelta(days=10)
    )
    check_disclosure_and_stuck_goods()
    assert not Flag.objects.filter(kind="stuck_goods").exists()


def test_beat_schedule_runs_the_job(settings):
    tasks = [job["task"] for job in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "donations.tasks.check_disclosure_and_stuck_goods" in tasks


def test_admin_is_read_only(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    model_admin = site._registry[LedgerEntry]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_hooks_show_ledger_totals_on_dashboard_incident_and_organization(charity, charity_admin):
    quake = IncidentFactory()
    df.receipt(charity, charity_admin, "1234.00", incident=quake)
    cards = hooks.collect("dashboard_cards", charity_admin)
    assert any(card["value"] == "1,234.00" for card in cards)
    panel = next(
        p for p in hooks.collect("incident_panels", quake) if p["template"].startswith("donations/")
    )
    html = render_to_string(panel["template"], panel["context"])
    assert "¥1,234" in html and charity.name in html
    record = apps.get_app_config("donations").organization_track_record(charity)
    assert record[0]["value"] == "1,234.00"


def test_restricted_misuse_and_change_of_use_through_the_api(api, charity, charity_admin):
    quake, flood = IncidentFactory(), IncidentFactory(subtype="flood")
    gift = df.receipt(charity, charity_admin, "100.00", incident=quake, restricted=True)
    response = api(charity_admin).post(
        "/api/v1/ledger/disbursements/",
        {"amount": "10.00", "purpose": "x", "incident": flood.pk},
        format="json",
    )
    assert response.status_code == 409 and response.json()["code"] == "restricted_purpose"
    no_filing = api(charity_admin).post(
        f"/api/v1/ledger/entries/{gift.pk}/change-of-use/", {"incident": flood.pk}, format="json"
    )
    assert no_filing.status_code == 400 and "filing_reference" in no_filing.json()
    changed = api(charity_admin).post(
        f"/api/v1/ledger/entries/{gift.pk}/change-of-use/",
        {"incident": flood.pk, "filing_reference": "备-1", "donor_consent": True},
        format="json",
    )
    assert changed.status_code == 201 and changed.json()["kind"] == "change_of_use"
    assert (
        api(charity_admin)
        .post(
            "/api/v1/ledger/disbursements/",
            {"amount": "10.00", "purpose": "x", "incident": flood.pk},
            format="json",
        )
        .status_code
        == 201
    )
