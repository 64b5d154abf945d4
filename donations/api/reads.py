"""Public reads: entries (cursor), totals, trace, chain head."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, pagination
from rest_framework.response import Response
from rest_framework.views import APIView

from donations import chain, queries
from donations.api.serializers import (
    MAX_ID,
    EntryOut,
    HeadOut,
    TotalsOut,
    TraceOut,
)
from donations.models import LedgerEntry


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


class EntryList(generics.ListAPIView):
    """The public ledger, newest first, cursor-paginated."""

    serializer_class = EntryOut
    pagination_class = LedgerCursor
    filterset_class = EntryFilter
    queryset = LedgerEntry.objects.none()

    def get_queryset(self):
        return queries.public_entries()


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
            if not queries.is_id(value):
                raise DjangoValidationError({name: [_("Enter a whole number.")]})
            scope[f"{name}_id"] = int(value)
    return scope


class TraceView(APIView):
    """What became of one receipt, step by step: no personal data."""

    serializer_class = TraceOut

    @extend_schema(responses={200: TraceOut})
    def get(self, request, trace_code: str):
        found = queries.trace(trace_code)
        if found is None:
            raise Http404
        return Response(TraceOut(found).data)


class HeadView(APIView):
    """The chain's length and latest hash, to compare with a downloaded export."""

    serializer_class = HeadOut

    @extend_schema(responses={200: HeadOut})
    def get(self, request):
        head = chain.ChainHead.objects.filter(id=1).first()
        return Response(
            {"count": head.seq if head else 0, "head_hash": head.head_hash if head else ""}
        )
