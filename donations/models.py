"""The public donation ledger: one append-only, hash-chained table of entries.

- ``LedgerEntry`` rows are never deleted and changed once only: from unsequenced to sequenced
  (``seq``, ``prev_hash``, ``hash``, ``sequenced_at`` set by ``donations.sequencer``; the ORM
  raises on anything else, and on PostgreSQL a trigger refuses it). Corrections are reversals.
  Their primary key ``id`` is an internal surrogate (gappy; rows written before the split keep
  ``id == seq``); the public, gapless chain number is ``seq`` (docs/ledger-chain.md).
- ``GoodsLine`` and ``EntrySource`` rows belong to an entry and are append-only too.
- ``DonorDetails`` keeps the private details of a receipt (donor, handler) and the salt of their
  commitments outside the chained public form; the personal-data purge empties it.
- ``Lot`` rows are the balances (what a holder still has of one receipt, for one item). They are
  the only mutable rows; a CheckConstraint keeps every lot at or above zero, which also keeps
  every receipt, holder and purpose balance at or above zero (they are sums of lots).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    """The ledger is append-only: corrections are reversing entries."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("ledger rows cannot be updated; append a reversal instead")

    def delete(self):
        raise AppendOnlyError("ledger rows cannot be deleted; append a reversal instead")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("ledger rows cannot be updated; append a reversal instead")

    SEQUENCING_FIELDS = ("seq", "prev_hash", "hash", "sequenced_at")

    def sequence_rows(self, objs: list, fields: list[str]) -> int:
        """The one sanctioned change of ledger rows: the sequencer sets seq, prev_hash, hash
        and sequenced_at of unsequenced entries (``donations.sequencer``), in one statement.

        On PostgreSQL one ``UPDATE ... FROM (VALUES ...) WHERE seq IS NULL`` (Django's
        ``bulk_update`` builds a CASE expression per row and field: ~1 ms of Python per entry
        under load); if any row was sequenced already it raises, so the batch rolls back."""
        if set(fields) != set(self.SEQUENCING_FIELDS):
            raise AppendOnlyError("only the sequencer's fields may be set, once")
        if not objs:
            return 0
        from django.db import connections

        connection = connections[self.db]
        if connection.vendor != "postgresql":
            return models.QuerySet(model=self.model, using=self.db).bulk_update(objs, fields)
        rows = ", ".join(["(%s::bigint, %s::bigint, %s, %s, %s::timestamptz)"] * len(objs))
        params = [
            value
            for obj in objs
            for value in (obj.pk, obj.seq, obj.prev_hash, obj.hash, obj.sequenced_at)
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {self.model._meta.db_table} AS e SET seq = v.seq, "  # noqa: S608
                "prev_hash = v.prev_hash, hash = v.hash, sequenced_at = v.sequenced_at "
                f"FROM (VALUES {rows}) AS v (id, seq, prev_hash, hash, sequenced_at) "
                "WHERE e.id = v.id AND e.seq IS NULL",
                params,
            )
            if cursor.rowcount != len(objs):
                raise AppendOnlyError("an entry in the batch was sequenced already")
            return cursor.rowcount


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("ledger rows cannot be updated; append a reversal instead")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("ledger rows cannot be deleted; append a reversal instead")


class DonorKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    COMPANY = "company", _("Company")
    FOUNDATION = "foundation", _("Foundation")
    GOVERNMENT = "government", _("Government")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    ONLINE_PLATFORM = "online_platform", _("Online fundraising platform")
    CASH = "cash", _("Cash")
    IN_KIND = "in_kind", _("In kind")
    OTHER = "other", _("Other")


