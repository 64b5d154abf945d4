"""One declaration of what a person may do with a claim (compensation.actions.CLAIM): for every
state and persona, the page's buttons, ``allowed_actions`` and the API's ``actions`` agree, and
each allowed action's service succeeds (rolled back)."""

import datetime as dt

import pytest
from django.db import transaction

from compensation import services
from compensation.models import Claim
from core.states import allowed_actions
from donations.models import LedgerEntry
from tests.compensation.conftest import AMOUNT, photo

pytestmark = pytest.mark.django_db

ARGS = {
    "review": {},
    "approve": {"amount": AMOUNT, "reason": "核定"},
    "reject": {"reason": "证据不足"},
    "pay": {},
    "settle": {"amount": AMOUNT, "paid_on": dt.date(2026, 11, 30)},
}
SERVICES = {
    "review": services.review_claim,
    "approve": services.approve_claim,
    "reject": services.reject_claim,
    "pay": services.pay_claim,
    "settle": services.settle_claim,
}


def _runs(name, claim, user) -> bool:
    args = dict(ARGS[name])
    if name == "pay":
        args["voucher"] = photo()
    try:
        with transaction.atomic():
            SERVICES[name](claim=claim, by=user, **args)
            transaction.set_rollback(True)
    except Exception:
        return False
    return True


@pytest.mark.parametrize("status", [s for s, _label in Claim.Status.choices])
def test_buttons_actions_and_services_agree_in_every_state(
    api,
    client,
    status,
    ngo,
    ngo_admin,
    ngo_member,
    other_ngo_admin,
    official,
    second_official,
    outside_official,
    deployment,
    fund,
):
    claim = Claim.objects.create(
        organization=ngo,
        incident=deployment.incident,
        deployment=deployment,
        kind="equipment",
        description="冲锋舟损毁",
        occurred_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
        amount_claimed=AMOUNT,
        region_code="511826",
        review_due=dt.date(2026, 12, 20),
        status=status,
        amount_approved=AMOUNT if status in ("approved", "paid") else None,
        # the database insists a paid claim names its ledger entry (here: the fund's receipt)
        ledger_entry=LedgerEntry.objects.first() if status == "paid" else None,
    )
    for user in (ngo_admin, ngo_member, official, second_official):
        allowed = allowed_actions(user, claim)
        assert api(user).get(f"/api/v1/compensation-claims/{claim.pk}/").json()["actions"] == (
            allowed
        )
        client.force_login(user)
        page = client.get(f"/compensation/{claim.pk}/").content.decode()
        shown = [name for name in SERVICES if f'data-action="{name}"' in page]
        assert shown == allowed, (status, user.username)
        for name in SERVICES:
            assert _runs(name, claim, user) == (name in allowed), (status, user.username, name)
    for stranger in (other_ngo_admin, outside_official):
        assert api(stranger).get(f"/api/v1/compensation-claims/{claim.pk}/").status_code == 404
