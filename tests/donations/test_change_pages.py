"""The change of use of restricted gifts as a page (donations/views_changes.py): the entry page's
panel shows the action only when allowed_actions holds ``change_use`` and says why otherwise;
the form calls the same service as POST /api/v1/ledger/entries/<pk>/change-of-use/."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from core.forms import REFUSED_TAG
from donations.models import LedgerEntry, Lot
from tests.coordination.factories import IncidentFactory
from tests.donations import factories as df
from tests.readable import assert_readable_html

pytestmark = pytest.mark.django_db

FILING = "川民备〔2026〕1号"


@pytest.fixture
def incidents(db):
    return IncidentFactory(), IncidentFactory(subtype="flood", title="宝兴县洪涝")


@pytest.fixture
def gift(charity, charity_admin, incidents):
    return df.receipt(
        charity,
        charity_admin,
        "100.00",
        incident=incidents[0],
        restricted=True,
        donation_agreement=True,
    )


def _url(entry) -> str:
    return f"/ledger/entries/{entry.pk}/change-of-use/new/"


def test_the_holder_changes_the_use_from_the_entry_page(client, charity_admin, gift, incidents):
    client.force_login(charity_admin)
    page = client.get(f"/ledger/entries/{gift.pk}/")
    html = page.content.decode()
    assert 'data-action="change_use"' in html and _url(gift) in html
    assert_readable_html(page.content)
    form = client.get(_url(gift))
    assert form.status_code == 200
    assert_readable_html(form.content)

    response = client.post(
        _url(gift),
        {"incident": incidents[1].pk, "filing_reference": FILING, "donor_consent": "on"},
    )
    change = LedgerEntry.objects.get(kind="change_of_use")
    assert response.status_code == 302 and response.url == f"/ledger/entries/{change.pk}/"
    assert change.related_id == gift.pk and change.incident_id == incidents[1].pk
    assert change.amount == Decimal(100) and change.donor_consent
    assert not Lot.objects.filter(acquired_by=gift, remaining__gt=0).exists()
    assert [m.message for m in get_messages(response.wsgi_request)] == [
        f"已登记变更用途：条目 #{change.seq}。"
    ]
    # Nothing restricted is left: the panel says so instead of offering the form again.
    after = client.get(f"/ledger/entries/{gift.pk}/").content.decode()
    assert 'data-action="change_use"' not in after
    assert "本条目已没有剩余的定向资金或物资" in after or 'data-testid="change-of-use-why"' in after


def test_a_donation_agreement_needs_the_donors_consent(client, charity_admin, gift, incidents):
    client.force_login(charity_admin)
    response = client.post(
        _url(gift), {"incident": incidents[1].pk, "filing_reference": FILING}, follow=True
    )
    assert response.status_code == 200
    assert not LedgerEntry.objects.filter(kind="change_of_use").exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"purpose": "灾后重建"}, "filing_reference"),
        ({"filing_reference": FILING}, "purpose"),
        ({"incident": "999999", "filing_reference": FILING}, "incident"),
        ({"purpose": "x" * 201, "filing_reference": FILING}, "purpose"),
    ],
)
def test_bad_input_is_a_form_error(client, charity_admin, gift, body, field):
    client.force_login(charity_admin)
    response = client.post(_url(gift), {**body, "donor_consent": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not LedgerEntry.objects.filter(kind="change_of_use").exists()


def test_who_may_not_change_the_use(client, gift, ngo_admin, official, charity):
    url = _url(gift)
    assert "/accounts/login/" in client.get(url).url
    for user in (ngo_admin, official):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert (
            'data-action="change_use"'
            not in client.get(f"/ledger/entries/{gift.pk}/").content.decode()
        )
        response = client.post(url, {"purpose": "挪用", "filing_reference": FILING})
        refused = list(get_messages(response.wsgi_request))
        assert [REFUSED_TAG in m.tags for m in refused] == [True]
    assert not LedgerEntry.objects.filter(kind="change_of_use").exists()
    member = df.writer(charity, role="member")
    client.force_login(member)
    assert client.get(url).status_code == 200  # the holder's members write its ledger


def test_an_unrestricted_entry_offers_nothing_and_says_why(client, charity, charity_admin):
    plain = df.receipt(charity, charity_admin, "50.00")
    client.force_login(charity_admin)
    html = client.get(f"/ledger/entries/{plain.pk}/").content.decode()
    assert 'data-action="change_use"' not in html
    response = client.post(_url(plain), {"purpose": "灾后重建", "filing_reference": FILING})
    assert response.status_code == 200
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]


def test_the_entry_page_costs_the_same_for_the_holder(
    client, charity, charity_admin, incidents, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    one = df.receipt(
        charity,
        charity_admin,
        "10.00",
        incident=incidents[0],
        restricted=True,
        items=[df.item()],
    )
    client.force_login(charity_admin)
    client.get(f"/ledger/entries/{one.pk}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/ledger/entries/{one.pk}/")
    many = df.receipt(
        charity,
        charity_admin,
        "10.00",
        incident=incidents[0],
        restricted=True,
        items=[df.item(name=f"物资{i}") for i in range(6)],
    )
    with django_assert_max_num_queries(len(few)):
        assert (
            'data-action="change_use"' in client.get(f"/ledger/entries/{many.pk}/").content.decode()
        )
