"""Preparedness: joint drills (演练) that leave results and joint meetings (联席会议) whose
decisions are followed up. Both produce ``FollowUp`` items: an owner organization, a due date,
and a status that only closes with the work done or carried over with a reason.

Each model with a life cycle has a ``TRANSITIONS`` table beside it that the services consult.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Drill(models.Model):
    """A joint exercise of government and social forces. Its scenario runs on an exercise
    incident (``coordination.Incident.is_exercise``), so tasks, filings and alerts of the drill
    use the real tools without ever reaching the public or a non-participant."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        REVIEWING = "reviewing", _("After-action review")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    scenario = models.TextField(_("scenario"))
    region_code = models.CharField(_("region"), max_length=6, db_index=True)
    starts_at = models.DateTimeField(_("starts at"))
    organizer = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="organized_drills",
        verbose_name=_("organizer"),
    )
    incident = models.OneToOneField(
        "coordination.Incident",
        on_delete=models.PROTECT,
        related_name="drill",
        verbose_name=_("exercise incident"),
    )
    participants = models.ManyToManyField(
        "registry.Organization", related_name="drills", verbose_name=_("participants")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    TRANSITIONS = {
        Status.PLANNED: (Status.RUNNING,),
        Status.RUNNING: (Status.REVIEWING,),
        Status.REVIEWING: (Status.CLOSED,),
        Status.CLOSED: (),
    }

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("drill")
        verbose_name_plural = _("drills")

    def __str__(self) -> str:
        return self.title

    def audit_scope(self) -> tuple[int | None, str]:
        return self.organizer_id, self.region_code


class Objective(models.Model):
    """What the drill sets out to test; the review says what worked and opens one follow-up
    item per gap found."""

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="objectives")
    text = models.CharField(_("objective"), max_length=300)
    worked = models.TextField(_("what worked"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self) -> str:
        return self.text

    def audit_scope(self) -> tuple[int | None, str]:
        return self.drill.organizer_id, self.drill.region_code


class Inject(models.Model):
    """A timed message of the scenario (注入), delivered as an exercise alert to the
    participants at ``deliver_at`` by the beat job (``preparedness.tasks.deliver_injects``)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Delivered")

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="injects")
    deliver_at = models.DateTimeField(_("deliver at"), db_index=True)
    title = models.CharField(_("title"), max_length=180)
    body = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    sent_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    alert_id = models.PositiveIntegerField(_("alert"), null=True, blank=True)

    TRANSITIONS = {Status.PENDING: (Status.SENT,), Status.SENT: ()}

    class Meta:
        ordering = ["deliver_at", "id"]
        verbose_name = _("inject")
        verbose_name_plural = _("injects")

    def __str__(self) -> str:
        return self.title


class Meeting(models.Model):
    """A joint meeting (联席会议) convened by an agency with member agencies and organizations."""

    class Status(models.TextChoices):
        CONVENED = "convened", _("Convened")
        MINUTED = "minuted", _("Minutes recorded")

    title = models.CharField(_("title"), max_length=200)
    convener = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="convened_meetings",
        verbose_name=_("convened by"),
    )
    region_code = models.CharField(_("region"), max_length=6, db_index=True)
    held_at = models.DateTimeField(_("held at"))
    agenda = models.TextField(_("agenda"))
    minutes = models.TextField(_("minutes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CONVENED, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    TRANSITIONS = {Status.CONVENED: (Status.MINUTED,), Status.MINUTED: ()}

    class Meta:
        ordering = ["-held_at", "-id"]
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")

    def __str__(self) -> str:
        return self.title

    def audit_scope(self) -> tuple[int | None, str]:
        return self.convener_id, self.region_code


class MeetingMember(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="members")
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="meeting_memberships"
    )
    # None until the minutes record the attendance.
    attended = models.BooleanField(_("attended"), null=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "organization"], name="preparedness_one_member_row"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.organization_id}"


class MeetingAttachment(models.Model):
    """A private file of a meeting (PDF or image, sniffed), served only to those who may see
    the meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("name"), max_length=200)
    file = models.FileField(_("file"), upload_to="preparedness/meetings/%Y/%m/")
    content_type = models.CharField(max_length=40)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Decision(models.Model):
    """A decision of a meeting; it may open follow-up items and a task on an incident."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    task = models.ForeignKey(
        "coordination.Task",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("task"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.text[:80]

    def audit_scope(self) -> tuple[int | None, str]:
        return self.meeting.convener_id, self.meeting.region_code


class FollowUp(models.Model):
    """One thing someone owes after a drill (a gap of an objective) or a meeting (a decision):
    an owner organization, a due date, and a status that closes only as done or carried over
    with a reason. Every change is in the audit trail of the item."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CARRIED_OVER = "carried_over", _("Carried over")

    title = models.CharField(_("title"), max_length=300)
    owner = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="followups",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due on"), db_index=True)
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    reason = models.TextField(_("reason"), blank=True)
    note = models.TextField(_("what was done"), blank=True)
    drill = models.ForeignKey(
        Drill, null=True, blank=True, on_delete=models.CASCADE, related_name="followups"
    )
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.CASCADE, related_name="gaps"
    )
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.CASCADE, related_name="followups"
    )
    # The source's region: officials of it see and may carry the item over.
    region_code = models.CharField(_("region"), max_length=6, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    TRANSITIONS = {
        Status.OPEN: (Status.DONE, Status.CARRIED_OVER),
        Status.DONE: (),
        Status.CARRIED_OVER: (),
    }

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("follow-up item")
        verbose_name_plural = _("follow-up items")
        constraints = [
            models.CheckConstraint(
                condition=(Q(drill__isnull=False) & Q(decision__isnull=True))
                | (Q(drill__isnull=True) & Q(decision__isnull=False)),
                name="preparedness_followup_one_source",
            ),
            models.CheckConstraint(
                condition=~Q(status="carried_over") | ~Q(reason=""),
                name="preparedness_carried_over_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def audit_scope(self) -> tuple[int | None, str]:
        return self.owner_id, self.region_code
