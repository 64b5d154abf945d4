"""Alerts and their delivery (the transactional outbox).

One ``Alert`` is what was said; one ``Delivery`` per recipient x channel is the outbox row a
worker claims and sends. Delivery rows are written in the same transaction as the business
change that caused them, so an alert is never lost and never sent for a rolled-back change.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Chinese early-warning colours; red is the most severe."""

    RED = "red", _("Red")
    ORANGE = "orange", _("Orange")
    YELLOW = "yellow", _("Yellow")
    BLUE = "blue", _("Blue")


# Levels that always go out immediately; the others may wait for a user's hourly digest.
URGENT_LEVELS = (Level.RED, Level.ORANGE)
DIGESTIBLE_LEVELS = (Level.YELLOW, Level.BLUE)

# CAP 1.2 severity of each colour (STANDARDS.md).
CAP_SEVERITY = {
    Level.RED: "Extreme",
    Level.ORANGE: "Severe",
    Level.YELLOW: "Moderate",
    Level.BLUE: "Minor",
}


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In-app inbox")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WEBHOOK = "webhook", _("Webhook")


class AlertType(models.TextChoices):
    """What an automatic alert is about; each person chooses its channels per type
    (``Preference.channels_by_type``). The SMS templates are keyed on exactly these strings.
    Manual alerts by officials carry no type (""): their channels are the official's choice."""

    MOBILIZATION = "mobilization", _("Mobilization")
    ASSIGNMENT = "assignment", _("Assignment")
    APPROVAL = "approval", _("Approvals and decisions")
    DEADLINE = "deadline", _("Deadlines")
    DIGEST = "digest", _("Digests and summaries")


# Types whose unread in-app alerts escalate (SMS, then the organization's other members).
ESCALATING_TYPES = (AlertType.MOBILIZATION, AlertType.ASSIGNMENT)

# Channels a person chooses per type; in-app is always on (the inbox is the record).
PERSON_CHANNELS = ("in_app", "sms", "email")


def default_channels_by_type() -> dict[str, list[str]]:
    """Mobilization and assignment: in-app + SMS; approvals and deadlines: in-app + e-mail;
    digests: e-mail (and the inbox, which is always on)."""
    return {
        AlertType.MOBILIZATION.value: ["in_app", "sms"],
        AlertType.ASSIGNMENT.value: ["in_app", "sms"],
        AlertType.APPROVAL.value: ["in_app", "email"],
        AlertType.DEADLINE.value: ["in_app", "email"],
        AlertType.DIGEST.value: ["in_app", "email"],
    }


class MsgType(models.TextChoices):
    """CAP msgType: a new alert, an update of an earlier one, or its cancellation (解除)."""

    ALERT = "Alert", _("Alert")
    UPDATE = "Update", _("Update")
    CANCEL = "Cancel", _("Cancel (lifted)")


