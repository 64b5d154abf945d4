"""Serializers: output shapes, and one input serializer per action (shape only; services judge
meaning)."""

import json
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.utils import html

from coordination.models import Incident
from core import api as core_api
from core import validators
from core.api import (
    DateTimeField,
    DecimalField,
    IntegerField,
    StrictModelSerializer,
    StrictSerializer,
)
from procurement.models import (
    Bid,
    Category,
    Clawback,
    Criterion,
    CriterionKind,
    Direction,
    EvaluationMethod,
    Method,
    MethodReason,
    Milestone,
    Project,
    ServiceStandard,
    TerminationGround,
    Verification,
)
from registry.choices import Specialty
from registry.models import Organization


class OrgRefSerializer(StrictSerializer):
    id = IntegerField()
    name = serializers.CharField()


class ServiceStandardSerializer(StrictModelSerializer):
    verification = serializers.ChoiceField(choices=Verification.choices)
    direction = serializers.ChoiceField(choices=Direction.choices, required=False)
    sample_size = IntegerField(min_value=0, max_value=1000, required=False)

    class Meta:
        model = ServiceStandard
        fields = ["id", "indicator", "target", "unit", "verification", "direction", "sample_size"]
        read_only_fields = ["id"]


class CriterionSerializer(StrictModelSerializer):
    kind = serializers.ChoiceField(choices=CriterionKind.choices)
    weight = IntegerField(min_value=1, max_value=100)

    class Meta:
        model = Criterion
        fields = ["id", "name", "kind", "weight"]
        read_only_fields = ["id"]


class EligibilitySerializer(StrictSerializer):
    specialty = serializers.ChoiceField(choices=Specialty.choices, required=False, allow_blank=True)
    min_grade = IntegerField(min_value=1, max_value=3, required=False, allow_null=True)


class ProjectInputSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=Category.choices)
    method = serializers.ChoiceField(choices=Method.choices)
    evaluation_method = serializers.ChoiceField(
        choices=EvaluationMethod.choices, default=EvaluationMethod.COMPREHENSIVE
    )
    budget_amount = DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    region_code = serializers.RegexField(r"^\d{6}$")
    incident = serializers.PrimaryKeyRelatedField(
        queryset=Incident.objects.all(), required=False, allow_null=True
    )
    description = serializers.CharField(required=False, allow_blank=True, default="")
    eligibility = EligibilitySerializer(required=False)
    service_standards = ServiceStandardSerializer(many=True, required=False)
    criteria = CriterionSerializer(many=True, required=False)
    tender_end = DateTimeField(validators=[validators.deadline])
    invitees = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), many=True, required=False
    )
    method_reason = serializers.ChoiceField(
        choices=MethodReason.choices, required=False, allow_blank=True, default=""
    )
    method_reason_text = serializers.CharField(required=False, allow_blank=True, default="")


class AwardOutSerializer(StrictSerializer):
    bid = IntegerField(source="bid_id")
    supplier = OrgRefSerializer(source="bid.organization")
    amount = DecimalField(max_digits=14, decimal_places=2)
    awarded_at = DateTimeField()
    standstill_ends_at = DateTimeField()
    is_top_ranked = serializers.BooleanField()
    reason = serializers.CharField()
    experts = serializers.ListField(child=serializers.CharField())


class AcceptanceOutSerializer(StrictSerializer):
    passed = serializers.BooleanField()
    results = serializers.JSONField()
    recipients_count = IntegerField()
    created_at = DateTimeField()


class MilestoneSerializer(StrictModelSerializer):
    indicators = serializers.SerializerMethodField()
    amount = DecimalField(max_digits=14, decimal_places=2, read_only=True)
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


class ClawbackSerializer(StrictModelSerializer):
    class Meta:
        model = Clawback
        fields = [
            "id",
            "amount_due",
            "due_on",
            "recovered_amount",
            "recovered_on",
            "written_off_amount",
            "status",
            "overdue_flagged_at",
        ]


class ContractOutSerializer(StrictSerializer):
    id = IntegerField()
    supplier = OrgRefSerializer()
    value = DecimalField(max_digits=14, decimal_places=2)
    paid_amount = DecimalField(max_digits=14, decimal_places=2)
    status = serializers.CharField()
    signed_at = DateTimeField()
    termination_reason = serializers.CharField()
    termination_ground = serializers.CharField()
    milestones = MilestoneSerializer(many=True)
    clawback = serializers.SerializerMethodField()

    def get_clawback(self, obj) -> dict | None:
        clawback = getattr(obj, "clawback", None)
        return ClawbackSerializer(clawback).data if clawback else None


