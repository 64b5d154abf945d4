"""Loss compensation (损失补偿): an organization's claim for injury, death or equipment lost or
damaged during an approved deployment filing or a task it held, reviewed by the bureau of the
incident's region and paid from the compensation fund (a purpose of the donation ledger) or
settled by the insurer. See docs/compensation.md."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Claim(models.Model):
    class Kind(models.TextChoices):
        INJURY = "injury", _("Injury")
        DEATH = "death", _("Death")
        EQUIPMENT = "equipment", _("Equipment lost or damaged")

    class Status(models.TextChoices):
        FILED = "filed", pgettext_lazy("compensation claim", "Filed")
        UNDER_REVIEW = "under_review", _("Under review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        PAID = "paid", _("Paid from the fund")
        SETTLED = "settled", _("Settled by the insurer")

    TRANSITIONS = {
        Status.FILED: (Status.UNDER_REVIEW,),
        Status.UNDER_REVIEW: (Status.APPROVED, Status.REJECTED, Status.SETTLED),
        Status.APPROVED: (Status.PAID, Status.SETTLED),
        Status.REJECTED: (),
        Status.PAID: (),
        Status.SETTLED: (),
    }
    # Waiting for the bureau's decision (the review deadline runs).
    AWAITING_DECISION = (Status.FILED, Status.UNDER_REVIEW)
    IN_PROGRESS = (Status.FILED, Status.UNDER_REVIEW, Status.APPROVED)

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="compensation_claims"
    )
    incident = models.ForeignKey(
        "coordination.Incident", on_delete=models.PROTECT, related_name="compensation_claims"
    )
    deployment = models.ForeignKey(
        "coordination.Deployment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="compensation_claims",
    )
    task = models.ForeignKey(
        "coordination.Task",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="compensation_claims",
    )
    kind = models.CharField(_("kind of loss"), max_length=12, choices=Kind.choices)
    # Who was hurt or died (private: never in public figures); equipment claims may name none.
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="compensation_claims",
        verbose_name=_("person"),
    )
    description = models.TextField(_("what happened"))
    occurred_at = models.DateTimeField(_("when it happened"))
    amount_claimed = models.DecimalField(_("amount claimed (CNY)"), max_digits=12, decimal_places=2)
    insurer_claim_reference = models.CharField(
        _("insurer claim reference"), max_length=100, blank=True
    )
    # The jurisdiction: the incident's region (its bureau reviews).
    region_code = models.CharField(_("region"), max_length=6, db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.FILED, db_index=True
    )
    review_due = models.DateField(_("decision due"))
    reminded_at = models.DateTimeField(null=True, blank=True)
    amount_approved = models.DecimalField(
        _("amount approved (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    decision_reason = models.TextField(_("reasons of the decision"), blank=True)
    amount_paid = models.DecimalField(
        _("amount paid from the fund (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    ledger_entry = models.ForeignKey(
        "donations.LedgerEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ledger entry"),
    )
    insurer_amount = models.DecimalField(
        _("amount paid by the insurer (CNY)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    insurer_paid_at = models.DateField(_("insurer paid on"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_claimed__gt=0), name="claim_amount_positive"),
            models.CheckConstraint(
                condition=Q(deployment__isnull=False) | Q(task__isnull=False),
                name="claim_names_deployment_or_task",
            ),
            models.CheckConstraint(
                condition=Q(amount_approved__isnull=True)
                | (Q(amount_approved__gt=0) & Q(amount_approved__lte=models.F("amount_claimed"))),
                name="claim_approved_within_claimed",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(ledger_entry__isnull=False),
                name="claim_paid_has_ledger_entry",
            ),
        ]
        verbose_name = _("compensation claim")
        verbose_name_plural = _("compensation claims")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"

    def audit_scope(self) -> tuple[int | None, str]:
        return self.organization_id, self.region_code


def evidence_path(instance: "ClaimEvidence", filename: str) -> str:
    # Never the uploader's file name (it may carry personal data).
    ext = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
    return f"compensation/{uuid.uuid4().hex}{ext.get(instance.content_type, '')}"


class ClaimEvidence(models.Model):
    """A photo or document supporting a claim; private (claimant and the reviewing bureau)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("claim evidence")
        verbose_name_plural = _("claim evidence")

    def __str__(self) -> str:
        return f"#{self.claim_id} · {self.pk}"
