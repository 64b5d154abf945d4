"""Insurance policies of the talent pool under /api/v1/insurance-policies/."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api import DecimalField, IntegerField, StrictModelSerializer, StrictSerializer
from core.parsers import JSONParser
from registry import queries, services
from registry.models import InsurancePolicy


class InsurancePolicySerializer(StrictModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    organization = serializers.IntegerField(source="person.organization_id", read_only=True)
    document = serializers.IntegerField(source="document_id", read_only=True, allow_null=True)

    class Meta:
        model = InsurancePolicy
        fields = [
            "id",
            "person",
            "person_name",
            "organization",
            "insurer",
            "policy_number",
            "accident_amount",
            "medical_amount",
            "liability_amount",
            "valid_from",
            "valid_until",
            "document",
            "created_at",
        ]
        read_only_fields = fields


def _sum_insured():
    return DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )


class InsurancePolicyCreateSerializer(StrictSerializer):
    person = IntegerField(min_value=1)
    insurer = serializers.CharField(max_length=200)
    policy_number = serializers.CharField(max_length=100)
    accident_amount = _sum_insured()
    medical_amount = _sum_insured()
    liability_amount = _sum_insured()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    document = serializers.FileField(required=False, help_text="The policy (PDF, JPEG or PNG).")


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("person", int), OpenApiParameter("organization", int)]
    )
)
class InsurancePolicyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Policies of the people of the talent pool the caller sees: members of the organization
    and officials of its region; never public. Members add and remove them."""

    serializer_class = InsurancePolicySerializer
    queryset = InsurancePolicy.objects.none()
    # POST names the person in the body: someone else's person is a 404 (core.schema documents it)
    names_in_body = ("person",)
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params

        def number(name):
            value = params.get(name, "")
            return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None

        return queries.visible_policies(
            self.request.user, person=number("person"), organization=number("organization")
        )

    @extend_schema(
        request=InsurancePolicyCreateSerializer, responses={201: InsurancePolicySerializer}
    )
    def create(self, request, *args, **kwargs):
        data = InsurancePolicyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        person = get_object_or_404(queries.visible_people(request.user), pk=values.pop("person"))
        policy = services.add_policy(
            by=request.user, person=person, upload=values.pop("document", None), **values
        )
        return Response(InsurancePolicySerializer(policy).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        services.remove_policy(by=request.user, policy=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
