"""Who: organizations, memberships (roles), capability declarations and graded assessments."""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.roles import Role
from registry.choices import Grade, OrganizationKind, SocialWorkerLevel, Specialty

# Fields an org admin may change on the profile (status, code and kind are not among them).
PROFILE_FIELDS = (
    "name",
    "name_en",
    "registration_authority",
    "legal_representative",
    "address",
    "contact_name",
    "contact_phone",
    "contact_email",
    "founded_on",
    "website",
    "description",
    "service_regions",
)

# Fields an org admin may change on a capability (the specialty and the assessment are not).
CAPABILITY_FIELDS = (
    "declared_grade",
    "personnel",
    "equipment",
    "mobility_range",
    "assembly_hours_local",
    "assembly_hours_remote",
    "sustained_sites",
    "sustained_hours",
    "phases",
    "certified_personnel",
    "service_regions",
    "usar_scale",
)


class Organization(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")
        # A grassroots team without a credit code, registered by a hub that vouches for it
        # (registry.services.hubs); it never passes through the bureau's verification.
        VOUCHED = "vouched", _("Vouched for by a hub")

    # Verification state machine (ARCHITECTURE.md): consulted by registry.services.
    TRANSITIONS = {
        Status.PENDING: (Status.VERIFIED, Status.REJECTED),
        Status.VERIFIED: (Status.SUSPENDED,),
        Status.SUSPENDED: (Status.VERIFIED,),
        Status.REJECTED: (),
        Status.VOUCHED: (),
    }
    # Statuses in which an organization may take on new undertakings (acting_organization).
    IN_GOOD_STANDING = (Status.VERIFIED, Status.VOUCHED)

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    registration_authority = models.CharField(
        _("registration authority"), max_length=200, blank=True
    )
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    region_code = models.CharField(_("region"), max_length=6, db_index=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    service_regions = models.JSONField(_("service regions"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    status_reason = models.TextField(_("reason"), blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Hubs (枢纽型组织, docs/registry.md "Hubs and grassroots teams"): an official designates a
    # hub; a hub vouches for unregistered teams, which carry its reference instead of a USCC.
    is_hub = models.BooleanField(_("hub organization"), default=False)
    vouched_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vouched_teams",
        verbose_name=_("vouched for by"),
    )
    hub_reference = models.CharField(_("hub reference"), max_length=40, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        indexes = [
            # The public directory, in its order: a page reads 50 rows in index order instead
            # of sorting every verified organization (docs/public-reads.md, "Planner costs").
            models.Index(
                fields=["name", "id"], condition=Q(status="verified"), name="org_directory_order"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="vouched")
                | (Q(vouched_by__isnull=False) & Q(uscc__isnull=True) & ~Q(hub_reference="")),
                name="vouched_team_has_hub_reference_no_uscc",
            ),
            models.UniqueConstraint(
                fields=["vouched_by", "hub_reference"],
                condition=Q(vouched_by__isnull=False),
                name="unique_hub_reference",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> tuple[int | None, str]:
        """(organization, region) of its audit rows (``core.states.move``)."""
        return self.pk, self.region_code

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED

    @property
    def is_agency(self) -> bool:
        return self.kind == OrganizationKind.AGENCY

    @property
    def is_vouched(self) -> bool:
        return self.status == self.Status.VOUCHED


class HubLink(models.Model):
    """A registered organization's membership of a hub (枢纽型组织), by consent of both: one
    side proposes, the other side's admin accepts (registry.services.hubs). Either side may end
    an accepted link."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Member")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Withdrawn")
        ENDED = "ended", _("Ended")

    TRANSITIONS = {
        Status.PROPOSED: (Status.ACCEPTED, Status.DECLINED, Status.CANCELLED),
        Status.ACCEPTED: (Status.ENDED,),
        Status.DECLINED: (),
        Status.CANCELLED: (),
        Status.ENDED: (),
    }
    OPEN = (Status.PROPOSED, Status.ACCEPTED)

    hub = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="hub_links")
    member = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="member_of_hubs"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED
    )
    # True: the hub invited the organization; False: the organization asked to join.
    proposed_by_hub = models.BooleanField(default=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "member"],
                condition=Q(status__in=["proposed", "accepted"]),
                name="unique_open_hub_link",
            ),
            models.CheckConstraint(
                condition=~Q(hub=models.F("member")), name="hub_link_not_to_itself"
            ),
        ]
        verbose_name = _("hub membership")
        verbose_name_plural = _("hub memberships")

    def __str__(self) -> str:
        return f"{self.member} in {self.hub} ({self.status})"

    def audit_scope(self) -> tuple[int | None, str]:
        return self.hub_id, self.hub.region_code


class Membership(models.Model):
    """A user's (active) role in an organization; a user may belong to several organizations.

    A row exists only once the person is in: the creator of a registration, or someone who
    accepted an ``Invitation``. Pending, declined and cancelled invitations live in their own
    table, so every query over memberships (permissions, officials, experts, audiences, conflict
    checks) sees active memberships only, without a status filter to forget.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    # Who brought the person in: the admin whose invitation they accepted. Null when the person
    # joined by themself (registered the organization) or the row was made by platform staff.
    # Procurement's conflict-of-interest rule reads it (procurement.services.evaluation).
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="unique_membership")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"


class Invitation(models.Model):
    """An org admin's invitation of an existing user; the person becomes a member only by
    accepting it (registry.services.members)."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Joined")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled by the organization")

    TRANSITIONS = {
        Status.INVITED: (Status.ACCEPTED, Status.DECLINED, Status.CANCELLED),
        Status.ACCEPTED: (),
        Status.DECLINED: (),
        Status.CANCELLED: (),
    }

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.INVITED, db_index=True
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"],
                condition=Q(status="invited"),
                name="unique_open_invitation",
            )
        ]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.user} -> {self.organization} ({self.role}, {self.status})"

    def audit_scope(self) -> tuple[int | None, str]:
        """(organization, region) of its audit rows (``core.states.move``)."""
        return self.organization_id, self.organization.region_code


class CapabilityQuerySet(models.QuerySet):
    def current(self, on=None):
        """Capabilities whose assessed grade counts today: assessed, unexpired, unrevoked."""
        on = on or timezone.localdate()
        return self.filter(
            assessed_grade__isnull=False, revoked_at__isnull=True, valid_until__gte=on
        )


class USARScale(models.TextChoices):
    LIGHT = "light", _("Light (轻型)")
    MEDIUM = "medium", _("Medium (中型)")
    HEAVY = "heavy", _("Heavy (重型)")


class Phase(models.TextChoices):
    PREVENTION = "prevention", _("Prevention")
    RESPONSE = "response", _("Response")
    RESETTLEMENT = "resettlement", _("Resettlement")
    RECONSTRUCTION = "reconstruction", _("Reconstruction")


class Capability(models.Model):
    """An organization's declaration for one specialty, and the official's assessment of it.

    The declared grade is the organization's claim; only the assessed grade (测评) counts for
    eligibility, and only while current (``CapabilityQuerySet.current``).
    """

    class MobilityRange(models.TextChoices):
        LOCAL = "local", _("Own area")
        PROVINCE = "province", _("Province")
        NEIGHBOURING = "neighbouring", _("Province and neighbouring provinces")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="capabilities"
    )
    specialty = models.CharField(_("specialty"), max_length=32, choices=Specialty.choices)
    declared_grade = models.PositiveSmallIntegerField(_("declared grade"), choices=Grade.choices)
    personnel = models.JSONField(_("personnel by function"), default=dict, blank=True)
    equipment = models.JSONField(_("equipment"), default=list, blank=True)
    mobility_range = models.CharField(
        _("mobility range"), max_length=16, choices=MobilityRange.choices, default="local"
    )
    assembly_hours_local = models.PositiveSmallIntegerField(
        _("assembly hours (local)"), null=True, blank=True
    )
    assembly_hours_remote = models.PositiveSmallIntegerField(
        _("assembly hours (remote)"), null=True, blank=True
    )
    sustained_sites = models.PositiveSmallIntegerField(_("sustained sites"), null=True, blank=True)
    sustained_hours = models.PositiveSmallIntegerField(_("sustained hours"), null=True, blank=True)
    phases = models.JSONField(_("disaster phases served"), default=list, blank=True)
    certified_personnel = models.JSONField(
        _("certified personnel"), default=list, blank=True
    )  # [{"name", "certificate"}]
    service_regions = models.JSONField(_("service regions"), default=list, blank=True)
    usar_scale = models.CharField(
        _("USAR team scale (轻型/中型/重型)"), max_length=8, choices=USARScale.choices, blank=True
    )
    assessment_notes = models.TextField(_("assessment notes"), blank=True)
    assessed_grade = models.PositiveSmallIntegerField(
        _("assessed grade"), choices=Grade.choices, null=True, blank=True
    )
    assessed_score = models.DecimalField(
        _("assessment score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.TextField(_("revocation reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CapabilityQuerySet.as_manager()

    class Meta:
        ordering = ["organization_id", "specialty"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "specialty"], name="unique_capability_per_specialty"
            ),
            models.CheckConstraint(
                condition=Q(declared_grade__gte=1, declared_grade__lte=3),
                name="capability_declared_grade_1_3",
            ),
            models.CheckConstraint(
                condition=Q(assessed_grade__isnull=True)
                | Q(assessed_grade__gte=1, assessed_grade__lte=3),
                name="capability_assessed_grade_1_3",
            ),
        ]
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_specialty_display()}"

    def personnel_rows(self) -> list[tuple[str, object]]:
        """(translated function, number) of ``personnel``, in the order of PersonnelFunction;
        a key outside it reads as itself."""
        from registry.choices import PersonnelFunction

        labels = dict(PersonnelFunction.choices)
        data = self.personnel or {}
        order = [k for k in labels if k in data] + [k for k in data if k not in labels]
        return [(str(labels.get(k, k)), data[k]) for k in order]

    def phase_labels(self) -> list[str]:
        """The translated phases served, in the order of Phase (empty: every phase)."""
        labels = dict(Phase.choices)
        return [str(labels[p]) for p in Phase.values if p in (self.phases or [])]

    @property
    def current_grade(self) -> int | None:
        if (
            self.assessed_grade
            and self.revoked_at is None
            and self.valid_until
            and self.valid_until >= timezone.localdate()
        ):
            return self.assessed_grade
        return None


class Assessment(models.Model):
    """One assessment (测评) of a capability; the capability carries the latest one's values."""

    capability = models.ForeignKey(Capability, on_delete=models.CASCADE, related_name="assessments")
    grade = models.PositiveSmallIntegerField(_("assessed grade"), choices=Grade.choices)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    notes = models.TextField(_("notes"), blank=True)
    assessed_on = models.DateField(_("assessed on"))
    valid_until = models.DateField(_("valid until"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.TextField(_("revocation reason"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__gte=1, grade__lte=3), name="assessment_grade_1_3"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="assessment_score_0_100"
            ),
        ]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"{self.capability} · {self.grade} ({self.assessed_on})"


def document_path(instance: "Document", filename: str) -> str:
    # The stored name never reuses the uploader's file name (it may carry paths or personal data).
    return f"registry/{instance.organization_id}/{uuid.uuid4().hex}{instance.extension}"


class Document(models.Model):
    """A private file of an organization (certificate, plan, insurance), stored under MEDIA_ROOT
    and served only through a view that checks membership or jurisdiction."""

    class Kind(models.TextChoices):
        REGISTRATION_CERTIFICATE = "registration_certificate", _("Registration certificate")
        CONTINGENCY_PLAN = "contingency_plan", _("Contingency plan")
        INSURANCE = "insurance", _("Insurance")
        LOGO = "logo", _("Logo")
        OTHER = "other", _("Other")

    EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="documents"
    )
    capability = models.ForeignKey(
        Capability, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("title"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    @property
    def extension(self) -> str:
        return self.EXTENSIONS.get(self.content_type, "")


class Person(models.Model):
    """Talent pool (社会工作人才库): a person an organization can send. Phone is private."""

    class Availability(models.TextChoices):
        AVAILABLE = "available", _("Available")
        LIMITED = "limited", _("Limited")
        UNAVAILABLE = "unavailable", _("Unavailable")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(_("name"), max_length=100)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    # ",skill one,skill two," so that a skill can be matched on every database.
    skills_index = models.CharField(max_length=500, blank=True, editable=False, db_index=True)
    social_worker_level = models.CharField(
        _("social-work qualification"),
        max_length=12,
        choices=SocialWorkerLevel.choices,
        default=SocialWorkerLevel.NONE,
    )
    certifications = models.JSONField(_("certifications"), default=list, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    region_code = models.CharField(_("region"), max_length=6, blank=True, db_index=True)
    availability = models.CharField(
        _("availability"), max_length=12, choices=Availability.choices, default="available"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name


class InsurancePolicy(models.Model):
    """An insurance policy (保险单) covering one person of an organization's talent pool: the
    sums insured per kind of cover (None: not covered) and the days it is valid, both included.
    A high-risk deployment filing needs accident cover for every person on its roster."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="policies")
    insurer = models.CharField(_("insurer"), max_length=200)
    policy_number = models.CharField(_("policy number"), max_length=100)
    accident_amount = models.DecimalField(
        _("accident cover (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    medical_amount = models.DecimalField(
        _("medical cover (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    liability_amount = models.DecimalField(
        _("third-party liability cover (CNY)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_until", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="policy_valid_period"
            ),
            models.CheckConstraint(
                condition=(
                    # NULL-safe: a CHECK passes when its condition is NULL
                    Q(accident_amount__isnull=False, accident_amount__gt=0)
                    | Q(medical_amount__isnull=False, medical_amount__gt=0)
                    | Q(liability_amount__isnull=False, liability_amount__gt=0)
                ),
                name="policy_covers_something",
            ),
            models.CheckConstraint(
                condition=(
                    (Q(accident_amount__isnull=True) | Q(accident_amount__gte=0))
                    & (Q(medical_amount__isnull=True) | Q(medical_amount__gte=0))
                    & (Q(liability_amount__isnull=True) | Q(liability_amount__gte=0))
                ),
                name="policy_amounts_not_negative",
            ),
        ]
        verbose_name = _("insurance policy")
        verbose_name_plural = _("insurance policies")

    def __str__(self) -> str:
        return f"{self.insurer} {self.policy_number}"

    def audit_scope(self) -> tuple[int | None, str]:
        return self.person.organization_id, self.person.organization.region_code

    def coverage_rows(self) -> list[tuple[str, Any]]:
        """(label, sum insured) of each kind of cover the policy has."""
        rows = [
            (_("Accident"), self.accident_amount),
            (_("Medical"), self.medical_amount),
            (_("Third-party liability"), self.liability_amount),
        ]
        return [(label, amount) for label, amount in rows if amount]
