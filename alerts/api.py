"""Alerts API: manual alerts, audience preview, delivery status, the inbox, preferences, and
organization webhooks (API.md, Alerts). Views only call alerts.services and alerts.queries."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import queries, services
from alerts.audience import BASES, SELECTABLE_KINDS
from alerts.channels import absolute
from alerts.models import (
    DIGESTIBLE_LEVELS,
    PERSON_CHANNELS,
    Alert,
    AlertType,
    Channel,
    Delivery,
    Level,
    MsgType,
    Preference,
    Webhook,
)
from alerts.preferences import chosen_channels
from core import hooks
from core import permissions as perms
from core.api import (
    IntegerField,
    IsOfficial,
    PersonField,
    StrictModelSerializer,
    StrictSerializer,
    refuse_input,
)
from core.roles import Role
from registry.choices import Specialty
from registry.models import Organization


def incident_ref(incident_id: int) -> dict | None:
    """A plain summary of an incident from the app that knows incidents (coordination), through
    the ``alert_incident_ref`` hook (core.hooks): alerts sits left of coordination."""
    try:
        ref = hooks.provided("alert_incident_ref", incident_id)
    except LookupError:
        return None
    return dict(ref) if ref else None


class AudienceSerializer(StrictSerializer):
    """A manual alert's audience. Unknown keys are a 400 like everywhere in the API
    (``StrictSerializer``: ``{"organisations": [3]}`` must not quietly become the whole
    jurisdiction), and an audience without regions, organizations,
    officials_for or specialties needs ``"everyone": true`` (alerts.services.actions checks the
    same, so the page and the API agree)."""

    regions = serializers.ListField(
        child=serializers.RegexField(r"^\d{6}$"), required=False, default=list
    )
    specialties = serializers.ListField(
        child=serializers.ChoiceField(Specialty.choices), required=False, default=list
    )
    roles = serializers.ListField(
        child=serializers.ChoiceField(Role.choices), required=False, default=list
    )
    organizations = serializers.ListField(
        child=IntegerField(min_value=1), required=False, default=list
    )
    officials_for = serializers.RegexField(r"^\d{6}$", required=False)
    everyone = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Confirms an audience with no target: the official's whole jurisdiction.",
    )
    basis = serializers.ChoiceField(
        [(b, b) for b in BASES],
        required=False,
        help_text=(
            "How regions select organizations: where they are registered, where their approved "
            "filings are, or both. Default: filings when the alert's incident is responding, "
            "else registered."
        ),
    )
    kinds = serializers.ListField(
        child=serializers.ChoiceField([(k, k) for k in SELECTABLE_KINDS]),
        required=False,
        default=list,
        help_text="Organization kinds (e.g. foundation); an alternative to specialties.",
    )
    min_grade = IntegerField(
        min_value=1,
        max_value=3,
        required=False,
        help_text="With specialties: an assessed grade this good or better (1 is highest).",
    )
    incident = IntegerField(
        min_value=1,
        required=False,
        help_text="The incident whose filings count; it sets the default basis.",
    )

    def validate(self, attrs):
        if attrs.get("min_grade") is not None and not attrs.get("specialties"):
            raise serializers.ValidationError(
                {"min_grade": [_("A grade applies to specialties: choose at least one.")]}
            )
        targeted = any(attrs.get(key) for key in TARGET_FIELDS)
        if attrs.get("everyone") and targeted:
            raise serializers.ValidationError(
                {
                    "everyone": [
                        _("“Everyone” cannot be combined with a region, organization or specialty.")
                    ]
                }
            )
        if not targeted and not attrs.get("everyone"):
            raise serializers.ValidationError(
                {
                    "everyone": [
                        _(
                            "No region, organization, officials or specialty chosen: this alert "
                            "would reach your whole jurisdiction. Confirm with “everyone”."
                        )
                    ]
                }
            )
        return attrs


TARGET_FIELDS = ("regions", "organizations", "officials_for", "specialties", "kinds")


class AlertInSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(allow_blank=True, required=False, default="")
    title_en = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    body_en = serializers.CharField(allow_blank=True, required=False, default="")
    level = serializers.ChoiceField(Level.choices)
    incident = IntegerField(min_value=1, required=False, allow_null=True)
    audience = AudienceSerializer()
    channels = serializers.ListField(
        child=serializers.ChoiceField(Channel.choices), min_length=1, max_length=4
    )
    public = serializers.BooleanField(required=False, default=False)
    exercise = serializers.BooleanField(
        required=False,
        default=False,
        help_text="An exercise alert (演练): required for, and only for, an exercise incident.",
    )
    region_code = serializers.RegexField(r"^\d{6}$", required=False, allow_blank=True, default="")
    msg_type = serializers.ChoiceField(MsgType.choices, required=False, default=MsgType.ALERT)
    references = IntegerField(min_value=1, required=False, allow_null=True)


class AlertSerializer(StrictModelSerializer):
    identifier = serializers.CharField(source="cap_identifier", read_only=True)
    severity = serializers.CharField(read_only=True)
    incident = serializers.JSONField(source="incident_ref", read_only=True)
    cap_url = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = [
            "id",
            "identifier",
            "title",
            "body",
            "title_en",
            "body_en",
            "level",
            "severity",
            "msg_type",
            "references",
            "public",
            "region_code",
            "regions",
            "alert_type",
            "is_exercise",
            "incident",
            "channels",
            "link",
            "created_at",
            "recipient_count",
            "organization_count",
            "cap_url",
        ]

    def get_cap_url(self, alert: Alert) -> str | None:
        return absolute(f"/alerts/{alert.pk}/cap.xml") if alert.public else None


class PreviewPersonSerializer(StrictSerializer):
    id = IntegerField()
    name = serializers.CharField()
    organization = serializers.CharField(required=False)
    reason = serializers.CharField(
        required=False, help_text="no_phone, sms_off, no_email, email_off or no_webhook"
    )


class PreviewChannelSerializer(StrictSerializer):
    reached = PreviewPersonSerializer(many=True)
    reached_count = IntegerField()
    unreachable = PreviewPersonSerializer(many=True)
    unreachable_count = IntegerField()


class PreviewSerializer(StrictSerializer):
    people = IntegerField()
    organizations = IntegerField()
    everyone = serializers.BooleanField(help_text="The audience is the whole jurisdiction.")
    basis = serializers.CharField()
    regions = serializers.ListField(child=serializers.CharField())
    organization_names = serializers.ListField(child=serializers.CharField())
    channels = serializers.DictField(
        child=PreviewChannelSerializer(),
        help_text=(
            "Per channel (in_app, sms, email, webhook): who will be reached and who cannot be, "
            "with the reason; each list names at most 200 and counts everyone."
        ),
    )


class AlertListCreate(generics.ListCreateAPIView):
    """GET: the alerts the caller may see (public ones for everyone). POST: an official issues
    a manual alert to an audience inside their jurisdiction."""

    serializer_class = AlertSerializer
    filterset_fields = ["level", "public", "region_code"]

    def get_queryset(self):
        return queries.visible_alerts(self.request.user)

    def get_permissions(self):
        return [IsOfficial()] if self.request.method == "POST" else [permissions.AllowAny()]

    @extend_schema(request=AlertInSerializer, responses={201: AlertSerializer})
    def post(self, request, *args, **kwargs):
        data = AlertInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        ref = None
        if values.get("incident"):
            ref = incident_ref(values["incident"])
            if ref is None:
                raise DjangoValidationError({"incident": [_("No such incident.")]})
        references = None
        if values.get("references"):
            references = Alert.objects.filter(pk=values["references"]).first()
            if references is None:
                raise DjangoValidationError({"references": [_("No such alert.")]})
        alert = services.issue_alert(
            by=request.user,
            title=values["title"],
            body=values["body"],
            level=values["level"],
            audience=values["audience"],
            channels=values["channels"],
            public=values["public"],
            exercise=values["exercise"],
            incident_ref=ref,
            title_en=values["title_en"],
            body_en=values["body_en"],
            region_code=values["region_code"],
            msg_type=values["msg_type"],
            references=references,
        )
        return Response(AlertSerializer(alert).data, status=status.HTTP_201_CREATED)


class AlertPreview(APIView):
    """How many people in how many organizations an audience would reach (officials)."""

    permission_classes = [IsOfficial]
    serializer_class = AudienceSerializer

    @extend_schema(request=AudienceSerializer, responses=PreviewSerializer)
    def post(self, request):
        data = AudienceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        audience = dict(data.validated_data)
        ref = None
        if audience.get("incident"):
            ref = incident_ref(audience["incident"])
            if ref is None:
                raise DjangoValidationError({"incident": [_("No such incident.")]})
        return Response(services.preview(by=request.user, audience=audience, incident_ref=ref))


class AlertDetail(generics.RetrieveAPIView):
    serializer_class = AlertSerializer

    def get_queryset(self):
        return queries.visible_alerts(self.request.user)


class DeliverySerializer(StrictModelSerializer):
    channel = serializers.CharField(read_only=True)
    recipient = PersonField(source="user")
    organization_name = serializers.CharField(
        source="organization.name", default=None, read_only=True
    )

    class Meta:
        model = Delivery
        fields = [
            "id",
            "channel",
            "recipient",
            "organization",
            "organization_name",
            "status",
            "attempts",
            "digest",
            "reason",
            "escalated_from",
            "sent_at",
            "read_at",
            "last_error",
            "created_at",
        ]


def _alert_for_official(request, pk) -> Alert:
    alert = get_object_or_404(Alert, pk=pk)
    if not services.can_see_deliveries(request.user, alert):
        raise NotFound()
    return alert


class AlertDeliveries(generics.ListAPIView):
    """Per-recipient delivery status of one alert, with counts by status (officials who may
    see the alert: their own, or in their jurisdiction)."""

    serializer_class = DeliverySerializer
    permission_classes = [IsOfficial]
    filterset_fields = ["status", "channel"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Delivery.objects.none()
        self.alert = _alert_for_official(self.request, self.kwargs["pk"])
        return queries.deliveries_of(self.alert)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response.data["counts"] = queries.delivery_counts(self.alert)
        return response


class DeliveryRetry(APIView):
    """An official re-sends a failed delivery (409 unless it failed)."""

    permission_classes = [IsOfficial]
    serializer_class = DeliverySerializer

    @extend_schema(request=None, responses=DeliverySerializer)
    def post(self, request, pk):
        refuse_input(request)
        delivery = get_object_or_404(Delivery.objects.select_related("alert"), pk=pk)
        if not services.can_see_deliveries(request.user, delivery.alert):
            raise NotFound()
        delivery = services.retry_delivery(delivery=delivery, by=request.user)
        return Response(DeliverySerializer(delivery).data)


class InboxItemSerializer(StrictModelSerializer):
    alert = AlertSerializer(read_only=True)
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = ["id", "status", "unread", "sent_at", "read_at", "alert"]

    def get_unread(self, delivery: Delivery) -> bool:
        return delivery.status == Delivery.Status.SENT


class InboxList(generics.ListAPIView):
    """The caller's in-app alerts, newest first; ``?unread=true`` for unread ones only."""

    serializer_class = InboxItemSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Delivery.objects.none()
        qs = queries.inbox(self.request.user)
        if self.request.query_params.get("unread") in ("1", "true", "True"):
            qs = qs.filter(status=Delivery.Status.SENT)
        return qs


