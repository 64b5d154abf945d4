"""Serializers validate shape; services validate meaning. One input serializer per action."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from coordination import maps, rosters
from coordination.models import (
    Deployment,
    EvidencePhoto,
    Incident,
    IncidentKind,
    Need,
    NeedCategory,
    Priority,
    RosterEntry,
    Task,
    TaskReport,
)
from core import api as core_api
from core import validators
from core.api import (
    ActingOrganizationField,
    DateTimeField,
    DecimalField,
    IntegerField,
    NameField,
    StrictModelSerializer,
    StrictSerializer,
)
from registry.choices import PersonnelFunction, Specialty
from registry.models import Organization


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


POINT_HELP = _("WGS-84; blurred by about 2 km unless you may see the exact point.")


class PointSerializerMixin:
    """``latitude``/``longitude`` of a need, filing or task: exact for officials covering its
    area and members of the organization involved, otherwise the stable blurred stand-in
    (coordination.maps.point_for); ``location_exact`` says which. The request's user decides;
    without a request (another serializer nesting this one) the point is blurred."""

    def get_latitude(self, obj) -> str | None:
        return self._point(obj)[0]

    def get_longitude(self, obj) -> str | None:
        return self._point(obj)[1]

    def get_location_exact(self, obj) -> bool:
        return self._point(obj)[2]

    def _point(self, obj) -> tuple[str | None, str | None, bool]:
        cached = getattr(obj, "_tz_point", None)
        if cached is None:
            request = self.context.get("request")
            user = getattr(request, "user", None) or AnonymousUser()
            cached = obj._tz_point = maps.point_for(user, obj)
        return cached


class IncidentSerializer(StrictModelSerializer):
    """Public fields of an incident (an incident has no private field)."""

    lead_agency_name = serializers.CharField(source="lead_agency.name", default=None)
    suggested_grade = IntegerField(allow_null=True, read_only=True)
    direct_loss = DecimalField(
        max_digits=16, decimal_places=2, coerce_to_string=True, allow_null=True, read_only=True
    )

    class Meta:
        model = Incident
        fields = [
            "id",
            "title",
            "kind",
            "subtype",
            "grade",
            "suggested_grade",
            "response_level",
            "region_code",
            "latitude",
            "longitude",
            "started_at",
            "lead_agency",
            "lead_agency_name",
            "description",
            "status",
            "closed_at",
            "response_started_at",
            "expected_duration_hours",
            "response_measures",
            "deaths",
            "serious_injuries",
            "direct_loss",
            "area_capacity",
            "is_exercise",
            "created_at",
        ]
        read_only_fields = fields


class IncidentDetailSerializer(IncidentSerializer):
    """An incident with what the requesting user may do with it now."""

    actions = core_api.ActionsField()

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "actions"]
        read_only_fields = fields


class IncidentCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=IncidentKind.choices)
    subtype = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    grade = IntegerField(min_value=1, max_value=4, required=False, allow_null=True)
    region_code = serializers.RegexField(r"^\d{6}$", max_length=6)
    latitude = DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True
    )
    longitude = DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=False,
        allow_null=True,
    )
    started_at = DateTimeField(validators=[validators.fact])
    description = serializers.CharField(required=False, allow_blank=True, default="")
    deaths = IntegerField(min_value=0, max_value=10**9, required=False, allow_null=True)
    serious_injuries = IntegerField(min_value=0, max_value=10**9, required=False, allow_null=True)
    direct_loss = DecimalField(
        max_digits=16, decimal_places=2, min_value=0, required=False, allow_null=True
    )


class IncidentStatusSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=Incident.Status.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    response_level = IntegerField(min_value=1, max_value=4, required=False, allow_null=True)
    expected_duration_hours = IntegerField(
        min_value=1, max_value=24 * 365, required=False, allow_null=True
    )
    measures = serializers.CharField(required=False, allow_blank=True, default="")


# Shared shapes of "why" (core.api): one OpenAPI component each across the apps.
OptionalReasonSerializer = core_api.OptionalReasonSerializer
RequiredReasonSerializer = core_api.RequiredReasonSerializer


class CapacitySerializer(StrictSerializer):
    area_region_code = serializers.RegexField(r"^\d{6}$", max_length=6)
    max_teams = IntegerField(min_value=0, max_value=100000, required=False, allow_null=True)
    max_people = IntegerField(min_value=0, max_value=10**7, required=False, allow_null=True)


class NeedSerializer(PointSerializerMixin, StrictModelSerializer):
    latitude = serializers.SerializerMethodField(help_text=POINT_HELP)
    longitude = serializers.SerializerMethodField(help_text=POINT_HELP)
    location_exact = serializers.SerializerMethodField()
    committed = IntegerField(read_only=True)
    reached = IntegerField(read_only=True)
    gap = serializers.SerializerMethodField()
    confirmed = serializers.BooleanField(source="is_confirmed", read_only=True)
    posted_by_organization_name = serializers.CharField(
        source="posted_by_organization.name", default=None
    )

    class Meta:
        model = Need
        fields = [
            "id",
            "incident",
            "category",
            "description",
            "quantity",
            "unit",
            "region_code",
            "latitude",
            "longitude",
            "location_exact",
            "urgency",
            "confirmed",
            "posted_by_organization",
            "posted_by_organization_name",
            "committed",
            "reached",
            "gap",
            "created_at",
        ]
        read_only_fields = fields

    def get_gap(self, need) -> int:
        return max(need.quantity - (need.committed or 0), 0)


class NeedDetailSerializer(NeedSerializer):
    """A need with what the requesting user may do with it now."""

    actions = core_api.ActionsField()

    class Meta(NeedSerializer.Meta):
        fields = [*NeedSerializer.Meta.fields, "actions"]
        read_only_fields = fields


class NeedPageSerializer(StrictSerializer):
    """One page of needs (the same envelope as every list)."""

    count = IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = NeedSerializer(many=True)


class NeedInputSerializer(StrictSerializer):
    """What posting a need takes: the input of ``services.needs.need_fields``, the one posting
    rule of an incident need (``NeedCreateSerializer``) and of a routine need
    (``community.api.serializers.RoutineNeedCreateSerializer``)."""

    category = serializers.ChoiceField(choices=NeedCategory.choices)
    description = serializers.CharField()
    quantity = IntegerField(min_value=1, max_value=10**9)
    unit = serializers.CharField(max_length=20)
    region_code = serializers.RegexField(r"^\d{6}$", max_length=6)
    latitude = _latitude()
    longitude = _longitude()
    urgency = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    organization = ActingOrganizationField(
        help_text=_(
            "Which of your organizations posts; optional if you act for only one. "
            "An official with jurisdiction names none."
        )
    )


class NeedCreateSerializer(NeedInputSerializer):
    """An incident's need."""


