"""On PostgreSQL, the database itself refuses UPDATE and DELETE of ledger rows and audit events.

The ORM already raises (``AppendOnlyModel``); these triggers hold against raw SQL too. Nothing
in the code updates or deletes these rows (entries are inserted whole, with their seq and hash,
under the chain head lock: the sequencer changes only ``ChainHead``), so there is no exception.
The personal-data purge blanks ``DonorDetails`` (private, outside the chain, not guarded) and
lots stay updatable (they are the balances). TRUNCATE (the test suite's flush) is not a row
operation and still works. A future data migration that must rewrite these tables disables the
trigger explicitly (``ALTER TABLE ... DISABLE TRIGGER ...``) and says why. No-op on SQLite.
"""

from django.db import migrations

TABLES = [
    "donations_ledgerentry",
    "donations_goodsline",
    "donations_entrysource",
    "donations_evidence",
    "core_auditevent",
]
FUNCTION = """
CREATE OR REPLACE FUNCTION tongzhou_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% of % refused: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Corrections are new entries (a reversal), never edits.';
END
$$;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION tongzhou_refuse_change()"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS tongzhou_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_load_regions"),
        ("donations", "0003_private_commitments_chain_format"),
    ]

    operations = [migrations.RunPython(create, drop)]
