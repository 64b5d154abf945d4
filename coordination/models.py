"""The incident and task board: incidents, needs, deployment filings (报备), tasks, reports.

Each model with a life cycle has a ``TRANSITIONS`` table beside it that the services consult.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.choices import PersonnelFunction


class IncidentKind(models.TextChoices):
    NATURAL_DISASTER = "natural_disaster", _("Natural disaster")
    ACCIDENT = "accident", _("Accident")
    PUBLIC_HEALTH = "public_health", _("Public health event")
    SOCIAL_SECURITY = "social_security", _("Social security event")


class IncidentGrade(models.IntegerChoices):
    I = 1, _("I (especially major)")  # noqa: E741
    II = 2, _("II (major)")
    III = 3, _("III (large)")
    IV = 4, _("IV (general)")


class NaturalDisasterSubtype(models.TextChoices):
    EARTHQUAKE = "earthquake", _("Earthquake")
    FLOOD = "flood", _("Flood")
    TYPHOON = "typhoon", _("Typhoon")
    DROUGHT = "drought", _("Drought")
    GEOLOGICAL = "geological", _("Geological (landslide, debris flow)")
    FOREST_FIRE = "forest_fire", _("Forest fire")
    SNOW_ICE = "snow_ice", _("Snow and ice")
    OTHER = "other", _("Other")


class Priority(models.TextChoices):
    """Urgency of a need, priority of a task."""

    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class NeedCategory(models.TextChoices):
    SEARCH_RESCUE = "search_rescue", _("Search and rescue")
    MEDICAL = "medical", _("Medical")
    SHELTER = "shelter", _("Shelter")
    FOOD_WATER = "food_water", _("Food and water")
    SUPPLIES = "supplies", _("Supplies")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    LOGISTICS = "logistics", _("Logistics")
    SANITATION = "sanitation", _("Sanitation")
    OTHER = "other", _("Other")


def suggest_accident_grade(
    *, deaths: int | None, serious_injuries: int | None, direct_loss: Decimal | None
) -> int | None:
    """Grade of a production-safety accident from its casualties and loss
    (生产安全事故报告和调查处理条例 Art. 3): the most severe criterion met decides."""
    if deaths is None and serious_injuries is None and direct_loss is None:
        return None
    deaths, injuries = deaths or 0, serious_injuries or 0
    loss = Decimal(direct_loss or 0)
    million = Decimal(1_000_000)
    if deaths >= 30 or injuries >= 100 or loss >= 100 * million:
        return 1
    if deaths >= 10 or injuries >= 50 or loss >= 50 * million:
        return 2
    if deaths >= 3 or injuries >= 10 or loss >= 10 * million:
        return 3
    return 4


class Incident(models.Model):
    class Status(models.TextChoices):
        MONITORING = "monitoring", _("Monitoring")
        RESPONDING = "responding", _("Responding")
        # 过渡安置: after the emergency response, before recovery and reconstruction.
        RESETTLEMENT = "resettlement", _("Transitional resettlement")
        RECOVERY = "recovery", _("Recovery")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    subtype = models.CharField(_("subtype"), max_length=32, blank=True)
    grade = models.PositiveSmallIntegerField(
        _("grade"), choices=IncidentGrade.choices, null=True, blank=True
    )
    response_level = models.PositiveSmallIntegerField(_("response level"), null=True, blank=True)
    region_code = models.CharField(_("region"), max_length=6, db_index=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    started_at = models.DateTimeField(_("started at"))
    lead_agency = models.ForeignKey(
        "registry.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_incidents",
        verbose_name=_("lead agency"),
    )
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.MONITORING,
        db_index=True,
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Added by the coordination issue (migration 0002).
    deaths = models.PositiveIntegerField(_("deaths"), null=True, blank=True)
    serious_injuries = models.PositiveIntegerField(_("serious injuries"), null=True, blank=True)
    direct_loss = models.DecimalField(
        _("direct economic loss (yuan)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    response_started_at = models.DateTimeField(_("response started at"), null=True, blank=True)
    expected_duration_hours = models.PositiveIntegerField(
        _("expected duration (hours)"), null=True, blank=True
    )
    response_measures = models.TextField(_("response measures"), blank=True)
    # Per-area capacity: {"511826": {"max_teams": 5, "max_people": 120}} (either key optional).
    area_capacity = models.JSONField(_("capacity per area"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    personal_data_purged_at = models.DateTimeField(
        _("personal data purged at"), null=True, blank=True
    )
    # A drill's incident (preparedness): marked 演练 everywhere, hidden from the public and its
    # figures, refused by the ledger; its alerts reach only the drill's participants.
    is_exercise = models.BooleanField(_("exercise"), default=False, db_index=True)

    # Reopening a closed incident needs a reason (services enforce it).
    TRANSITIONS = {
        Status.MONITORING: (Status.RESPONDING, Status.CLOSED),
        Status.RESPONDING: (Status.RESETTLEMENT, Status.RECOVERY, Status.CLOSED),
        Status.RESETTLEMENT: (Status.RESPONDING, Status.RECOVERY, Status.CLOSED),
        Status.RECOVERY: (Status.RESPONDING, Status.RESETTLEMENT, Status.CLOSED),
        Status.CLOSED: (Status.MONITORING, Status.RESPONDING, Status.RESETTLEMENT, Status.RECOVERY),
    }
    ACTIVE = (Status.MONITORING, Status.RESPONDING, Status.RESETTLEMENT, Status.RECOVERY)
    # The disaster phase (registry.models.Phase) each status is in: capabilities declare the
    # phases they serve, and task matching and tender eligibility follow the incident's phase.
    PHASES = {
        Status.MONITORING: "prevention",
        Status.RESPONDING: "response",
        Status.RESETTLEMENT: "resettlement",
        Status.RECOVERY: "reconstruction",
    }

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return self.title

    def audit_scope(self) -> tuple[int | None, str]:
        """(organization, region) of its audit rows: the lead agency's (``core.states.move``)."""
        return self.lead_agency_id, self.region_code

    @property
    def is_active(self) -> bool:
        return self.status != self.Status.CLOSED

    @property
    def phase(self) -> str:
        """The registry Phase of the incident's status ("" once closed)."""
        return self.PHASES.get(self.status, "")

    @property
    def suggested_grade(self) -> int | None:
        if self.kind != IncidentKind.ACCIDENT:
            return None
        return suggest_accident_grade(
            deaths=self.deaths,
            serious_injuries=self.serious_injuries,
            direct_loss=self.direct_loss,
        )

    def capacity_for(self, area_region_code: str) -> dict:
        return (self.area_capacity or {}).get(area_region_code) or {}


