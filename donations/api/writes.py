"""Ledger writes: each endpoint validates shape and calls one service."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import refuse_input
from core.parsers import JSONParser
from donations import queries, services
from donations.api.serializers import (
    AcknowledgeIn,
    AllocationIn,
    ChangeOfUseIn,
    DisbursementIn,
    EntryOut,
    PrivateOut,
    ReceiptIn,
    ReverseIn,
    ShortfallIn,
)
from donations.models import LedgerEntry


def _entry_response(entry: LedgerEntry, code=status.HTTP_201_CREATED) -> Response:
    entry = queries.public_entries().get(pk=entry.pk)
    return Response(EntryOut(entry).data, status=code)


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
        entry = services.record_receipt(by=request.user, **self.read(request))
        return _entry_response(entry)


class AllocationCreate(WriteView):
    """Allocate money or goods to another verified organization."""

    serializer_class = AllocationIn

    @extend_schema(request=AllocationIn, responses={201: EntryOut})
    def post(self, request):
        entry = services.allocate(by=request.user, **self.read(request))
        return _entry_response(entry)


class DisbursementCreate(WriteView):
    """Record money spent or goods handed out, with evidence files (PDF, PNG, JPEG)."""

    serializer_class = DisbursementIn

    @extend_schema(request=DisbursementIn, responses={201: EntryOut})
    def post(self, request):
        entry = services.disburse(by=request.user, **self.read(request))
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


class RevealPrivateView(APIView):
    """The salt and plain private fields of a receipt (handler, donor name, phone, address), for
    the holder's members (others: 404), so a donor or auditor can check the chain's
    commitments; audited. POST because every reveal is recorded."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={200: PrivateOut})
    def post(self, request, pk: int):
        refuse_input(request)
        entry = get_object_or_404(LedgerEntry.objects.select_related("holder", "incident"), pk=pk)
        return Response(PrivateOut(services.reveal_private(entry=entry, by=request.user)).data)


class ShortfallView(WriteView):
    """Resolve a shortfall signed for on an allocation: ``recovered`` or ``written_off`` (with a
    reason) by the allocating organization, ``replaced`` by the receiver; each is an entry."""

    serializer_class = ShortfallIn

    @extend_schema(request=ShortfallIn, responses={201: EntryOut})
    def post(self, request, pk: int):
        allocation = get_object_or_404(
            LedgerEntry.objects.select_related("holder", "counterparty"),
            pk=pk,
            kind=LedgerEntry.Kind.ALLOCATION,
        )
        entry = services.resolve_shortfall(
            allocation=allocation, by=request.user, **self.read(request)
        )
        return _entry_response(entry)
