"""Registry serializers: output shapes (public vs private fields) and one input shape per action."""

from rest_framework import serializers

from core import api as core_api
from core import permissions as perms
from core import validators
from core.api import DecimalField, IntegerField, NameField, StrictModelSerializer, StrictSerializer
from core.models import Region
from core.roles import Role
from registry.choices import OrganizationKind, SocialWorkerLevel, Specialty
from registry.models import (
    CAPABILITY_FIELDS,
    PROFILE_FIELDS,
    Assessment,
    Capability,
    Document,
    Invitation,
    Membership,
    Organization,
    Person,
)

PRIVATE_ORG_FIELDS = ("contact_name", "contact_phone", "contact_email", "status_reason")


def may_see_private(request, organization) -> bool:
    """Contacts go to members of the organization and to officials (API.md)."""
    user = getattr(request, "user", None)
    return perms.is_member_of(user, organization) or perms.is_official(user)


class EquipmentSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100)
    quantity = IntegerField(min_value=0)


class CertifiedPersonSerializer(StrictSerializer):
    name = NameField(max_length=100)
    certificate = serializers.CharField(max_length=200)


class CapabilitySerializer(StrictModelSerializer):
    organization = IntegerField(source="organization_id", read_only=True)
    current_grade = IntegerField(read_only=True, allow_null=True)
    assessed_grade = IntegerField(read_only=True, allow_null=True)
    personnel = serializers.DictField(child=IntegerField(min_value=0), required=False)
    equipment = EquipmentSerializer(many=True, required=False)
    certified_personnel = CertifiedPersonSerializer(many=True, required=False)
    service_regions = serializers.ListField(
        child=serializers.CharField(max_length=6), required=False
    )
    phases = serializers.ListField(
        child=serializers.ChoiceField(
            choices=["prevention", "response", "resettlement", "reconstruction"]
        ),
        required=False,
    )

    class Meta:
        model = Capability
        fields = [
            "id",
            "organization",
            "specialty",
            *CAPABILITY_FIELDS,
            "assessed_grade",
            "assessed_score",
            "assessed_on",
            "valid_until",
            "revoked_at",
            "revoke_reason",
            "current_grade",
        ]
        read_only_fields = [
            "assessed_grade",
            "assessed_score",
            "assessed_on",
            "valid_until",
            "revoked_at",
            "revoke_reason",
        ]


class CapabilityUpdateSerializer(CapabilitySerializer):
    class Meta(CapabilitySerializer.Meta):
        read_only_fields = [*CapabilitySerializer.Meta.read_only_fields, "specialty"]


class OrganizationSerializer(StrictModelSerializer):
    capabilities = CapabilitySerializer(many=True, read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "name_en",
            "uscc",
            "kind",
            "registration_authority",
            "legal_representative",
            "region_code",
            "address",
            "founded_on",
            "website",
            "description",
            "service_regions",
            "status",
            "verified_at",
            "capabilities",
            *PRIVATE_ORG_FIELDS,
        ]
        read_only_fields = fields
        conditional_fields = PRIVATE_ORG_FIELDS  # left out unless may_see_private()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not may_see_private(self.context.get("request"), instance):
            for field in PRIVATE_ORG_FIELDS:
                data.pop(field, None)
        return data


class OrganizationDetailSerializer(OrganizationSerializer):
    """An organization with the verification actions the requesting user may take now."""

    actions = core_api.ActionsField()

    class Meta(OrganizationSerializer.Meta):
        fields = [*OrganizationSerializer.Meta.fields, "actions"]
        read_only_fields = fields


class ProfileSerializer(StrictModelSerializer):
    name = NameField(max_length=200, required=False)
    name_en = NameField(max_length=200, required=False, allow_blank=True)
    legal_representative = NameField(max_length=100, required=False, allow_blank=True)
    contact_name = NameField(max_length=100, required=False, allow_blank=True)
    service_regions = serializers.ListField(
        child=serializers.CharField(max_length=6), required=False
    )

    class Meta:
        model = Organization
        fields = list(PROFILE_FIELDS)
        extra_kwargs = {"founded_on": {"validators": [validators.founded]}}


