from django.core.management.base import BaseCommand, CommandError

from donations import reconcile


class Command(BaseCommand):
    help = (
        "Recompute the ledger's hash chain and every balance from it, compare the balances with "
        "the server's lots and re-hash the evidence files; name every problem (exit 1)."
    )

    def handle(self, *args, **options):
        count, problems = reconcile.verify_all()
        if problems:
            for problem in problems[1:]:
                self.stderr.write(problem)
            raise CommandError(f"Ledger NOT intact ({len(problems)} problems): {problems[0]}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Ledger chain intact: {count} entries; balances reconcile with the lots; "
                "evidence files match."
            )
        )