class InboxRead(APIView):
    """Mark one of the caller's in-app alerts read (reading twice changes nothing)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = InboxItemSerializer

    @extend_schema(request=None, responses=InboxItemSerializer)
    def post(self, request, pk):
        refuse_input(request)
        delivery = get_object_or_404(queries.inbox(request.user), pk=pk)
        services.mark_read(delivery=delivery, by=request.user)
        return Response(InboxItemSerializer(delivery).data)


class InboxReadAll(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=None,
        responses=inline_serializer("ReadAll", {"marked": IntegerField()}),
    )
    def post(self, request):
        refuse_input(request)
        return Response({"marked": services.mark_all_read(by=request.user)})


class PreferenceSerializer(StrictSerializer):
    email = serializers.BooleanField()
    sms = serializers.BooleanField()
    phone = serializers.CharField(max_length=20, allow_blank=True, required=False, default="")
    # Only the low levels can wait for the digest; the service explains the rule on a 400.
    digest_levels = serializers.ListField(
        child=serializers.ChoiceField([(lvl, lvl.label) for lvl in DIGESTIBLE_LEVELS]),
        required=False,
        default=list,
    )
    channels_by_type = serializers.DictField(
        child=serializers.ListField(
            child=serializers.ChoiceField([(c, c) for c in PERSON_CHANNELS])
        ),
        required=False,
        help_text=(
            "Channels per alert type (mobilization, assignment, approval, deadline, digest); "
            "in-app is always on, missing types keep their choice. Defaults: mobilization and "
            "assignment in_app+sms, approval and deadline in_app+email, digest email."
        ),
    )
    quiet_start = serializers.TimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Local time (Asia/Shanghai); SMS and e-mail wait until quiet_end.",
    )
    quiet_end = serializers.TimeField(required=False, allow_null=True, default=None)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if isinstance(instance, Preference):
            data["channels_by_type"] = {t: chosen_channels(instance, t) for t in AlertType.values}
        return data


class Preferences(APIView):
    """The caller's channels (in-app is always on) and the levels held for the hourly digest."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = PreferenceSerializer

    def get(self, request):
        return Response(PreferenceSerializer(services.preferences_of(request.user)).data)

    @extend_schema(request=PreferenceSerializer, responses=PreferenceSerializer)
    def put(self, request):
        data = PreferenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pref = services.set_preferences(user=request.user, **data.validated_data)
        return Response(PreferenceSerializer(pref).data)


