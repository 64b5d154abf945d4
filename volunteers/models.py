"""Individual volunteers a hub registers (phone verified by an SMS code) and the hub's calls for
volunteers into an incident area, with sign-ups counted against the area's capacity."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Volunteer(models.Model):
    """A person who volunteers through a hub (枢纽型组织): real name, phone (private, verified by
    an SMS code), skills, region. Not an account: the hub vouches for the person."""

    hub = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="volunteers"
    )
    name = models.CharField(_("real name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20)
    phone_verified_at = models.DateTimeField(_("phone verified at"), null=True, blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    region_code = models.CharField(_("region"), max_length=6, db_index=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["hub", "phone"], name="unique_volunteer_phone_per_hub")
        ]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.phone_verified_at is not None


class PhoneCode(models.Model):
    """One SMS code sent to a volunteer's phone: stored as a keyed hash, used once, expires,
    a few attempts. ``purpose`` says what it proves (the phone at registration, or a sign-up)."""

    class Purpose(models.TextChoices):
        VERIFY_PHONE = "verify_phone", _("Verify the phone")
        SIGN_UP = "sign_up", _("Sign up to a call")

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="codes")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    call = models.ForeignKey(
        "volunteers.VolunteerCall", null=True, blank=True, on_delete=models.CASCADE
    )
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.volunteer} ({self.purpose})"


class VolunteerCall(models.Model):
    """A hub's call for volunteers for one area of an incident, with the number it needs."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    TRANSITIONS = {Status.OPEN: (Status.CLOSED,), Status.CLOSED: (Status.OPEN,)}

    hub = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="volunteer_calls"
    )
    incident = models.ForeignKey(
        "coordination.Incident", on_delete=models.PROTECT, related_name="volunteer_calls"
    )
    area_region_code = models.CharField(_("area"), max_length=6, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what volunteers will do"), blank=True)
    skills = models.JSONField(_("skills wanted"), default=list, blank=True)
    slots = models.PositiveIntegerField(_("volunteers needed"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(slots__gte=1), name="volunteer_call_slots_positive")
        ]
        verbose_name = _("call for volunteers")
        verbose_name_plural = _("calls for volunteers")

    def __str__(self) -> str:
        return self.title

    def audit_scope(self) -> tuple[int | None, str]:
        return self.hub_id, self.area_region_code


class SignUp(models.Model):
    """A volunteer's place in a call: counted against the call's slots and the area's capacity
    while ``signed_up``."""

    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", _("Signed up")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {Status.SIGNED_UP: (Status.CANCELLED,), Status.CANCELLED: ()}

    call = models.ForeignKey(VolunteerCall, on_delete=models.CASCADE, related_name="sign_ups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="sign_ups")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SIGNED_UP
    )
    # Who entered it: a hub member, or nobody (the volunteer with the SMS code).
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "volunteer"],
                condition=Q(status="signed_up"),
                name="one_sign_up_per_volunteer_and_call",
            )
        ]
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")

    def __str__(self) -> str:
        return f"{self.volunteer} -> {self.call}"

    def audit_scope(self) -> tuple[int | None, str]:
        return self.call.hub_id, self.call.area_region_code
