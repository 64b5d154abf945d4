"""Serializers of the community API (docs/API.md, "Community needs and projects")."""

from django.contrib.auth.models import AnonymousUser
from rest_framework import serializers

from community.models import Pledge, Project, ProjectNeed, RoutineNeed
from coordination.api.serializers import NeedInputSerializer
from coordination.models import NeedCategory
from core import geo
from core import permissions as perms
from core.api import (
    ActingOrganizationField,
    DecimalField,
    IntegerField,
    StrictModelSerializer,
    StrictSerializer,
)


def _exact(user, need: RoutineNeed) -> bool:
    return perms.is_official_for(user, need.region_code) or (
        need.posted_by_organization_id in perms.organization_ids(user)
    )


class RoutineNeedSerializer(StrictModelSerializer):
    """A point is exact for officials covering the area and the posting organization, blurred
    (core.geo.blur) for everyone else."""

    latitude = serializers.SerializerMethodField()
    longitude = serializers.SerializerMethodField()
    covered = IntegerField(read_only=True)
    gap = serializers.SerializerMethodField()
    confirmed = serializers.BooleanField(source="is_confirmed", read_only=True)
    posted_by_organization_name = serializers.CharField(
        source="posted_by_organization.name", default=None
    )

    class Meta:
        model = RoutineNeed
        fields = [
            "id",
            "category",
            "description",
            "quantity",
            "unit",
            "region_code",
            "latitude",
            "longitude",
            "urgency",
            "confirmed",
            "posted_by_organization",
            "posted_by_organization_name",
            "covered",
            "gap",
            "created_at",
        ]
        read_only_fields = fields

    def _point(self, need):
        if need.latitude is None:
            return None, None
        request = self.context.get("request")
        user = getattr(request, "user", None) or AnonymousUser()
        if _exact(user, need):
            return str(need.latitude), str(need.longitude)
        lat, lon = geo.blur(need.latitude, need.longitude, key=geo.blur_key(need))
        return str(lat), str(lon)

    def get_latitude(self, need) -> str | None:
        return self._point(need)[0]

    def get_longitude(self, need) -> str | None:
        return self._point(need)[1]

    def get_gap(self, need) -> int:
        return max(need.quantity - (getattr(need, "covered", 0) or 0), 0)


class RoutineNeedDetailSerializer(RoutineNeedSerializer):
    matching_organizations = serializers.SerializerMethodField()

    class Meta(RoutineNeedSerializer.Meta):
        fields = [*RoutineNeedSerializer.Meta.fields, "matching_organizations"]
        read_only_fields = fields

    def get_matching_organizations(self, need) -> list[dict]:
        return [{"id": o.pk, "name": o.name} for o in self.context.get("matches", [])]


class RoutineNeedCreateSerializer(NeedInputSerializer):
    """A routine need: an incident need's input (the same posting rule), a shorter description."""

    description = serializers.CharField(max_length=5000)


class CommunityProjectNeedSerializer(StrictModelSerializer):
    need_description = serializers.CharField(source="need.description")
    need_category = serializers.CharField(source="need.category")
    need_quantity = IntegerField(source="need.quantity")
    unit = serializers.CharField(source="need.unit")

    class Meta:
        model = ProjectNeed
        fields = ["need", "need_category", "need_description", "need_quantity", "unit", "quantity"]
        read_only_fields = fields


class CommunityPledgeSerializer(StrictModelSerializer):
    funder_name = serializers.CharField(source="funder.name")

    class Meta:
        model = Pledge
        fields = ["id", "project", "funder", "funder_name", "amount", "note", "created_at"]
        read_only_fields = fields


class CommunityProjectSerializer(StrictModelSerializer):
    organization_name = serializers.CharField(source="organization.name")
    pledged = DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "organization",
            "organization_name",
            "title",
            "region_code",
            "category",
            "budget_sought",
            "pledged",
            "starts_on",
            "ends_on",
            "description",
            "beneficiaries",
            "created_at",
        ]
        read_only_fields = fields


class CommunityProjectDetailSerializer(CommunityProjectSerializer):
    needs = CommunityProjectNeedSerializer(source="links", many=True, read_only=True)
    pledges = CommunityPledgeSerializer(many=True, read_only=True)

    class Meta(CommunityProjectSerializer.Meta):
        fields = [*CommunityProjectSerializer.Meta.fields, "needs", "pledges"]
        read_only_fields = fields


class CommunityProjectCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    region_code = serializers.RegexField(r"^\d{6}$", max_length=6)
    category = serializers.ChoiceField(choices=NeedCategory.choices)
    budget_sought = DecimalField(max_digits=14, decimal_places=2, min_value=0)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    description = serializers.CharField(max_length=10000)
    beneficiaries = serializers.CharField(max_length=200)
    organization = ActingOrganizationField()


class CommunityLinkNeedSerializer(StrictSerializer):
    need = IntegerField(min_value=1)
    quantity = IntegerField(min_value=1, max_value=10**9)


class CommunityPledgeCreateSerializer(StrictSerializer):
    amount = DecimalField(max_digits=14, decimal_places=2, min_value=0)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    funder = ActingOrganizationField()