class DeploymentSerializer(PointSerializerMixin, StrictModelSerializer):
    """Shown only to officials with jurisdiction and the filing organization."""

    latitude = serializers.SerializerMethodField(help_text=POINT_HELP)
    longitude = serializers.SerializerMethodField(help_text=POINT_HELP)
    location_exact = serializers.SerializerMethodField()

    organization_name = serializers.CharField(source="organization.name")
    incident_title = serializers.CharField(source="incident.title")

    class Meta:
        model = Deployment
        fields = [
            "id",
            "incident",
            "incident_title",
            "organization",
            "organization_name",
            "headcount",
            "specialties",
            "vehicles",
            "area_region_code",
            "latitude",
            "longitude",
            "location_exact",
            "arrival_at",
            "leader_name",
            "leader_phone",
            "self_sufficiency_days",
            "status",
            "status_reason",
            "created_at",
        ]
        read_only_fields = fields


class RosterEntrySerializer(StrictModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = RosterEntry
        fields = ["person", "person_name", "role"]
        read_only_fields = fields


class DeploymentDetailSerializer(DeploymentSerializer):
    """A filing with its roster, who on it lacks accident cover for a high-risk filing
    (``uninsured``: approving then needs a reason), and what the requesting user may do now."""

    actions = core_api.ActionsField()
    roster = RosterEntrySerializer(many=True, read_only=True)
    uninsured = serializers.SerializerMethodField()

    class Meta(DeploymentSerializer.Meta):
        fields = [*DeploymentSerializer.Meta.fields, "roster", "uninsured", "actions"]
        read_only_fields = fields

    def get_uninsured(self, obj) -> list[str]:
        return rosters.uninsured_names(obj)


class RosterInputSerializer(StrictSerializer):
    person = IntegerField(min_value=1)
    role = serializers.ChoiceField(choices=PersonnelFunction.choices, default="rescue")


class RosterSerializer(StrictSerializer):
    roster = RosterInputSerializer(
        many=True,
        help_text=_("The whole roster: people of your talent pool sent, with their role."),
    )


class DeploymentCreateSerializer(StrictSerializer):
    incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.all())
    organization = ActingOrganizationField(
        help_text=_("Which of your organizations files; optional if you act for only one.")
    )
    headcount = IntegerField(min_value=1, max_value=100000)
    specialties = serializers.ListField(
        child=serializers.ChoiceField(choices=Specialty.choices), required=False, default=list
    )
    vehicles = IntegerField(min_value=0, max_value=10000, default=0)
    area_region_code = serializers.RegexField(r"^\d{6}$", max_length=6)
    latitude = _latitude()
    longitude = _longitude()
    arrival_at = DateTimeField(validators=[validators.plan])
    leader_name = NameField(max_length=100)
    leader_phone = serializers.RegexField(r"^[0-9+\- ]{5,30}$", max_length=30)
    self_sufficiency_days = IntegerField(min_value=0, max_value=365, default=0)
    roster = RosterInputSerializer(
        many=True,
        required=False,
        help_text=_("People of your talent pool sent, with their role (optional)."),
    )