class WebhookSerializer(StrictModelSerializer):
    secret = serializers.CharField(write_only=True, min_length=16, max_length=200)
    url = serializers.URLField(max_length=500)

    class Meta:
        model = Webhook
        fields = ["id", "url", "secret", "active", "created_at"]
        read_only_fields = ["id", "active", "created_at"]


class OrganizationWebhooks(generics.ListCreateAPIView):
    """An organization's webhook endpoint (org admins only; the secret is never shown back)."""

    serializer_class = WebhookSerializer
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None

    def organization(self) -> Organization:
        org = get_object_or_404(Organization, pk=self.kwargs["pk"])
        if not perms.is_org_admin(self.request.user, org):
            if perms.is_member_of(self.request.user, org) or org.is_verified:
                self.permission_denied(self.request, message=_("Only organization admins."))
            raise NotFound()
        return org

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Webhook.objects.none()
        return Webhook.objects.filter(organization=self.organization()).order_by("-id")

    def create(self, request, *args, **kwargs):
        org = self.organization()
        data = WebhookSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        webhook = services.register_webhook(
            organization=org,
            url=data.validated_data["url"],
            secret=data.validated_data["secret"],
            by=request.user,
        )
        return Response(WebhookSerializer(webhook).data, status=status.HTTP_201_CREATED)
