"""Registry API views. Views shape input and output; registry.services decides and writes."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core import permissions as perms
from core.api import refuse_input
from core.fastjson import Computed, FastList, FastListMixin, Nest
from core.throttling import AnonRateThrottle
from registry import queries, services
from registry.api import serializers as s
from registry.models import (
    Capability,
    Document,
    Invitation,
    Membership,
    Organization,
    Person,
)

ORGANIZATION_FIELDS = set(s.RegistrationOrganizationSerializer().fields)


def _text(params, name: str) -> str:
    # PostgreSQL refuses NUL characters in text; a filter value never needs them.
    return params.get(name, "").replace("\x00", "")[:100]


def _int_or_none(value):
    """A query-string integer, or None when absent, malformed or out of the database's range."""
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    if number is not None and not (-(2**31) < number < 2**31):
        return None
    return number


class RegisterView(APIView):
    """Public registration: creates the user (org admin) and a pending organization."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [AnonRateThrottle]
    serializer_class = s.RegistrationSerializer

    @extend_schema(
        request=s.RegistrationSerializer, responses={201: s.RegistrationResultSerializer}
    )
    def post(self, request):
        data = s.RegistrationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            org = services.register_organization(
                username=v["username"],
                password=v["password"],
                email=v["email"],
                organization=dict(v["organization"]),
            )
        except DjangoValidationError as error:
            # Organization fields are reported under "organization", as they were sent.
            body: dict = {}
            for field, messages in error.message_dict.items():
                if field in ORGANIZATION_FIELDS:
                    body.setdefault("organization", {})[field] = messages
                else:
                    body[field] = messages
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        admin = org.memberships.get().user
        result = {"user": admin.pk, "username": admin.username, "organization": org}
        request.user = admin  # the new admin may read their own contacts back
        return Response(
            s.RegistrationResultSerializer(result, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


def _current_grade(row: dict, ctx: dict) -> int | None:
    """``Capability.current_grade`` from the raw columns (same rule: assessed, unrevoked,
    valid today in the platform's zone)."""
    valid_until = row["valid_until"]
    if (
        row["assessed_grade"]
        and row["revoked_at"] is None
        and valid_until
        and valid_until >= ctx["today"]
    ):
        return row["assessed_grade"]
    return None


def _directory_context(rows: list[dict], request) -> dict:
    """Once per page: today's date and whose contacts the user may see (``may_see_private``:
    members of the organization and officials), with no query beyond the user's memberships,
    which ``core.permissions`` caches for the request."""
    user = getattr(request, "user", None)
    return {
        "today": timezone.localdate(),
        "official": perms.is_official(user),
        "member_of": frozenset(perms.organization_ids(user)) if user is not None else frozenset(),
    }


def _may_see_private(row: dict, ctx: dict) -> bool:
    return ctx["official"] or row["pk"] in ctx["member_of"]


# The directory's cold path: OrganizationSerializer's output from values() rows, capabilities
# in one more query ordered as queries.with_capabilities prefetches them.
DIRECTORY = FastList(
    s.OrganizationSerializer,
    nested={
        "capabilities": Nest(
            queryset=Capability.objects.order_by("specialty"),
            computed={
                "current_grade": Computed(
                    ("assessed_grade", "revoked_at", "valid_until"), _current_grade
                )
            },
        )
    },
    conditional=dict.fromkeys(s.PRIVATE_ORG_FIELDS, _may_see_private),
    prepare=_directory_context,
)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("kind", str),
            OpenApiParameter("region", str, description="Region code or code prefix"),
            OpenApiParameter("specialty", str),
            OpenApiParameter("min_grade", int, description="Grade N or better (1 is the highest)"),
            OpenApiParameter(
                "status", str, description="Officials: any status in their jurisdiction"
            ),
            OpenApiParameter("search", str),
        ]
    ),
    partial_update=extend_schema(
        request=s.ProfileSerializer, responses=s.OrganizationDetailSerializer
    ),
)
class OrganizationViewSet(
    FastListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.OrganizationSerializer
    queryset = Organization.objects.none()
    filter_backends: list = []
    fast_list = DIRECTORY
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if self.action == "list":
            p = self.request.query_params
            return queries.directory(
                self.request.user,
                kind=_text(p, "kind"),
                region=_text(p, "region"),
                specialty=_text(p, "specialty"),
                min_grade=_int_or_none(p.get("min_grade")),
                status=_text(p, "status"),
                search=_text(p, "search"),
            )
        return queries.with_capabilities(queries.visible_organizations(self.request.user))

    def update(self, request, *args, **kwargs):
        org = self.get_object()
        data = s.ProfileSerializer(org, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.update_profile(
            organization=org, by=request.user, changes=dict(data.validated_data)
        )
        org = self.get_queryset().get(pk=org.pk)
        return Response(s.OrganizationDetailSerializer(org, context={"request": request}).data)

    def _done(self, org):
        org = self.get_queryset().get(pk=org.pk)
        return Response(s.OrganizationDetailSerializer(org, context={"request": self.request}).data)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.OrganizationDetailSerializer
        return s.OrganizationSerializer

    @extend_schema(request=s.VerifySerializer, responses=s.OrganizationDetailSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        org = self.get_object()
        data = s.VerifySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.decide_verification(organization=org, by=request.user, **data.validated_data)
        return self._done(org)

    @extend_schema(request=s.ReasonSerializer, responses=s.OrganizationDetailSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        org = self.get_object()
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.suspend(organization=org, by=request.user, reason=data.validated_data["reason"])
        return self._done(org)

    @extend_schema(request=s.OptionalReasonSerializer, responses=s.OrganizationDetailSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        org = self.get_object()
        data = s.OptionalReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.reinstate(
            organization=org, by=request.user, reason=data.validated_data.get("reason", "")
        )
        return self._done(org)

    @extend_schema(methods=["GET"], responses=s.CapabilitySerializer(many=True))
    @extend_schema(
        methods=["POST"], request=s.CapabilitySerializer, responses={201: s.CapabilitySerializer}
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def capabilities(self, request, pk=None):
        org = self.get_object()
        if request.method == "GET":
            return Response(s.CapabilitySerializer(org.capabilities.all(), many=True).data)
        data = s.CapabilitySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cap = services.declare_capability(organization=org, by=request.user, **data.validated_data)
        return Response(s.CapabilitySerializer(cap).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=s.MembershipSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=s.AddMemberSerializer,
        responses={201: s.InvitationSerializer},
        description="GET: the members. POST (org admins): invite an existing user; the answer "
        "is the invitation (status `invited`): the user becomes a member only by accepting it "
        "(`POST invitations/{id}/accept/`). 409 when an invitation to them is already pending.",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def members(self, request, pk=None):
        org = self.get_object()
        if not services.can_read_private(request.user, org):
            raise Http404
        if request.method == "GET":
            return Response(
                s.MembershipSerializer(org.memberships.select_related("user"), many=True).data
            )
        data = s.AddMemberSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invite_member(
            organization=org, by=request.user, **data.validated_data
        )
        return Response(s.InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.InvitationSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def invitations(self, request, pk=None):
        """The organization's invitations waiting for an answer (its admins; 404 otherwise)."""
        org = self.get_object()
        if not perms.is_org_admin(request.user, org):
            raise Http404
        return Response(s.InvitationSerializer(queries.invitations_of(org), many=True).data)

    @extend_schema(methods=["GET"], responses=s.DocumentSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": s.DocumentUploadSerializer},
        responses={201: s.DocumentSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        pagination_class=None,
        parser_classes=[MultiPartParser, FormParser],
    )
    def documents(self, request, pk=None):
        org = self.get_object()
        if not services.can_read_private(request.user, org):
            raise Http404
        if request.method == "GET":
            return Response(s.DocumentSerializer(org.documents.all(), many=True).data)
        data = s.DocumentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        capability = None
        if v.get("capability"):
            capability = Capability.objects.filter(pk=v["capability"], organization=org).first()
            if capability is None:
                return Response(
                    {"capability": ["Not a capability of this organization."]}, status=400
                )
        doc = services.upload_document(
            organization=org,
            by=request.user,
            upload=v["file"],
            kind=v["kind"],
            title=v.get("title", ""),
            capability=capability,
        )
        return Response(s.DocumentSerializer(doc).data, status=status.HTTP_201_CREATED)


@extend_schema_view(partial_update=extend_schema(request=s.CapabilityUpdateSerializer))
class CapabilityViewSet(
    mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    serializer_class = s.CapabilitySerializer
    queryset = Capability.objects.none()
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        visible = queries.visible_organizations(self.request.user)
        return Capability.objects.filter(organization__in=visible).select_related("organization")

    def update(self, request, *args, **kwargs):
        cap = self.get_object()
        data = s.CapabilityUpdateSerializer(cap, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        cap = services.update_capability(
            capability=cap, by=request.user, changes=dict(data.validated_data)
        )
        return Response(s.CapabilitySerializer(cap).data)

    @extend_schema(request=s.AssessSerializer, responses={201: s.AssessmentSerializer})
    @action(detail=True, methods=["post"])
    def assess(self, request, pk=None):
        cap = self.get_object()
        data = s.AssessSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = services.assess(capability=cap, by=request.user, **data.validated_data)
        return Response(s.AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ReasonSerializer, responses=s.CapabilitySerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        cap = self.get_object()
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cap = services.revoke(capability=cap, by=request.user, reason=data.validated_data["reason"])
        return Response(s.CapabilitySerializer(cap).data)

    @extend_schema(responses=s.AssessmentSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def assessments(self, request, pk=None):
        cap = self.get_object()
        return Response(
            s.AssessmentSerializer(cap.assessments.select_related("assessed_by"), many=True).data
        )


class MembershipViewSet(mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Org admins change a member's role or remove them."""

    serializer_class = s.MembershipSerializer
    queryset = Membership.objects.none()
    permission_classes = [permissions.IsAuthenticated]
    http_method_names = ["patch", "delete", "options"]

    def get_queryset(self):
        own = perms.organization_ids(self.request.user)
        return Membership.objects.filter(organization_id__in=own).select_related(
            "organization", "user"
        )

    @extend_schema(request=s.RoleSerializer, responses=s.MembershipSerializer)
    def partial_update(self, request, *args, **kwargs):
        membership = self.get_object()
        data = s.RoleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.set_member_role(
            membership=membership, by=request.user, role=data.validated_data["role"]
        )
        return Response(s.MembershipSerializer(membership).data)

    def destroy(self, request, *args, **kwargs):
        services.remove_member(membership=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyInvitations(generics.ListAPIView):
    """The invitations waiting for the current user's answer."""

    serializer_class = s.InvitationSerializer
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return queries.pending_invitations(self.request.user)


class InvitationViewSet(viewsets.GenericViewSet, mixins.RetrieveModelMixin):
    """An invitation: the invited person accepts or declines it, an admin of the organization
    cancels it. Anyone else gets a 404; a decided invitation is a 409."""

    serializer_class = s.InvitationSerializer
    queryset = Invitation.objects.none()
    permission_classes = [permissions.IsAuthenticated]
    filter_backends: list = []

    def get_queryset(self):
        return queries.visible_invitations(self.request.user)

    @extend_schema(request=None, responses=s.MembershipSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        refuse_input(request)
        membership = services.accept_invitation(invitation=self.get_object(), by=request.user)
        return Response(s.MembershipSerializer(membership).data)

    @extend_schema(request=None, responses=s.InvitationSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        refuse_input(request)
        invitation = services.decline_invitation(invitation=self.get_object(), by=request.user)
        return Response(s.InvitationSerializer(invitation).data)

    @extend_schema(request=None, responses=s.InvitationSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        refuse_input(request)
        invitation = services.cancel_invitation(invitation=self.get_object(), by=request.user)
        return Response(s.InvitationSerializer(invitation).data)


class DocumentDownloadView(APIView):
    """A private document, to members of its organization and officials with jurisdiction."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        return document_response(request.user, pk)


def document_response(user, pk: int) -> FileResponse:
    doc = get_object_or_404(Document.objects.select_related("organization"), pk=pk)
    if not services.can_read_private(user, doc.organization):
        raise Http404
    response = FileResponse(doc.file.open("rb"), content_type=doc.content_type)
    response["Content-Disposition"] = f'attachment; filename="document-{doc.pk}{doc.extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("skill", str),
            OpenApiParameter("region", str),
            OpenApiParameter("organization", int),
        ]
    )
)
class PersonViewSet(viewsets.ModelViewSet):
    """Talent pool: members of the organization and officials of its region; never public."""

    serializer_class = s.PersonSerializer
    queryset = Person.objects.none()
    permission_classes = [permissions.IsAuthenticated]
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        p = self.request.query_params
        return queries.visible_people(
            self.request.user,
            skill=_text(p, "skill"),
            region=_text(p, "region"),
            organization=_int_or_none(p.get("organization")),
        )

    def create(self, request, *args, **kwargs):
        data = s.PersonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        organization = values.pop("organization_id", None)
        person = services.add_person(organization=organization, by=request.user, **values)
        return Response(s.PersonSerializer(person).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        person = self.get_object()
        data = s.PersonSerializer(person, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        changes.pop("organization_id", None)  # a person does not move between organizations
        person = services.update_person(person=person, by=request.user, changes=changes)
        return Response(s.PersonSerializer(person).data)

    def destroy(self, request, *args, **kwargs):
        services.remove_person(person=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[OpenApiParameter("parent", str, description="Parent region code")])
class RegionList(generics.ListAPIView):
    """Administrative divisions under ``parent`` (provinces without it)."""

    serializer_class = s.RegionSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return queries.region_children(_text(self.request.query_params, "parent")[:6])
