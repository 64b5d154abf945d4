"""Follow-up items: list, detail, complete, carry over."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action

from core import api as core_api
from core.api import (
    IntegerField,
    ServiceActionsMixin,
    StrictModelSerializer,
    StrictSerializer,
)
from preparedness import queries, services
from preparedness.models import (
    FollowUp,
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
