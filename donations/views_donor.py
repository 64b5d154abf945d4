"""The donor's side of the ledger: the printable receipt with its trace code and QR code, the
chain head as a page, and telling the donor their trace code after a receipt is recorded.

Who sees the receipt page (decided here; the issue left it open):

- anyone who has the trace code sees the receipt's public facts (the trace code is itself part
  of the public chain, so the page reveals nothing the export does not): the charity's name,
  the masked donor, amount or goods, dates, receipt number, the trace code and its QR code;
- members of the organization that recorded it also see the donor's full name (the private
  ``DonorDetails``, until the personal-data purge blanks it) and what was sent to the donor,
  so the receipt they print for the donor carries the name. It is reached from the workspace
  (straight after recording) and from the entry page.
"""

from datetime import UTC, datetime

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from core.forms import REFUSED_TAG
from core.permissions import is_member_of
from donations import notify, transparency
from donations.models import ChainHead, Channel, DonorDetails, DonorKind, LedgerEntry, Witness

Kind = LedgerEntry.Kind


class DonorNoticeForm(forms.Form):
    """The "tell the donor" fields sent with the workspace's receipt form (prefix ``r``)."""

    notify_sms = forms.BooleanField(required=False)
    donor_email = forms.CharField(max_length=254, required=False)
    notify_consent = forms.BooleanField(required=False)


def receipt_recorded(request, entry: LedgerEntry) -> HttpResponse:
    """After the workspace recorded ``entry``: send its trace code when the form asked for it
    (``donations.notify.send_trace_code`` decides), then show the receipt.

    The receipt is already committed: a refused notice (no consent, no mobile number, a bad
    address) is a warning on the receipt page, never a lost receipt."""
    form = DonorNoticeForm(request.POST, prefix="r")
    if not form.is_valid():
        why = "; ".join(str(m) for errors in form.errors.values() for m in errors)
        messages.warning(request, _("The trace code was not sent: %(why)s") % {"why": why})
    data = form.cleaned_data if form.is_valid() else {}
    sms, email = data.get("notify_sms", False), data.get("donor_email", "")
    if sms or email or data.get("notify_consent"):
        try:
            channels = notify.send_trace_code(
                entry=entry,
                by=request.user,
                consent=data.get("notify_consent", False),
                sms=sms,
                email=email,
            )
        except (ValidationError, PermissionDenied) as exc:
            why = "; ".join(getattr(exc, "messages", None) or [str(exc)])
            messages.warning(request, _("The trace code was not sent: %(why)s") % {"why": why})
        else:
            messages.success(request, _sent(channels))
    messages.info(
        request,
        _("Give the donor this trace code: %(code)s.") % {"code": entry.trace_code},
    )
    return redirect("donations:receipt", trace_code=entry.trace_code)


class TraceNoticeForm(forms.Form):
    """Send the trace code later, from the receipt page (the charity's members)."""

    sms = forms.BooleanField(
        label=gettext_lazy("By SMS to the donor phone on file"), required=False
    )
    email = forms.CharField(
        label=gettext_lazy("Donor e-mail (private, used only to send the trace code)"),
        max_length=254,
        required=False,
    )
    consent = forms.BooleanField(
        label=gettext_lazy("The donor agreed to receive it"), required=False
    )


@login_required
@require_POST
def send(request, trace_code: str):
    """The receipt page's "send the trace code" form: one call of
    ``donations.notify.send_trace_code``, which decides who may send and checks consent."""
    entry = _receipt(trace_code)
    form = TraceNoticeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the form: %(why)s") % {"why": _errors(form)})
    else:
        try:
            channels = notify.send_trace_code(entry=entry, by=request.user, **form.cleaned_data)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("You may not do this."), extra_tags=REFUSED_TAG)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, _sent(channels))
    return redirect("donations:receipt", trace_code=entry.trace_code)


def _errors(form: forms.Form) -> str:
    return "; ".join(str(m) for errors in form.errors.values() for m in errors)


def _sent(channels: list[str]) -> str:
    names = {"sms": _("SMS"), "email": _("e-mail")}
    return _("The trace code is on its way to the donor by %(channels)s.") % {
        "channels": _(" and ").join(names[c] for c in channels)
    }


def _receipt(trace_code: str) -> LedgerEntry:
    entry = (
        LedgerEntry.objects.select_related("holder", "incident")
        .prefetch_related("lines")
        .annotate(
            is_reversed=Exists(
                LedgerEntry.objects.filter(kind=Kind.REVERSAL, related=OuterRef("pk"))
            )
        )
        .filter(kind=Kind.RECEIPT, trace_code=trace_code.strip().upper())
        .first()
    )
    if entry is None:
        raise Http404
    return entry


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG (drawn on the server, scaled by CSS)."""
    return segno.make(url, error="m").svg_inline(
        scale=1,
        border=2,
        omitsize=True,
        svgclass="qr",
        lineclass=None,
        title=_("QR code of the public trace page"),
    )


@require_safe
def receipt(request, trace_code: str):
    """The printable receipt of one donation, found by its trace code (see the module's
    docstring for who sees what). A fixed number of queries."""
    entry = _receipt(trace_code)
    charity = is_member_of(request.user, entry.holder)
    url = notify.trace_url(entry.trace_code)
    context = {
        "entry": entry,
        "lines": list(entry.lines.all()),
        "charity": charity,
        "trace_url": url,
        "qr": qr_svg(url),
        "channel_label": dict(Channel.choices).get(entry.channel, ""),
        "donor_kind_label": dict(DonorKind.choices).get(entry.donor_kind, ""),
    }
    if charity:
        context["details"] = DonorDetails.objects.filter(entry=entry).first()
        context["notices"] = notify.notices(entry)
    return render(request, "donations/receipt.html", context)


@require_safe
def head(request):
    """The chain head for people: what it is, its sequence number, hash and time, and how to
    check it (in the page, or with the script in docs/ledger-chain.md); the newest signed tree
    head with the witnesses' countersignatures, and the platform's public key (its "#key"
    anchor is where the README points). A fixed number of queries (signing lazily when the
    chain has grown past the newest head)."""
    row = ChainHead.objects.filter(id=1).first()
    last = (
        LedgerEntry.objects.filter(seq=row.seq).only("id", "seq", "recorded_at", "hash").first()
        if row and row.seq
        else None
    )
    signed = transparency.current_head(row.seq if row else 0)
    countersignatures = list(signed.countersignatures.select_related("witness")) if signed else []
    return render(
        request,
        "donations/head.html",
        {
            "head": row if last else None,
            "last": last,
            "signed": signed if signed and signed.tree_size else None,
            "signed_at": _moment(signed.timestamp) if signed and signed.timestamp else None,
            "countersignatures": countersignatures,
            "key": transparency.platform_key(),
            "witnesses": list(Witness.objects.filter(active=True)),
            "message_format": transparency.HEAD_FORMAT,
        },
    )


def _moment(timestamp_ms: int):
    return datetime.fromtimestamp(timestamp_ms / 1000, tz=UTC)
