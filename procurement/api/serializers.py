"""Serializers: output shapes, and one input serializer per action (shape only; services judge
meaning)."""

from decimal import Decimal

from rest_framework import serializers

from coordination.models import Incident
from core import api as core_api
from procurement.models import (
    Bid,
    Category,
    Clawback,
    Criterion,
    CriterionKind,
    EvaluationMethod,
    Method,
    Milestone,
    Project,
    ServiceStandard,
    Verification,
)
from registry.choices import Specialty
from registry.models import Organization


class OrgRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ServiceStandardSerializer(serializers.ModelSerializer):
    verification = serializers.ChoiceField(choices=Verification.choices)

    class Meta:
        model = ServiceStandard
        fields = ["id", "indicator", "target", "unit", "verification"]
        read_only_fields = ["id"]


class CriterionSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=CriterionKind.choices)
    weight = serializers.IntegerField(min_value=1, max_value=100)

    class Meta:
        model = Criterion
        fields = ["id", "name", "kind", "weight"]
        read_only_fields = ["id"]


class EligibilitySerializer(serializers.Serializer):
    specialty = serializers.ChoiceField(choices=Specialty.choices, required=False, allow_blank=True)
    min_grade = serializers.IntegerField(min_value=1, max_value=3, required=False, allow_null=True)


class ProjectInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=Category.choices)
    method = serializers.ChoiceField(choices=Method.choices)
    evaluation_method = serializers.ChoiceField(
        choices=EvaluationMethod.choices, default=EvaluationMethod.COMPREHENSIVE
    )
    budget_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    region_code = serializers.RegexField(r"^\d{6}$")
    incident = serializers.PrimaryKeyRelatedField(
        queryset=Incident.objects.all(), required=False, allow_null=True
    )
    description = serializers.CharField(required=False, allow_blank=True, default="")
    eligibility = EligibilitySerializer(required=False)
    service_standards = ServiceStandardSerializer(many=True, required=False)
    criteria = CriterionSerializer(many=True, required=False)
    tender_end = serializers.DateTimeField()
    invitees = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), many=True, required=False
    )


class AwardOutSerializer(serializers.Serializer):
    bid = serializers.IntegerField(source="bid_id")
    supplier = OrgRefSerializer(source="bid.organization")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    awarded_at = serializers.DateTimeField()
    standstill_ends_at = serializers.DateTimeField()
    is_top_ranked = serializers.BooleanField()
    reason = serializers.CharField()
    experts = serializers.ListField(child=serializers.CharField())


class AcceptanceOutSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    results = serializers.JSONField()
    recipients_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class MilestoneSerializer(serializers.ModelSerializer):
    indicators = serializers.SerializerMethodField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    acceptance = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = [
            "id",
            "title",
            "due_at",
            "payment_percent",
            "amount",
            "status",
            "indicators",
            "third_party_score",
            "accepted_at",
            "acceptance",
        ]

    def get_indicators(self, obj) -> list[int]:
        return [s.pk for s in obj.indicators.all()]

    def get_acceptance(self, obj) -> dict | None:
        rows = list(obj.acceptances.all())
        return AcceptanceOutSerializer(rows[-1]).data if rows else None


class ClawbackSerializer(serializers.ModelSerializer):
    class Meta:
        model = Clawback
        fields = ["id", "amount_due", "due_on", "recovered_amount", "recovered_on", "status"]


class ContractOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    supplier = OrgRefSerializer()
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    status = serializers.CharField()
    signed_at = serializers.DateTimeField()
    termination_reason = serializers.CharField()
    milestones = MilestoneSerializer(many=True)
    clawback = serializers.SerializerMethodField()

    def get_clawback(self, obj) -> dict | None:
        clawback = getattr(obj, "clawback", None)
        return ClawbackSerializer(clawback).data if clawback else None


class MilestoneDetailSerializer(MilestoneSerializer):
    """A milestone with what the requesting user may do with it now."""

    actions = core_api.ActionsField()

    class Meta(MilestoneSerializer.Meta):
        fields = [*MilestoneSerializer.Meta.fields, "actions"]


class ProjectSerializer(serializers.ModelSerializer):
    buyer = OrgRefSerializer(read_only=True)
    method_name = serializers.CharField(source="method_chinese_name", read_only=True)
    eligibility = serializers.SerializerMethodField()
    service_standards = ServiceStandardSerializer(many=True, read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True)
    invitees = serializers.SerializerMethodField()
    bid_count = serializers.IntegerField(read_only=True)
    award = serializers.SerializerMethodField()
    contract = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "title",
            "category",
            "method",
            "method_name",
            "evaluation_method",
            "budget_amount",
            "region_code",
            "incident",
            "description",
            "eligibility",
            "service_standards",
            "criteria",
            "tender_end",
            "invitees",
            "status",
            "status_reason",
            "buyer",
            "published_at",
            "tender_closed_at",
            "opened_at",
            "previous_round",
            "round_number",
            "bid_count",
            "award",
            "contract",
        ]

    def get_eligibility(self, obj) -> dict:
        return {
            "specialty": obj.eligibility_specialty or None,
            "min_grade": obj.eligibility_min_grade,
        }

    def get_invitees(self, obj) -> list[int]:
        return [o.pk for o in obj.invitees.all()]

    def get_award(self, obj) -> dict | None:
        awards = getattr(obj, "active_awards", None)
        if awards is None:
            awards = list(obj.awards.filter(status="active"))
        return AwardOutSerializer(awards[0]).data if awards else None

    def get_contract(self, obj) -> dict | None:
        contract = getattr(obj, "contract", None)
        return ContractOutSerializer(contract).data if contract else None