class Alert(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices, default=Level.BLUE)
    audience = models.JSONField(_("audience"), default=dict, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    public = models.BooleanField(_("public"), default=False)
    incident_ref = models.JSONField(_("incident"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    # Added by migration 0002.
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    body_en = models.TextField(_("English body"), blank=True)
    region_code = models.CharField(_("region"), max_length=6, blank=True, db_index=True)
    msg_type = models.CharField(
        _("message type"), max_length=8, choices=MsgType.choices, default=MsgType.ALERT
    )
    references = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followups",
        verbose_name=_("updates or cancels"),
    )
    recipient_count = models.PositiveIntegerField(_("people reached"), default=0)
    organization_count = models.PositiveIntegerField(_("organizations reached"), default=0)
    # A message to someone without an account (``notify_contact``): the registered SMS template
    # (``alerts.sms.TEMPLATES``) and its parameters; ``body`` holds the filled-in text.
    template = models.CharField(_("SMS template"), max_length=40, blank=True)
    template_params = models.JSONField(_("template parameters"), default=dict, blank=True)
    # Every region of the audience (GB/T 2260 codes, in the order given); ``region_code`` is the
    # first of them, kept for filters and older clients.
    regions = models.JSONField(_("regions"), default=list, blank=True)
    alert_type = models.CharField(
        _("alert type"), max_length=16, choices=AlertType.choices, blank=True, db_index=True
    )
    # About an exercise incident (a drill): titled 【演练】, never public, reaching only the
    # drill's participants; CAP <status>Exercise</status> (alerts.services.outbox.notify).
    is_exercise = models.BooleanField(_("exercise"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return self.title

    @property
    def cap_identifier(self) -> str:
        """Stable CAP identifier: the platform id and the row id (no spaces or commas)."""
        return f"{settings.TONGZHOU_PLATFORM_ID}.alert.{self.pk}"

    @property
    def severity(self) -> str:
        return CAP_SEVERITY.get(self.level, "Unknown")

    @property
    def all_regions(self) -> list[str]:
        """Every region of the alert (``regions``; ``region_code`` alone for older rows)."""
        return list(self.regions or ([self.region_code] if self.region_code else []))


class Delivery(models.Model):
    """One recipient x channel: the outbox row a worker claims (conditional UPDATE) and sends."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        READ = "read", _("Read")

    class Reason(models.TextChoices):
        AUDIENCE = "audience", _("Audience")
        ESCALATION_SMS = "escalation_sms", _("Escalation: unread, sent by SMS")
        ESCALATION_MEMBERS = "escalation_org", _("Escalation: unread, organization's members")

    # The delivery state machine; consulted by alerts.services. ``sending -> pending`` is a
    # retry after a transient error or a sweep of a row whose worker died.
    TRANSITIONS = {
        Status.PENDING: (Status.SENDING, Status.FAILED),
        Status.SENDING: (Status.SENT, Status.PENDING, Status.FAILED),
        Status.SENT: (Status.READ, Status.FAILED),  # failed: an SMS receipt says undelivered
        Status.FAILED: (Status.PENDING,),
        Status.READ: (),
    }

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alert_deliveries",
    )
    organization = models.ForeignKey(
        "registry.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alert_deliveries",
    )
    webhook = models.ForeignKey(
        "alerts.Webhook", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    address = models.CharField(_("address"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    digest = models.BooleanField(_("held for the hourly digest"), default=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Why this row exists: the alert's audience, or an escalation of an unread in-app alert
    # (``alerts.escalation``). ``escalated_from`` is the unread in-app row that caused it;
    # ``escalation_step`` on an in-app row records how far it has been escalated (0 none,
    # 1 SMS tried, 2 the organization's other members tried).
    reason = models.CharField(
        _("reason"), max_length=16, choices=Reason.choices, default=Reason.AUDIENCE
    )
    escalated_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalations",
        verbose_name=_("escalation of"),
    )
    escalation_step = models.PositiveSmallIntegerField(_("escalation step"), default=0)
    # Added by migration 0004: the provider's id of the message (Aliyun BizId, Tencent SerialNo)
    # that its delivery receipt names, and when the receipt said it reached the phone.
    provider_ref = models.CharField(_("provider message id"), max_length=64, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["provider_ref"], name="delivery_provider_ref", condition=~Q(provider_ref="")
            ),
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["user", "channel", "status"], name="delivery_inbox"),
            # The escalation beat: unread in-app rows not yet escalated all the way.
            models.Index(
                fields=["sent_at"],
                name="delivery_unread_escalating",
                condition=Q(channel="in_app", status="sent", escalation_step__lt=2),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(organization__isnull=False),
                name="delivery_has_recipient",
            ),
            models.UniqueConstraint(
                fields=["alert", "user", "channel"],
                condition=Q(user__isnull=False),
                name="one_delivery_per_user_channel",
            ),
            models.UniqueConstraint(
                fields=["alert", "organization", "channel"],
                condition=Q(user__isnull=True),
                name="one_delivery_per_org_channel",
            ),
        ]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.alert_id}/{self.channel}/{self.pk} {self.status}"


def default_digest_levels() -> list[str]:
    """Blue is digested hourly by default; red and orange never wait."""
    return [Level.BLUE.value]


class Preference(models.Model):
    """A user's choice of channels and of an hourly digest for the low levels."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_preference"
    )
    email = models.BooleanField(_("email"), default=True)
    sms = models.BooleanField(_("SMS"), default=True)
    phone = models.CharField(_("mobile phone for SMS"), max_length=20, blank=True)
    digest_levels = models.JSONField(
        _("levels held for the hourly digest"), default=default_digest_levels, blank=True
    )
    # Channels per alert type (``AlertType``): {"mobilization": ["in_app", "sms"], ...};
    # a missing type takes its default (``default_channels_by_type``).
    channels_by_type = models.JSONField(
        _("channels per alert type"), default=default_channels_by_type, blank=True
    )
    # Quiet hours, local time (TIME_ZONE, Asia/Shanghai): SMS and e-mail wait until they end,
    # except red/orange mobilizations and red/orange manual alerts (alerts.preferences).
    quiet_start = models.TimeField(_("quiet hours start"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours end"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("alert preference")
        verbose_name_plural = _("alert preferences")

    def __str__(self) -> str:
        return f"{self.user}"

    def wants(self, channel: str) -> bool:
        if channel == Channel.EMAIL:
            return self.email
        if channel == Channel.SMS:
            return self.sms and bool(self.phone)
        return channel == Channel.IN_APP


class Webhook(models.Model):
    """An organization's endpoint for signed alert deliveries (one active per organization)."""

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="alert_webhooks"
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("secret"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=Q(active=True), name="one_active_webhook"
            )
        ]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return f"{self.organization_id} {self.url}"


class SmsTemplate(models.Model):
    """An SMS template approved (报备) with the providers: fixed wording with ``${name}``
    variables, the provider's id for it, and the signature it was approved under.

    Chinese providers send only approved templates, never free text: every SMS the platform
    sends is one of these rows (or a template registered in code, ``alerts.sms.register``),
    chosen by ``code`` or by the alert's type. Seeded by migration 0005 with one template per
    alert type; operators fill in the provider ids once the providers approved them."""

    alert_type = models.CharField(_("alert type"), max_length=32, blank=True, db_index=True)
    code = models.CharField(_("code"), max_length=40, unique=True)
    text = models.TextField(
        _("text"), help_text=_("Fixed wording with ${name} variables, without the signature.")
    )
    aliyun_template_code = models.CharField(
        _("Alibaba Cloud template code"), max_length=40, blank=True
    )
    tencent_template_id = models.CharField(
        _("Tencent Cloud template id"), max_length=40, blank=True
    )
    signature = models.CharField(
        _("signature"),
        max_length=40,
        blank=True,
        help_text=_("The registered signature, e.g. 【同舟应急】; empty: the platform's."),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["alert_type", "code"]
        verbose_name = _("SMS template")
        verbose_name_plural = _("SMS templates")

    def __str__(self) -> str:
        return self.code
