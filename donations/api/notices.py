"""Telling a donor their receipt's trace code (``donations.notify``), for API callers: the twin
of the form on the receipt page."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import StrictSerializer
from donations import notify
from donations.models import LedgerEntry


class TraceNoticeIn(StrictSerializer):
    consent = serializers.BooleanField(
        help_text="The donor agreed to receive the trace code; without it nothing is sent."
    )
    sms = serializers.BooleanField(
        default=False, help_text="By SMS to the donor phone recorded with the receipt."
    )
    email = serializers.CharField(
        max_length=254, allow_blank=True, default="", help_text="E-mail address of the donor."
    )


class TraceNoticeOut(serializers.Serializer):
    channels = serializers.ListField(child=serializers.CharField())


class TraceNoticeView(APIView):
    """Send a receipt's trace code to its donor by SMS and/or e-mail, with the donor's consent
    (members of the recording organization; queued in the alerts outbox: 202)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=TraceNoticeIn, responses={202: TraceNoticeOut})
    def post(self, request, pk: int):
        entry = get_object_or_404(LedgerEntry.objects.select_related("holder", "incident"), pk=pk)
        data = TraceNoticeIn(data=request.data)
        data.is_valid(raise_exception=True)
        channels = notify.send_trace_code(entry=entry, by=request.user, **data.validated_data)
        return Response({"channels": channels}, status=status.HTTP_202_ACCEPTED)