class TaskSerializer(PointSerializerMixin, StrictModelSerializer):
    latitude = serializers.SerializerMethodField(help_text=POINT_HELP)
    longitude = serializers.SerializerMethodField(help_text=POINT_HELP)
    location_exact = serializers.SerializerMethodField()
    organization_name = serializers.CharField(source="organization.name", default=None)

    class Meta:
        model = Task
        fields = [
            "id",
            "incident",
            "need",
            "title",
            "description",
            "specialty",
            "min_grade",
            "region_code",
            "latitude",
            "longitude",
            "location_exact",
            "priority",
            "due_at",
            "quantity_committed",
            "status",
            "status_reason",
            "organization",
            "organization_name",
            "assigned_at",
            "claimed",
            "created_at",
        ]
        read_only_fields = fields


class TaskDetailSerializer(TaskSerializer):
    """A task with what the requesting user may do with it now."""

    actions = core_api.ActionsField()

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "actions"]
        read_only_fields = fields


class TaskCreateSerializer(StrictSerializer):
    incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.all())
    need = serializers.PrimaryKeyRelatedField(
        queryset=Need.objects.all(), required=False, allow_null=True
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    specialty = serializers.ChoiceField(
        choices=Specialty.choices, required=False, allow_blank=True, default=""
    )
    min_grade = IntegerField(min_value=1, max_value=3, required=False, allow_null=True)
    region_code = serializers.RegexField(r"^\d{6}$", max_length=6)
    latitude = _latitude()
    longitude = _longitude()
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    due_at = DateTimeField(required=False, allow_null=True, validators=[validators.deadline])
    quantity_committed = IntegerField(min_value=0, max_value=10**9, default=0)


class AssignSerializer(StrictSerializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())


class ClaimSerializer(StrictSerializer):
    organization = ActingOrganizationField(
        help_text=_("Which of your organizations claims; optional if you act for only one.")
    )


class ReportSerializer(StrictSerializer):
    summary = serializers.CharField()
    people_served = IntegerField(min_value=0, max_value=10**9, default=0)
    quantity_delivered = IntegerField(min_value=0, max_value=10**9, default=0)
    beneficiaries = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = serializers.ListField(
        child=serializers.FileField(max_length=200), required=False, default=list
    )
    evidence_taken_at = serializers.ListField(
        child=DateTimeField(validators=[validators.fact]), required=False, default=list
    )

    def validate(self, attrs):
        if len(attrs["evidence"]) > 20:
            raise serializers.ValidationError({"evidence": [_("At most 20 photos a report.")]})
        if len(attrs["evidence"]) != len(attrs["evidence_taken_at"]):
            raise serializers.ValidationError(
                {"evidence_taken_at": [_("Give one taken-at time for each photo, in order.")]}
            )
        for upload in attrs["evidence"]:
            if upload.size > settings.FILE_UPLOAD_MAX_BYTES:
                raise serializers.ValidationError(
                    {"evidence": [_("A photo is larger than the upload limit.")]}
                )
        return attrs


class TaskVerifySerializer(StrictSerializer):
    accepted = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class EvidencePhotoSerializer(StrictModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = EvidencePhoto
        fields = ["id", "content_type", "size", "taken_at", "url"]

    def get_url(self, photo) -> str:
        return f"/api/v1/evidence/{photo.pk}/"


class TaskReportSerializer(StrictModelSerializer):
    filed_by = core_api.PersonField()
    photos = EvidencePhotoSerializer(many=True)

    class Meta:
        model = TaskReport
        fields = [
            "id",
            "summary",
            "people_served",
            "quantity_delivered",
            "beneficiaries",
            "filed_by",
            "created_at",
            "photos",
        ]


class SuggestionSerializer(StrictSerializer):
    organization = IntegerField(source="organization.pk")
    organization_name = serializers.CharField(source="organization.name")
    region_code = serializers.CharField(source="organization.region_code")
    grade = IntegerField(allow_null=True)
    distance = IntegerField(
        help_text=_("0 same county, 1 same prefecture, 2 same province, 3 elsewhere")
    )
    home_distance = IntegerField(
        help_text=_("The same measure from the organization's home region")
    )
    load = IntegerField()
    verified_tasks = IntegerField()


class ThreeWRowSerializer(StrictSerializer):
    organization = serializers.CharField()
    organization_id = IntegerField()
    sector = serializers.CharField()
    adm1_code = serializers.CharField()
    adm1_name = serializers.CharField()
    adm2_code = serializers.CharField()
    adm2_name = serializers.CharField()
    adm3_code = serializers.CharField()
    adm3_name = serializers.CharField()
    activity = serializers.CharField()
    reached = IntegerField()
    status = serializers.CharField()
    task_id = IntegerField()
