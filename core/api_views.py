from rest_framework import exceptions, generics, permissions, serializers
from rest_framework.authtoken import serializers as authtoken
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser

from core.api import StrictFieldsMixin, StrictModelSerializer
from core.display import display_name
from core.forms import locked_message
from core.models import AuditEvent
from core.parsers import JSONParser
from core.queries import visible_audit_events
from core.throttling import AnonRateThrottle


class AuthTokenSerializer(StrictFieldsMixin, authtoken.AuthTokenSerializer):
    """DRF's username + password, refusing unknown keys like every input of the API (same name
    as DRF's: the schema's component stays ``AuthToken``)."""


class ObtainTokenView(ObtainAuthToken):
    """POST {"username", "password"} -> {"token"}."""

    throttle_classes = [AnonRateThrottle]
    serializer_class = AuthTokenSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]  # DRF's view names its own

    def post(self, request, *args, **kwargs):
        """The login limiter (core.ratelimit) runs inside ``authenticate()`` (core.auth); an
        attempt it refuses answers 429 with Retry-After instead of 400."""
        try:
            return super().post(request, *args, **kwargs)
        except exceptions.ValidationError:
            wait = getattr(request, "login_retry_after", 0)
            if wait:
                raise exceptions.Throttled(wait=wait, detail=locked_message(wait))
            raise


class AuditEventSerializer(StrictModelSerializer):
    actor = serializers.SerializerMethodField()
    target_type = serializers.CharField(source="target_type.model", read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "actor",
            "organization_id",
            "region_code",
            "action",
            "target_type",
            "target_id",
            "from_status",
            "to_status",
            "reason",
            "data",
        ]

    def get_actor(self, obj) -> str | None:
        """Who acted, by display name and role (never the username)."""
        return display_name(obj.actor) if obj.actor_id else None


class AuditEventList(generics.ListAPIView):
    """The audit trail visible to the caller (officials: their jurisdiction)."""

    serializer_class = AuditEventSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["action", "target_id", "organization_id"]

    def get_queryset(self):
        return visible_audit_events(self.request.user)
