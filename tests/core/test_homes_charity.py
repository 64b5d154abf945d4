"""The charity's home: its ledger work from donations' ``work_queue`` hook, its workspace in the
navigation, and the ledger's latest entries on everyone's home."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from donations import services
from tests.coordination.factories import IncidentFactory
from tests.core.test_homes import BUDGET, home, item, queries_of, section
from tests.donations import factories as df

pytestmark = pytest.mark.django_db


@pytest.fixture
def charity(db):
    return df.foundation(name="四川同舟公益基金会")


@pytest.fixture
def charity_admin(charity):
    return df.writer(charity)


def test_a_charity_sees_its_ledger_work(client, charity, charity_admin, ngo, agency):
    incident = IncidentFactory(lead_agency=agency)
    df.receipt(
        charity,
        charity_admin,
        amount="5000.00",
        incident=incident,
        received_at=timezone.now() - timedelta(days=4),
    )
    team = df.writer(ngo)
    services.allocate(
        by=charity_admin, to_organization=ngo, incident=incident, amount=Decimal("1000.00")
    )
    html = home(client, charity_admin)
    part = section(html, "charity")
    assert "四川同舟公益基金会" in part
    workspace = f"/ledger/organizations/{charity.pk}/"
    assert item(html, "ledger") == (1, workspace)
    assert item(html, "unsigned")[0] == 1
    assert item(html, "disclosure")[0] == 1
    assert item(html, "sign_for")[0] == 0
    assert f'href="{workspace}"' in html.split("</nav>")[0]
    # the team that received the allocation is asked to sign for it
    client.logout()
    assert item(home(client, team), "sign_for")[0] == 1


def test_everyone_sees_the_latest_ledger_entries(client, charity, charity_admin):
    df.receipt(charity, charity_admin, amount="8500.00", donor_name="王五")
    client.logout()
    html = home(client)
    ledger = html.split('data-panel="ledger"')[1].split("</section>")[0]
    assert "¥8,500" in ledger and "四川同舟公益基金会" in ledger


def test_the_charitys_home_costs_the_same_for_5_and_50_receipts(
    client, charity, charity_admin, agency
):
    incident = IncidentFactory(lead_agency=agency)
    client.force_login(charity_admin)
    spent = []
    for count in (5, 50):
        while charity.ledger_entries.count() < count:
            df.receipt(charity, charity_admin, amount="100.00", incident=incident)
        spent.append(queries_of(client))
    assert spent[0] == spent[1] <= BUDGET, spent
