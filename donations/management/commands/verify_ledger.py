from django.core.management.base import BaseCommand, CommandError

from donations import reconcile, transparency
from donations.models import SignedHead


class Command(BaseCommand):
    help = (
        "Recompute the ledger's hash chain, its Merkle tree and the newest signed head's root "
        "and signature, every balance from the chain, compare the balances with the server's "
        "lots and re-hash the evidence files; name every problem (exit 1). --print-key prints "
        "the platform's public key instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--print-key",
            action="store_true",
            help="Print the Ed25519 public key (base64) and key id that sign tree heads.",
        )

    def handle(self, *args, **options):
        if options["print_key"]:
            key = transparency.platform_key()
            kind = (
                "development key (TONGZHOU_LEDGER_SIGNING_KEY unset)" if key.development else "key"
            )
            self.stdout.write(f"Ed25519 public {kind}: {key.public_b64}\nkey id: {key.key_id}")
            return
        count, problems = reconcile.verify_all()
        if problems:
            for problem in problems[1:]:
                self.stderr.write(problem)
            raise CommandError(f"Ledger NOT intact ({len(problems)} problems): {problems[0]}")
        tree = min(transparency.tree_size(), count)
        head = SignedHead.objects.filter(tree_size__lte=tree).order_by("-tree_size").first()
        signed = (
            f"signed head of {head.tree_size} entries verified" if head else "no signed head yet"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Ledger chain intact: {count} entries; Merkle tree of {tree} entries matches; "
                f"{signed}; balances reconcile with the lots; evidence files match."
            )
        )