class InspectionOutSerializer(StrictSerializer):
    id = IntegerField()
    visited_at = DateTimeField()
    organization = IntegerField(source="organization_id", allow_null=True)
    measured = serializers.JSONField()
    results = serializers.JSONField()
    confirmations = serializers.JSONField()
    third_party_score = DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class MilestoneDetailSerializer(MilestoneSerializer):
    """A milestone with its site and window, its evaluator, its inspections (results and the
    sampled recipients' counts, no names) and what the requesting user may do with it now."""

    actions = core_api.ActionsField()
    evaluator = IntegerField(source="evaluator_id", read_only=True, allow_null=True)
    inspections = serializers.SerializerMethodField()

    class Meta(MilestoneSerializer.Meta):
        fields = [
            *MilestoneSerializer.Meta.fields,
            "evaluator",
            "site_latitude",
            "site_longitude",
            "site_radius_m",
            "service_starts_at",
            "service_ends_at",
            "inspections",
            "actions",
        ]

    def get_inspections(self, obj) -> list[dict]:
        return InspectionOutSerializer(obj.inspections.order_by("id"), many=True).data


class ProjectSerializer(StrictModelSerializer):
    buyer = OrgRefSerializer(read_only=True)
    method_name = serializers.CharField(source="method_chinese_name", read_only=True)
    eligibility = serializers.SerializerMethodField()
    service_standards = ServiceStandardSerializer(many=True, read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True)
    invitees = serializers.SerializerMethodField()
    bid_count = IntegerField(read_only=True)
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
            "method_reason",
            "method_reason_text",
            "reviewed_at",
            "review_notes",
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


class BidInputSerializer(StrictSerializer):
    price = DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    proposal = serializers.CharField()
    team_size = IntegerField(min_value=0, default=0)
    organization = core_api.ActingOrganizationField(
        help_text="Which of your organizations bids; optional if you act for only one."
    )
    documents = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        allow_empty=True,
        help_text=(
            "The technical proposal's files (multipart; PDF, JPEG, PNG or Office documents). "
            "Files sent replace the bid's earlier files; none sent keeps them."
        ),
    )


class BidDocumentSerializer(StrictSerializer):
    id = IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = IntegerField()
    sha256 = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The download for the browser (session).")
    download = serializers.SerializerMethodField(help_text="The download for API clients.")

    def get_url(self, obj) -> str:
        return reverse("procurement:bid_document", args=[obj.pk])

    def get_download(self, obj) -> str:
        return reverse("procurement-bid-document", args=[obj.pk])


class BidSerializer(StrictSerializer):
    id = IntegerField()
    organization = OrgRefSerializer()
    status = serializers.CharField()
    sealed = serializers.SerializerMethodField()
    price = serializers.SerializerMethodField()
    proposal = serializers.SerializerMethodField()
    team_size = serializers.SerializerMethodField()
    same_legal_representative_as = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    created_at = DateTimeField()
    updated_at = DateTimeField()

    def get_documents(self, obj) -> list[dict] | None:
        """The proposal's files, or None while they are sealed for this reader
        (``queries.can_read_documents``)."""
        if obj.pk not in self.context.get("documents_readable", ()):
            return None
        return BidDocumentSerializer(obj.documents.all(), many=True).data

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


class ScoreInputSerializer(StrictSerializer):
    bid = serializers.PrimaryKeyRelatedField(queryset=Bid.objects.all())
    criterion = serializers.PrimaryKeyRelatedField(queryset=Criterion.objects.all())
    score = DecimalField(max_digits=6, decimal_places=2, min_value=0)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ScoreSerializer(StrictSerializer):
    id = IntegerField()
    bid = IntegerField(source="bid_id")
    criterion = IntegerField(source="criterion_id")
    expert = core_api.PersonField()
    score = DecimalField(max_digits=6, decimal_places=2)
    comment = serializers.CharField()


class RankingSerializer(StrictSerializer):
    bid = IntegerField(source="bid_id")
    rank = IntegerField()
    price = DecimalField(max_digits=14, decimal_places=2)
    price_score = DecimalField(max_digits=8, decimal_places=2)
    total = DecimalField(max_digits=8, decimal_places=2)


class PanelInputSerializer(StrictSerializer):
    size = IntegerField(min_value=1, max_value=99, default=3)


class PanelDrawSerializer(StrictSerializer):
    id = IntegerField()
    size = IntegerField()
    pool = serializers.ListField(child=IntegerField())
    order = serializers.ListField(child=IntegerField())
    selected = serializers.ListField(child=IntegerField())
    refused = serializers.ListField(child=IntegerField())
    drawn_at = DateTimeField()


