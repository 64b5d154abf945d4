"""Government purchase of services: projects, sealed bids, evaluation, award, contract, delivery.

Each life cycle has a ``TRANSITIONS`` table beside its model; services consult it through
``core.states.check_transition`` so an illegal move is an HTTP 409.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Category(models.TextChoices):
    ROUTINE_REDUCTION = "routine_reduction", _("Routine disaster reduction")
    EMERGENCY_RESCUE = "emergency_rescue", _("Emergency rescue")
    TRANSITIONAL_RESETTLEMENT = "transitional_resettlement", _("Transitional resettlement")
    RECOVERY_RECONSTRUCTION = "recovery_reconstruction", _("Recovery and reconstruction")
    TRAINING_DRILLS = "training_drills", _("Training and drills")
    ASSESSMENT = "assessment", _("Assessment")
    OTHER = "other", _("Other")


class Method(models.TextChoices):
    OPEN_TENDER = "open_tender", _("Open tender")
    INVITED_TENDER = "invited_tender", _("Invited tender")
    COMPETITIVE_NEGOTIATION = "competitive_negotiation", _("Competitive negotiation")
    COMPETITIVE_CONSULTATION = "competitive_consultation", _("Competitive consultation")
    INQUIRY = "inquiry", _("Inquiry")
    SINGLE_SOURCE = "single_source", _("Single source")
    EMERGENCY = "emergency", _("Emergency procurement")


# The Chinese names are the legal terms: OCDS procurementMethodDetails carries them verbatim.
METHOD_CHINESE_NAMES = {
    Method.OPEN_TENDER: "公开招标",
    Method.INVITED_TENDER: "邀请招标",
    Method.COMPETITIVE_NEGOTIATION: "竞争性谈判",
    Method.COMPETITIVE_CONSULTATION: "竞争性磋商",
    Method.INQUIRY: "询价",
    Method.SINGLE_SOURCE: "单一来源",
    Method.EMERGENCY: "应急采购",
}

# Methods where only invited organizations may bid.
INVITATION_METHODS = {
    Method.INVITED_TENDER,
    Method.COMPETITIVE_NEGOTIATION,
    Method.COMPETITIVE_CONSULTATION,
    Method.SINGLE_SOURCE,
}


class MethodReason(models.TextChoices):
    """The legal grounds for a method other than open tender at or above the small-purchase
    threshold (政府采购法 Art. 29-32; 竞争性磋商 by 财库〔2014〕214号 Art. 3). Each names the one
    method it justifies (``METHOD_REASON_METHODS``)."""

    INVITED_SPECIAL = (
        "invited_special",
        _(
            "Procurement Law Art. 29(1): special services only a limited range of "
            "suppliers can provide"
        ),
    )
    INVITED_COST = (
        "invited_cost",
        _(
            "Procurement Law Art. 29(2): the cost of an open tender is too large a share "
            "of the project's value"
        ),
    )
    NEGOTIATION_FAILED = (
        "negotiation_failed",
        _(
            "Procurement Law Art. 30(1): no bids or no qualified bids after a tender, or "
            "a re-tender failed"
        ),
    )
    NEGOTIATION_COMPLEX = (
        "negotiation_complex",
        _(
            "Procurement Law Art. 30(2): technically complex or special, the detailed "
            "specifications cannot be fixed"
        ),
    )
    NEGOTIATION_URGENT = (
        "negotiation_urgent",
        _("Procurement Law Art. 30(3): the time a tender needs cannot meet an urgent need"),
    )
    NEGOTIATION_PRICE = (
        "negotiation_price",
        _("Procurement Law Art. 30(4): the total price cannot be calculated in advance"),
    )
    CONSULTATION_SERVICES = (
        "consultation_services",
        _("Measures on competitive consultation Art. 3(1): a government purchase of services"),
    )
    CONSULTATION_COMPLEX = (
        "consultation_complex",
        _(
            "Measures on competitive consultation Art. 3(2): technically complex or special, the "
            "detailed specifications cannot be fixed"
        ),
    )
    SINGLE_ONLY = (
        "single_only",
        _("Procurement Law Art. 31(1): only one supplier can provide the service"),
    )
    SINGLE_UNFORESEEN = (
        "single_unforeseen",
        _("Procurement Law Art. 31(2): an unforeseeable emergency leaves no other supplier"),
    )
    SINGLE_CONTINUITY = (
        "single_continuity",
        _(
            "Procurement Law Art. 31(3): continuity with the original supplier, additions "
            "at most 10% of the original contract"
        ),
    )
    INQUIRY_STANDARD = (
        "inquiry_standard",
        _(
            "Procurement Law Art. 32: uniform specifications and standards, ample supply, "
            "stable prices"
        ),
    )


METHOD_REASON_METHODS = {
    MethodReason.INVITED_SPECIAL: Method.INVITED_TENDER,
    MethodReason.INVITED_COST: Method.INVITED_TENDER,
    MethodReason.NEGOTIATION_FAILED: Method.COMPETITIVE_NEGOTIATION,
    MethodReason.NEGOTIATION_COMPLEX: Method.COMPETITIVE_NEGOTIATION,
    MethodReason.NEGOTIATION_URGENT: Method.COMPETITIVE_NEGOTIATION,
    MethodReason.NEGOTIATION_PRICE: Method.COMPETITIVE_NEGOTIATION,
    MethodReason.CONSULTATION_SERVICES: Method.COMPETITIVE_CONSULTATION,
    MethodReason.CONSULTATION_COMPLEX: Method.COMPETITIVE_CONSULTATION,
    MethodReason.SINGLE_ONLY: Method.SINGLE_SOURCE,
    MethodReason.SINGLE_UNFORESEEN: Method.SINGLE_SOURCE,
    MethodReason.SINGLE_CONTINUITY: Method.SINGLE_SOURCE,
    MethodReason.INQUIRY_STANDARD: Method.INQUIRY,
}

# The small-value route (below TONGZHOU_SMALL_PURCHASE_THRESHOLD): the methods the plan proposes,
# each inviting at least SMALL_VALUE_MIN_INVITEES registered, verified suppliers.
SMALL_VALUE_METHODS = (Method.COMPETITIVE_CONSULTATION, Method.COMPETITIVE_NEGOTIATION)
SMALL_VALUE_MIN_INVITEES = 3


class TerminationGround(models.TextChoices):
    NONPERFORMANCE = "nonperformance", _("Failure to deliver")
    FALSIFICATION = "falsification", _("Falsified records or evidence")
    OTHER = "other", _("Other breach")


class EvaluationMethod(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("Comprehensive scoring")
    LOWEST_PRICE = "lowest_price", _("Lowest evaluated price")


class Verification(models.TextChoices):
    DOCUMENT = "document", _("Document")
    SITE_INSPECTION = "site_inspection", _("Site inspection")
    BENEFICIARY_SAMPLING = "beneficiary_sampling", _("Beneficiary sampling")
    THIRD_PARTY = "third_party", _("Third-party evaluation")


class Direction(models.TextChoices):
    """How a measured value is compared with an indicator's target."""

    AT_LEAST = "at_least", _("At least")
    AT_MOST = "at_most", _("At most")
    EXACTLY = "exactly", _("Exactly")


