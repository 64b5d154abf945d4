"""Issue 16: sequencing after commit. A ledger entry gets a surrogate primary key ``id`` and the
public chain number ``seq`` becomes a nullable unique column set once by the sequencer.

- The old primary key column ``seq`` is renamed ``id`` (every foreign key value stays valid:
  existing rows keep ``id == seq``) and made an auto field (PostgreSQL: an identity whose
  sequence is set to start after the largest id; SQLite: an autoincrement rowid).
- A new ``seq`` is added and copied from ``id``; ``sequenced_at`` from ``recorded_at`` (the old
  entries were sequenced when they were written). ``prev_hash`` and ``hash`` become nullable;
  ``seq`` and ``hash`` are unique through partial unique constraints (``WHERE ... IS NOT
  NULL``), so that the sequencer's UPDATE takes FOR NO KEY UPDATE row locks, compatible with
  the FOR KEY SHARE locks of foreign-key checks of concurrent writers.
- PostgreSQL: the append-only trigger of ``donations_ledgerentry`` is replaced by one that allows
  exactly one UPDATE of a row: ``seq``/``prev_hash``/``hash``/``sequenced_at`` from unsequenced
  (``seq IS NULL``) to set, every other column unchanged. The copy runs between dropping the
  old trigger and creating the new one. The other tables keep ``tongzhou_refuse_change``.
"""

from django.db import migrations, models
from django.db.models import F, Q

TABLE = "donations_ledgerentry"
OLD_TRIGGER = f"{TABLE}_append_only"
GUARD = """
CREATE OR REPLACE FUNCTION tongzhou_entry_sequenced_once() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    other donations_ledgerentry%ROWTYPE;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
       AND NEW.prev_hash IS NOT NULL AND NEW.hash IS NOT NULL THEN
        other := NEW;
        other.seq := OLD.seq;
        other.prev_hash := OLD.prev_hash;
        other.hash := OLD.hash;
        other.sequenced_at := OLD.sequenced_at;
        IF other IS NOT DISTINCT FROM OLD THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION '% of % refused: the table is append-only (an entry changes once, from '
        'unsequenced to sequenced)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Corrections are new entries (a reversal), never edits.';
END
$$;
"""


def drop_old_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {OLD_TRIGGER} ON {TABLE}")


def restore_old_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TRIGGER {OLD_TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION tongzhou_refuse_change()"
        )


def create_guard(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(GUARD, params=None)
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_sequenced_once BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION tongzhou_entry_sequenced_once()"
    )


def drop_guard(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_sequenced_once ON {TABLE}")
    schema_editor.execute("DROP FUNCTION IF EXISTS tongzhou_entry_sequenced_once()")


def copy_seq(apps, schema_editor):
    """Entries written before the split were sequenced when written: seq = id."""
    entries = apps.get_model("donations", "LedgerEntry")
    entries.objects.filter(seq__isnull=True).update(seq=F("id"), sequenced_at=F("recorded_at"))
    if schema_editor.connection.vendor == "postgresql":
        # The identity Django adds starts at 1: new ids must come after the copied ones.
        restart = (
            f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), "  # noqa: S608
            f"COALESCE((SELECT MAX(id) FROM {TABLE}), 0) + 1, false)"
        )
        schema_editor.execute(restart)


def uncopy_seq(apps, schema_editor):
    entries = apps.get_model("donations", "LedgerEntry")
    if entries.objects.filter(Q(seq__isnull=True) | ~Q(seq=F("id"))).exists():
        raise RuntimeError("entries sequenced after the split (seq != id) cannot be unsplit")


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0007_entry_kinds_receiver_signed_and_resolutions"),
    ]

    operations = [
        migrations.RunPython(drop_old_guard, restore_old_guard),
        migrations.RenameField(model_name="ledgerentry", old_name="seq", new_name="id"),
        migrations.AlterField(
            model_name="ledgerentry",
            name="id",
            field=models.BigAutoField(primary_key=True, serialize=False),
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="seq",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="sequence"),
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="sequenced_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="sequenced at"),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="hash",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="prev_hash",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.RunPython(copy_seq, uncopy_seq),
        migrations.AlterModelOptions(
            name="ledgerentry",
            options={
                "ordering": ["id"],
                "verbose_name": "ledger entry",
                "verbose_name_plural": "ledger entries",
            },
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(
                condition=models.Q(("seq__isnull", True)), fields=["id"], name="entry_unsequenced"
            ),
        ),
        # Partial unique constraints, not unique=True: an UPDATE of a column with a full unique
        # index takes FOR UPDATE row locks on PostgreSQL, which conflict with the FOR KEY SHARE
        # of foreign-key checks (writers referring to the entries being sequenced: deadlocks).
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("seq__isnull", False)),
                fields=("seq",),
                name="entry_seq_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("hash__isnull", False)),
                fields=("hash",),
                name="entry_hash_unique",
            ),
        ),
        migrations.RunPython(create_guard, drop_guard),
    ]
