"""Pages of the right to supervise and of end receivers: asking and answering questions on an
entry, handing goods to a receiver with a one-time sign-for link (QR code), the receiver's
sign-for page (a phone, no account), and public evidence files (metadata stripped)."""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.forms import REFUSED_TAG
from core.permissions import is_member_of
from core.states import InvalidTransition, refusal_text
from donations import questions, receivers
from donations.forms_supervise import AnswerForm, QuestionForm, ReceiverDeliveryForm, SignForm
from donations.models import Evidence, LedgerEntry, Question, ReceiverDelivery
from registry.models import Organization


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


@require_POST
def ask(request, pk: int):
    """Anyone asks about an entry (no account); throttled per IP (429 with a clear page)."""
    entry = get_object_or_404(LedgerEntry.objects.select_related("holder"), pk=pk)
    form = QuestionForm(request.POST)
    wait = questions.throttled(request)
    if wait is not None:
        response = render(
            request,
            "donations/question_ask.html",
            {"entry": entry, "form": form, "throttled": True},
            status=429,
        )
        response["Retry-After"] = str(int(wait) + 1)
        return response
    if form.is_valid():
        try:
            questions.ask_question(
                entry=entry,
                text=form.cleaned_data["text"],
                contact=form.cleaned_data["contact"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(
                request,
                _("Your question is published; the answer is due within %(n)s working days.")
                % {"n": settings.TONGZHOU_QUESTION_ANSWER_DAYS},
            )
            return redirect(reverse("donations:entry", args=[pk]) + "#questions")
    return render(
        request, "donations/question_ask.html", {"entry": entry, "form": form}, status=400
    )


@login_required
@require_POST
def answer(request, pk: int):
    """The holder's members answer once, publicly (others: 403)."""
    question = get_object_or_404(Question.objects.select_related("entry__holder"), pk=pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(ValidationError(form.errors["answer"])))
    else:
        try:
            questions.answer_question(
                question=question, by=request.user, answer=form.cleaned_data["answer"]
            )
        except PermissionDenied:
            raise
        except (ValidationError, InvalidTransition) as error:
            messages.error(request, refusal_text(error))
        else:
            messages.success(request, _("Your answer is published."))
    return redirect(reverse("donations:entry", args=[question.entry_id]) + "#questions")


def _qr_svg(url: str) -> str:
    qr = segno.make(url, error="m")
    return qr.svg_inline(scale=4, dark="#111", light="#fff", omitsize=False)


def _link_page(request, delivery: ReceiverDelivery, token: str, status: int = 200):
    url = request.build_absolute_uri(reverse("donations:receiver_sign", args=[token]))
    return render(
        request,
        "donations/receiver_link.html",
        {"delivery": delivery, "url": url, "qr": mark_safe(_qr_svg(url))},  # noqa: S308
        status=status,
    )


@login_required
def receiver_create(request, org_id: int):
    """Hand goods to an end receiver; the link and its QR code are shown once, on this page."""
    org = get_object_or_404(Organization, pk=org_id)
    if not is_member_of(request.user, org):
        raise Http404
    if request.method != "POST":
        return redirect("donations:workspace", org_id=org.pk)
    form = ReceiverDeliveryForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            delivery, token = receivers.allocate_to_receiver(
                by=request.user,
                organization=org,
                receiver_name=d["receiver_name"],
                receiver_kind=d["receiver_kind"],
                region_code=d["region_code"],
                purpose=d["purpose"],
                items=d["items"],
            )
        except PermissionDenied as error:
            messages.error(request, str(error) or _("You may not do this."), extra_tags=REFUSED_TAG)
            return redirect("donations:workspace", org_id=org.pk)
        except (ValidationError, InvalidTransition) as error:
            if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
                for field, errs in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                form.add_error(None, refusal_text(error))
        else:
            return _link_page(request, delivery, token, status=201)
    return render(request, "donations/receiver_new.html", {"org": org, "form": form}, status=400)


@login_required
@require_POST
def receiver_reissue(request, pk: int):
    delivery = get_object_or_404(ReceiverDelivery.objects.select_related("entry__holder"), pk=pk)
    if not is_member_of(request.user, delivery.entry.holder_id):
        raise Http404
    try:
        token = receivers.reissue_link(delivery=delivery, by=request.user)
    except InvalidTransition as error:
        messages.error(request, error.message)
        return redirect("donations:workspace", org_id=delivery.entry.holder_id)
    delivery.refresh_from_db()
    return _link_page(request, delivery, token)


def receiver_sign(request, token: str):
    """The receiver's page (no account, a phone): sign for each line, note a mismatch, add a
    photo. A link that is unknown (404), used or expired (410) shows a clear page."""
    try:
        delivery = receivers.delivery_for_token(token)
    except receivers.LinkInvalid:
        return render(request, "donations/receiver_sign.html", {"state": "unknown"}, status=404)
    state = receivers.link_state(delivery)
    context = {"delivery": delivery, "state": state, "entry": delivery.entry}
    if state != "open":
        return render(request, "donations/receiver_sign.html", context, status=410)
    lines = list(delivery.entry.lines.all())
    posted = request.method == "POST"
    form = SignForm(
        request.POST if posted else None, request.FILES if posted else None, lines=lines
    )
    if posted and form.is_valid():
        d = form.cleaned_data
        try:
            signed = receivers.sign_for(
                token=token,
                lines=form.signed_lines(),
                signer_name=d["signer_name"],
                signer_role=d["signer_role"],
                photos=d.get("photos") or None,
            )
        except InvalidTransition as error:
            context.update(state="used", message=error.message)
            return render(request, "donations/receiver_sign.html", context, status=410)
        except ValidationError as error:
            for field, errs in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            context.update(state="signed", signed=signed)
            delivery.refresh_from_db()
            return render(request, "donations/receiver_sign.html", context)
    context["form"] = form
    return render(request, "donations/receiver_sign.html", context, status=400 if posted else 200)


@require_safe
def public_evidence(request, pk: int):
    """Evidence not marked private, for anyone: images were stripped of metadata (GPS ...) at
    upload, so these are the chained bytes."""
    evidence = get_object_or_404(Evidence, pk=pk, private=False)
    return FileResponse(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        as_attachment=evidence.content_type == "application/pdf",
        filename=evidence.original_name or "evidence",
    )