class RegistrationOrganizationSerializer(StrictSerializer):
    name = NameField(max_length=200)
    name_en = NameField(max_length=200, required=False, allow_blank=True)
    uscc = serializers.CharField(max_length=40)
    kind = serializers.ChoiceField(choices=OrganizationKind.choices)
    region_code = serializers.CharField(max_length=6)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    contact_name = NameField(max_length=100, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    registration_authority = serializers.CharField(max_length=200, required=False, allow_blank=True)
    legal_representative = NameField(max_length=100, required=False, allow_blank=True)
    website = serializers.URLField(required=False, allow_blank=True)
    founded_on = serializers.DateField(
        required=False, allow_null=True, validators=[validators.founded]
    )
    service_regions = serializers.ListField(
        child=serializers.CharField(max_length=6), required=False
    )


class RegistrationSerializer(StrictSerializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    password = serializers.CharField(write_only=True, max_length=128)
    email = serializers.EmailField()
    organization = RegistrationOrganizationSerializer()


class RegistrationResultSerializer(StrictSerializer):
    user = IntegerField()
    username = serializers.CharField()
    organization = OrganizationSerializer()


class VerifySerializer(StrictSerializer):
    decision = serializers.ChoiceField(choices=["verified", "rejected"])
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ReasonSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


OptionalReasonSerializer = core_api.OptionalReasonSerializer


class AssessSerializer(StrictSerializer):
    grade = IntegerField(min_value=1, max_value=3, help_text="1 (一级) is the highest")
    score = DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    assessed_on = serializers.DateField(required=False, validators=[validators.fact])
    valid_until = serializers.DateField(required=False, validators=[validators.validity])


class AssessmentSerializer(StrictModelSerializer):
    grade = IntegerField(read_only=True)
    assessed_by = core_api.PersonField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "capability",
            "grade",
            "score",
            "notes",
            "assessed_on",
            "valid_until",
            "assessed_by",
            "revoked_at",
            "revoke_reason",
        ]
        read_only_fields = fields


class MembershipSerializer(StrictModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "organization", "user", "username", "role", "created_at"]
        read_only_fields = fields


class InvitationSerializer(StrictModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    invited_by = core_api.PersonField()

    class Meta:
        model = Invitation
        fields = [
            "id",
            "organization",
            "organization_name",
            "user",
            "username",
            "role",
            "status",
            "invited_by",
            "created_at",
            "decided_at",
        ]
        read_only_fields = fields


class AddMemberSerializer(StrictSerializer):
    """An invitation: the user becomes a member only when they accept it."""

    username = serializers.CharField(max_length=254, help_text="Username or e-mail of the user.")
    role = serializers.ChoiceField(
        choices=Role.choices, default=Role.MEMBER, help_text="admin or member"
    )


class RoleSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=Role.choices, help_text="admin or member")


class DocumentSerializer(StrictModelSerializer):
    kind = serializers.CharField(read_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "organization",
            "capability",
            "kind",
            "title",
            "content_type",
            "size",
            "uploaded_at",
            "download",
        ]
        read_only_fields = fields

    def get_download(self, obj) -> str:
        return f"/api/v1/documents/{obj.pk}/download/"


class DocumentUploadSerializer(StrictSerializer):
    file = serializers.FileField()
    kind = serializers.CharField(
        max_length=32, default="other", help_text=", ".join(Document.Kind.values)
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    capability = IntegerField(required=False, allow_null=True)


class PersonSerializer(StrictModelSerializer):
    organization = core_api.ActingOrganizationField(
        source="organization_id",
        help_text="Whose talent pool; optional if you act for only one organization.",
    )
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    name = NameField(max_length=100)
    skills = serializers.ListField(child=serializers.CharField(max_length=50), required=False)
    certifications = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False
    )
    social_worker_level = serializers.ChoiceField(choices=SocialWorkerLevel.choices, default="none")

    class Meta:
        model = Person
        fields = [
            "id",
            "organization",
            "organization_name",
            "name",
            "skills",
            "social_worker_level",
            "certifications",
            "phone",
            "region_code",
            "availability",
        ]


class RegionSerializer(StrictModelSerializer):
    parent = serializers.CharField(source="parent_id", allow_null=True)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]


__all__ = ["Specialty"]
