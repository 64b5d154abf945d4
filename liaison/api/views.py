"""Liaison API views (docs/API.md, "Liaison"): the directory, notices, field reports and
safety check-ins. Services decide; these read shapes and pass them through."""

import django_filters
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core import permissions as perms
from core.api import RequiredReasonSerializer, ServiceActionsMixin
from core.display import people
from core.parsers import JSONParser
from liaison import queries, services
from liaison.api import serializers as s
from liaison.models import FieldReport, FieldReportPhoto, NoticeAttachment, SafetyCheckIn


def _text(params, key: str) -> str:
    value = params.get(key, "")
    return value[:100] if isinstance(value, str) else ""


class ResponsibilityViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The directory of responsibilities: ``?function=&region=`` looks up who answers for a
    function at a region (nearest level first); public rows for everyone, members-only rows
    for members of organizations and officials. ``POST`` sets the official's agency's row for a
    function."""

    serializer_class = s.ResponsibilitySerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    pagination_class = None

    def get_queryset(self):
        return queries.visible_responsibilities(self.request.user).order_by(
            "agency__region_code", "function", "pk"
        )

    def list(self, request, *args, **kwargs):
        rows = queries.lookup(
            request.user,
            function=_text(request.query_params, "function"),
            region=_text(request.query_params, "region"),
        )
        return Response(s.ResponsibilitySerializer(rows, many=True).data)

    @extend_schema(
        request=s.ResponsibilityInputSerializer, responses={201: s.ResponsibilitySerializer}
    )
    def create(self, request, *args, **kwargs):
        data = s.ResponsibilityInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.save_responsibility(by=request.user, **data.validated_data)
        return Response(s.ResponsibilitySerializer(row).data, status=status.HTTP_201_CREATED)


class NoticeViewSet(
    ServiceActionsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Notices and policies: the list is the public library (``?search=&kind=&region=``), for
    everyone; a notice's detail for those who may see it; agencies publish; addressed
    organizations mark them read and acknowledge them."""

    serializer_class = s.NoticeSerializer
    detail_serializer_class = s.NoticeDetailSerializer
    service_object = "notice"
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if self.action == "list":
            p = self.request.query_params
            return queries.public_notices(
                search=_text(p, "search"), kind=_text(p, "kind"), region=_text(p, "region")
            )
        return queries.visible_notices(self.request.user)

    def get_object(self):
        return queries.notice_detail(self.request.user, self.kwargs["pk"])

    def respond(self, obj):
        return Response(
            s.NoticeDetailSerializer(
                queries.notice_detail(self.request.user, obj.notice_id),
                context={"request": self.request},
            ).data
        )

    def get_serializer_class(self):
        return s.NoticeDetailSerializer if self.action == "retrieve" else s.NoticeSerializer

    @extend_schema(request=s.NoticeCreateSerializer, responses={201: s.NoticeDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = s.NoticeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = services.publish_notice(by=request.user, **data.validated_data)
        return Response(
            s.NoticeDetailSerializer(queries.notice_detail(request.user, notice.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=s.ReceiptInputSerializer, responses=s.NoticeDetailSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        return self.run_service(services.read_notice, s.ReceiptInputSerializer)

    @extend_schema(request=s.ReceiptInputSerializer, responses=s.NoticeDetailSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self.run_service(services.acknowledge_notice, s.ReceiptInputSerializer)

    @extend_schema(responses=s.ReceiptSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def receipts(self, request, pk=None):
        notice = self.get_object()
        return Response(
            s.ReceiptSerializer(queries.receipts_of(request.user, notice), many=True).data
        )


class FieldReportFilter(django_filters.FilterSet):
    class Meta:
        model = FieldReport
        fields = ["incident", "status", "category", "organization", "routed_to"]


class FieldReportViewSet(
    ServiceActionsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Field reports and requests: the sending organization's members and the officials
    covering the area or the agency it is routed to."""

    serializer_class = s.FieldReportSerializer
    detail_serializer_class = s.FieldReportDetailSerializer
    service_object = "report"
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = FieldReportFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        qs = queries.visible_reports(self.request.user).select_related(
            "incident", "organization", "routed_to"
        )
        if self.action != "list":
            qs = qs.prefetch_related("photos", people("filed_by"))
        return qs.order_by("-created_at", "-id")

    def get_serializer_class(self):
        if self.action == "list":
            return s.FieldReportSerializer
        return s.FieldReportDetailSerializer

    @extend_schema(
        request=s.FieldReportCreateSerializer, responses={201: s.FieldReportDetailSerializer}
    )
    def create(self, request, *args, **kwargs):
        data = s.FieldReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.send_field_report(by=request.user, **data.validated_data)
        return Response(
            s.FieldReportDetailSerializer(
                self.get_queryset().get(pk=report.pk), context={"request": request}
            ).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses=s.FieldReportDetailSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self.run_service(services.acknowledge_report)

    @extend_schema(request=None, responses=s.FieldReportDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self.run_service(services.confirm_report)

    @extend_schema(request=RequiredReasonSerializer, responses=s.FieldReportDetailSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        return self.run_service(services.dismiss_report, RequiredReasonSerializer)


class CheckInViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Safety check-ins: members see their organizations' own, officials those of filings in
    their jurisdiction; a member of a deployed team's organization checks it in."""

    serializer_class = s.CheckInSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        q = Q(deployment__organization_id__in=perms.organization_ids(self.request.user))
        for prefix in perms.jurisdiction_prefixes(self.request.user):
            q |= Q(deployment__area_region_code__startswith=prefix)
        return (
            SafetyCheckIn.objects.filter(q)
            .select_related("deployment__organization")
            .order_by("-created_at", "-id")
        )

    @extend_schema(request=s.CheckInCreateSerializer, responses={201: s.CheckInSerializer})
    def create(self, request, *args, **kwargs):
        data = s.CheckInCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.check_in(by=request.user, **data.validated_data)
        return Response(s.CheckInSerializer(row).data, status=status.HTTP_201_CREATED)


class ReportPhotoView(APIView):
    """A field report's photo, for those who see the report."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={(200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request, pk: int):
        photo = get_object_or_404(FieldReportPhoto, pk=pk)
        if not queries.visible_reports(request.user).filter(pk=photo.report_id).exists():
            raise Http404
        return FileResponse(photo.file.open("rb"), content_type=photo.content_type)


class NoticeAttachmentView(APIView):
    """A notice's attachment, for those who see the notice."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={(200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request, pk: int):
        attachment = get_object_or_404(NoticeAttachment, pk=pk)
        if not queries.visible_notices(request.user).filter(pk=attachment.notice_id).exists():
            raise Http404
        return FileResponse(
            attachment.file.open("rb"),
            content_type=attachment.content_type,
            filename=attachment.name,
        )
