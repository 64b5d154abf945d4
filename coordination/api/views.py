"""Views of the incident board's API: one ViewSet per resource, one @action per transition."""

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination import permissions as cperms
from coordination import queries, services
from coordination.api import serializers as s
from coordination.exports import three_w_csv
from coordination.models import (
    Deployment,
    EvidencePhoto,
    Incident,
    IncidentKind,
    Need,
    Task,
    suggest_accident_grade,
)
from core.api import IsOfficial, ServiceActionsMixin, refuse_input
from core.fastjson import Computed, FastList, FastListMixin
from core.parsers import JSONParser
from core.renderers import FastJSONRenderer


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str):
            return data.encode("utf-8")
        return renderers.JSONRenderer().render(data)


class RegionPrefixFilter(django_filters.CharFilter):
    def filter(self, qs, value):
        if not value:
            return qs
        from core.regions import prefix_of

        return qs.filter(**{f"{self.field_name}__startswith": prefix_of(value)})


class IncidentFilter(django_filters.FilterSet):
    region = RegionPrefixFilter(field_name="region_code")

    class Meta:
        model = Incident
        fields = ["status", "kind", "grade"]


def _suggested_grade(row: dict, ctx: dict) -> int | None:
    """``Incident.suggested_grade`` from the raw columns (the same function decides)."""
    if row["kind"] != IncidentKind.ACCIDENT:
        return None
    return suggest_accident_grade(
        deaths=row["deaths"],
        serious_injuries=row["serious_injuries"],
        direct_loss=row["direct_loss"],
    )


# The incident list's cold path (core.fastjson): IncidentSerializer's output from values().
INCIDENTS = FastList(
    s.IncidentSerializer,
    computed={
        "suggested_grade": Computed(
            ("kind", "deaths", "serious_injuries", "direct_loss"), _suggested_grade
        )
    },
)


class IncidentViewSet(
    FastListMixin,
    ServiceActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Incidents are public; officials create them in their jurisdiction and move them along."""

    serializer_class = s.IncidentSerializer
    fast_list = INCIDENTS
    service_object = "incident"
    detail_serializer_class = s.IncidentDetailSerializer
    filterset_class = IncidentFilter

    def get_queryset(self):
        return queries.visible_incidents(self.request.user)

    def get_permissions(self):
        if self.action in ("list", "retrieve", "three_w") or (
            self.action == "needs" and self.request.method == "GET"
        ):
            return [permissions.AllowAny()]
        if self.action == "needs":
            return [permissions.IsAuthenticated()]
        return [IsOfficial()]

    @extend_schema(request=s.IncidentCreateSerializer, responses={201: s.IncidentSerializer})
    def create(self, request, *args, **kwargs):
        data = s.IncidentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = services.create_incident(by=request.user, **data.validated_data)
        return Response(s.IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)

    def get_serializer_class(self):
        return s.IncidentDetailSerializer if self.action == "retrieve" else s.IncidentSerializer

    @extend_schema(request=s.IncidentStatusSerializer, responses=s.IncidentDetailSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        return self.run_service(services.change_status, s.IncidentStatusSerializer)

    @extend_schema(request=s.OptionalReasonSerializer, responses=s.IncidentDetailSerializer)
    @action(detail=True, methods=["post"], url_path="take-over")
    def take_over(self, request, pk=None):
        return self.run_service(services.take_over, s.OptionalReasonSerializer)

    @extend_schema(request=s.CapacitySerializer, responses=s.IncidentDetailSerializer)
    @action(detail=True, methods=["post"])
    def capacity(self, request, pk=None):
        return self.run_service(services.set_area_capacity, s.CapacitySerializer)

    @extend_schema(methods=["GET"], request=None, responses=s.NeedPageSerializer, filters=False)
    @extend_schema(
        methods=["POST"], request=s.NeedCreateSerializer, responses={201: s.NeedSerializer}
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None)
    def needs(self, request, pk=None):
        incident = self.get_object()
        if request.method == "POST":
            data = s.NeedCreateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            need = services.post_need(incident=incident, by=request.user, **data.validated_data)
            need = queries.needs_with_progress(Need.objects.filter(pk=need.pk)).get()
            return Response(
                s.NeedSerializer(need, context={"request": request}).data,
                status=status.HTTP_201_CREATED,
            )
        page = self.paginate_queryset(queries.visible_needs(request.user, incident))
        return self.get_paginated_response(
            s.NeedSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        request=None,
        responses={
            200: s.ThreeWRowSerializer(many=True),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
        },
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="3w",
        filterset_class=None,
        renderer_classes=[FastJSONRenderer, renderers.BrowsableAPIRenderer, CSVRenderer],
    )
    def three_w(self, request, pk=None):
        """Who does what where; ``?format=csv`` gives the rows as HXL-tagged CSV."""
        # Only the id is needed: looked up by the visibility rule, not built with get_object
        # (an unsaved stand-in carries it to queries.three_w, which reads nothing else).
        incident_id = queries.visible_incident_id(request.user, pk)
        if incident_id is None:
            raise Http404
        incident = Incident(pk=incident_id)
        if request.accepted_renderer.format != "csv":
            return Response(self.three_w_data(incident))
        response = Response(
            three_w_csv(queries.three_w(incident)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="incident-{incident.pk}-3w.csv"'
        return response

    def three_w_data(self, incident: Incident) -> list[dict]:
        """The 3W rows (``queries.three_w``), already of ``ThreeWRowSerializer``'s types, so no
        serializer runs (cold path: docs/public-reads.md). ``tests/core/test_fast_lists.py``
        compares the bytes with the serializer over the same rows and DRF's renderer."""
        return queries.three_w(incident)


class NeedViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.NeedDetailSerializer

    def get_queryset(self):
        return queries.visible_needs_anywhere(self.request.user)

    @extend_schema(request=None, responses=s.NeedDetailSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsOfficial])
    def confirm(self, request, pk=None):
        refuse_input(request)
        need = services.confirm_need(need=self.get_object(), by=request.user)
        return Response(
            s.NeedDetailSerializer(
                self.get_queryset().get(pk=need.pk), context={"request": request}
            ).data
        )


