"""API of hubs (枢纽型组织): designation, hub membership by consent, vouched teams
(docs/registry.md, "Hubs and grassroots teams"; docs/API.md)."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core import api as core_api
from core import permissions as perms
from core.api import NameField, StrictModelSerializer, StrictSerializer
from core.display import people
from core.roles import Role
from registry import queries
from registry import services as reg
from registry.models import HubLink, Organization, Person


class HubSerializer(StrictSerializer):
    is_hub = serializers.BooleanField(help_text="true designates a hub, false withdraws it")


class HubLinkSerializer(StrictModelSerializer):
    hub_name = serializers.CharField(source="hub.name", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    proposed_by = core_api.PersonField()

    class Meta:
        model = HubLink
        fields = [
            "id",
            "hub",
            "hub_name",
            "member",
            "member_name",
            "status",
            "proposed_by_hub",
            "proposed_by",
            "created_at",
            "decided_at",
        ]
        read_only_fields = fields


class ProposeLinkSerializer(StrictSerializer):
    hub = core_api.IntegerField(min_value=1)
    member = core_api.IntegerField(min_value=1)


class TeamMemberInput(StrictSerializer):
    name = NameField(max_length=100)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    skills = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=20
    )


class VouchTeamSerializer(StrictSerializer):
    hub = core_api.ActingOrganizationField(help_text="The hub vouching (your only hub if none)")
    name = NameField(max_length=200)
    leader_name = NameField(max_length=100)
    leader_phone = serializers.CharField(max_length=30)
    region_code = serializers.CharField(max_length=6)
    reference = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    description = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )
    members = TeamMemberInput(many=True, required=False, default=list)


class TeamPersonSerializer(StrictModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name", "phone", "skills"]
        read_only_fields = fields


class VouchedTeamSerializer(StrictModelSerializer):
    vouched_by_name = serializers.CharField(source="vouched_by.name", read_only=True)
    people = TeamPersonSerializer(many=True, read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "kind",
            "status",
            "region_code",
            "vouched_by",
            "vouched_by_name",
            "hub_reference",
            "contact_name",
            "contact_phone",
            "description",
            "people",
            "created_at",
        ]
        read_only_fields = fields


class AddTeamMemberSerializer(TeamMemberInput):
    pass


def visible_links(user):
    """Links of organizations the user administers or belongs to, and, for officials, those of
    hubs in their jurisdiction. Everything else is a 404."""
    mine = perms.organization_ids(user)
    scope = Q(hub_id__in=mine) | Q(member_id__in=mine)
    for prefix in perms.jurisdiction_prefixes(user):
        scope |= Q(hub__region_code__startswith=prefix)
    return (
        HubLink.objects.filter(scope)
        .select_related("hub", "member", "proposed_by")
        .prefetch_related(people("proposed_by"))
    )


class HubLinkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Hub memberships: ``POST {hub, member}`` proposes (the side is yours: a hub admin invites,
    a member admin asks to join); the other side's admin ``accept``s or ``decline``s; the
    proposer may ``cancel`` while it waits; either side ``end``s an accepted link."""

    serializer_class = HubLinkSerializer
    permission_classes = [IsAuthenticated]
    queryset = HubLink.objects.none()

    def get_queryset(self):
        return visible_links(self.request.user)

    def create(self, request):
        data = ProposeLinkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hub = get_object_or_404(
            queries.visible_organizations(request.user), pk=data.validated_data["hub"]
        )
        member = get_object_or_404(
            queries.visible_organizations(request.user), pk=data.validated_data["member"]
        )
        from_hub = perms.is_org_admin(request.user, hub)
        link = reg.propose_hub_link(hub=hub, member=member, by=request.user, from_hub=from_hub)
        return Response(HubLinkSerializer(link).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, service):
        core_api.refuse_input(request)
        link = service(link=self.get_object(), by=request.user)
        return Response(HubLinkSerializer(link).data)

    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._decide(request, reg.accept_hub_link)

    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._decide(request, reg.decline_hub_link)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._decide(request, reg.cancel_hub_link)

    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        return self._decide(request, reg.end_hub_link)


class DesignateHubView(generics.GenericAPIView):
    """``POST organizations/{id}/hub/ {is_hub}``: an official designates (or withdraws) a hub."""

    serializer_class = HubSerializer
    permission_classes = [IsAuthenticated]

    def post(self, request, pk: int):
        org = get_object_or_404(queries.visible_organizations(request.user), pk=pk)
        data = HubSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        org = reg.designate_hub(
            organization=org, by=request.user, is_hub=data.validated_data["is_hub"]
        )
        return Response({"id": org.pk, "is_hub": org.is_hub})


def visible_vouched_teams(user):
    """Teams the user acts for through a hub, and vouched teams in an official's jurisdiction."""
    scope = Q(pk__in=queries.vouched_team_ids(user, roles=(Role.ADMIN, Role.MEMBER)))
    for prefix in perms.jurisdiction_prefixes(user):
        scope |= Q(region_code__startswith=prefix)
    return (
        Organization.objects.filter(scope, status=Organization.Status.VOUCHED)
        .select_related("vouched_by")
        .prefetch_related("people")
        .order_by("name", "id")
    )


class VouchedTeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Teams vouched for by hubs: ``POST`` registers one (a hub member), ``GET`` lists those you
    act for through your hub or, for officials, those in your jurisdiction; ``POST
    {id}/people/`` adds a person to a team's roster."""

    serializer_class = VouchedTeamSerializer
    permission_classes = [IsAuthenticated]
    queryset = Organization.objects.none()

    def get_queryset(self):
        return visible_vouched_teams(self.request.user)

    def create(self, request):
        data = VouchTeamSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = reg.vouch_team(by=request.user, **data.validated_data)
        return Response(
            VouchedTeamSerializer(self.get_queryset().get(pk=team.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @action(detail=True, methods=["post"], serializer_class=AddTeamMemberSerializer)
    def people(self, request, pk=None):
        team = self.get_object()
        data = AddTeamMemberSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = reg.add_team_member(team=team, by=request.user, **data.validated_data)
        return Response(TeamPersonSerializer(person).data, status=status.HTTP_201_CREATED)