def posting_organization(related_name: str) -> models.ForeignKey:
    """``posted_by_organization`` of a ``NeedBase`` subclass: the organization that posted the
    need, none when an official did (each subclass names its own reverse accessor)."""
    return models.ForeignKey(
        "registry.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related_name,
        verbose_name=_("posted by organization"),
    )


class NeedBase(models.Model):
    """The fields and rules an incident need (``Need``) and a routine community need
    (``community.RoutineNeed``) share: what is needed, where, how urgently, who posted it and
    whether an official confirmed it. Each subclass declares its own ``posted_by_organization``
    (the reverse names differ: ``posted_needs``, ``routine_needs``) and its own ``Meta``. The
    posting rule they share is ``coordination.services.needs.need_fields``."""

    category = models.CharField(_("category"), max_length=16, choices=NeedCategory.choices)
    description = models.TextField(_("description"))
    quantity = models.PositiveIntegerField(_("quantity"))
    unit = models.CharField(_("unit"), max_length=20)
    region_code = models.CharField(_("area"), max_length=6, db_index=True)
    # A point in WGS-84 (GPS, CGCS2000), optional; public pages and API show it blurred
    # (coordination.maps, core.geo.blur).
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.quantity} {self.unit}"

    def audit_scope(self) -> tuple[int | None, str]:
        """(organization, region) of its audit rows: the posting organization's (none when an
        official posted it)."""
        return self.posted_by_organization_id, self.region_code

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class Need(NeedBase):
    """A need in the social-needs database. ``committed``, ``reached`` and ``gap`` are derived
    from the tasks linked to it (``queries.needs_with_progress``), never stored."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="needs")
    posted_by_organization = posting_organization("posted_needs")

    class Meta:
        ordering = ["incident_id", "-created_at", "-id"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")


class Deployment(models.Model):
    """A deployment filing (报备): an organization tells the bureau before entering the area."""

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        HELD = "held", _("Held")
        APPROVED = "approved", _("Approved")
        ARRIVED = "arrived", _("Arrived")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    TRANSITIONS = {
        Status.FILED: (Status.APPROVED, Status.HELD, Status.WITHDRAWN),
        Status.HELD: (Status.APPROVED, Status.WITHDRAWN),
        Status.APPROVED: (Status.ARRIVED, Status.HELD, Status.WITHDRAWN),
        Status.ARRIVED: (Status.WITHDRAWN,),
        Status.WITHDRAWN: (),
    }
    # Filings that count against an area's capacity, and that make tasks assignable.
    OCCUPYING = (Status.APPROVED, Status.ARRIVED)
    OPEN = (Status.FILED, Status.HELD, Status.APPROVED, Status.ARRIVED)

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="deployments")
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="deployments"
    )
    headcount = models.PositiveIntegerField(_("headcount"))
    specialties = models.JSONField(_("specialties"), default=list, blank=True)
    vehicles = models.PositiveIntegerField(_("vehicles"), default=0)
    area_region_code = models.CharField(_("area"), max_length=6, db_index=True)
    # The team's base (驻地) in WGS-84 (GPS, CGCS2000), optional; public pages and API show it
    # blurred (coordination.maps, core.geo.blur).
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    arrival_at = models.DateTimeField(_("arrival time"))
    leader_name = models.CharField(_("leader name"), max_length=100)
    leader_phone = models.CharField(_("leader phone"), max_length=30, blank=True)
    self_sufficiency_days = models.PositiveSmallIntegerField(_("self-sufficiency days"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.FILED, db_index=True
    )
    status_reason = models.TextField(_("reason"), blank=True)
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
            models.UniqueConstraint(
                fields=["incident", "organization", "area_region_code"],
                condition=Q(status__in=["filed", "held", "approved", "arrived"]),
                name="one_open_deployment_per_org_and_area",
            )
        ]
        verbose_name = _("deployment filing")
        verbose_name_plural = _("deployment filings")

    def __str__(self) -> str:
        return f"{self.organization} → {self.area_region_code} ({self.headcount})"

    def audit_scope(self) -> tuple[int | None, str]:
        """(organization, region) of this filing's audit rows (``core.states.move``)."""
        return self.organization_id, self.area_region_code


