"""Liaison between organizations and agencies (docs/liaison.md).

- ``Responsibility``: one row of an agency's directory of responsibilities (职责目录): which unit
  answers for a function (物资调配 ...) and who is on duty. Looked up by function and region, so a
  reorganization changes one row, not the people an organization has to know.
- ``Notice`` with ``NoticeAttachment`` and ``NoticeReceipt``: notices and policies an agency
  publishes to an audience, read receipts and acknowledgements per organization.
- ``FieldReport`` with ``FieldReportPhoto``: a situation report or request from the field, routed
  to the responsible agency, acknowledged within a time limit or escalated up the region tree.
- ``SafetyCheckIn`` and ``MissedCheckIn``: periodic check-ins of deployed teams; a missed one
  alerts the bureau once.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Function(models.TextChoices):
    """What an agency answers for (the 2018 reorganization moved these between departments)."""

    SOCIAL_COORDINATION = "social_coordination", _("Coordination of social forces (社会力量协调)")
    SUPPLY_ALLOCATION = "supply_allocation", _("Allocation of supplies (物资调配)")
    DISASTER_STATISTICS = "disaster_statistics", _("Disaster statistics (灾情统计)")
    RELIEF = "relief", _("Relief of affected people (救助)")
    INSURANCE_CLAIMS = "insurance_claims", _("Insurance claims (保险理赔)")
    RESCUE = "rescue", _("Rescue operations (抢险救援)")
    MEDICAL = "medical", _("Medical care (医疗救护)")
    TRAFFIC = "traffic", _("Roads and traffic (交通保障)")


class Responsibility(models.Model):
    """One function of one agency: the responsible unit and its on-duty contact."""

    agency = models.ForeignKey(
        "registry.Organization",
        on_delete=models.CASCADE,
        related_name="responsibilities",
        verbose_name=_("agency"),
    )
    function = models.CharField(_("function"), max_length=32, choices=Function.choices)
    unit = models.CharField(_("responsible unit"), max_length=120)
    duty_contact = models.CharField(_("on-duty contact"), max_length=100)
    duty_phone = models.CharField(_("on-duty phone"), max_length=30)
    duty_hours = models.CharField(_("on-duty hours"), max_length=100, blank=True)
    public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Shown to everyone; otherwise only to members of organizations."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["function", "id"]
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        constraints = [
            models.UniqueConstraint(fields=["agency", "function"], name="one_row_per_function")
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.get_function_display()}"

    def audit_scope(self) -> tuple[int | None, str]:
        return self.agency_id, ""


class Notice(models.Model):
    """A notice or policy published by an agency to organizations in regions (of some kinds)."""

    class Kind(models.TextChoices):
        NOTICE = "notice", _("Notice (通知)")
        POLICY = "policy", _("Policy (政策)")

    agency = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NOTICE)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    audience_regions = models.JSONField(_("regions"), default=list)
    audience_kinds = models.JSONField(_("kinds of organization"), default=list, blank=True)
    public = models.BooleanField(_("in the public library"), default=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    ack_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return self.title

    def audit_scope(self) -> tuple[int | None, str]:
        return self.agency_id, self.agency.region_code


def attachment_path(instance: "NoticeAttachment", filename: str) -> str:
    extension = {"image/png": "png", "image/jpeg": "jpg"}.get(instance.content_type, "pdf")
    return f"liaison/notices/{instance.notice_id}/{instance.sha256[:32]}.{extension}"


class NoticeAttachment(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("name"), max_length=200)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class NoticeReceipt(models.Model):
    """One organization of a notice's audience (a row per organization, written when the notice
    is published): when it read the notice and, when asked, acknowledged it."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="receipts")
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="notice_receipts"
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "organization"], name="one_receipt_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.notice} · {self.organization}"


class Category(models.TextChoices):
    """What a field report is about; the first four are situation reports, the rest requests."""

    ROAD_BLOCKED = "road_blocked", _("Road blocked")
    SITE_ACCESS = "site_access", _("Site access")
    HAZARD = "hazard", _("Hazard")
    PEOPLE_IN_NEED = "people_in_need", _("People needing help")
    EVACUATION = "evacuation", _("Evacuation")
    SUPPLIES = "supplies", _("Supplies")
    MEDICAL = "medical", _("Medical help")
    SAFETY = "safety", _("Safety of the team")