DIRECTION_SIGNS = {Direction.AT_LEAST: "≥", Direction.AT_MOST: "≤", Direction.EXACTLY: "="}


def meets(direction: str, value: Decimal, target: Decimal) -> bool:
    """Whether ``value`` meets ``target`` in ``direction`` ("within 2 hours": at most 2)."""
    if direction == Direction.AT_MOST:
        return value <= target
    if direction == Direction.EXACTLY:
        return value == target
    return value >= target


class CriterionKind(models.TextChoices):
    PRICE = "price", _("Price")
    TECHNICAL = "technical", _("Technical")
    QUALITY = "quality", _("Service quality")
    EXPERIENCE = "experience", _("Experience")


class Project(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        TENDERING = "tendering", _("Tendering")
        EVALUATING = "evaluating", _("Evaluating")
        AWARDED = "awarded", _("Awarded")
        IMPLEMENTING = "implementing", _("Implementing")
        ACCEPTED = "accepted", pgettext_lazy("procurement status", "Accepted")
        CLOSED = "closed", _("Closed")
        FAILED = "failed", _("Failed (no valid bids)")
        CANCELLED = "cancelled", _("Cancelled")
        TERMINATED = "terminated", _("Terminated")

    TRANSITIONS = {
        Status.DRAFT: (Status.TENDERING, Status.CANCELLED),
        Status.TENDERING: (Status.EVALUATING, Status.FAILED, Status.CANCELLED),
        Status.EVALUATING: (Status.AWARDED, Status.FAILED, Status.CANCELLED),
        Status.AWARDED: (Status.IMPLEMENTING, Status.EVALUATING, Status.CANCELLED),
        Status.IMPLEMENTING: (Status.ACCEPTED, Status.TERMINATED),
        Status.ACCEPTED: (Status.CLOSED,),
        Status.CLOSED: (),
        Status.FAILED: (),
        Status.CANCELLED: (),
        Status.TERMINATED: (),
    }

    buyer = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="procurements",
        verbose_name=_("buyer"),
    )
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    method = models.CharField(_("method"), max_length=32, choices=Method.choices)
    evaluation_method = models.CharField(
        _("evaluation method"),
        max_length=16,
        choices=EvaluationMethod.choices,
        default=EvaluationMethod.COMPREHENSIVE,
    )
    budget_amount = models.DecimalField(_("budget"), max_digits=14, decimal_places=2)
    region_code = models.CharField(_("region"), max_length=6, db_index=True)
    incident = models.ForeignKey(
        "coordination.Incident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="procurements",
        verbose_name=_("incident"),
    )
    description = models.TextField(_("description"), blank=True)
    eligibility_specialty = models.CharField(_("required specialty"), max_length=32, blank=True)
    eligibility_min_grade = models.PositiveSmallIntegerField(
        _("minimum assessed grade"), null=True, blank=True
    )
    invitees = models.ManyToManyField(
        "registry.Organization", blank=True, related_name="procurement_invitations"
    )
    tender_end = models.DateTimeField(_("tender deadline"))
    # Why not an open tender (required at or above the small-purchase threshold).
    method_reason = models.CharField(
        _("legal ground for the method"), max_length=32, choices=MethodReason.choices, blank=True
    )
    method_reason_text = models.TextField(_("why this method"), blank=True)
    # Emergency purchases (Art. 85) are reviewed after the fact by an official.
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_notes = models.TextField(_("review notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_reason = models.TextField(_("reason"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    tender_closed_at = models.DateTimeField(_("tender closed at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    previous_round = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_round",
        verbose_name=_("previous round"),
    )
    round_number = models.PositiveSmallIntegerField(_("round"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_amount__gt=0), name="project_budget_positive"
            ),
            models.CheckConstraint(
                condition=Q(eligibility_min_grade__isnull=True)
                | Q(eligibility_min_grade__gte=1, eligibility_min_grade__lte=3),
                name="project_min_grade_1_3",
            ),
        ]
        verbose_name = _("procurement project")
        verbose_name_plural = _("procurement projects")

    def __str__(self) -> str:
        return self.title

    def audit_scope(self) -> tuple[int | None, str]:
        """(organization, region) of this project's audit rows (``core.states.move``)."""
        return self.buyer_id, self.region_code

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_sealed(self) -> bool:
        """Bid contents stay sealed until the deadline has passed."""
        return timezone.now() < self.tender_end

    @property
    def method_chinese_name(self) -> str:
        return METHOD_CHINESE_NAMES[self.method]