class ChainHead(models.Model):
    """The single row locked (select_for_update) while an entry is appended: the chain's tip."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="chainhead_single_row")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.head_hash[:12]}"


class LedgerEntry(AppendOnlyModel):
    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        ALLOCATION = "allocation", _("Allocation")
        ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement (signed for)")
        DISBURSEMENT = "disbursement", _("Disbursement")
        RECEIVER_SIGNED = "receiver_signed", _("Signed for by an end receiver")
        REVERSAL = "reversal", _("Reversal")
        CHANGE_OF_USE = "change_of_use", _("Change of use")
        # Resolutions of a shortfall signed for on an allocation (``related`` = the allocation):
        RECOVERY = "recovery", _("Shortfall recovered")
        WRITE_OFF = "write_off", _("Shortfall written off")
        REPLACEMENT = "replacement", _("Shortfall replaced")

    id = models.BigAutoField(primary_key=True)
    # Set once by the sequencer (null until then): the public, gapless, 1-based chain number.
    # Unique through a partial constraint (below), not ``unique=True``: PostgreSQL takes a
    # FOR UPDATE row lock for an UPDATE of a column with a full unique index (one a foreign key
    # could use), which conflicts with the FOR KEY SHARE of writers' foreign-key checks and
    # deadlocked writers against the sequencer; with partial indexes it takes FOR NO KEY UPDATE.
    seq = models.PositiveBigIntegerField(_("sequence"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    holder = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("organization"),
    )
    counterparty = models.ForeignKey(
        "registry.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries_received",
        verbose_name=_("to organization"),
    )
    incident = models.ForeignKey(
        "coordination.Incident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("incident"),
    )
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    restricted = models.BooleanField(_("restricted (定向)"), default=False)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2, default=0)
    goods_value = models.DecimalField(
        _("goods value (CNY)"), max_digits=14, decimal_places=2, default=0
    )
    occurred_at = models.DateTimeField(_("date"), db_index=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    # receipt
    donor_display = models.CharField(_("donor"), max_length=200, blank=True)
    donor_kind = models.CharField(_("donor kind"), max_length=12, blank=True)
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    receipt_number = models.CharField(_("receipt number"), max_length=64, blank=True)
    handler = models.CharField(_("handler"), max_length=100, blank=True)
    trace_code = models.CharField(
        _("trace code"), max_length=20, unique=True, null=True, blank=True
    )
    donation_agreement = models.BooleanField(_("donation agreement"), default=False)
    # disbursement
    region_code = models.CharField(_("region"), max_length=6, blank=True)
    beneficiaries = models.PositiveIntegerField(_("beneficiaries"), default=0)
    # acknowledgement, reversal, change of use
    related = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followers",
        verbose_name=_("related entry"),
    )
    shortfall = models.BooleanField(_("shortfall"), default=False)
    reason = models.TextField(_("reason"), blank=True)
    filing_reference = models.CharField(_("filing reference"), max_length=100, blank=True)
    donor_consent = models.BooleanField(_("donor consent"), default=False)
    # Format 2: salted SHA-256 commitments of the private fields (``donations.privacy``),
    # {"handler": hex, "donor_name": hex, ...}; the plain text and salt are in DonorDetails.
    commitments = models.JSONField(_("commitments"), default=dict, blank=True)
    # chain: 1 = written before format 2 (see docs/donations.md, "Chain format v2")
    chain_format = models.PositiveSmallIntegerField(default=1)
    prev_hash = models.CharField(max_length=64, null=True, blank=True)
    hash = models.CharField(max_length=64, null=True, blank=True)
    # When the sequencer gave it its seq (merge delay = sequenced_at - recorded_at).
    sequenced_at = models.DateTimeField(_("sequenced at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="entry_amount_gte_0"),
            models.CheckConstraint(condition=Q(goods_value__gte=0), name="entry_goods_gte_0"),
            # One reversal per entry and one acknowledgement per allocation.
            models.UniqueConstraint(
                fields=["related"],
                condition=Q(kind__in=["reversal", "acknowledgement"]),
                name="entry_reversed_or_acknowledged_once",
            ),
            models.UniqueConstraint(
                fields=["seq"], condition=Q(seq__isnull=False), name="entry_seq_unique"
            ),
            models.UniqueConstraint(
                fields=["hash"], condition=Q(hash__isnull=False), name="entry_hash_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["holder", "kind"]),
            models.Index(fields=["incident"]),
            # The sequencer's queue and the merge-delay monitor: only unsequenced rows.
            models.Index(fields=["id"], condition=Q(seq__isnull=True), name="entry_unsequenced"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_kind_display()}" if self.seq else f"({self.pk})"

    @property
    def sequenced(self) -> bool:
        """Given its place in the public chain (``seq`` and ``hash``) by the sequencer."""
        return self.seq is not None

    @property
    def number(self) -> str:
        """Its public number for messages ("#%(seq)s"), or words saying it has none yet."""
        from django.utils.translation import gettext

        return str(self.seq) if self.seq else gettext("(numbered when it joins the public ledger)")

    @property
    def total_value(self):
        return self.amount + self.goods_value


class GoodsLine(AppendOnlyModel):
    """One line of goods on an entry: item, unit, quantity and unit value (yuan estimate)."""

    entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("item"), max_length=120)
    unit = models.CharField(_("unit"), max_length=20)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit_value = models.DecimalField(_("unit value"), max_digits=12, decimal_places=2, default=0)
    spec = models.CharField(_("model / specification"), max_length=200, blank=True)
    quality_certificate = models.CharField(_("quality certificate"), max_length=200, blank=True)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)

    class Meta:
        ordering = ["entry_id", "position"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="goodsline_quantity_gt_0"),
            models.CheckConstraint(condition=Q(unit_value__gte=0), name="goodsline_value_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.quantity} {self.unit}"


class Lot(models.Model):
    """What ``holder`` still has of one receipt for one item ("" = money): the balance row.

    Created by a receipt, an acknowledgement (goods or money that arrived) or a change of use;
    decremented under ``select_for_update`` by outgoing entries.
    """

    origin = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="origin_lots")
    acquired_by = models.ForeignKey(
        LedgerEntry, on_delete=models.PROTECT, related_name="acquired_lots"
    )
    holder = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="ledger_lots"
    )
    incident = models.ForeignKey(
        "coordination.Incident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(max_length=200, blank=True)
    restricted = models.BooleanField(default=False)
    item = models.CharField(max_length=120, blank=True)
    unit = models.CharField(max_length=20, blank=True)
    unit_value = models.DecimalField(max_digits=12, decimal_places=2, default=1)
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    remaining = models.DecimalField(max_digits=14, decimal_places=3)
    acquired_at = models.DateTimeField()

    class Meta:
        ordering = ["acquired_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(remaining__gte=0), name="lot_remaining_gte_0"),
            models.CheckConstraint(
                condition=Q(remaining__lte=models.F("quantity")), name="lot_remaining_lte_quantity"
            ),
        ]
        indexes = [
            models.Index(fields=["holder", "item", "remaining"]),
            # Goods still held, by receipt: the "stuck goods" badge of the public list probes
            # it per entry; without it the planner scans every lot (a million-entry ledger).
            models.Index(
                fields=["origin", "acquired_at"],
                condition=Q(remaining__gt=0) & ~Q(item=""),
                name="lot_goods_held_by_origin",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item or 'CNY'} {self.remaining}/{self.quantity} @{self.holder_id}"

    @property
    def is_money(self) -> bool:
        return self.item == ""

    # What a new lot copies from the lot it came from (an arrival or a change of use).
    INHERITED = (
        "origin_id",
        "incident_id",
        "purpose",
        "restricted",
        "item",
        "unit",
        "unit_value",
        "acquired_at",
    )

    @classmethod
    def opened(cls, *, quantity: Decimal, like: "Lot | None" = None, **fields) -> "Lot":
        """A new, unsaved lot holding ``quantity`` (all of it remaining): the one way a receipt,
        an arrival or a change of use opens a position. With ``like`` (the lot it came from) the
        receipt, item, unit, value, terms and acquisition time are copied unless given."""
        inherited = {name: getattr(like, name) for name in cls.INHERITED} if like else {}
        if "incident" in fields:
            inherited.pop("incident_id", None)
        return cls(**{**inherited, **fields}, quantity=quantity, remaining=quantity)


class EntrySource(AppendOnlyModel):
    """How much of which lot an outgoing entry drew on (or a reversal gave back)."""

    entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="sources")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="draws")
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    chosen_by_service = models.BooleanField(default=False)

    class Meta:
        ordering = ["entry_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="source_quantity_gt_0")
        ]

    def __str__(self) -> str:
        return f"#{self.entry_id} <- lot {self.lot_id}: {self.quantity}"


class DonorDetails(models.Model):
    """A receipt's private details: never in the chain, the export or public pages.

    The chain carries only ``sha256(f"{salt}:{field}:{value}")`` per non-empty field (format 2);
    the holder's members can reveal ``salt`` and the values so a donor or auditor can check a
    commitment. The personal-data purge blanks the values and the salt (``purged_at``); the
    commitments stay in the chain and then prove nothing.
    """

    entry = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, related_name="donor_details"
    )
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    handler = models.CharField(_("handler"), max_length=100, blank=True)
    salt = models.CharField(max_length=64, blank=True)
    purged_at = models.DateTimeField(_("purged at"), null=True, blank=True)

    def __str__(self) -> str:
        return f"donor of #{self.entry_id}"


class Evidence(AppendOnlyModel):
    """A file proving a disbursement; stored privately under MEDIA_ROOT, its SHA-256 chained."""

    entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to="donations/evidence/%Y/%m/")
    content_type = models.CharField(max_length=50)
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=200, blank=True)
    # Marked private by the uploader: never served publicly, its hash chained all the same.
    private = models.BooleanField(_("private"), default=False)

    def __str__(self) -> str:
        return self.original_name or self.sha256[:12]


class Flag(models.Model):
    """A disclosure or stuck-goods finding already alerted, so the beat job alerts once."""

    class Kind(models.TextChoices):
        DISCLOSURE_OVERDUE = "disclosure_overdue", _("Disclosure overdue")
        STUCK_GOODS = "stuck_goods", _("Goods undistributed")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    receipt = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="flags")
    holder = models.ForeignKey("registry.Organization", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "receipt", "holder"], name="flag_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.receipt_id}"


# --- Supervision and end receivers (docs/DOMAIN.md, "Supervision and end receivers") ---------


class Question(models.Model):
    """A question or concern anyone raised on a ledger entry (the right to supervise, 慈善法).

    ``text`` and ``answer`` are public and stored already masked (phone and ID numbers
    replaced); ``contact`` is private to the holder's members and never shown publicly.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting an answer")
        ANSWERED = "answered", _("Answered")

    TRANSITIONS = {Status.OPEN: {Status.ANSWERED}, Status.ANSWERED: set()}

    entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="questions")
    text = models.TextField(_("question"))
    contact = models.CharField(_("contact (not published)"), max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    asked_at = models.DateTimeField(_("asked at"))
    due_at = models.DateTimeField(_("answer due"))
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set once by the overdue job (a conditional update), so the bureau is alerted once.
    overdue_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        indexes = [models.Index(fields=["status", "due_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | (Q(answered_at__isnull=False) & ~Q(answer="")),
                name="question_answered_has_answer",
            )
        ]

    def __str__(self) -> str:
        return f"? #{self.entry_id}/{self.pk}"

    def audit_scope(self) -> tuple[int | None, str]:
        return self.entry.holder_id, self.entry.holder.region_code

    @property
    def overdue(self) -> bool:
        """Still unanswered after its deadline: flagged publicly."""
        return self.status == self.Status.OPEN and self.due_at < timezone.now()

    @property
    def time_taken(self):
        return self.answered_at - self.asked_at if self.answered_at else None


class ReceiverKind(models.TextChoices):
    """End receivers without an account. ``public_institution`` is registry's 事业单位 kind."""

    PUBLIC_INSTITUTION = "public_institution", _("Public institution (事业单位)")
    VILLAGE_COMMITTEE = "village_committee", _("Village or residents' committee")
    RESETTLEMENT_SITE = "resettlement_site", _("Resettlement site")
    OTHER = "other", _("Other")


class ReceiverDelivery(models.Model):
    """Goods handed to an end receiver (a disbursement) awaiting its sign-for by one-time link.

    Only the SHA-256 of the link's token is stored; the link expires at ``expires_at`` and is
    used once (``pending -> signed`` by a conditional update). ``signer_name`` is private (a
    natural person: never in the chain or on public pages); the role is public.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the receiver's signature")
        SIGNED = "signed", _("Signed for")

    TRANSITIONS = {Status.PENDING: {Status.SIGNED}, Status.SIGNED: set()}

    entry = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, related_name="receiver_delivery"
    )
    receiver_name = models.CharField(_("receiver"), max_length=200)
    receiver_kind = models.CharField(_("kind of receiver"), max_length=20, choices=ReceiverKind)
    receiver_organization = models.ForeignKey(
        "registry.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="end_deliveries",
    )
    region_code = models.CharField(_("region"), max_length=6)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("link expires"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    signed_entry = models.OneToOneField(
        LedgerEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receiver_signature",
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signer_name = models.CharField(_("name"), max_length=100, blank=True)
    signer_role = models.CharField(_("role"), max_length=100, blank=True)
    # [{"name", "unit", "sent", "signed", "note"}]: what was sent and signed per line.
    signed_lines = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery to an end receiver")
        verbose_name_plural = _("deliveries to end receivers")

    def __str__(self) -> str:
        return f"{self.receiver_name} #{self.entry_id}"

    def audit_scope(self) -> tuple[int | None, str]:
        return self.entry.holder_id, self.region_code

    @property
    def mismatched(self) -> bool:
        return any(line.get("note") for line in self.signed_lines or [])


class Campaign(models.Model):
    """A public fundraising campaign (公开募捐, 慈善法 Art. 22-29) filed by a charity.

    The minimal concept the ledger needs: receipts recorded for a campaign are restricted (定向)
    to its incident and to its purpose (``label``), so the lot rules of ``donations.balances``
    bind them to the campaign until a change of use (docs/DOMAIN.md, "Donations").
    """

    organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("organization"),
    )
    title = models.CharField(_("title"), max_length=120)
    record_number = models.CharField(_("filing number (备案编号)"), max_length=64)
    incident = models.ForeignKey(
        "coordination.Incident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("incident"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "record_number"], name="campaign_record_once"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The purpose its receipts carry: the campaign's title and filing number."""
        return f"{self.title}（{self.record_number}）"[:200]


# --- Transparency log: Merkle tree, signed heads, witnesses (donations/transparency.py) -------


class TreeState(models.Model):
    """How many sequenced entries the stored Merkle tree holds: the single row that
    ``transparency.extend_tree`` locks while it adds leaves (one extender at a time)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="treestate_single_row")]

    def __str__(self) -> str:
        return f"tree of {self.size}"


class MerkleNode(models.Model):
    """The hash of one complete subtree: the ``2**level`` leaves from ``index * 2**level``.

    ``id`` is ``level << 56 | index`` (``transparency.node_key``) so the O(log n) nodes of a
    proof are read with one primary-key ``IN`` lookup. Written once, never updated.
    """

    id = models.BigIntegerField(primary_key=True)
    level = models.PositiveSmallIntegerField()
    index = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"L{self.level}#{self.index} {self.hash[:12]}"


class SignedHead(models.Model):
    """A signed tree head: the root of the first ``tree_size`` leaves, when, signed with the
    platform's Ed25519 key (message format: ``transparency.head_message``)."""

    tree_size = models.PositiveBigIntegerField(_("tree size"), unique=True)
    root_hash = models.CharField(_("root hash"), max_length=64)
    timestamp = models.PositiveBigIntegerField(_("timestamp (ms since 1970, UTC)"))
    signature = models.CharField(_("signature (base64)"), max_length=100)
    key_id = models.CharField(_("key id"), max_length=16)

    class Meta:
        ordering = ["-tree_size"]
        verbose_name = _("signed tree head")
        verbose_name_plural = _("signed tree heads")

    def __str__(self) -> str:
        return f"STH {self.tree_size} {self.root_hash[:12]}"


class Witness(models.Model):
    """A second party (a provincial bureau, an audit office) that countersigns tree heads with
    its own Ed25519 key; registered by a platform admin in the Django admin."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    public_key = models.CharField(
        _("Ed25519 public key (base64 of the 32 raw bytes)"), max_length=64, unique=True
    )
    active = models.BooleanField(_("active"), default=True)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("witness")
        verbose_name_plural = _("witnesses")

    def __str__(self) -> str:
        return self.name


class Countersignature(models.Model):
    """A witness's Ed25519 signature over the same message as the platform's for one head."""

    head = models.ForeignKey(SignedHead, on_delete=models.PROTECT, related_name="countersignatures")
    witness = models.ForeignKey(Witness, on_delete=models.PROTECT, related_name="signatures")
    signature = models.CharField(_("signature (base64)"), max_length=100)
    signed_at = models.DateTimeField(_("countersigned at"), auto_now_add=True)

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["head", "witness"], name="countersign_once")]
        verbose_name = _("countersignature")
        verbose_name_plural = _("countersignatures")

    def __str__(self) -> str:
        return f"{self.witness} @ {self.head.tree_size}"
