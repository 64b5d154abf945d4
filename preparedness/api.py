"""The preparedness API under /api/v1/ (docs/preparedness.md, docs/API.md): drills, follow-up
items, joint meetings and the public yearly summary. Serializers validate shape; the services
decide."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core import api as core_api
from core.api import (
    DateTimeField,
    IntegerField,
    IsOfficial,
    NoInputSerializer,
    ServiceActionsMixin,
    StrictModelSerializer,
    StrictSerializer,
)
from core.parsers import JSONParser
from preparedness import queries, services
from preparedness.models import (
    Decision,
    Drill,
    FollowUp,
    Inject,
    Meeting,
    MeetingAttachment,
    MeetingMember,
    Objective,
)

# --- follow-up items ---------------------------------------------------------------------


class FollowUpSerializer(StrictModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    source = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "title",
            "owner",
            "owner_name",
            "due_on",
            "status",
            "reason",
            "note",
            "drill",
            "objective",
            "decision",
            "source",
            "region_code",
            "created_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_source(self, item: FollowUp) -> str:
        """``drill`` or ``meeting``: where the item comes from."""
        return "drill" if item.drill_id else "meeting"


class FollowUpDetailSerializer(FollowUpSerializer):
    actions = core_api.ActionsField()

    class Meta(FollowUpSerializer.Meta):
        fields = [*FollowUpSerializer.Meta.fields, "actions"]


class FollowUpItemInSerializer(StrictSerializer):
    title = serializers.CharField(max_length=300)
    owner = IntegerField(min_value=1)
    due_on = serializers.DateField()


class CompleteSerializer(StrictSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CarryOverSerializer(StrictSerializer):
    reason = serializers.CharField(allow_blank=True)


class FollowUpViewSet(
    ServiceActionsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Items the caller may see: their organizations' and, for officials, their jurisdiction's."""

    serializer_class = FollowUpSerializer
    detail_serializer_class = FollowUpDetailSerializer
    service_object = "item"
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["status", "owner", "drill"]

    def get_queryset(self):
        return queries.visible_followups(self.request.user).order_by("due_on", "id")

    def get_serializer_class(self):
        return FollowUpDetailSerializer if self.action == "retrieve" else FollowUpSerializer

    @extend_schema(request=CompleteSerializer, responses=FollowUpDetailSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self.run_service(services.complete_followup, CompleteSerializer)

    @extend_schema(request=CarryOverSerializer, responses=FollowUpDetailSerializer)
    @action(detail=True, methods=["post"], url_path="carry-over")
    def carry_over(self, request, pk=None):
        return self.run_service(services.carry_over_followup, CarryOverSerializer)


# --- drills ------------------------------------------------------------------------------


class ObjectiveSerializer(StrictModelSerializer):
    class Meta:
        model = Objective
        fields = ["id", "text", "worked", "reviewed_at"]
        read_only_fields = fields


class InjectSerializer(StrictModelSerializer):
    class Meta:
        model = Inject
        fields = ["id", "deliver_at", "title", "body", "status", "sent_at", "alert_id"]
        read_only_fields = fields


class DrillSerializer(StrictModelSerializer):
    organizer_name = serializers.CharField(source="organizer.name", read_only=True)
    is_exercise = serializers.BooleanField(default=True, read_only=True)

    class Meta:
        model = Drill
        fields = [
            "id",
            "title",
            "scenario",
            "region_code",
            "starts_at",
            "organizer",
            "organizer_name",
            "incident",
            "is_exercise",
            "status",
            "created_at",
            "closed_at",
        ]
        read_only_fields = fields


class DrillDetailSerializer(DrillSerializer):
    participants = serializers.SerializerMethodField()
    objectives = ObjectiveSerializer(many=True, read_only=True)
    injects = InjectSerializer(many=True, read_only=True)
    followups = FollowUpSerializer(many=True, read_only=True)
    actions = core_api.ActionsField()

    class Meta(DrillSerializer.Meta):
        fields = [
            *DrillSerializer.Meta.fields,
            "participants",
            "objectives",
            "injects",
            "followups",
            "actions",
        ]

    def get_participants(self, drill: Drill) -> list[dict]:
        return [{"id": o.pk, "name": o.name} for o in drill.participants.all()]


class DrillCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    scenario = serializers.CharField()
    region_code = serializers.RegexField(r"^\d{6}$", max_length=6)
    starts_at = DateTimeField()
    objectives = serializers.ListField(
        child=serializers.CharField(max_length=300), min_length=1, max_length=30
    )
    participants = serializers.ListField(child=IntegerField(min_value=1), max_length=200)


class InjectInSerializer(StrictSerializer):
    deliver_at = DateTimeField()
    title = serializers.CharField(max_length=180)
    body = serializers.CharField(required=False, allow_blank=True, default="")


class ReviewSerializer(StrictSerializer):
    worked = serializers.CharField(required=False, allow_blank=True, default="")
    gaps = FollowUpItemInSerializer(many=True, required=False, default=list)


class DrillViewSet(
    ServiceActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Drills the caller may see (officials with jurisdiction, participants); officials plan
    and run them."""

    serializer_class = DrillSerializer
    detail_serializer_class = DrillDetailSerializer
    service_object = "drill"
    filterset_fields = ["status"]

    def get_queryset(self):
        qs = queries.visible_drills(self.request.user).order_by("-starts_at", "-id")
        if self.action != "list":
            qs = qs.prefetch_related(
                "participants",
                "objectives",
                "injects",
                Prefetch("followups", queryset=FollowUp.objects.select_related("owner")),
            )
        return qs

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [permissions.IsAuthenticated()]
        return [IsOfficial()]

    def get_serializer_class(self):
        return DrillDetailSerializer if self.action == "retrieve" else DrillSerializer

    @extend_schema(request=DrillCreateSerializer, responses={201: DrillDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = DrillCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        drill = services.create_drill(by=request.user, **data.validated_data)
        response = self.respond(drill)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=InjectInSerializer, responses=DrillDetailSerializer)
    @action(detail=True, methods=["post"])
    def injects(self, request, pk=None):
        data = InjectInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        drill = self.get_object()
        services.add_inject(drill=drill, by=request.user, **data.validated_data)
        return self.respond(drill)

    @extend_schema(request=NoInputSerializer, responses=DrillDetailSerializer)
    @action(detail=True, methods=["post"])
    def run(self, request, pk=None):
        return self.run_service(services.run_drill)

    @extend_schema(request=NoInputSerializer, responses=DrillDetailSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        return self.run_service(services.end_drill)

    @extend_schema(request=NoInputSerializer, responses=DrillDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self.run_service(services.close_drill)

    @extend_schema(request=ReviewSerializer, responses=DrillDetailSerializer)
    @action(detail=True, methods=["post"], url_path=r"objectives/(?P<objective_id>\d+)/review")
    def review(self, request, pk=None, objective_id=None):
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        drill = self.get_object()
        objective = get_object_or_404(Objective.objects.filter(drill=drill), pk=objective_id)
        services.review_objective(
            objective=objective,
            by=request.user,
            worked=data.validated_data["worked"],
            gaps=[dict(g) for g in data.validated_data["gaps"]],
        )
        return self.respond(drill)


# --- joint meetings ----------------------------------------------------------------------


class MemberSerializer(StrictModelSerializer):
    name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = MeetingMember
        fields = ["organization", "name", "attended"]
        read_only_fields = fields


class DecisionSerializer(StrictModelSerializer):
    followups = FollowUpSerializer(many=True, read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "text", "task", "created_at", "followups"]
        read_only_fields = fields


class AttachmentSerializer(StrictModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = MeetingAttachment
        fields = ["id", "name", "content_type", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, attachment: MeetingAttachment) -> str:
        return f"/meetings/attachments/{attachment.pk}/"


class MeetingSerializer(StrictModelSerializer):
    convener_name = serializers.CharField(source="convener.name", read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "title",
            "convener",
            "convener_name",
            "region_code",
            "held_at",
            "agenda",
            "minutes",
            "status",
            "created_at",
        ]
        read_only_fields = fields


class MeetingDetailSerializer(MeetingSerializer):
    members = MemberSerializer(many=True, read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    actions = core_api.ActionsField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "members", "decisions", "attachments", "actions"]


class MeetingCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    region_code = serializers.RegexField(r"^\d{6}$", max_length=6)
    held_at = DateTimeField()
    agenda = serializers.CharField()
    members = serializers.ListField(child=IntegerField(min_value=1), max_length=200)


class MinutesSerializer(StrictSerializer):
    minutes = serializers.CharField(allow_blank=True)
    attended = serializers.ListField(child=IntegerField(min_value=1), max_length=200)


class DecisionInSerializer(StrictSerializer):
    text = serializers.CharField()
    followups = FollowUpItemInSerializer(many=True, required=False, default=list)
    incident = IntegerField(min_value=1, required=False, allow_null=True, default=None)
    task_title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    task_region_code = serializers.RegexField(
        r"^\d{6}$", required=False, allow_blank=True, default=""
    )


class AttachmentInSerializer(StrictSerializer):
    file = serializers.FileField()
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class MemberRecordSerializer(StrictSerializer):
    organization = IntegerField()
    name = serializers.CharField()
    attended = serializers.BooleanField(allow_null=True)
    owed = IntegerField()
    met = IntegerField()
    carried = IntegerField()
    overdue = IntegerField()


class MeetingViewSet(
    ServiceActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Joint meetings the caller may see (officials with jurisdiction, members)."""

    serializer_class = MeetingSerializer
    detail_serializer_class = MeetingDetailSerializer
    service_object = "meeting"
    filterset_fields = ["status"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        qs = queries.visible_meetings(self.request.user).order_by("-held_at", "-id")
        if self.action != "list":
            qs = qs.prefetch_related(
                Prefetch("members", queryset=MeetingMember.objects.select_related("organization")),
                Prefetch(
                    "decisions",
                    queryset=Decision.objects.prefetch_related(
                        Prefetch("followups", queryset=FollowUp.objects.select_related("owner"))
                    ),
                ),
                "attachments",
            )
        return qs

    def get_permissions(self):
        if self.action in ("list", "retrieve", "record"):
            return [permissions.IsAuthenticated()]
        return [IsOfficial()]

    def get_serializer_class(self):
        return MeetingDetailSerializer if self.action == "retrieve" else MeetingSerializer

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = MeetingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = services.convene_meeting(by=request.user, **data.validated_data)
        response = self.respond(meeting)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=MinutesSerializer, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def minutes(self, request, pk=None):
        return self.run_service(services.record_minutes, MinutesSerializer)

    @extend_schema(request=DecisionInSerializer, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def decisions(self, request, pk=None):
        data = DecisionInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = self.get_object()
        values = dict(data.validated_data)
        values["followups"] = [dict(f) for f in values["followups"]]
        services.record_decision(meeting=meeting, by=request.user, **values)
        return self.respond(meeting)

    @extend_schema(request=AttachmentInSerializer, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def attachments(self, request, pk=None):
        data = AttachmentInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = self.get_object()
        services.add_attachment(
            meeting=meeting,
            by=request.user,
            upload=data.validated_data["file"],
            name=data.validated_data["name"],
        )
        return self.respond(meeting)

    @extend_schema(responses=MemberRecordSerializer(many=True))
    @action(detail=True, methods=["get"])
    def record(self, request, pk=None):
        """Per member: follow-up items owed (open), met (done), carried over, overdue."""
        rows = queries.member_record(self.get_object())
        return Response(
            [
                {
                    "organization": r["organization"].pk,
                    "name": r["organization"].name,
                    **{k: r[k] for k in ("attended", "owed", "met", "carried", "overdue")},
                }
                for r in rows
            ]
        )


class SummaryRowSerializer(StrictSerializer):
    year = IntegerField()
    held = IntegerField()
    closed = IntegerField()
    opened = IntegerField()
    done = IntegerField()
    carried = IntegerField()


class SummaryView(APIView):
    """Public: per year, drills held and closed, follow-up items opened, done, carried over."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=SummaryRowSerializer(many=True))
    def get(self, request):
        return Response(queries.yearly_summary())
