"""Ledger writes: each endpoint validates shape and calls one service."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.parsers import JSONParser
from core.permissions import memberships
from donations import queries, services
from donations.api.serializers import (
    AcknowledgeIn,
    AllocationIn,
    ChangeOfUseIn,
    DisbursementIn,
    EntryOut,
    ReceiptIn,
    ReverseIn,
)
from donations.models import LedgerEntry
from registry.models import Organization


def _entry_response(entry: LedgerEntry, code=status.HTTP_201_CREATED) -> Response:
    entry = queries.public_entries().get(pk=entry.pk)
    return Response(EntryOut(entry).data, status=code)


def _holder(request, data) -> Organization:
    """The organization writing: the one given, or the caller's only writable one."""
    if data.get("organization"):
        return data["organization"]
    orgs = [
        m.organization
        for m in memberships(request.user)
        if services.can_write(request.user, m.organization)
    ]
    if len(orgs) != 1:
        raise DjangoValidationError(
            {"organization": [_("Say which organization writes this entry.")]}
        )
    return orgs[0]


# --- writes ----------------------------------------------------------------------------------
class WriteView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def read(self, request):
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class ReceiptCreate(WriteView):
    """Record a donation received (money or goods lines); returns the entry and its trace code."""

    serializer_class = ReceiptIn

    @extend_schema(request=ReceiptIn, responses={201: EntryOut})
    def post(self, request):
        data = self.read(request)
        holder = _holder(request, data)
        data.pop("organization", None)
        entry = services.record_receipt(organization=holder, by=request.user, **data)
        return _entry_response(entry)


class AllocationCreate(WriteView):
    """Allocate money or goods to another verified organization."""

    serializer_class = AllocationIn

    @extend_schema(request=AllocationIn, responses={201: EntryOut})
    def post(self, request):
        data = self.read(request)
        holder = _holder(request, data)
        data.pop("organization", None)
        entry = services.allocate(organization=holder, by=request.user, **data)
        return _entry_response(entry)


class DisbursementCreate(WriteView):
    """Record money spent or goods handed out, with evidence files (PDF, PNG, JPEG)."""

    serializer_class = DisbursementIn

    @extend_schema(request=DisbursementIn, responses={201: EntryOut})
    def post(self, request):
        data = self.read(request)
        holder = _holder(request, data)
        data.pop("organization", None)
        entry = services.disburse(organization=holder, by=request.user, **data)
        return _entry_response(entry)


class AcknowledgeView(WriteView):
    """The receiving organization signs for (签收) what actually arrived."""

    serializer_class = AcknowledgeIn

    @extend_schema(request=AcknowledgeIn, responses={201: EntryOut})
    def post(self, request, pk: int):
        allocation = get_object_or_404(LedgerEntry, pk=pk, kind=LedgerEntry.Kind.ALLOCATION)
        entry = services.acknowledge(allocation=allocation, by=request.user, **self.read(request))
        return _entry_response(entry)


class ReverseView(WriteView):
    """Append a reversing entry (with reason) for an entry the caller's organization wrote."""

    serializer_class = ReverseIn

    @extend_schema(request=ReverseIn, responses={201: EntryOut})
    def post(self, request, pk: int):
        entry = get_object_or_404(LedgerEntry.objects.select_related("holder"), pk=pk)
        reversal = services.reverse(entry=entry, by=request.user, **self.read(request))
        return _entry_response(reversal)


class ChangeOfUseView(WriteView):
    """Change the use of restricted money or goods still held from an entry (filing + consent)."""

    serializer_class = ChangeOfUseIn

    @extend_schema(request=ChangeOfUseIn, responses={201: EntryOut})
    def post(self, request, pk: int):
        entry = get_object_or_404(LedgerEntry.objects.select_related("holder"), pk=pk)
        change = services.change_use(entry=entry, by=request.user, **self.read(request))
        return _entry_response(change)