class ServiceStandard(models.Model):
    """A measurable indicator the supplier must reach (服务标准)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="service_standards")
    indicator = models.CharField(_("indicator"), max_length=200)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=30)
    verification = models.CharField(_("verification"), max_length=24, choices=Verification.choices)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.AT_LEAST
    )
    # Beneficiary sampling: how many served recipients are asked to confirm (0: not sampled).
    sample_size = models.PositiveSmallIntegerField(_("sample size"), default=0)

    class Meta:
        ordering = ["id"]
        verbose_name = _("service standard")
        verbose_name_plural = _("service standards")

    def __str__(self) -> str:
        return f"{self.indicator} {self.sign} {self.target} {self.unit}"

    @property
    def sign(self) -> str:
        return DIRECTION_SIGNS.get(self.direction, "≥")


class Criterion(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=CriterionKind.choices)
    weight = models.PositiveSmallIntegerField(_("weight"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=100), name="criterion_weight_1_100"
            )
        ]
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")

    def __str__(self) -> str:
        return f"{self.name} ({self.weight})"


class Bid(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", pgettext_lazy("procurement status", "Withdrawn")

    TRANSITIONS = {
        Status.SUBMITTED: (Status.SUBMITTED, Status.WITHDRAWN),
        Status.WITHDRAWN: (Status.SUBMITTED,),
    }

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="bids")
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="bids"
    )
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    proposal = models.TextField(_("proposal"))
    team_size = models.PositiveIntegerField(_("team size"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "organization"], name="one_bid_per_org"),
            models.CheckConstraint(condition=Q(price__gt=0), name="bid_price_positive"),
        ]
        verbose_name = _("bid")
        verbose_name_plural = _("bids")

    def __str__(self) -> str:
        return f"{self.project} · {self.organization}"

    def audit_scope(self) -> tuple[int | None, str]:
        """(organization, region) of its audit rows: the bidder's, in the project's region."""
        return self.organization_id, self.project.region_code


class BidDocument(models.Model):
    """A file of a sealed bid's technical proposal (PDF, images, office documents). Sealed like
    the bid: the bidder's members read it at any time; the project's officials and its panel
    experts once the bids are opened; never the public. Stored under MEDIA_ROOT, which is never
    served directly (``procurement:bid_document`` checks and streams)."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="procurement/bids/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=120)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("bid document")
        verbose_name_plural = _("bid documents")

    def __str__(self) -> str:
        return self.original_name


