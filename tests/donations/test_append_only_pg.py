"""PostgreSQL triggers: ledger rows and audit events refuse UPDATE and DELETE even in raw SQL."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from core.models import AuditEvent
from donations import services
from donations.models import DonorDetails, EntrySource, Evidence, GoodsLine, LedgerEntry, Lot
from tests.donations import factories as df

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

GUARDED = {
    LedgerEntry: "amount = amount + 1",
    GoodsLine: "quantity = quantity + 1",
    EntrySource: "quantity = quantity + 1",
    Evidence: "sha256 = 'x'",
    AuditEvent: "reason = 'x'",
}


def _sql(statement: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


@pytest.fixture
def ledger(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    charity = df.foundation()
    admin = df.writer(charity)
    df.receipt(charity, admin, items=[df.item()], handler="王小明")
    pdf = SimpleUploadedFile("r.pdf", b"%PDF-1.4 receipt", content_type="application/pdf")
    services.disburse(
        organization=charity,
        by=admin,
        items=[df.item(quantity="10")],
        purpose="饮用水",
        evidence=[pdf],
    )
    return charity


@pytest.mark.parametrize("model", list(GUARDED), ids=lambda m: m.__name__)
def test_update_and_delete_are_refused_by_the_database(ledger, model):
    table = model._meta.db_table
    assert model.objects.exists()
    with pytest.raises(DatabaseError, match="append-only"):
        _sql(f"UPDATE {table} SET {GUARDED[model]}")  # noqa: S608
    with pytest.raises(DatabaseError, match="append-only"):
        _sql(f"DELETE FROM {table}")  # noqa: S608
    # inserting is what the ledger does: still allowed (the services above did it)


def test_balances_and_private_details_stay_writable_and_flush_still_works(ledger):
    # lots are the balances: the services decrement them
    _sql(f"UPDATE {Lot._meta.db_table} SET remaining = remaining")  # noqa: S608
    # the personal-data purge blanks the private side table
    assert services.purge_private(entry=DonorDetails.objects.get().entry)
    assert DonorDetails.objects.get().salt == ""
    # the sequencer's only change is the chain head row
    assert (
        services.disburse(
            organization=ledger,
            by=df.writer(ledger),
            items=[df.item(quantity="1")],
            purpose="饮用水",
        ).seq
        == 3
    )
    # the test database flush is TRUNCATE, not DELETE: it still empties the tables
    call_command("flush", interactive=False, verbosity=0)
    assert not LedgerEntry.objects.exists() and not AuditEvent.objects.exists()
    assert Decimal(0) == Decimal(Lot.objects.count())