class RosterEntry(models.Model):
    """A person of the filing organization's talent pool named on a deployment filing's roster,
    with the role they take (``registry.choices.PersonnelFunction``)."""

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="roster")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="roster_entries"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=PersonnelFunction.choices, default="rescue"
    )

    class Meta:
        ordering = ["deployment", "id"]
        constraints = [
            models.UniqueConstraint(fields=["deployment", "person"], name="roster_person_once")
        ]
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster entries")

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"

    def audit_scope(self) -> tuple[int | None, str]:
        return self.deployment.organization_id, self.deployment.area_region_code


class Task(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ASSIGNED = "assigned", _("Assigned")
        ACCEPTED = "accepted", _("Accepted")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        VERIFIED = "verified", _("Verified")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.OPEN: (Status.ASSIGNED, Status.CANCELLED),
        Status.ASSIGNED: (Status.ACCEPTED, Status.OPEN, Status.CANCELLED),
        Status.ACCEPTED: (Status.IN_PROGRESS, Status.CANCELLED),
        Status.IN_PROGRESS: (Status.COMPLETED, Status.CANCELLED),
        Status.COMPLETED: (Status.VERIFIED, Status.IN_PROGRESS, Status.CANCELLED),
        Status.VERIFIED: (),
        Status.CANCELLED: (),
    }
    # The organization is working on it (counts as its current load).
    ACTIVE = (Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS)
    BOARD_ORDER = (
        Status.OPEN,
        Status.ASSIGNED,
        Status.ACCEPTED,
        Status.IN_PROGRESS,
        Status.COMPLETED,
        Status.VERIFIED,
        Status.CANCELLED,
    )

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="tasks")
    need = models.ForeignKey(
        Need, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    specialty = models.CharField(_("specialty"), max_length=32, blank=True)
    min_grade = models.PositiveSmallIntegerField(_("minimum grade"), null=True, blank=True)
    region_code = models.CharField(_("area"), max_length=6, db_index=True)
    # A point in WGS-84 (GPS, CGCS2000), optional; public pages and API show it blurred
    # (coordination.maps, core.geo.blur).
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    quantity_committed = models.PositiveIntegerField(_("quantity committed"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    status_reason = models.TextField(_("reason"), blank=True)
    organization = models.ForeignKey(
        "registry.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("organization"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    claimed = models.BooleanField(_("claimed by the organization"), default=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Backstop of the state machine: open means nobody holds it, working means somebody.
            models.CheckConstraint(
                condition=Q(status="open", organization__isnull=True)
                | Q(status="cancelled")
                | (~Q(status__in=["open", "cancelled"]) & Q(organization__isnull=False)),
                name="task_holder_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(min_grade__isnull=True) | Q(min_grade__gte=1, min_grade__lte=3),
                name="task_min_grade_1_3",
            ),
        ]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title

    def audit_scope(self) -> tuple[int | None, str]:
        """(organization, region) of this task's audit rows (``core.states.move``)."""
        return self.organization_id, self.region_code


class TaskReport(models.Model):
    """A progress report on a task; numbers add up across reports. ``beneficiaries`` is personal
    data (purged after the incident closes)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    summary = models.TextField(_("summary"))
    people_served = models.PositiveIntegerField(_("people served"), default=0)
    quantity_delivered = models.PositiveIntegerField(_("quantity delivered"), default=0)
    beneficiaries = models.TextField(_("beneficiary details"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("task report")
        verbose_name_plural = _("task reports")

    def __str__(self) -> str:
        return f"{self.task} · {self.created_at:%Y-%m-%d}"


def evidence_path(instance: "EvidencePhoto", filename: str) -> str:
    extension = "png" if instance.content_type == "image/png" else "jpg"
    return f"coordination/evidence/{instance.report.task_id}/{instance.sha256[:32]}.{extension}"


class EvidencePhoto(models.Model):
    """A photo proving a report, stored privately under MEDIA_ROOT (served by a checked view)."""

    report = models.ForeignKey(TaskReport, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    taken_at = models.DateTimeField(_("taken at"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("evidence photo")
        verbose_name_plural = _("evidence photos")

    def __str__(self) -> str:
        return f"{self.report} · {self.taken_at:%Y-%m-%d %H:%M}"