class PanelDraw(models.Model):
    """The record of one random draw of evaluation experts (who was in the pool, who was chosen,
    who was refused for a conflict of interest)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="panel_draws")
    size = models.PositiveSmallIntegerField(_("panel size"))
    pool = models.JSONField(_("pool"), default=list)
    order = models.JSONField(_("draw order"), default=list)
    selected = models.JSONField(_("selected"), default=list)
    refused = models.JSONField(_("refused"), default=list)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    drawn_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.project} · panel draw {self.pk}"


class PanelMember(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="panel")
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="procurement_panels"
    )
    draw = models.ForeignKey(PanelDraw, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "expert"], name="unique_panel_member")
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.expert}"


class Score(models.Model):
    """One expert's points for one bid on one non-price criterion (0 .. criterion weight)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="scores")
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bid", "criterion", "expert"], name="one_score_per_expert"
            ),
            models.CheckConstraint(condition=Q(score__gte=0), name="score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.bid} · {self.criterion} · {self.score}"


class Award(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ANNULLED = "annulled", _("Annulled")

    TRANSITIONS = {Status.ACTIVE: (Status.ANNULLED,), Status.ANNULLED: ()}

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="awards")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="awards")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    is_top_ranked = models.BooleanField(_("top-ranked"), default=True)
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    experts = models.JSONField(_("evaluation experts"), default=list)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    awarded_at = models.DateTimeField(_("awarded at"), default=timezone.now)
    standstill_ends_at = models.DateTimeField(_("stand-still ends at"))

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.project} · {self.amount}"

    def audit_scope(self) -> tuple[int | None, str]:
        """(organization, region) of its audit rows: the buyer's, as for its project."""
        return self.project.buyer_id, self.project.region_code