REQUEST_CATEGORIES = (Category.EVACUATION, Category.SUPPLIES, Category.MEDICAL, Category.SAFETY)

# Which function answers for a category (docs/liaison.md, "Routing").
CATEGORY_FUNCTION = {
    Category.ROAD_BLOCKED: Function.TRAFFIC,
    Category.SITE_ACCESS: Function.SOCIAL_COORDINATION,
    Category.HAZARD: Function.DISASTER_STATISTICS,
    Category.PEOPLE_IN_NEED: Function.RELIEF,
    Category.EVACUATION: Function.RESCUE,
    Category.SUPPLIES: Function.SUPPLY_ALLOCATION,
    Category.MEDICAL: Function.MEDICAL,
    Category.SAFETY: Function.SOCIAL_COORDINATION,
}


class Urgency(models.TextChoices):
    CRITICAL = "critical", _("Critical (life at risk)")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


class FieldReport(models.Model):
    """A situation report or a request from an organization in the field."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Dismissed")

    TRANSITIONS = {
        Status.SENT: (Status.ACKNOWLEDGED, Status.DISMISSED),
        Status.ACKNOWLEDGED: (Status.CONFIRMED, Status.DISMISSED),
        Status.CONFIRMED: (),
        Status.DISMISSED: (),
    }
    WAITING = (Status.SENT,)

    incident = models.ForeignKey(
        "coordination.Incident", on_delete=models.PROTECT, related_name="field_reports"
    )
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="field_reports_sent"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    function = models.CharField(_("function"), max_length=32, choices=Function.choices)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    description = models.TextField(_("description"))
    people_count = models.PositiveIntegerField(_("people concerned"), null=True, blank=True)
    region_code = models.CharField(_("area"), max_length=6, db_index=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True)
    routed_to = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="field_reports_received",
        null=True,
        verbose_name=_("routed to"),
    )
    unit = models.CharField(_("responsible unit"), max_length=120, blank=True)
    escalations = models.PositiveSmallIntegerField(_("escalations"), default=0)
    ack_due_at = models.DateTimeField(_("acknowledge by"), null=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SENT, db_index=True
    )
    status_reason = models.TextField(_("reason"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("field report")
        verbose_name_plural = _("field reports")

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.organization}"

    @property
    def is_request(self) -> bool:
        return self.category in REQUEST_CATEGORIES

    def audit_scope(self) -> tuple[int | None, str]:
        return self.organization_id, self.region_code


def report_photo_path(instance: "FieldReportPhoto", filename: str) -> str:
    extension = "png" if instance.content_type == "image/png" else "jpg"
    return f"liaison/reports/{instance.report_id}/{instance.sha256[:32]}.{extension}"


class FieldReportPhoto(models.Model):
    report = models.ForeignKey(FieldReport, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=report_photo_path, max_length=200)
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.report} · {self.pk}"


class SafetyCheckIn(models.Model):
    """A deployed team says it is safe (or needs help) from where it is."""

    deployment = models.ForeignKey(
        "coordination.Deployment", on_delete=models.CASCADE, related_name="safety_check_ins"
    )
    safe = models.BooleanField(_("all safe"), default=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("checked in at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("safety check-in")
        verbose_name_plural = _("safety check-ins")

    def __str__(self) -> str:
        return f"{self.deployment} · {self.created_at:%Y-%m-%d %H:%M}"


class MissedCheckIn(models.Model):
    """A deployed team did not check in within the interval after ``since``; the bureau was
    alerted once (the unique constraint makes "once" hold under concurrent sweeps)."""

    deployment = models.ForeignKey(
        "coordination.Deployment", on_delete=models.CASCADE, related_name="missed_check_ins"
    )
    since = models.DateTimeField()
    alerted_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["alerted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["deployment", "since"], name="one_alert_per_gap")
        ]

    def __str__(self) -> str:
        return f"{self.deployment} · {self.since:%Y-%m-%d %H:%M}"
