"""The transparency log's API (donations/transparency.py): signed heads, inclusion and
consistency proofs, witnesses' countersignatures. Public, anonymous, throttled like every
public read; the proofs read O(log n) stored nodes.

Decisions: a proof's ``tree_size`` (or ``second``) may be any size up to the newest signed
head, not only a head's size (RFC 9162 allows it; the client compares the root it computes
with a head it holds); without ``tree_size`` the inclusion proof is against the newest head,
signed first if the chain has grown past it. A countersignature needs no account: the
signature itself, checked with the registered witness's key, is the authentication.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import DateTimeField, IntegerField, StrictSerializer
from donations import transparency
from donations.models import LedgerEntry, SignedHead

MAX_SIZE = 2**53 - 1  # what a JavaScript number holds exactly


class SignedHeadOut(StrictSerializer):
    tree_size = IntegerField(help_text="Number of entries (leaves) the head covers.")
    root_hash = serializers.CharField(help_text="RFC 9162 Merkle tree root, 64 hex characters.")
    timestamp = IntegerField(
        allow_null=True, help_text="When it was signed, milliseconds since 1970-01-01 UTC."
    )
    signature = serializers.CharField(
        help_text="Ed25519 signature (base64) of "
        '"tongzhou-ledger-head/v1\\n<tree_size>\\n<root_hash>\\n<timestamp>\\n".'
    )
    key_id = serializers.CharField(
        help_text="First 16 hex characters of SHA-256 of the raw 32-byte public key."
    )


class CountersignatureOut(StrictSerializer):
    witness = serializers.CharField(source="witness.name")
    public_key = serializers.CharField(source="witness.public_key")
    signature = serializers.CharField()
    signed_at = DateTimeField()


class HeadDetailOut(SignedHeadOut):
    countersignatures = CountersignatureOut(many=True)


class InclusionOut(StrictSerializer):
    seq = IntegerField()
    leaf_index = IntegerField(help_text="seq - 1.")
    tree_size = IntegerField()
    entry_hash = serializers.CharField(help_text="The entry's chain hash: the leaf data.")
    leaf_hash = serializers.CharField(help_text="SHA-256(0x00 || entry hash bytes), hex.")
    audit_path = serializers.ListField(child=serializers.CharField(), help_text="Bottom-up.")
    root_hash = serializers.CharField()
    head = SignedHeadOut(
        allow_null=True, help_text="The signed head of exactly this tree size, if there is one."
    )


class ConsistencyOut(StrictSerializer):
    first = IntegerField()
    second = IntegerField()
    first_root = serializers.CharField()
    second_root = serializers.CharField()
    consistency_path = serializers.ListField(child=serializers.CharField())


class CountersignIn(StrictSerializer):
    witness = serializers.CharField(max_length=200, help_text="The witness's registered name.")
    signature = serializers.CharField(
        max_length=100, help_text="Ed25519 signature (base64) of the head's message."
    )


def _size(request, name: str, required: bool) -> int | None:
    raw = request.query_params.get(name, "")
    if raw == "" and not required:
        return None
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_SIZE:
        raise DjangoValidationError({name: [_("Give a whole number of entries, at least 1.")]})
    return int(raw)


def _beyond(name: str, size: int, newest: int) -> DjangoValidationError:
    return DjangoValidationError(
        {
            name: [
                _("%(size)s is beyond the newest signed head, which covers %(newest)s entries.")
                % {"size": size, "newest": newest}
            ]
        }
    )


def _newest_size() -> int:
    head = transparency.current_head()
    return head.tree_size if head else 0


class InclusionProofView(APIView):
    """The RFC 9162 inclusion proof (audit path) of entry ``seq`` in the tree of
    ``tree_size`` entries (default: the newest signed head)."""

    serializer_class = InclusionOut

    @extend_schema(
        operation_id="v1_ledger_proof_inclusion",
        parameters=[
            OpenApiParameter(
                "tree_size",
                int,
                required=False,
                description="Tree size, at least seq and at most the newest head's.",
            )
        ],
        responses={200: InclusionOut, 404: OpenApiResponse(description="No entry with this seq.")},
    )
    def get(self, request, seq: int):
        size = _size(request, "tree_size", required=False)
        entry_hash = (
            LedgerEntry.objects.filter(seq=seq).values_list("hash", flat=True).first()
            if 1 <= seq <= MAX_SIZE
            else None
        )
        if not entry_hash:
            raise Http404
        newest = transparency.current_head()
        newest_size = newest.tree_size if newest else 0
        if size is None:
            size = newest_size
        if size > newest_size:
            raise _beyond("tree_size", size, newest_size)
        if size < seq:
            raise DjangoValidationError(
                {
                    "tree_size": [
                        _("Entry No. %(seq)s is not in a tree of %(size)s entries.")
                        % {"seq": seq, "size": size}
                    ]
                }
            )
        proof = transparency.inclusion_proof(seq, size)
        head = newest if size == newest_size else SignedHead.objects.filter(tree_size=size).first()
        return Response(
            InclusionOut(
                {
                    **proof,
                    "entry_hash": entry_hash,
                    "head": transparency.head_json(head) if head else None,
                }
            ).data
        )


class ConsistencyProofView(APIView):
    """The RFC 9162 consistency proof that the tree of ``second`` entries extends the tree of
    ``first`` (``1 <= first <= second <=`` the newest head's size)."""

    serializer_class = ConsistencyOut

    @extend_schema(
        operation_id="v1_ledger_proof_consistency",
        parameters=[
            OpenApiParameter("first", int, required=True),
            OpenApiParameter("second", int, required=True),
        ],
        responses={200: ConsistencyOut},
    )
    def get(self, request):
        first = _size(request, "first", required=True)
        second = _size(request, "second", required=True)
        if first > second:
            raise DjangoValidationError(
                {"first": [_("The first tree size must not be larger than the second.")]}
            )
        newest = _newest_size()
        if second > newest:
            raise _beyond("second", second, newest)
        return Response(ConsistencyOut(transparency.consistency_proof(first, second)).data)


def _head(size: int) -> SignedHead:
    head = SignedHead.objects.filter(tree_size=size).first() if size <= MAX_SIZE else None
    if head is None:
        raise Http404
    return head


class HeadDetailView(APIView):
    """One signed head by its tree size, with the witnesses' countersignatures."""

    serializer_class = HeadDetailOut

    @extend_schema(
        operation_id="v1_ledger_head_by_size",
        responses={200: HeadDetailOut, 404: OpenApiResponse(description="No head of this size.")},
    )
    def get(self, request, size: int):
        head = _head(size)
        signatures = list(head.countersignatures.select_related("witness"))
        return Response(
            HeadDetailOut({**transparency.head_json(head), "countersignatures": signatures}).data
        )


class CountersignView(APIView):
    """A registered witness countersigns the head of ``size``: its Ed25519 signature over the
    same message as the platform's (201; 200 when it had already countersigned)."""

    serializer_class = CountersignIn

    @extend_schema(
        operation_id="v1_ledger_head_countersign",
        request=CountersignIn,
        responses={
            201: CountersignatureOut,
            200: CountersignatureOut,
            404: OpenApiResponse(description="No head of this size."),
        },
    )
    def post(self, request, size: int):
        head = _head(size)
        data = CountersignIn(data=request.data)
        data.is_valid(raise_exception=True)
        row, created = transparency.countersign(
            head, data.validated_data["witness"], data.validated_data["signature"]
        )
        return Response(
            CountersignatureOut(row).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class KeyOut(StrictSerializer):
    algorithm = serializers.CharField()
    public_key = serializers.CharField(help_text="The raw 32-byte Ed25519 public key, base64.")
    key_id = serializers.CharField()
    development = serializers.BooleanField(
        help_text="True when no signing key is configured and a development key is derived."
    )
    message_format = serializers.CharField()


class KeyView(APIView):
    """The platform's public key for checking signed heads (also on /ledger/head/#key)."""

    serializer_class = KeyOut

    @extend_schema(operation_id="v1_ledger_key", responses={200: KeyOut})
    def get(self, request):
        key = transparency.platform_key()
        return Response(
            KeyOut(
                {
                    "algorithm": "Ed25519",
                    "public_key": key.public_b64,
                    "key_id": key.key_id,
                    "development": key.development,
                    "message_format": transparency.HEAD_FORMAT
                    + "\\n<tree_size>\\n<root_hash>\\n<timestamp>\\n",
                }
            ).data
        )