class Challenge(models.Model):
    """A bidder's challenge (质疑) of an award during the stand-still period."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("procurement challenge", "Open")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    TRANSITIONS = {Status.OPEN: (Status.UPHELD, Status.DISMISSED)}

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="challenges")
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="challenges")
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    response = models.TextField(_("response"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.project} · {self.organization} ({self.status})"

    def audit_scope(self) -> tuple[int | None, str]:
        """(organization, region) of its audit rows: the buyer's, as for its project."""
        return self.project.buyer_id, self.project.region_code


class Contract(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        TERMINATED = "terminated", _("Terminated")

    TRANSITIONS = {
        Status.ACTIVE: (Status.COMPLETED, Status.TERMINATED),
        Status.COMPLETED: (),
        Status.TERMINATED: (),
    }

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="contract")
    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="contract")
    supplier = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="procurement_contracts"
    )
    value = models.DecimalField(_("contract value"), max_digits=14, decimal_places=2)
    paid_amount = models.DecimalField(
        _("paid"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    terminated_at = models.DateTimeField(null=True, blank=True)
    termination_reason = models.TextField(blank=True)
    termination_ground = models.CharField(
        _("ground of termination"), max_length=16, choices=TerminationGround.choices, blank=True
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            # The backstop behind services.pay_milestone: money paid never exceeds the value.
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0) & Q(paid_amount__lte=F("value")),
                name="contract_paid_within_value",
            ),
            models.CheckConstraint(condition=Q(value__gt=0), name="contract_value_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.supplier}"

    def audit_scope(self) -> tuple[int | None, str]:
        """(organization, region) of its audit rows: the buyer's, as for its project."""
        return self.project.buyer_id, self.project.region_code


class Milestone(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("procurement milestone", "Pending")
        REPORTED = "reported", pgettext_lazy("procurement milestone", "Reported")
        INSPECTED = "inspected", pgettext_lazy("procurement milestone", "Inspected")
        ACCEPTED = "accepted", pgettext_lazy("procurement milestone", "Accepted")
        REJECTED = "rejected", _("Not accepted")
        PAID = "paid", _("Paid")

    TRANSITIONS = {
        Status.PENDING: (Status.REPORTED,),
        # No acceptance straight from a report: an inspection comes first (issue 19).
        Status.REPORTED: (Status.REPORTED, Status.INSPECTED),
        Status.INSPECTED: (Status.REPORTED, Status.INSPECTED, Status.ACCEPTED, Status.REJECTED),
        Status.REJECTED: (Status.REPORTED,),
        Status.ACCEPTED: (Status.PAID,),
        Status.PAID: (),
    }

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_at = models.DateTimeField(_("due at"))
    payment_percent = models.DecimalField(_("payment percent"), max_digits=5, decimal_places=2)
    indicators = models.ManyToManyField(ServiceStandard, related_name="milestones")
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    third_party_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    overdue_alerted_at = models.DateTimeField(null=True, blank=True)
    # The third-party evaluator organization the buyer assigned (its members may inspect).
    evaluator = models.ForeignKey(
        "registry.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluated_milestones",
        verbose_name=_("third-party evaluator"),
    )
    # Where and when the service is declared to happen: progress photos are checked against them.
    site_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    site_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    site_radius_m = models.PositiveIntegerField(_("site radius (m)"), default=2000)
    service_starts_at = models.DateTimeField(_("service starts"), null=True, blank=True)
    service_ends_at = models.DateTimeField(_("service ends"), null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(payment_percent__gt=0, payment_percent__lte=100),
                name="milestone_percent_0_100",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def audit_scope(self) -> tuple[int | None, str]:
        """(organization, region) of its audit rows: the buyer's, as for its project."""
        project = self.contract.project
        return project.buyer_id, project.region_code

    @property
    def amount(self) -> Decimal:
        return (self.contract.value * self.payment_percent / 100).quantize(Decimal("0.01"))


class ProgressReport(models.Model):
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="reports")
    summary = models.TextField(_("summary"))
    values = models.JSONField(_("values per indicator"), default=dict)
    # The people served, [{"name", "phone"}]: private; a sample is asked to confirm.
    recipients = models.JSONField(_("service recipients"), default=list)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.milestone} · report {self.pk}"


class Evidence(models.Model):
    """A file attached to a progress report; the same content hash seen in another report is
    flagged (the answer to staged or recycled photos), and so is a near-identical picture (dHash)
    and a photo whose camera time or position does not match the milestone (``flags``).

    A photo's ``file`` is the copy without metadata; ``original`` (private: the buyer's officials
    and the assigned evaluator) keeps the uploaded bytes with their EXIF."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="procurement/evidence/%Y/%m/")
    original = models.FileField(upload_to="procurement/originals/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=60)
    sha256 = models.CharField(max_length=64, db_index=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    camera_taken_at = models.DateTimeField(null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    dhash = models.CharField(max_length=16, blank=True, db_index=True)
    near_duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    flags = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.sha256


class Inspection(models.Model):
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="inspections")
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    visited_at = models.DateTimeField(default=timezone.now)
    notes = models.TextField(_("notes"))
    findings = models.TextField(_("findings"), blank=True)
    third_party_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    # The report inspected (the latest when the inspection was recorded).
    report = models.ForeignKey(
        ProgressReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The evaluator organization the inspector acted for (None: an official of the buyer).
    organization = models.ForeignKey(
        "registry.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What was measured, per indicator, and how it compares (procurement.inspection.judge).
    measured = models.JSONField(default=dict)
    results = models.JSONField(default=list)
    # The sampled recipients' answers when the inspection was recorded, and the gaps flagged.
    confirmations = models.JSONField(default=dict)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.milestone} · inspection {self.pk}"


class RecipientConfirmation(models.Model):
    """One sampled service recipient asked by SMS whether they were served; they answer on a
    phone page through a one-time link, without an account."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("recipient confirmation", "Waiting")
        CONFIRMED = "confirmed", pgettext_lazy("recipient confirmation", "Confirmed")
        DENIED = "denied", pgettext_lazy("recipient confirmation", "Denied")

    TRANSITIONS = {Status.PENDING: (Status.CONFIRMED, Status.DENIED)}

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="confirmations")
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    phone = models.CharField(max_length=20)
    token = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.milestone} · {self.name} ({self.status})"

    def audit_scope(self) -> tuple[int | None, str]:
        project = self.milestone.contract.project
        return project.buyer_id, project.region_code

    @property
    def open(self) -> bool:
        return self.status == self.Status.PENDING and self.expires_at > timezone.now()


