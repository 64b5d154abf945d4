"""Registry API (foundation part: /api/v1/me/). The registry issue adds the rest."""

from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core import permissions as perms
from core.api import IntegerField, StrictSerializer


class MembershipOutSerializer(StrictSerializer):
    organization = IntegerField(source="organization_id")
    organization_name = serializers.CharField(source="organization.name")
    role = serializers.CharField()


class MeSerializer(StrictSerializer):
    id = IntegerField()
    username = serializers.CharField()
    email = serializers.EmailField()
    memberships = MembershipOutSerializer(many=True)
    jurisdiction = serializers.CharField(allow_null=True)
    jurisdictions = serializers.ListField(child=serializers.CharField())


class MeView(APIView):
    """The current user, memberships, and for officials their jurisdiction (region code)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MeSerializer

    def get(self, request):
        user = request.user
        regions = perms.jurisdictions(user)
        data = {
            "id": user.pk,
            "username": user.get_username(),
            "email": user.email,
            "memberships": perms.memberships(user),
            "jurisdiction": regions[0] if regions else None,
            "jurisdictions": regions,
        }
        return Response(MeSerializer(data).data)
