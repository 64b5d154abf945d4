"""The right to supervise (慈善法: public supervision of charitable donations): anyone may ask a
question or raise a concern on a ledger entry, and the holder organization answers in public.

Decisions where the issue was silent:

- **Anyone, no account, no CAPTCHA**: asking is throttled per client IP instead
  (``QuestionThrottle``, rate ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["questions"]``, default
  10 an hour), one budget shared by the page and the API, counted in the project's resilient
  cache (``core.cache``: survives a Redis outage).
- **Personal data**: question and answer are public, so phone and resident ID numbers in them
  are masked (``mask``: ``***``) *before* they are stored; the plain text is never kept. The
  optional contact is private to the holder's members and never published.
- **Deadline**: ``TONGZHOU_QUESTION_ANSWER_DAYS`` (5) working days after the question, at the
  same local time. Working days skip weekends only: the procurement holiday calendar lives in
  ``procurement``, which ``donations`` may not import (dependencies point one way), so public
  holidays are not skipped here.
- **Who answers**: members (admin or member role) of the entry's holder organization, verified
  or not (they answer for what they already hold); one answer per question, final.
- **Overdue**: an open question past its deadline is flagged on the entry and the public ledger
  and, once (``overdue_alerted_at``, set by a conditional update), alerted to the officials
  whose jurisdiction covers the holder's region (the supervising bureau).
"""

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from core import audit, words
from core.http import client_ip
from core.notifications import notify
from core.states import Action, Actions, move
from core.versions import bump
from donations import privacy
from donations.models import LedgerEntry, Question
from registry.queries import acting_organization

MAX_TEXT = 2000
MASK = "***"


# --- masking -----------------------------------------------------------------------------------
def mask(text: str) -> str:
    """``text`` with mainland mobile numbers and valid resident ID numbers replaced by ``***``
    (the same patterns ``donations.privacy`` refuses in the ledger's own free text)."""
    text = privacy.PHONE.sub(MASK, text or "")

    def _id(match: re.Match) -> str:
        return MASK if privacy.is_resident_id(match.group(0)) else match.group(0)

    return privacy.RESIDENT_ID.sub(_id, text)


# --- working days ------------------------------------------------------------------------------
def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The same local time ``days`` working days (Monday to Friday) after ``start``."""
    moment = timezone.localtime(start)
    added = 0
    while added < days:
        moment += dt.timedelta(days=1)
        if moment.weekday() < 5:
            added += 1
    return moment


def answer_due(asked_at: dt.datetime) -> dt.datetime:
    return add_working_days(asked_at, settings.TONGZHOU_QUESTION_ANSWER_DAYS)


# --- throttle ----------------------------------------------------------------------------------
class QuestionThrottle(SimpleRateThrottle):
    """Questions per client IP (``core.http.client_ip``), for everyone, logged in or not."""

    scope = "questions"

    def get_rate(self) -> str:
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or ""}


def throttled(request) -> float | None:
    """For the page: None when ``request`` may ask now, else the seconds to wait (counted)."""
    throttle = QuestionThrottle()
    if throttle.allow_request(request, None):
        return None
    return throttle.wait() or 1.0


# --- who may answer ----------------------------------------------------------------------------
def _holder_member(user: Any, question: Question, **context: Any) -> None:
    try:
        acting_organization(user, question.entry.holder_id, verified=False)
    except ValidationError:
        raise PermissionDenied(_("Only the holding organization answers.")) from None


QUESTION = Actions(
    Question,
    [Action("answer", Question.Status.ANSWERED, who=_holder_member)],
)


def _text(field: str, value: str, *, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [_("Write something.")]})
    if len(value) > limit:
        raise ValidationError({field: [_("Keep it under %(n)s characters.") % {"n": limit}]})
    return mask(value)


# --- services ----------------------------------------------------------------------------------
def ask_question(*, entry: LedgerEntry, text: str, contact: str = "", by: Any = None) -> Question:
    """Anyone asks about an entry (no account needed); the text is published masked, the contact
    never. The holder's members are told; the answer is due in N working days."""
    text = _text("text", text)
    contact = (contact or "").strip()
    if len(contact) > 200:
        raise ValidationError({"contact": [_("Keep it under %(n)s characters.") % {"n": 200}]})
    now = timezone.now()
    with transaction.atomic():
        question = Question.objects.create(
            entry=entry, text=text, contact=contact, asked_at=now, due_at=answer_due(now)
        )
        question.entry = entry
        audit.record_on(
            question,
            actor=by,
            action="donations.question_asked",
            data={"seq": entry.seq, "question": question.pk},
        )
        notify(
            title=lambda: _("A question on ledger entry #%(seq)s") % {"seq": entry.number},
            body=lambda: (
                _("Answer it publicly by %(due)s.") % {"due": words.datetime_text(question.due_at)}
            ),
            link=f"/ledger/entries/{entry.pk}/#questions",
            audience={"organizations": [entry.holder_id], "verified_only": False},
            actor=by,
            kind="deadline",
        )
    return question


def answer_question(*, question: Question, by: Any, answer: str) -> Question:
    """The holder's members answer once, publicly (masked); time taken is shown with it."""
    QUESTION.check("answer", by, question)
    answer = _text("answer", answer)
    return move(
        question,
        Question.Status.ANSWERED,
        by=by,
        action="donations.question_answered",
        changes={"answer": answer, "answered_at": timezone.now(), "answered_by": by},
        data={"seq": question.entry.seq, "entry": question.entry_id},
    )


def alert_overdue_questions(*, now: dt.datetime | None = None) -> int:
    """The beat job: alert the supervising bureau (officials whose jurisdiction covers the
    holder's region) once per open question past its deadline. Returns how many were alerted."""
    now = now or timezone.now()
    due = (
        Question.objects.filter(
            status=Question.Status.OPEN, due_at__lt=now, overdue_alerted_at__isnull=True
        )
        .select_related("entry__holder")
        .order_by("due_at", "id")
    )
    alerted = 0
    for question in due.iterator(chunk_size=200):
        holder = question.entry.holder
        with transaction.atomic():
            won = Question.objects.filter(
                pk=question.pk, status=Question.Status.OPEN, overdue_alerted_at__isnull=True
            ).update(overdue_alerted_at=now)
            bump("donations")  # QuerySet.update() sends no signal
            if won != 1:
                continue  # answered meanwhile, or another worker alerted it
            audit.record_on(
                question,
                actor=None,
                action="donations.question_overdue",
                data={
                    "seq": question.entry.seq,
                    "entry": question.entry_id,
                    "question": question.pk,
                },
            )
            notify(
                title=lambda: _("A public question on the ledger is unanswered"),
                body=lambda name=holder.name, seq=question.entry.number: (
                    _("%(org)s has not answered a question on entry #%(seq)s by its deadline.")
                    % {"org": name, "seq": seq}
                ),
                link=f"/ledger/entries/{question.entry_id}/#questions",
                level="yellow",
                audience={"officials_for": holder.region_code},
                kind="deadline",
            )
        alerted += 1
    return alerted