class InspectionPhoto(models.Model):
    """A photo taken by the inspector on site (sniffed like evidence, kept private: officials of
    the project and the supplier see it)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="procurement/inspections/%Y/%m/")
    content_type = models.CharField(max_length=60)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.sha256


class Acceptance(models.Model):
    """Acceptance (验收) of a milestone: achieved against target per indicator, with the service
    recipients who took part (names are private; the count is public)."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="acceptances")
    passed = models.BooleanField()
    results = models.JSONField(default=list)
    recipients = models.JSONField(default=list)
    recipients_count = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.milestone} · {'passed' if self.passed else 'not passed'}"


class Payment(models.Model):
    milestone = models.OneToOneField(Milestone, on_delete=models.PROTECT, related_name="payment")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    paid_at = models.DateTimeField(default=timezone.now)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive")]

    def __str__(self) -> str:
        return f"{self.milestone} · {self.amount}"


class Clawback(models.Model):
    """Money to recover from a terminated supplier, tracked until it is settled: recovered in
    full, or closed with a write-off of what cannot be recovered."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("procurement clawback", "Open")
        RECOVERED = "recovered", _("Recovered")
        WRITTEN_OFF = "written_off", _("Closed with a write-off")

    TRANSITIONS = {
        Status.OPEN: (Status.RECOVERED, Status.WRITTEN_OFF),
        Status.RECOVERED: (),
        Status.WRITTEN_OFF: (),
    }

    contract = models.OneToOneField(Contract, on_delete=models.PROTECT, related_name="clawback")
    amount_due = models.DecimalField(_("amount due"), max_digits=14, decimal_places=2)
    due_on = models.DateField(_("due on"))
    recovered_amount = models.DecimalField(
        _("recovered"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    recovered_on = models.DateField(_("recovered on"), null=True, blank=True)
    written_off_amount = models.DecimalField(
        _("written off"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    # Set once by the daily sweep when the due date has passed with money outstanding.
    overdue_flagged_at = models.DateTimeField(_("flagged overdue at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recovered_amount__gte=0)
                & Q(written_off_amount__gte=0)
                & Q(recovered_amount__lte=F("amount_due") - F("written_off_amount")),
                name="clawback_settled_within_due",
            ),
            models.CheckConstraint(condition=Q(amount_due__gt=0), name="clawback_due_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.contract} · {self.amount_due}"

    def audit_scope(self) -> tuple[int | None, str]:
        """(organization, region) of its audit rows: the buyer's, as for its project."""
        project = self.contract.project
        return project.buyer_id, project.region_code

    @property
    def outstanding(self) -> Decimal:
        return self.amount_due - self.recovered_amount - self.written_off_amount

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()


