"""Set-up helpers for ledger tests: a verified foundation and a team, and entries via services."""

from contextlib import contextmanager
from decimal import Decimal

from core.roles import Role
from donations import services
from tests.registry import factories as f


def foundation(**kw):
    kw.setdefault("kind", "foundation")
    kw.setdefault("region_code", "510100")
    return f.OrganizationFactory(**kw)


def writer(org, role=Role.ADMIN):
    return f.org_user(org, role)


def receipt(org, by, amount="1000.00", **kw):
    kw.setdefault("donor_name", "张三")
    kw.setdefault("donor_kind", "individual")
    kw.setdefault("channel", "bank_transfer")
    if "items" in kw:
        return services.record_receipt(organization=org, by=by, **kw)
    return services.record_receipt(organization=org, by=by, amount=Decimal(amount), **kw)


def gift_passed_on(org, by, to, received="10", sent="4"):
    """A goods receipt of ``received`` boxes of water and an allocation of ``sent`` of them,
    drawn from that receipt, to ``to``: (the receipt, the allocation)."""
    gift = receipt(org, by, items=[item(quantity=received)])
    allocation = services.allocate(
        organization=org,
        by=by,
        to_organization=to,
        sources=[{"entry": gift.pk, "item": "矿泉水", "quantity": Decimal(sent)}],
        items=[item(quantity=sent)],
        purpose="饮用水",
    )
    return gift, allocation


def item(name="矿泉水", unit="箱", quantity="100", unit_value="30.00", **kw):
    return {
        "name": name,
        "unit": unit,
        "quantity": Decimal(quantity),
        "unit_value": Decimal(unit_value),
        **kw,
    }


@contextmanager
def tampering():
    """Write behind the services' back, as someone with the database password would.

    On PostgreSQL the append-only triggers refuse UPDATE/DELETE on ledger rows; an intruder
    owning the database can switch them off (session_replication_role), so the tests do too.
    """
    from django.db import connection

    on_pg = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if on_pg:
            cursor.execute("SET session_replication_role = replica")
        try:
            yield cursor
        finally:
            if on_pg:
                cursor.execute("SET session_replication_role = DEFAULT")
