"""Public reads: entries (cursor), totals, trace, chain head."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, pagination, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import DateTimeField, DecimalField, StrictSerializer
from core.fastjson import Computed, FastList, FastListMixin
from core.http import is_id
from donations import chain, queries, transparency
from donations.api.serializers import (
    MAX_ID,
    EntryOut,
    HeadOut,
    TotalsOut,
    TraceOut,
    TraceStep,
)
from donations.api.transparency import SignedHeadOut
from donations.models import LedgerEntry


class HeadWithTreeOut(HeadOut, SignedHeadOut):
    """Today's chain fields plus the newest signed tree head's."""


# --- public reads ----------------------------------------------------------------------------
class LedgerCursor(pagination.CursorPagination):
    ordering = "-seq"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class EntryFilter(filters.FilterSet):
    organization = filters.NumberFilter(
        method="by_organization", min_value=1, max_value=MAX_ID, decimal_places=0
    )
    incident = filters.NumberFilter(
        field_name="incident_id", min_value=1, max_value=MAX_ID, decimal_places=0
    )
    kind = filters.ChoiceFilter(choices=LedgerEntry.Kind.choices)
    since = filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")

    class Meta:
        model = LedgerEntry
        fields = ["organization", "incident", "kind", "since"]

    def by_organization(self, queryset, name, value):
        return queryset.filter(holder_id=value)


# The public ledger's cold path: EntryOut's fields (whatever they are) read with values(),
# lines and sources one query each for the page (core.fastjson). ``sequenced`` is a property
# of the model: true once the sequencer has given the entry its seq (issue 16). The holder's,
# counterparty's and incident's names come by scalar subqueries, not joins (planner time).
ENTRIES = FastList(
    EntryOut,
    computed={"sequenced": Computed(("seq",), lambda row, ctx: row["seq"] is not None)},
    scalar_relations=True,
)


class EntryList(FastListMixin, generics.ListAPIView):
    """The public ledger, newest first, cursor-paginated."""

    fast_list = ENTRIES
    serializer_class = EntryOut
    pagination_class = LedgerCursor
    filterset_class = EntryFilter
    queryset = LedgerEntry.objects.none()

    def get_queryset(self):
        # Only entries in the public chain (sequenced), in seq order; one is addressed by id.
        return queries.public_entries().filter(seq__isnull=False)


class EntryDetail(generics.RetrieveAPIView):
    serializer_class = EntryOut
    queryset = LedgerEntry.objects.none()

    def get_queryset(self):
        return queries.public_entries()


class TotalsView(APIView):
    """Received, allocated, disbursed and balance, money and goods value: overall, per incident
    and per organization (``?incident=``, ``?organization=`` narrow it)."""

    serializer_class = TotalsOut

    @extend_schema(responses={200: TotalsOut})
    def get(self, request):
        return Response(TotalsOut(queries.totals(**_scope(request))).data)


def _scope(request) -> dict:
    scope = {}
    for name in ("incident", "organization"):
        value = request.query_params.get(name, "")
        if value:
            if not is_id(value):
                raise DjangoValidationError({name: [_("Enter a whole number.")]})
            scope[f"{name}_id"] = int(value)
    return scope


class ShareLineOut(StrictSerializer):
    item = serializers.CharField()
    unit = serializers.CharField()
    quantity = DecimalField(max_digits=14, decimal_places=3)
    value = DecimalField(max_digits=20, decimal_places=2)


class TraceShareStep(TraceStep):
    """A step with the donor's share of it (``queries.trace_share``)."""

    recorded_at = DateTimeField()
    reversed = serializers.BooleanField(source="is_reversed")
    share_amount = DecimalField(max_digits=14, decimal_places=2)
    share_goods_value = DecimalField(max_digits=14, decimal_places=2)
    share_lines = ShareLineOut(many=True)
    share_fraction = DecimalField(source="fraction", max_digits=9, decimal_places=6)
    share_beneficiaries = DecimalField(max_digits=14, decimal_places=1)
    evidence = serializers.ListField(child=serializers.CharField(), source="evidence_hashes")


class TraceShareOut(TraceOut):
    steps = TraceShareStep(many=True)


class TraceView(APIView):
    """What became of one receipt, step by step in chain order, with the donor's share of each
    step: no personal data."""

    serializer_class = TraceShareOut

    @extend_schema(responses={200: TraceShareOut})
    def get(self, request, trace_code: str):
        found = queries.trace(trace_code)
        if found is None:
            raise Http404
        return Response(TraceShareOut(found).data)


class TraceLookupView(APIView):
    """The same, found by the charity and its donation receipt (捐赠票据) number:
    ``?organization=<id>&receipt_number=<no>`` (both required)."""

    serializer_class = TraceShareOut

    @extend_schema(
        operation_id="v1_ledger_trace_by_receipt_number",
        parameters=[
            OpenApiParameter("organization", int, required=True),
            OpenApiParameter("receipt_number", str, required=True),
        ],
        responses={
            200: TraceShareOut,
            404: OpenApiResponse(description="No receipt with this number at this organization."),
        },
    )
    def get(self, request):
        organization = request.query_params.get("organization", "")
        number = request.query_params.get("receipt_number", "").strip()
        errors = {}
        if not is_id(organization):
            errors["organization"] = [_("Choose the charity that issued the receipt.")]
        if not number or len(number) > 64:
            errors["receipt_number"] = [_("Enter the number on the donation receipt.")]
        if errors:
            raise DjangoValidationError(errors)
        found = queries.trace_by_receipt_number(int(organization), number)
        if found is None:
            raise Http404
        return Response(TraceShareOut(found).data)


class HeadView(APIView):
    """The chain's length and latest hash, to compare with a downloaded export, and the newest
    signed tree head (donations/transparency.py: ``tree_size``, ``root_hash``, ``timestamp``,
    ``signature``, ``key_id``), signed first when the chain has grown past it."""

    serializer_class = HeadWithTreeOut

    @extend_schema(responses={200: HeadWithTreeOut})
    def get(self, request):
        head = chain.ChainHead.objects.filter(id=1).first()
        return Response(
            {
                "count": head.seq if head else 0,
                "head_hash": head.head_hash if head else "",
                **transparency.head_json(transparency.current_head(head.seq if head else 0)),
            }
        )
