"""API of volunteers and calls for volunteers (docs/API.md, "Volunteers and calls")."""

from django.shortcuts import get_object_or_404
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from coordination.models import Incident
from core import api as core_api
from core.api import NameField, StrictModelSerializer, StrictSerializer
from core.http import client_ip
from volunteers import queries
from volunteers import services as vs
from volunteers.models import SignUp, Volunteer, VolunteerCall


class CodeThrottle(SimpleRateThrottle):
    """SMS codes asked and tried per client IP (``core.http.client_ip``), for everyone."""

    scope = "volunteer_codes"

    def get_rate(self) -> str:
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or ""}


class VolunteerSerializer(StrictModelSerializer):
    hub_name = serializers.CharField(source="hub.name", read_only=True)
    phone_verified = serializers.BooleanField(source="is_verified", read_only=True)

    class Meta:
        model = Volunteer
        fields = [
            "id",
            "hub",
            "hub_name",
            "name",
            "phone",
            "phone_verified",
            "skills",
            "region_code",
            "created_at",
        ]
        read_only_fields = fields


class RegisterVolunteerSerializer(StrictSerializer):
    hub = core_api.ActingOrganizationField(help_text="Your hub (your only one if none)")
    name = NameField(max_length=100)
    phone = serializers.CharField(max_length=30)
    region_code = serializers.CharField(max_length=6)
    skills = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=20
    )


class CodeSerializer(StrictSerializer):
    code = serializers.CharField(max_length=12)


class PhoneSerializer(StrictSerializer):
    phone = serializers.CharField(max_length=30)


class PhoneCodeSerializer(StrictSerializer):
    phone = serializers.CharField(max_length=30)
    code = serializers.CharField(max_length=12)


class CallSerializer(StrictModelSerializer):
    hub_name = serializers.CharField(source="hub.name", read_only=True)
    incident_title = serializers.CharField(source="incident.title", read_only=True)
    signed_up = serializers.IntegerField(read_only=True)

    class Meta:
        model = VolunteerCall
        fields = [
            "id",
            "hub",
            "hub_name",
            "incident",
            "incident_title",
            "area_region_code",
            "title",
            "description",
            "skills",
            "slots",
            "signed_up",
            "status",
            "created_at",
        ]
        read_only_fields = fields


class CallDetailSerializer(CallSerializer):
    full_reason = serializers.SerializerMethodField()

    class Meta(CallSerializer.Meta):
        fields = [*CallSerializer.Meta.fields, "full_reason"]
        read_only_fields = fields

    def get_full_reason(self, call) -> str:
        """Why the call takes nobody more now ("" while it does)."""
        return vs.full_reason(call)


class PostCallSerializer(StrictSerializer):
    hub = core_api.ActingOrganizationField(help_text="Your hub (your only one if none)")
    incident = core_api.IntegerField(min_value=1)
    area_region_code = serializers.CharField(max_length=6)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )
    skills = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=20
    )
    slots = core_api.IntegerField(min_value=1, max_value=100000)


class SignUpSerializer(StrictModelSerializer):
    volunteer_name = serializers.CharField(source="volunteer.name", read_only=True)

    class Meta:
        model = SignUp
        fields = ["id", "call", "volunteer", "volunteer_name", "status", "created_at"]
        read_only_fields = fields


class SignUpInSerializer(StrictSerializer):
    volunteer = core_api.IntegerField(min_value=1)


class VolunteerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A hub's volunteers (its members) or those in an official's jurisdiction. ``POST``
    registers one and sends the SMS code; ``verify-phone`` enters it; ``resend-code``."""

    serializer_class = VolunteerSerializer
    permission_classes = [IsAuthenticated]
    queryset = Volunteer.objects.none()

    def get_queryset(self):
        return queries.visible_volunteers(self.request.user).order_by("name", "id")

    def create(self, request):
        data = RegisterVolunteerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        volunteer = vs.register_volunteer(by=request.user, **data.validated_data)
        return Response(VolunteerSerializer(volunteer).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="verify-phone", serializer_class=CodeSerializer)
    def verify_phone(self, request, pk=None):
        data = CodeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        volunteer = vs.verify_phone(
            volunteer=self.get_object(), by=request.user, **data.validated_data
        )
        return Response(VolunteerSerializer(volunteer).data)

    @action(detail=True, methods=["post"], url_path="resend-code")
    def resend_code(self, request, pk=None):
        core_api.refuse_input(request)
        volunteer = vs.resend_phone_code(volunteer=self.get_object(), by=request.user)
        return Response(VolunteerSerializer(volunteer).data)


class CallViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Calls for volunteers: open calls are public; hubs see all of theirs, officials those in
    their jurisdiction. ``POST`` posts one (a hub member); ``close``/``reopen``;
    ``sign-ups`` lists (hub, officials) or adds (hub member, ``{volunteer}``);
    ``request-code`` and ``confirm`` are the volunteer's own sign-up with an SMS code."""

    serializer_class = CallSerializer
    permission_classes = [AllowAny]
    queryset = VolunteerCall.objects.none()

    def get_queryset(self):
        return queries.visible_calls(self.request.user).order_by("-created_at", "-id")

    def get_serializer_class(self):
        return CallDetailSerializer if self.action == "retrieve" else CallSerializer

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.action in ("request_code", "confirm"):
            throttles.append(CodeThrottle())
        return throttles

    def _detail(self, call):
        call = self.get_queryset().get(pk=call.pk)
        return CallDetailSerializer(call, context={"request": self.request}).data

    def create(self, request):
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        data = PostCallSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        incident = get_object_or_404(
            Incident.objects.filter(status__in=Incident.ACTIVE),
            pk=values.pop("incident"),
        )
        call = vs.post_call(by=request.user, incident=incident, **values)
        return Response(self._detail(call), status=status.HTTP_201_CREATED)

    def _close(self, request, reopen: bool):
        core_api.refuse_input(request)
        call = vs.close_call(call=self.get_object(), by=request.user, reopen=reopen)
        return Response(self._detail(call))

    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def close(self, request, pk=None):
        return self._close(request, reopen=False)

    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def reopen(self, request, pk=None):
        return self._close(request, reopen=True)

    @action(
        detail=True,
        methods=["get", "post"],
        url_path="sign-ups",
        permission_classes=[IsAuthenticated],
        serializer_class=SignUpInSerializer,
    )
    def sign_ups(self, request, pk=None):
        call = self.get_object()
        if request.method == "GET":
            if not queries.sees_sign_ups(request.user, call):
                return Response(status=status.HTTP_404_NOT_FOUND)
            rows = queries.sign_ups_of(call)
            return Response(SignUpSerializer(rows, many=True).data)
        data = SignUpInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        volunteer = get_object_or_404(
            queries.visible_volunteers(request.user), pk=data.validated_data["volunteer"]
        )
        entry = vs.sign_up(call=call, by=request.user, volunteer=volunteer)
        return Response(SignUpSerializer(entry).data, status=status.HTTP_201_CREATED)

    @action(
        detail=True, methods=["post"], url_path="request-code", serializer_class=PhoneSerializer
    )
    def request_code(self, request, pk=None):
        data = PhoneSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        vs.request_sign_up_code(call=self.get_object(), **data.validated_data)
        return Response(
            {"detail": "If this phone belongs to a volunteer of the hub, a code is on its way."},
            status=status.HTTP_202_ACCEPTED,
        )

    @action(detail=True, methods=["post"], serializer_class=PhoneCodeSerializer)
    def confirm(self, request, pk=None):
        data = PhoneCodeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = vs.confirm_sign_up(call=self.get_object(), **data.validated_data)
        return Response(
            {"id": entry.pk, "call": entry.call_id, "status": entry.status},
            status=status.HTTP_201_CREATED,
        )


class SignUpViewSet(viewsets.GenericViewSet):
    """``POST sign-ups/{id}/cancel/ {reason?}``: a hub member cancels a sign-up."""

    serializer_class = core_api.OptionalReasonSerializer
    permission_classes = [IsAuthenticated]
    queryset = SignUp.objects.none()

    def get_queryset(self):
        hubs = queries.hub_ids(self.request.user)
        return SignUp.objects.filter(call__hub_id__in=hubs).select_related("call", "volunteer")

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = core_api.OptionalReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = vs.cancel_sign_up(sign_up=self.get_object(), by=request.user, **data.validated_data)
        return Response(SignUpSerializer(entry).data)