class ConflictFlagSerializer(StrictSerializer):
    """An expert who joined a bidding organization after publication at someone else's
    invitation: not excluded from the panel, shown to the buyer."""

    expert = IntegerField()
    expert_name = serializers.CharField(help_text="Display name and role, never the username.")
    organization = IntegerField()
    organization_name = serializers.CharField()
    joined_at = DateTimeField()
    invited_by = serializers.CharField(allow_null=True, help_text="Display name and role.")


class AwardInputSerializer(StrictSerializer):
    bid = serializers.PrimaryKeyRelatedField(queryset=Bid.objects.all())
    reason = serializers.CharField(required=False, allow_blank=True, default="")


ProcurementReasonSerializer = core_api.RequiredReasonSerializer


class ChallengeInputSerializer(StrictSerializer):
    reason = serializers.CharField()
    organization = core_api.ActingOrganizationField(
        help_text="Which of your organizations challenges; optional if you act for only one."
    )


class ChallengeSerializer(StrictSerializer):
    id = IntegerField()
    project = IntegerField(source="project_id")
    organization = IntegerField(source="organization_id")
    reason = serializers.CharField()
    status = serializers.CharField()
    response = serializers.CharField()
    created_at = DateTimeField()
    resolved_at = DateTimeField()


class ResolveInputSerializer(StrictSerializer):
    decision = serializers.ChoiceField(choices=["upheld", "dismissed"])
    response = serializers.CharField()


class MilestoneInputSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    due_at = DateTimeField(validators=[validators.deadline])
    payment_percent = DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0.01"), max_value=100
    )
    indicators = serializers.ListField(child=IntegerField(), required=False)
    site_latitude = DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False
    )
    site_longitude = DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False
    )
    site_radius_m = IntegerField(min_value=10, max_value=100_000, required=False)
    service_starts_at = DateTimeField(required=False, validators=[validators.plan])
    service_ends_at = DateTimeField(required=False, validators=[validators.plan])


class ContractInputSerializer(StrictSerializer):
    milestones = MilestoneInputSerializer(many=True)


class TerminateInputSerializer(StrictSerializer):
    reason = serializers.CharField()
    clawback_amount = DecimalField(max_digits=14, decimal_places=2, min_value=0)
    due_on = serializers.DateField(required=False, validators=[validators.deadline])
    ground = serializers.ChoiceField(
        choices=TerminationGround.choices, required=False, default=TerminationGround.OTHER
    )


class RetenderInputSerializer(StrictSerializer):
    tender_end = DateTimeField(validators=[validators.deadline])


class RecipientInputSerializer(StrictSerializer):
    name = core_api.NameField(max_length=100)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class JSONTextDictField(serializers.DictField):
    """A dict of numbers by indicator id: a JSON object, or the same object as one JSON text in
    a multipart form (beside files), never silently dropped."""

    def get_value(self, dictionary):
        if html.is_html_input(dictionary):
            raw = dictionary.get(self.field_name, empty)
            if raw is empty or raw == "":
                return empty
            try:
                return json.loads(raw)
            except ValueError:
                raise serializers.ValidationError(
                    {self.field_name: [_("Send the values as a JSON object.")]}
                ) from None
        return super().get_value(dictionary)


class RecipientsField(serializers.ListField):
    """The served recipients: a list of ``{"name", "phone"}`` in JSON, or the same list as one
    JSON text in a multipart form (beside the evidence files)."""

    def __init__(self, **kwargs):
        super().__init__(child=RecipientInputSerializer(), **kwargs)

    def get_value(self, dictionary):
        if html.is_html_input(dictionary):
            raw = dictionary.get(self.field_name, empty)
            if raw is empty or raw == "":
                return empty
            try:
                return json.loads(raw)
            except ValueError:
                raise serializers.ValidationError(
                    {self.field_name: [_("Send the recipients as a JSON list.")]}
                ) from None
        return super().get_value(dictionary)


class ReportInputSerializer(StrictSerializer):
    summary = serializers.CharField()
    values = JSONTextDictField(child=DecimalField(max_digits=14, decimal_places=2))
    evidence = serializers.ListField(child=serializers.FileField(), required=False)
    taken_at = serializers.ListField(
        child=DateTimeField(validators=[validators.fact]), required=False
    )
    recipients = RecipientsField(required=False, max_length=5000)


class EvidenceSerializer(StrictSerializer):
    id = IntegerField()
    content_type = serializers.CharField()
    sha256 = serializers.CharField()
    taken_at = DateTimeField()
    duplicate_of = IntegerField(source="duplicate_of_id")
    camera_taken_at = DateTimeField()
    near_duplicate_of = IntegerField(source="near_duplicate_of_id")
    flags = serializers.ListField(child=serializers.CharField())


