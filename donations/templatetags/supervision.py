"""Panels of the supervision features included in pages owned elsewhere (the entry page, the
ledger, the workspace) with one ``{% include %}`` line each; each costs a fixed number of
queries whatever the number of questions or deliveries."""

from django import template
from django.utils import timezone

from core.states import allowed_actions
from donations import receivers
from donations.actions import can_write
from donations.forms_supervise import AnswerForm, QuestionForm, ReceiverDeliveryForm
from donations.models import Evidence, LedgerEntry, Question, ReceiverDelivery

register = template.Library()
FLAGS_SHOWN = 20


@register.simple_tag(takes_context=True)
def questions_panel(context, entry) -> dict:
    """Questions on ``entry`` (public, masked), the answer forms the person may use, the public
    evidence files and the end receiver's delivery or sign-for."""
    request = context.get("request")
    user = getattr(request, "user", None)
    found = list(Question.objects.filter(entry_id=entry.pk).order_by("asked_at", "id"))
    for question in found:
        question.entry = entry  # the guards read the holder: no query per question
        question.actions = allowed_actions(user, question) if user else []
    delivery = (
        ReceiverDelivery.objects.filter(entry_id=entry.pk)
        | ReceiverDelivery.objects.filter(signed_entry_id=entry.pk)
    ).first()
    return {
        "questions": found,
        "overdue": sum(1 for q in found if q.overdue),
        "ask_form": QuestionForm(),
        "answer_form": AnswerForm(),
        "public_evidence": list(
            Evidence.objects.filter(entry_id=entry.pk, private=False).order_by("id")
        ),
        "delivery": delivery,
        "delivery_state": receivers.link_state(delivery) if delivery else "",
    }


@register.simple_tag
def supervision_flags() -> dict:
    """For the public ledger: open questions past their deadline and end receivers' sign-fors
    that found a shortfall or a specification mismatch (newest first)."""
    now = timezone.now()
    overdue = list(
        Question.objects.filter(status=Question.Status.OPEN, due_at__lt=now)
        .select_related("entry__holder")
        .order_by("due_at")[:FLAGS_SHOWN]
    )
    flagged = list(
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.RECEIVER_SIGNED)
        .exclude(reason="", shortfall=False)
        .select_related("holder", "receiver_signature")
        .order_by("-id")[:FLAGS_SHOWN]
    )
    return {"overdue": overdue, "receiver_flags": flagged}


@register.simple_tag(takes_context=True)
def receiver_panel(context, org) -> dict:
    """The workspace's deliveries to end receivers and the form to hand goods over."""
    request = context.get("request")
    user = getattr(request, "user", None)
    deliveries = list(
        ReceiverDelivery.objects.filter(entry__holder_id=org.pk)
        .select_related("entry")
        .order_by("-created_at", "-id")[:50]
    )
    now = timezone.now()
    for delivery in deliveries:
        delivery.state = receivers.link_state(delivery, now)
    return {
        "deliveries": deliveries,
        "writable": bool(user) and can_write(user, org),
        "form": ReceiverDeliveryForm(),
    }