class DeploymentFilter(django_filters.FilterSet):
    class Meta:
        model = Deployment
        fields = ["incident", "organization", "status", "area_region_code"]


class DeploymentViewSet(
    ServiceActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Deployment filings (报备): officials with jurisdiction and the filing organization only."""

    serializer_class = s.DeploymentSerializer
    service_object = "deployment"
    detail_serializer_class = s.DeploymentDetailSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = DeploymentFilter

    def get_queryset(self):
        return queries.visible_deployments(self.request.user).order_by("-created_at", "-id")

    def get_serializer_class(self):
        return s.DeploymentDetailSerializer if self.action == "retrieve" else s.DeploymentSerializer

    @extend_schema(request=s.DeploymentCreateSerializer, responses={201: s.DeploymentSerializer})
    def create(self, request, *args, **kwargs):
        data = s.DeploymentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        deployment = services.file_deployment(by=request.user, **data.validated_data)
        return Response(
            s.DeploymentSerializer(deployment, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=s.OptionalReasonSerializer, responses=s.DeploymentDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.run_service(services.approve_deployment, s.OptionalReasonSerializer)

    @extend_schema(request=s.RequiredReasonSerializer, responses=s.DeploymentDetailSerializer)
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        return self.run_service(services.hold_deployment, s.RequiredReasonSerializer)

    @extend_schema(request=None, responses=s.DeploymentDetailSerializer)
    @action(detail=True, methods=["post"])
    def arrive(self, request, pk=None):
        return self.run_service(services.arrive_deployment)

    @extend_schema(request=s.OptionalReasonSerializer, responses=s.DeploymentDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self.run_service(services.withdraw_deployment, s.OptionalReasonSerializer)

    @extend_schema(request=s.RosterSerializer, responses=s.DeploymentDetailSerializer)
    @action(detail=True, methods=["post"])
    def roster(self, request, pk=None):
        """The filing organization replaces the roster (``services.set_roster``)."""
        return self.run_service(services.set_roster, s.RosterSerializer)


class TaskFilter(django_filters.FilterSet):
    region = RegionPrefixFilter(field_name="region_code")

    class Meta:
        model = Task
        fields = ["incident", "status", "organization", "specialty", "need"]


class TaskViewSet(
    ServiceActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Tasks are public (no private field); their reports are not."""

    serializer_class = s.TaskSerializer
    service_object = "task"
    detail_serializer_class = s.TaskDetailSerializer
    filterset_class = TaskFilter
    ORG_ACTIONS = ("claim", "accept", "decline", "start", "report", "complete", "reports")

    def get_queryset(self):
        return (
            queries.tasks_with_relations()
            .filter(queries.exercise_visibility(self.request.user, "incident"))
            .order_by("-created_at", "-id")
        )

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [permissions.AllowAny()]
        if self.action in self.ORG_ACTIONS:
            return [permissions.IsAuthenticated()]
        return [IsOfficial()]

    def get_serializer_class(self):
        return s.TaskDetailSerializer if self.action == "retrieve" else s.TaskSerializer

    @extend_schema(request=s.TaskCreateSerializer, responses={201: s.TaskSerializer})
    def create(self, request, *args, **kwargs):
        data = s.TaskCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.create_task(by=request.user, **data.validated_data)
        return Response(
            s.TaskSerializer(task, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=s.AssignSerializer, responses=s.TaskDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        data = s.AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.assign_task(task=self.get_object(), by=request.user, **data.validated_data)
        return self.respond(task)

    @extend_schema(request=s.ClaimSerializer, responses=s.TaskDetailSerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        data = s.ClaimSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.claim_task(task=self.get_object(), by=request.user, **data.validated_data)
        return self.respond(task)

    @extend_schema(request=None, responses=s.TaskDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self.run_service(services.accept_task)

    @extend_schema(request=s.RequiredReasonSerializer, responses=s.TaskDetailSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self.run_service(services.decline_task, s.RequiredReasonSerializer)

    @extend_schema(request=None, responses=s.TaskDetailSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self.run_service(services.start_task)

    @extend_schema(request=None, responses=s.TaskDetailSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self.run_service(services.complete_task)

    @extend_schema(request=s.TaskVerifySerializer, responses=s.TaskDetailSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self.run_service(services.verify_task, s.TaskVerifySerializer)

    @extend_schema(request=s.RequiredReasonSerializer, responses=s.TaskDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.run_service(services.cancel_task, s.RequiredReasonSerializer)

    @extend_schema(request=s.ReportSerializer, responses={201: s.TaskReportSerializer})
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def report(self, request, pk=None):
        data = s.ReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        photos = list(zip(values.pop("evidence"), values.pop("evidence_taken_at"), strict=True))
        report = services.report_task(
            task=self.get_object(), by=request.user, photos=photos, **values
        )
        report = queries.reports_of(report.task).get(pk=report.pk)
        return Response(s.TaskReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.TaskReportSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def reports(self, request, pk=None):
        """Reports and evidence: officials with jurisdiction and the holding organization."""
        task = self.get_object()
        if not cperms.sees_private(
            request.user,
            region_code=task.incident.region_code,
            organization_id=task.organization_id,
        ):
            raise Http404
        return Response(s.TaskReportSerializer(queries.reports_of(task), many=True).data)

    @extend_schema(request=None, responses=s.SuggestionSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def suggestions(self, request, pk=None):
        """Eligible organizations for this task, best first (grade, distance, load, record)."""
        task = self.get_object()
        if not cperms.is_official_for(request.user, task.incident.region_code):
            raise DjangoPermissionDenied
        return Response(s.SuggestionSerializer(queries.suggestions(task), many=True).data)


class EvidencePhotoView(APIView):
    """The photo file itself, for officials with jurisdiction and the holding organization."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={(200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request, pk: int):
        photo = get_object_or_404(
            EvidencePhoto.objects.select_related("report__task__incident"), pk=pk
        )
        task = photo.report.task
        if not cperms.sees_private(
            request.user,
            region_code=task.incident.region_code,
            organization_id=task.organization_id,
        ):
            raise Http404
        return FileResponse(photo.file.open("rb"), content_type=photo.content_type)


__all__ = [
    "DeploymentViewSet",
    "EvidencePhotoView",
    "IncidentViewSet",
    "NeedViewSet",
    "TaskViewSet",
]
