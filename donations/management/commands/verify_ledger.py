from django.core.management.base import BaseCommand, CommandError

from donations import chain


class Command(BaseCommand):
    help = "Recompute the ledger's hash chain and name the first entry that does not match."

    def handle(self, *args, **options):
        count, bad_seq, problem = chain.verify()
        if bad_seq is not None:
            raise CommandError(f"Ledger chain broken at entry seq {bad_seq}: {problem}")
        self.stdout.write(self.style.SUCCESS(f"Ledger chain intact: {count} entries."))