class ReportSerializer(StrictSerializer):
    id = IntegerField()
    milestone = IntegerField(source="milestone_id")
    summary = serializers.CharField()
    values = serializers.JSONField()
    evidence = EvidenceSerializer(many=True)
    created_at = DateTimeField()


class InspectInputSerializer(StrictSerializer):
    notes = serializers.CharField()
    measured = JSONTextDictField(child=DecimalField(max_digits=14, decimal_places=2))
    photos = serializers.ListField(child=serializers.FileField(), required=False)
    findings = serializers.CharField(required=False, allow_blank=True, default="")
    third_party_score = DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False, allow_null=True
    )


class AcceptInputSerializer(StrictSerializer):
    recipients = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class AssignEvaluatorInputSerializer(StrictSerializer):
    organization = IntegerField(min_value=1)


class ConfirmationSerializer(StrictSerializer):
    """A sampled recipient as the buyer and the evaluator see it (phone masked)."""

    id = IntegerField()
    name = serializers.CharField()
    phone = serializers.SerializerMethodField()
    status = serializers.CharField()
    expires_at = DateTimeField()
    answered_at = DateTimeField()

    def get_phone(self, obj) -> str:
        return obj.phone[:3] + "****" + obj.phone[-4:]


class AnswerInputSerializer(StrictSerializer):
    answer = serializers.ChoiceField(choices=["confirmed", "denied"])


class ConfirmationPublicSerializer(StrictSerializer):
    """What the recipient's link shows: the service, the supplier and whether it is still open."""

    milestone = serializers.CharField(source="milestone.title")
    project = serializers.CharField(source="milestone.contract.project.title")
    supplier = serializers.CharField(source="milestone.contract.supplier.name")
    status = serializers.CharField()
    expires_at = DateTimeField()


class PaymentSerializer(StrictSerializer):
    id = IntegerField()
    milestone = IntegerField(source="milestone_id")
    amount = DecimalField(max_digits=14, decimal_places=2)
    paid_at = DateTimeField()


class RecoveryInputSerializer(StrictSerializer):
    amount = DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    recovered_on = serializers.DateField(validators=[validators.fact])
    note = serializers.CharField(required=False, allow_blank=True, default="")


class WriteOffInputSerializer(StrictSerializer):
    reason = serializers.CharField()
    amount = DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0.01"), required=False, allow_null=True
    )
    written_off_on = serializers.DateField(required=False, validators=[validators.fact])


class WriteOffSerializer(StrictSerializer):
    id = IntegerField()
    clawback = ClawbackSerializer()
    amount = DecimalField(max_digits=14, decimal_places=2)
    reason = serializers.CharField()
    written_off_on = serializers.DateField()


class InviteInputSerializer(StrictSerializer):
    organizations = serializers.ListField(child=IntegerField(min_value=1), allow_empty=False)


class ReviewInputSerializer(StrictSerializer):
    notes = serializers.CharField()


class LiftInputSerializer(StrictSerializer):
    reason = serializers.CharField()


class GroundSerializer(StrictSerializer):
    key = serializers.CharField()
    kind = serializers.CharField()
    text = serializers.CharField()
    since = serializers.DateField()
    until = serializers.DateField(allow_null=True)
    project = IntegerField(source="project_id")


class LiftSerializer(StrictSerializer):
    id = IntegerField()
    grounds = serializers.ListField(child=serializers.CharField())
    reason = serializers.CharField()
    lifted_at = DateTimeField()
    lifted_by = core_api.PersonField()


class SupplierClawbackSerializer(StrictSerializer):
    id = IntegerField()
    project = IntegerField(source="contract.project_id")
    project_title = serializers.CharField(source="contract.project.title")
    amount_due = DecimalField(max_digits=14, decimal_places=2)
    recovered_amount = DecimalField(max_digits=14, decimal_places=2)
    written_off_amount = DecimalField(max_digits=14, decimal_places=2)
    due_on = serializers.DateField()
    status = serializers.CharField()
    overdue = serializers.BooleanField(source="is_overdue")


class DebarmentSerializer(StrictSerializer):
    """``GET /api/v1/debarments/{organization}/``: the one rule's answer for a supplier."""

    organization = IntegerField()
    debarred = serializers.BooleanField()
    since = serializers.DateField(allow_null=True)
    reason = serializers.CharField()
    grounds = GroundSerializer(many=True)
    lifted_grounds = GroundSerializer(many=True)
    lifts = LiftSerializer(many=True)
    clawbacks = SupplierClawbackSerializer(many=True)


class OcdsPackageSerializer(StrictSerializer):
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
