"""Views of the community API: routine needs and projects, one @action per write."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from community import queries, services
from community.api import serializers as s
from core.api import IsOfficial, refuse_input


class RoutineNeedViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Routine community needs: confirmed ones are public; ``?region=`` a code or prefix."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        return queries.visible_needs(self.request.user, self.request.query_params.get("region", ""))

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.RoutineNeedDetailSerializer
        return s.RoutineNeedSerializer

    def retrieve(self, request, *args, **kwargs):
        need = self.get_object()
        matches = queries.matching_organizations(request.user, need)
        data = s.RoutineNeedDetailSerializer(
            need, context={"request": request, "matches": matches}
        ).data
        return Response(data)

    @extend_schema(request=s.RoutineNeedCreateSerializer, responses={201: s.RoutineNeedSerializer})
    def create(self, request, *args, **kwargs):
        data = s.RoutineNeedCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        need = services.post_need(by=request.user, **data.validated_data)
        need = self.get_queryset().get(pk=need.pk)
        return Response(
            s.RoutineNeedSerializer(need, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses=s.RoutineNeedSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsOfficial])
    def confirm(self, request, pk=None):
        refuse_input(request)
        need = services.confirm_need(need=self.get_object(), by=request.user)
        need = self.get_queryset().get(pk=need.pk)
        return Response(s.RoutineNeedSerializer(need, context={"request": request}).data)


class CommunityProjectViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Organizations' projects (public), with funding: sought vs pledged."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        qs = queries.visible_projects(self.request.query_params.get("region", ""))
        if self.action == "retrieve":
            qs = qs.prefetch_related("links__need", "pledges__funder")
        return qs

    def get_serializer_class(self):
        return (
            s.CommunityProjectDetailSerializer
            if self.action == "retrieve"
            else s.CommunityProjectSerializer
        )

    def _detail(self, pk, code=status.HTTP_200_OK):
        project = (
            queries.visible_projects().prefetch_related("links__need", "pledges__funder").get(pk=pk)
        )
        return Response(
            s.CommunityProjectDetailSerializer(project, context={"request": self.request}).data,
            status=code,
        )

    @extend_schema(
        request=s.CommunityProjectCreateSerializer,
        responses={201: s.CommunityProjectDetailSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = s.CommunityProjectCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.post_project(by=request.user, **data.validated_data)
        return self._detail(project.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.CommunityLinkNeedSerializer, responses={201: s.CommunityProjectDetailSerializer}
    )
    @action(detail=True, methods=["post"])
    def needs(self, request, pk=None):
        project = self.get_object()
        data = s.CommunityLinkNeedSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.link_need(project=project, by=request.user, **data.validated_data)
        return self._detail(project.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.CommunityPledgeCreateSerializer,
        responses={201: s.CommunityProjectDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def pledges(self, request, pk=None):
        project = self.get_object()
        data = s.CommunityPledgeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.pledge(project=project, by=request.user, **data.validated_data)
        return self._detail(project.pk, status.HTTP_201_CREATED)