class ClawbackRecovery(models.Model):
    clawback = models.ForeignKey(Clawback, on_delete=models.CASCADE, related_name="recoveries")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    recovered_on = models.DateField()
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.clawback} · {self.amount}"


class ClawbackWriteOff(models.Model):
    """Money of a clawback the buyer gives up recovering, with the reason (the supplier was
    dissolved, a court ruled ...). With the recoveries it settles the clawback."""

    clawback = models.ForeignKey(Clawback, on_delete=models.CASCADE, related_name="write_offs")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    reason = models.TextField(_("reason"))
    written_off_on = models.DateField(_("written off on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="write_off_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.clawback} · {self.amount}"


class DebarmentLift(models.Model):
    """An official lifts a supplier's debarment (procurement.debarment) with a reason. It covers
    the grounds the supplier had then (``grounds``: keys such as ``clawback:12``,
    ``termination:7``); a later ground debars it again."""

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="debarment_lifts"
    )
    grounds = models.JSONField(_("grounds lifted"), default=list)
    reason = models.TextField(_("reason"))
    region_code = models.CharField(_("region"), max_length=6)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted at"), default=timezone.now)

    class Meta:
        ordering = ["-lifted_at", "-id"]
        verbose_name = _("lifted debarment")
        verbose_name_plural = _("lifted debarments")

    def __str__(self) -> str:
        return f"{self.organization_id} · {self.lifted_at:%Y-%m-%d}"

    def audit_scope(self) -> tuple[int | None, str]:
        return self.organization_id, self.region_code


class Release(models.Model):
    """One OCDS release, frozen when the change it describes was published."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="releases")
    release_id = models.CharField(max_length=120, unique=True)
    tags = models.JSONField(default=list)
    date = models.DateTimeField(db_index=True)
    data = models.JSONField()

    class Meta:
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return self.release_id
