"""Drills: plan, injects, run, end, review, close."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action

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
from preparedness import queries, services
from preparedness.api.followups import FollowUpItemInSerializer, FollowUpSerializer
from preparedness.models import (
    Drill,
    FollowUp,
    Inject,
    Objective,
)

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
