"""Loss compensation API: claims under /api/v1/compensation-claims/ (private), figures per
incident under /api/v1/compensation-stats/ (public). Serializers check shape; services decide."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from compensation import queries, services
from compensation.models import Claim, ClaimEvidence
from core import api as core_api
from core import validators
from core.api import (
    ActingOrganizationField,
    DateTimeField,
    DecimalField,
    IntegerField,
    ServiceActionsMixin,
    StrictModelSerializer,
    StrictSerializer,
)
from core.parsers import JSONParser


class ClaimSerializer(StrictModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    incident_title = serializers.CharField(source="incident.title", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True, default=None)
    ledger_seq = serializers.IntegerField(source="ledger_entry.seq", read_only=True, default=None)

    class Meta:
        model = Claim
        fields = [
            "id",
            "organization",
            "organization_name",
            "incident",
            "incident_title",
            "deployment",
            "task",
            "kind",
            "person",
            "person_name",
            "description",
            "occurred_at",
            "amount_claimed",
            "insurer_claim_reference",
            "region_code",
            "status",
            "review_due",
            "amount_approved",
            "decision_reason",
            "amount_paid",
            "ledger_entry",
            "ledger_seq",
            "insurer_amount",
            "insurer_paid_at",
            "created_at",
        ]
        read_only_fields = fields


class ClaimDetailSerializer(ClaimSerializer):
    """A claim with its evidence files and what the requesting user may do now."""

    evidence = serializers.SerializerMethodField()
    actions = core_api.ActionsField()

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "evidence", "actions"]
        read_only_fields = fields

    def get_evidence(self, obj) -> list[int]:
        return [e.pk for e in obj.evidence.all()]


class ClaimCreateSerializer(StrictSerializer):
    organization = ActingOrganizationField(
        help_text="Which of your organizations claims; optional if you act for only one."
    )
    deployment = IntegerField(min_value=1, required=False, allow_null=True)
    task = IntegerField(min_value=1, required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=Claim.Kind.choices)
    person = IntegerField(min_value=1, required=False, allow_null=True)
    description = serializers.CharField(max_length=5000)
    occurred_at = DateTimeField(validators=[validators.fact])
    amount_claimed = DecimalField(max_digits=12, decimal_places=2, min_value=0)
    insurer_claim_reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True
    )
    evidence = serializers.ListField(
        child=serializers.FileField(), help_text="Photos or documents (JPEG, PNG, PDF)."
    )


class ClaimReasonSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=5000)


class ApproveSerializer(StrictSerializer):
    amount = DecimalField(max_digits=12, decimal_places=2, min_value=0)
    reason = serializers.CharField(max_length=5000)


class PaySerializer(StrictSerializer):
    fund = ActingOrganizationField(
        help_text="The organization holding the compensation fund, whose ledger you write; "
        "optional if you write only one."
    )
    voucher = serializers.FileField(
        required=False, help_text="The payment voucher (chained as private evidence)."
    )
    paid_at = DateTimeField(required=False, validators=[validators.fact])


class SettleSerializer(StrictSerializer):
    amount = DecimalField(max_digits=12, decimal_places=2, min_value=0)
    paid_on = serializers.DateField()
    insurer_claim_reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True
    )


class ClaimViewSet(
    ServiceActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Compensation claims: the claiming organization's members and the officials of the
    incident's region only (another organization's claim: 404)."""

    serializer_class = ClaimSerializer
    detail_serializer_class = ClaimDetailSerializer
    service_object = "claim"
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filter_backends: list = []

    def get_queryset(self):
        qs = queries.visible_claims(self.request.user).order_by("-created_at", "-id")
        if self.action != "list":
            qs = qs.prefetch_related(
                Prefetch("evidence", queryset=ClaimEvidence.objects.only("pk", "claim_id"))
            )
        incident = self.request.query_params.get("incident", "")
        if incident.isascii() and incident.isdigit() and len(incident) < 10:
            qs = qs.filter(incident_id=int(incident))
        wanted = self.request.query_params.get("status", "")
        if wanted in Claim.Status.values:
            qs = qs.filter(status=wanted)
        return qs

    def get_serializer_class(self):
        return ClaimDetailSerializer if self.action == "retrieve" else ClaimSerializer

    @extend_schema(
        parameters=[OpenApiParameter("incident", int), OpenApiParameter("status", str)],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ClaimCreateSerializer, responses={201: ClaimDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = ClaimCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = services.file_claim(by=request.user, **data.validated_data)
        return Response(
            ClaimDetailSerializer(
                self.get_queryset().get(pk=claim.pk), context={"request": request}
            ).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses=ClaimDetailSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self.run_service(services.review_claim)

    @extend_schema(request=ApproveSerializer, responses=ClaimDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.run_service(services.approve_claim, ApproveSerializer)

    @extend_schema(request=ClaimReasonSerializer, responses=ClaimDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self.run_service(services.reject_claim, ClaimReasonSerializer)

    @extend_schema(request=PaySerializer, responses=ClaimDetailSerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        return self.run_service(services.pay_claim, PaySerializer)

    @extend_schema(request=SettleSerializer, responses=ClaimDetailSerializer)
    @action(detail=True, methods=["post"])
    def settle(self, request, pk=None):
        return self.run_service(services.settle_claim, SettleSerializer)


class StatsRowSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=Claim.Kind.choices)
    label = serializers.CharField()
    filed = IntegerField(read_only=True)
    approved = IntegerField(read_only=True)
    rejected = IntegerField(read_only=True)
    claimed = DecimalField(read_only=True, max_digits=14, decimal_places=2)
    amount_approved = DecimalField(read_only=True, max_digits=14, decimal_places=2, allow_null=True)
    paid = DecimalField(read_only=True, max_digits=14, decimal_places=2, allow_null=True)
    insurer = DecimalField(read_only=True, max_digits=14, decimal_places=2, allow_null=True)


class StatsView(APIView):
    """Public figures of an incident's compensation claims by kind of loss: counts and amounts,
    nothing about who claimed or was hurt."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("incident", int, required=True)],
        responses=StatsRowSerializer(many=True),
    )
    def get(self, request):
        incident = request.query_params.get("incident", "")
        if not (incident.isascii() and incident.isdigit() and len(incident) < 10):
            raise ValidationError({"incident": [_("Give the incident’s id.")]})
        rows = queries.public_stats(int(incident))
        return Response(StatsRowSerializer(rows, many=True).data)
