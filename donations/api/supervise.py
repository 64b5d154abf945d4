"""API of the right to supervise and of end receivers (docs/DOMAIN.md, "Supervision and end
receivers"): questions on entries (anyone asks, throttled per IP; the holder answers), goods
handed to end receivers with a one-time sign-for link, and the receiver's sign-for."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import (
    ActingOrganizationField,
    DecimalField,
    IntegerField,
    NameField,
    StrictSerializer,
    refuse_input,
)
from core.parsers import JSONParser
from core.states import InvalidTransition
from donations import queries, questions, receivers
from donations.api.serializers import EntryOut, ItemIn, JSONListField
from donations.models import LedgerEntry, Question, ReceiverDelivery, ReceiverKind


# --- questions ---------------------------------------------------------------------------------
class QuestionIn(StrictSerializer):
    text = serializers.CharField(max_length=questions.MAX_TEXT)
    contact = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class AnswerIn(StrictSerializer):
    answer = serializers.CharField(max_length=questions.MAX_TEXT)


class QuestionOut(StrictSerializer):
    """Public: masked text and answer, times; never the contact."""

    id = IntegerField()
    entry = IntegerField(source="entry_id")
    text = serializers.CharField()
    status = serializers.CharField()
    asked_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    overdue = serializers.BooleanField()
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    time_taken_seconds = serializers.SerializerMethodField()

    def get_time_taken_seconds(self, question) -> int | None:
        taken = question.time_taken
        return int(taken.total_seconds()) if taken is not None else None


class EntryQuestions(APIView):
    """GET: the questions on an entry (public). POST: ask one — anyone, no account; throttled
    per client IP (429)."""

    permission_classes = [permissions.AllowAny]

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.request.method == "POST":
            throttles.append(questions.QuestionThrottle())
        return throttles

    @extend_schema(responses={200: QuestionOut(many=True)})
    def get(self, request, pk: int):
        entry = get_object_or_404(LedgerEntry, pk=pk)
        found = Question.objects.filter(entry=entry).order_by("asked_at", "id")
        return Response(QuestionOut(found, many=True).data)

    @extend_schema(request=QuestionIn, responses={201: QuestionOut})
    def post(self, request, pk: int):
        entry = get_object_or_404(LedgerEntry.objects.select_related("holder"), pk=pk)
        data = QuestionIn(data=request.data)
        data.is_valid(raise_exception=True)
        question = questions.ask_question(entry=entry, by=request.user, **data.validated_data)
        return Response(QuestionOut(question).data, status=status.HTTP_201_CREATED)


class AnswerQuestion(APIView):
    """The holder's members answer a question once, publicly (others: 403; twice: 409)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=AnswerIn, responses={200: QuestionOut})
    def post(self, request, pk: int):
        question = get_object_or_404(Question.objects.select_related("entry__holder"), pk=pk)
        data = AnswerIn(data=request.data)
        data.is_valid(raise_exception=True)
        question = questions.answer_question(
            question=question, by=request.user, **data.validated_data
        )
        return Response(QuestionOut(question).data)


# --- end receivers -----------------------------------------------------------------------------
class ReceiverDeliveryIn(StrictSerializer):
    organization = ActingOrganizationField(
        help_text="Whose ledger is written; optional if you write for only one organization."
    )
    receiver_name = NameField(max_length=200)
    receiver_kind = serializers.ChoiceField(choices=ReceiverKind.choices)
    region_code = serializers.RegexField(r"^\d{6}$")
    purpose = serializers.CharField(max_length=200)
    items = JSONListField(child=ItemIn(), min_length=1, max_length=200)
    sources = JSONListField(child=serializers.DictField(), required=False, max_length=200)


class SignedLineOut(StrictSerializer):
    name = serializers.CharField()
    unit = serializers.CharField()
    sent = serializers.CharField()
    signed = serializers.CharField()
    note = serializers.CharField(allow_blank=True)


class ReceiverDeliveryOut(StrictSerializer):
    """A delivery to an end receiver, public parts only (the signer's name is not)."""

    id = IntegerField()
    entry = IntegerField(source="entry_id")
    receiver_name = serializers.CharField()
    receiver_kind = serializers.CharField()
    region_code = serializers.CharField()
    status = serializers.CharField()
    expires_at = serializers.DateTimeField()
    signed_entry = IntegerField(source="signed_entry_id", allow_null=True)
    signed_at = serializers.DateTimeField(allow_null=True)
    signer_role = serializers.CharField(allow_blank=True)
    signed_lines = SignedLineOut(many=True)


class ReceiverLinkOut(ReceiverDeliveryOut):
    token = serializers.CharField()
    link = serializers.CharField()


def _link_response(request, delivery: ReceiverDelivery, token: str, code: int) -> Response:
    link = request.build_absolute_uri(reverse("donations:receiver_sign", args=[token]))
    body = ReceiverDeliveryOut(delivery).data | {"token": token, "link": link}
    return Response(body, status=code)


class ReceiverDeliveryCreate(APIView):
    """Hand goods to an end receiver without an account (a disbursement) and get the one-time
    sign-for link; the token is returned only here."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=ReceiverDeliveryIn, responses={201: ReceiverLinkOut})
    def post(self, request):
        data = ReceiverDeliveryIn(data=request.data)
        data.is_valid(raise_exception=True)
        delivery, token = receivers.allocate_to_receiver(by=request.user, **data.validated_data)
        return _link_response(request, delivery, token, status.HTTP_201_CREATED)


class ReceiverLinkReissue(APIView):
    """A new link for a delivery not yet signed for (the old link stops working)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={200: ReceiverLinkOut})
    def post(self, request, pk: int):
        refuse_input(request)
        delivery = get_object_or_404(ReceiverDelivery.objects.select_related("entry"), pk=pk)
        token = receivers.reissue_link(delivery=delivery, by=request.user)
        delivery.refresh_from_db()
        return _link_response(request, delivery, token, status.HTTP_200_OK)


class SignLineIn(StrictSerializer):
    quantity = DecimalField(max_digits=14, decimal_places=3, min_value=0)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class SignIn(StrictSerializer):
    lines = JSONListField(child=SignLineIn(), min_length=1, max_length=200)
    signer_name = NameField(max_length=100)
    signer_role = serializers.CharField(max_length=100)
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=5)


class ReceiverSign(APIView):
    """GET: what was sent (public parts). POST: the receiver signs for it — no account, the
    token is the authority; used: 409, expired: 409, unknown: 404."""

    permission_classes = [permissions.AllowAny]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def _delivery(self, token: str) -> ReceiverDelivery:
        try:
            return receivers.delivery_for_token(token)
        except receivers.LinkInvalid:
            raise NotFound from None

    @extend_schema(responses={200: ReceiverDeliveryOut})
    def get(self, request, token: str):
        return Response(ReceiverDeliveryOut(self._delivery(token)).data)

    @extend_schema(request=SignIn, responses={201: EntryOut})
    def post(self, request, token: str):
        self._delivery(token)
        data = SignIn(data=request.data)
        data.is_valid(raise_exception=True)
        entry = receivers.sign_for(token=token, **data.validated_data)
        entry = queries.public_entries().get(pk=entry.pk)
        return Response(EntryOut(entry).data, status=status.HTTP_201_CREATED)


__all__ = ["InvalidTransition"]
