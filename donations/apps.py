from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.versions import ALL_SCOPES


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = _("Donation ledger")

    # Public reads (core.public_cache, docs/public-reads.md). The ledger's sequencer, which
    # writes with QuerySet.update(), calls core.versions.bump("donations") itself.
    public_cache_scope = "donations"
    public_cache_routes = {
        "ledger-entries": ("core", "registry", "alerts", "coordination", "donations"),
        "donations:ledger": ALL_SCOPES,
    }

    def ready(self) -> None:
        # The transparency log follows the sequencer: each committed batch queues the tree's
        # extension and a signed head (issue 16).
        from donations.signals import ledger_sequenced
        from donations.tasks import on_ledger_sequenced

        ledger_sequenced.connect(on_ledger_sequenced, dispatch_uid="donations.tree-follows-seq")

    def dashboard_cards(self, user) -> list[dict]:
        """Ledger totals on the dashboard: received and still held (money + goods value)."""
        from django.urls import reverse

        from donations.queries import overall_figures

        figures = overall_figures()
        url = reverse("donations:ledger")
        return [
            {"label": _("Donations received (CNY)"), "value": figures["received"], "url": url},
            {"label": _("Donations disbursed (CNY)"), "value": figures["disbursed"], "url": url},
        ]

    def incident_panels(self, incident) -> list[dict]:
        """Donations received for the incident, on its page: cached under the chain head
        (every change to the books is an append, which moves it); the figures are read only
        when the panel is rendered (lazy)."""
        from django.utils.functional import SimpleLazyObject

        from donations.models import ChainHead
        from donations.queries import totals

        head = ChainHead.objects.filter(id=1).values_list("seq", flat=True).first() or 0
        figures = SimpleLazyObject(lambda: totals(incident_id=incident.pk))
        return [
            {
                "title": _("Donations"),
                "template": "donations/_incident_panel.html",
                "cache_key": f"donations:{incident.pk}:{head}",
                "context": {
                    "figures": SimpleLazyObject(lambda: figures["overall"]),
                    "incident": incident,
                    "organizations": SimpleLazyObject(lambda: figures["organizations"]),
                },
            }
        ]

    def organization_track_record(self, organization) -> list[dict]:
        """Public ledger record: received, disbursed and shortfalls signed for by others."""
        from django.urls import reverse

        from donations.queries import track_record

        record = track_record(organization)
        if not record["entries"]:
            return []
        url = reverse("donations:ledger") + f"?organization={organization.pk}"
        return [
            {"label": _("Donations received (CNY)"), "value": record["received"], "url": url},
            {"label": _("Donations disbursed (CNY)"), "value": record["disbursed"], "url": url},
            {
                "label": _("Shortfalls on its allocations"),
                "value": record["shortfalls"],
                "url": url,
            },
        ]

    def work_queue(self, user) -> list[dict]:
        """A receiving organization's ledger work (role "charity"): its workspace, allocations
        waiting for its signature, its own allocations the receiver has not signed for, goods
        left undistributed, and receipts of a responding incident near or past their 5-day
        disclosure deadline with nothing disbursed yet. A fixed number of queries.

        Added by the homes work (issue 13) as its brief said, for the donations pages to own."""
        from datetime import timedelta

        from django.conf import settings
        from django.db.models import Count, Exists, Min, OuterRef
        from django.urls import reverse
        from django.utils import timezone

        from donations.actions import receiving_kinds
        from donations.models import EntrySource, LedgerEntry, Lot
        from donations.queries import stuck_days
        from registry.queries import acting_organizations

        orgs = acting_organizations(user, kinds=receiving_kinds())
        if not orgs:
            return []
        kind = LedgerEntry.Kind
        workspace = reverse("donations:workspace", args=[orgs[0].pk])
        now = timezone.now()

        def item(key, label, qs, field, hint=""):
            totals = qs.aggregate(n=Count("pk"), oldest=Min(field))
            row = {
                "role": "charity",
                "key": key,
                "label": label,
                "count": totals["n"],
                "oldest": totals["oldest"],
                "url": workspace,
            }
            if hint:
                row["hint"] = hint
            return row

        settled = [kind.ACKNOWLEDGEMENT, kind.REVERSAL]
        to_sign = LedgerEntry.objects.filter(kind=kind.ALLOCATION, counterparty__in=orgs).exclude(
            followers__kind__in=settled
        )
        unsigned = LedgerEntry.objects.filter(kind=kind.ALLOCATION, holder__in=orgs).exclude(
            followers__kind__in=settled
        )
        stuck = Lot.objects.filter(
            holder__in=orgs,
            remaining__gt=0,
            acquired_at__lt=now - timedelta(days=stuck_days()),
        ).exclude(item="")
        days = getattr(settings, "TONGZHOU_RESPONSE_DISCLOSURE_DAYS", 5)
        drawn = EntrySource.objects.filter(
            lot__origin=OuterRef("pk"), entry__kind=kind.DISBURSEMENT
        )
        due = (
            LedgerEntry.objects.filter(
                kind=kind.RECEIPT,
                holder__in=orgs,
                incident__status="responding",
                occurred_at__lte=now - timedelta(days=days - 2),
            )
            .exclude(followers__kind=kind.REVERSAL)
            .filter(~Exists(drawn))
        )
        open_lots = Lot.objects.filter(holder__in=orgs, remaining__gt=0)
        return [
            item(
                "ledger",
                _("Donations you hold: record, allocate, disburse"),
                open_lots,
                "acquired_at",
                ", ".join(o.name for o in orgs),
            ),
            item("sign_for", _("Allocations waiting for your signature"), to_sign, "occurred_at"),
            item(
                "unsigned",
                _("Your allocations the receiver has not signed for"),
                unsigned,
                "occurred_at",
            ),
            item("stuck", _("Goods left undistributed"), stuck, "acquired_at"),
            item(
                "disclosure",
                _("Receipts due for disclosure (every 5 days during a response)"),
                due,
                "occurred_at",
            ),
        ]

    def navigation_links(self, user) -> list[dict]:
        """The ledger workspace of each organization the person records donations for."""
        from django.urls import reverse

        from donations.actions import receiving_kinds
        from registry.queries import acting_organizations

        orgs = acting_organizations(user, kinds=receiving_kinds())
        return [
            {
                "label": _("Ledger workspace") if len(orgs) == 1 else org.name,
                "url": reverse("donations:workspace", args=[org.pk]),
                "order": 30,
                "key": f"ledger-{org.pk}",
                "group": "donations",
            }
            for org in orgs[:2]
        ]

    def home_panels(self, user) -> list[dict]:
        """The ledger's latest public entries, on everyone's home (one query)."""
        from donations.models import LedgerEntry

        entries = list(
            LedgerEntry.objects.filter(seq__isnull=False)
            .select_related("holder", "counterparty", "incident")
            .order_by("-seq")[:6]
        )
        return [
            {
                "key": "ledger",
                "order": 30,
                "title": _("Latest ledger entries"),
                "template": "donations/_home_ledger.html",
                "context": {"entries": entries},
            }
        ]
