"""Liaison API shapes (services decide meaning; these check shape: core.api.StrictSerializer)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from coordination.models import Deployment, Incident
from core import validators, words
from core.api import (
    ActingOrganizationField,
    ActionsField,
    DateTimeField,
    DecimalField,
    IntegerField,
    NameField,
    PersonField,
    StrictModelSerializer,
    StrictSerializer,
)
from liaison.models import (
    Category,
    FieldReport,
    Function,
    Notice,
    NoticeReceipt,
    Responsibility,
    SafetyCheckIn,
    Urgency,
)
from registry.choices import OrganizationKind


def _latitude() -> DecimalField:
    return DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True
    )


def _longitude() -> DecimalField:
    return DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=False,
        allow_null=True,
    )


# --- directory ---------------------------------------------------------------------------------


class ResponsibilitySerializer(StrictModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    region_code = serializers.CharField(source="agency.region_code", read_only=True)
    region_display = serializers.SerializerMethodField()
    function_display = serializers.CharField(source="get_function_display", read_only=True)

    class Meta:
        model = Responsibility
        fields = [
            "id",
            "agency",
            "agency_name",
            "region_code",
            "region_display",
            "function",
            "function_display",
            "unit",
            "duty_contact",
            "duty_phone",
            "duty_hours",
            "public",
            "updated_at",
        ]
        read_only_fields = fields

    def get_region_display(self, obj) -> str:
        return words.region_path(obj.agency.region_code)


class ResponsibilityInputSerializer(StrictSerializer):
    agency = ActingOrganizationField(
        help_text=_("Which of your agencies; optional if you are an official of one.")
    )
    function = serializers.ChoiceField(choices=Function.choices)
    unit = serializers.CharField(max_length=120)
    duty_contact = NameField(max_length=100)
    duty_phone = serializers.RegexField(r"^[0-9+\- ]{5,30}$", max_length=30)
    duty_hours = serializers.CharField(max_length=100, required=False, default="")
    public = serializers.BooleanField(required=False, default=True)


# --- notices -----------------------------------------------------------------------------------


class NoticeSerializer(StrictModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    published_at = DateTimeField(read_only=True)
    expires_at = DateTimeField(read_only=True, allow_null=True)
    ack_due_at = DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Notice
        fields = [
            "id",
            "agency",
            "agency_name",
            "kind",
            "kind_display",
            "title",
            "body",
            "audience_regions",
            "audience_kinds",
            "public",
            "published_at",
            "expires_at",
            "ack_due_at",
        ]
        read_only_fields = fields


class NoticeDetailSerializer(NoticeSerializer):
    attachments = serializers.SerializerMethodField()
    audience_size = serializers.IntegerField(read_only=True)
    read_count = serializers.IntegerField(read_only=True)
    ack_count = serializers.IntegerField(read_only=True)

    class Meta(NoticeSerializer.Meta):
        fields = [
            *NoticeSerializer.Meta.fields,
            "attachments",
            "audience_size",
            "read_count",
            "ack_count",
        ]
        read_only_fields = fields

    def get_attachments(self, obj) -> list[dict]:
        return [
            {
                "id": a.pk,
                "name": a.name,
                "content_type": a.content_type,
                "size": a.size,
                "url": reverse("liaison-notice-attachment", args=[a.pk]),
            }
            for a in obj.attachments.all()
        ]


class NoticeCreateSerializer(StrictSerializer):
    agency = ActingOrganizationField(
        help_text=_("Which of your agencies; optional if you are an official of one.")
    )
    kind = serializers.ChoiceField(choices=Notice.Kind.choices, default=Notice.Kind.NOTICE)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=20000)
    audience_regions = serializers.ListField(
        child=serializers.RegexField(r"^\d{6}$"), required=False, default=list, max_length=50
    )
    audience_kinds = serializers.ListField(
        child=serializers.ChoiceField(
            choices=[c for c in OrganizationKind.choices if c[0] != OrganizationKind.AGENCY]
        ),
        required=False,
        default=list,
    )
    public = serializers.BooleanField(required=False, default=True)
    expires_at = DateTimeField(required=False, allow_null=True, validators=[validators.deadline])
    ack_due_at = DateTimeField(required=False, allow_null=True, validators=[validators.deadline])
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=6
    )


class ReceiptSerializer(StrictModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    read_at = DateTimeField(read_only=True, allow_null=True)
    acknowledged_at = DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = NoticeReceipt
        fields = ["id", "notice", "organization", "organization_name", "read_at", "acknowledged_at"]
        read_only_fields = fields


class ReceiptInputSerializer(StrictSerializer):
    organization = ActingOrganizationField(
        help_text=_("Which of your organizations; optional if you act for only one.")
    )


# --- field reports -----------------------------------------------------------------------------


class FieldReportSerializer(StrictModelSerializer):
    latitude = serializers.SerializerMethodField()
    longitude = serializers.SerializerMethodField()
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    routed_to_name = serializers.CharField(source="routed_to.name", default=None, read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    function_display = serializers.CharField(source="get_function_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    ack_due_at = DateTimeField(read_only=True, allow_null=True)
    acknowledged_at = DateTimeField(read_only=True, allow_null=True)
    created_at = DateTimeField(read_only=True)

    class Meta:
        model = FieldReport
        fields = [
            "id",
            "incident",
            "organization",
            "organization_name",
            "category",
            "category_display",
            "function",
            "function_display",
            "urgency",
            "description",
            "people_count",
            "region_code",
            "latitude",
            "longitude",
            "routed_to",
            "routed_to_name",
            "unit",
            "escalations",
            "status",
            "status_display",
            "status_reason",
            "ack_due_at",
            "acknowledged_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_latitude(self, obj) -> str | None:
        return str(obj.latitude) if obj.latitude is not None else None

    def get_longitude(self, obj) -> str | None:
        return str(obj.longitude) if obj.longitude is not None else None


class FieldReportDetailSerializer(FieldReportSerializer):
    actions = ActionsField()
    filed_by = PersonField()
    photos = serializers.SerializerMethodField()

    class Meta(FieldReportSerializer.Meta):
        fields = [*FieldReportSerializer.Meta.fields, "filed_by", "photos", "actions"]
        read_only_fields = fields

    def get_photos(self, obj) -> list[str]:
        return [reverse("liaison-report-photo", args=[p.pk]) for p in obj.photos.all()]


class FieldReportCreateSerializer(StrictSerializer):
    incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.all())
    organization = ActingOrganizationField(
        help_text=_("Which of your organizations sends it; optional if you act for only one.")
    )
    category = serializers.ChoiceField(choices=Category.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    description = serializers.CharField(max_length=5000)
    people_count = IntegerField(min_value=0, max_value=1000000, required=False, allow_null=True)
    region_code = serializers.RegexField(r"^\d{6}$", max_length=6)
    latitude = _latitude()
    longitude = _longitude()
    photos = serializers.ListField(
        child=serializers.ImageField(), required=False, default=list, max_length=6
    )


# --- check-ins ---------------------------------------------------------------------------------


class CheckInSerializer(StrictModelSerializer):
    organization_name = serializers.CharField(source="deployment.organization.name", read_only=True)
    created_at = DateTimeField(read_only=True)

    class Meta:
        model = SafetyCheckIn
        fields = ["id", "deployment", "organization_name", "safe", "note", "created_at"]
        read_only_fields = fields


class CheckInCreateSerializer(StrictSerializer):
    deployment = serializers.PrimaryKeyRelatedField(queryset=Deployment.objects.all())
    safe = serializers.BooleanField(required=False, default=True)
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)
    latitude = _latitude()
    longitude = _longitude()
