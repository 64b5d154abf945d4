from rest_framework import exceptions, generics, permissions, serializers
from rest_framework.authtoken import serializers as authtoken
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.throttling import AnonRateThrottle

from core import ratelimit
from core.api import StrictFieldsMixin, StrictModelSerializer
from core.forms import LOCKED_MESSAGE, client_ip
from core.models import AuditEvent
from core.parsers import JSONParser
from core.queries import visible_audit_events


class AuthTokenSerializer(StrictFieldsMixin, authtoken.AuthTokenSerializer):
    """DRF's username + password, refusing unknown keys like every input of the API (same name
    as DRF's: the schema's component stays ``AuthToken``)."""


class ObtainTokenView(ObtainAuthToken):
    """POST {"username", "password"} -> {"token"}."""

    throttle_classes = [AnonRateThrottle]
    serializer_class = AuthTokenSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]  # DRF's view names its own

    def post(self, request, *args, **kwargs):
        username = str(request.data.get("username", ""))
        ip = client_ip(request)
        if ratelimit.is_locked(username, ip):
            raise exceptions.Throttled(detail=str(LOCKED_MESSAGE))
        try:
            response = super().post(request, *args, **kwargs)
        except exceptions.ValidationError:
            ratelimit.record_failure(username, ip)
            raise
        ratelimit.clear(username)
        return response


class AuditEventSerializer(StrictModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)
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


class AuditEventList(generics.ListAPIView):
    """The audit trail visible to the caller (officials: their jurisdiction)."""

    serializer_class = AuditEventSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["action", "target_id", "organization_id"]

    def get_queryset(self):
        return visible_audit_events(self.request.user)