class BidInputSerializer(serializers.Serializer):
    price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    proposal = serializers.CharField()
    team_size = serializers.IntegerField(min_value=0, default=0)
    organization = serializers.IntegerField(required=False)


class BidSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organization = OrgRefSerializer()
    status = serializers.CharField()
    sealed = serializers.SerializerMethodField()
    price = serializers.SerializerMethodField()
    proposal = serializers.SerializerMethodField()
    team_size = serializers.SerializerMethodField()
    same_legal_representative_as = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def _open(self, obj) -> bool:
        return obj.pk in self.context["readable"]

    def get_sealed(self, obj) -> bool:
        return not self._open(obj)

    def get_price(self, obj) -> str | None:
        return f"{obj.price:.2f}" if self._open(obj) else None

    def get_proposal(self, obj) -> str | None:
        return obj.proposal if self._open(obj) else None

    def get_team_size(self, obj) -> int | None:
        return obj.team_size if self._open(obj) else None

    def get_same_legal_representative_as(self, obj) -> list[int]:
        for group in self.context.get("groups", []):
            if obj.pk in group:
                return [b for b in group if b != obj.pk]
        return []


class ScoreInputSerializer(serializers.Serializer):
    bid = serializers.PrimaryKeyRelatedField(queryset=Bid.objects.all())
    criterion = serializers.PrimaryKeyRelatedField(queryset=Criterion.objects.all())
    score = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ScoreSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    bid = serializers.IntegerField(source="bid_id")
    criterion = serializers.IntegerField(source="criterion_id")
    expert = serializers.SerializerMethodField()
    score = serializers.DecimalField(max_digits=6, decimal_places=2)
    comment = serializers.CharField()

    def get_expert(self, obj) -> str:
        return obj.expert.get_full_name() or obj.expert.username


class RankingSerializer(serializers.Serializer):
    bid = serializers.IntegerField(source="bid_id")
    rank = serializers.IntegerField()
    price = serializers.DecimalField(max_digits=14, decimal_places=2)
    price_score = serializers.DecimalField(max_digits=8, decimal_places=2)
    total = serializers.DecimalField(max_digits=8, decimal_places=2)


class PanelInputSerializer(serializers.Serializer):
    size = serializers.IntegerField(min_value=1, max_value=99, default=3)


class PanelDrawSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    size = serializers.IntegerField()
    pool = serializers.ListField(child=serializers.IntegerField())
    order = serializers.ListField(child=serializers.IntegerField())
    selected = serializers.ListField(child=serializers.IntegerField())
    refused = serializers.ListField(child=serializers.IntegerField())
    drawn_at = serializers.DateTimeField()


class AwardInputSerializer(serializers.Serializer):
    bid = serializers.PrimaryKeyRelatedField(queryset=Bid.objects.all())
    reason = serializers.CharField(required=False, allow_blank=True, default="")


ProcurementReasonSerializer = core_api.RequiredReasonSerializer


class ChallengeInputSerializer(serializers.Serializer):
    reason = serializers.CharField()
    organization = serializers.IntegerField(required=False)


class ChallengeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.IntegerField(source="project_id")
    organization = serializers.IntegerField(source="organization_id")
    reason = serializers.CharField()
    status = serializers.CharField()
    response = serializers.CharField()
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField()


class ResolveInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["upheld", "dismissed"])
    response = serializers.CharField()


class MilestoneInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    due_at = serializers.DateTimeField()
    payment_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0.01"), max_value=100
    )
    indicators = serializers.ListField(child=serializers.IntegerField(), required=False)


class ContractInputSerializer(serializers.Serializer):
    milestones = MilestoneInputSerializer(many=True)


class TerminateInputSerializer(serializers.Serializer):
    reason = serializers.CharField()
    clawback_amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    due_on = serializers.DateField(required=False)


class RetenderInputSerializer(serializers.Serializer):
    tender_end = serializers.DateTimeField()


class ReportInputSerializer(serializers.Serializer):
    summary = serializers.CharField()
    values = serializers.DictField(child=serializers.DecimalField(max_digits=14, decimal_places=2))
    evidence = serializers.ListField(child=serializers.FileField(), required=False)
    taken_at = serializers.ListField(child=serializers.DateTimeField(), required=False)


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    content_type = serializers.CharField()
    sha256 = serializers.CharField()
    taken_at = serializers.DateTimeField()
    duplicate_of = serializers.IntegerField(source="duplicate_of_id")


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    milestone = serializers.IntegerField(source="milestone_id")
    summary = serializers.CharField()
    values = serializers.JSONField()
    evidence = EvidenceSerializer(many=True)
    created_at = serializers.DateTimeField()


class InspectInputSerializer(serializers.Serializer):
    notes = serializers.CharField()
    findings = serializers.CharField(required=False, allow_blank=True, default="")
    third_party_score = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False, allow_null=True
    )


class AcceptInputSerializer(serializers.Serializer):
    achieved = serializers.DictField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2)
    )
    recipients = serializers.ListField(
        child=serializers.CharField(max_length=100), allow_empty=False
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class PaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    milestone = serializers.IntegerField(source="milestone_id")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid_at = serializers.DateTimeField()


class RecoveryInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    recovered_on = serializers.DateField()


class OcdsPackageSerializer(serializers.Serializer):
    uri = serializers.CharField()
    version = serializers.CharField()
    publishedDate = serializers.CharField()  # noqa: N815 (OCDS field name)
    publisher = serializers.JSONField()
    releases = serializers.ListField(child=serializers.JSONField())


class ProjectDetailSerializer(ProjectSerializer):
    """A project with what the requesting user may do with it now."""

    actions = core_api.ActionsField()

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "actions"]
