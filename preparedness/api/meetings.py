"""Joint meetings: convene, minutes, decisions, attachments, the members' record; and the
public yearly summary of drills."""

from django.db.models import Prefetch
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
    ServiceActionsMixin,
    StrictModelSerializer,
    StrictSerializer,
)
from core.parsers import JSONParser
from preparedness import queries, services
from preparedness.api.followups import FollowUpItemInSerializer, FollowUpSerializer
from preparedness.models import (
    Decision,
    FollowUp,
    Meeting,
    MeetingAttachment,
    MeetingMember,
)

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
