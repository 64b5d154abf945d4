"""Pages: the public ledger and trace (no login) and an organization's ledger workspace."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordination.models import Incident
from core.display import people
from core.forms import REFUSED_TAG
from core.http import is_id
from core.permissions import is_member_of, is_official_for
from core.states import InvalidTransition, allowed_actions
from donations import charts, forms, queries, services
from donations.models import (
    Campaign,
    ChainHead,
    Channel,
    DonorKind,
    Evidence,
    GoodsLine,
    LedgerEntry,
)
from donations.views_donor import receipt_recorded
from registry.models import Organization

PAGE = 50


def _filters(request) -> dict:
    out = {}
    for name in ("organization", "incident"):
        value = request.GET.get(name, "")
        if is_id(value):
            out[f"{'holder' if name == 'organization' else name}_id"] = int(value)
    kind = request.GET.get("kind", "")
    if kind in LedgerEntry.Kind.values:
        out["kind"] = kind
    return out


def _labels(entries: list[LedgerEntry]) -> list[LedgerEntry]:
    """Translated labels of the choice values the entry stores as plain text."""
    donor_kinds, channels = dict(DonorKind.choices), dict(Channel.choices)
    for e in entries:
        e.donor_kind_label = donor_kinds.get(e.donor_kind, e.donor_kind)
        e.channel_label = channels.get(e.channel, e.channel)
    return entries


# The columns of a row of the public ledger page (donations/_entry_row.html), read with
# values(): no model instance, no lazy lookup per row.
LEDGER_ROW_COLUMNS = {
    "id": "id",
    "seq": "seq",
    "kind": "kind",
    "occurred_at": "occurred_at",
    "recorded_at": "recorded_at",
    "is_reversed": "is_reversed",
    "shortfall": "shortfall",
    "short_signed": "short_signed",
    "goods_stuck": "goods_stuck",
    "reason": "reason",
    "restricted": "restricted",
    "holder_name": "holder__name",
    "counterparty_id": "counterparty_id",
    "counterparty_name": "counterparty__name",
    "donor_display": "donor_display",
    "donor_kind": "donor_kind",
    "incident_id": "incident_id",
    "incident_title": "incident__title",
    "purpose": "purpose",
    "region_code": "region_code",
    "amount": "amount",
}


def ledger_rows(entries, limit: int) -> tuple[list[dict], bool]:
    """Up to ``limit`` rows of ``entries`` (``queries.public_entries()`` narrowed) as plain
    dicts with their goods lines and translated labels, and whether more follow: two queries
    whatever ``limit``."""
    rows = [
        {name: row[column] for name, column in LEDGER_ROW_COLUMNS.items()}
        for row in entries.prefetch_related(None)
        .select_related(None)
        .values(*LEDGER_ROW_COLUMNS.values())[: limit + 1]
    ]
    more = len(rows) > limit
    rows = rows[:limit]
    kinds, donor_kinds = dict(LedgerEntry.Kind.choices), dict(DonorKind.choices)
    lines: dict[int, list[dict]] = {row["id"]: [] for row in rows}
    for line in GoodsLine.objects.filter(entry_id__in=list(lines)).values(
        "entry_id", "name", "quantity", "unit"
    ):
        lines[line["entry_id"]].append(line)
    for row in rows:
        row["kind_label"] = kinds.get(row["kind"], row["kind"])
        row["donor_kind_label"] = donor_kinds.get(row["donor_kind"], row["donor_kind"])
        row["lines"] = lines[row["id"]]
    return rows, more


def ledger(request):
    """Totals, charts and the entries list with filters and a seq cursor (``?before=``).

    Entries are listed in chain order (by sequence number, newest first): an entry written
    after the fact keeps its place in the chain, so the page shows both when it happened and
    when it was recorded.

    Cold path (docs/public-reads.md): the books and charts, and the entries table, are template
    fragments cached under the chain head's seq (every change to the books or to an entry's
    badges is an append that moves it), today's date (the charts' 60-day window and "held for"
    buckets) and, for the table, the hour (the "undistributed for ..." badge depends on time;
    it may show up to an hour late). Their data are lazy: on a cache hit neither the totals,
    the charts nor the entries are read; on a miss the rows are plain ``values()`` dicts."""
    flt = _filters(request)
    entries = queries.public_entries().filter(seq__isnull=False, **flt)
    before = request.GET.get("before", "")
    if is_id(before):
        entries = entries.filter(seq__lt=int(before))
    incident_id = flt.get("incident_id")
    totals = SimpleLazyObject(
        lambda: queries.totals(incident_id=incident_id, organization_id=flt.get("holder_id"))
    )

    def page() -> dict:
        rows, more = ledger_rows(entries, PAGE)
        return {"rows": rows, "next_before": rows[-1]["seq"] if more and rows else None}

    now = timezone.now()
    context = {
        "totals": totals,
        "charts": SimpleLazyObject(
            lambda: charts.ledger_charts(
                incident_id=incident_id, organizations=totals["organizations"]
            )
        ),
        "page": SimpleLazyObject(page),
        "ledger_version": ChainHead.objects.filter(id=1).values_list("seq", flat=True).first() or 0,
        "today": timezone.localdate(now),
        "hour": timezone.localtime(now).strftime("%Y%m%d%H"),
        "fragment_seconds": LEDGER_FRAGMENT_SECONDS,
        "kinds": LedgerEntry.Kind.choices,
        "incidents": Incident.objects.order_by("-started_at").values("pk", "title")[:50],
        "stuck_days": queries.stuck_days(),
        "now": now,
        "query": request.GET,
    }
    return render(request, "donations/ledger.html", context)


# How long a ledger page fragment is kept at most: its key changes with every append, so this
# only bounds how long a renamed organization or incident keeps its old name there.
LEDGER_FRAGMENT_SECONDS = 300


def trace(request):
    """Trace a donation (public): by the trace code on the receipt, or by the charity and the
    donation receipt (捐赠票据) number; shows the donor's share at each step (``trace_share``)."""
    code = request.GET.get("code", "").strip()[:20]
    organization = request.GET.get("organization", "")
    number = request.GET.get("receipt_number", "").strip()[:64]
    found, asked, problem = None, False, ""
    if code:
        asked, found = True, queries.trace(code)
    elif organization or number:
        asked = True
        if not is_id(organization):
            problem = _("Choose the charity that issued the receipt.")
        elif not number:
            problem = _("Enter the number on the donation receipt.")
        else:
            found = queries.trace_by_receipt_number(int(organization), number)
    return render(
        request,
        "donations/trace.html",
        {
            "code": code,
            "organization": organization,
            "receipt_number": number,
            "charities": queries.receipt_holders(),
            "asked": asked,
            "problem": problem,
            "found": found,
        },
        status=400 if problem else 200,
    )


def entry_detail(
    request,
    pk: int,
    revealed: dict | None = None,
    sign_form: forms.SignForForm | None = None,
    reverse_form: forms.ReverseForm | None = None,
):
    """One entry: both dates, goods lines, sources, evidence (thumbnails for its holder and the
    region's officials), and the sign-for and reversal forms its actions allow."""
    entry = get_object_or_404(
        queries.public_entries()
        .select_related("created_by", "related")
        .prefetch_related("evidence", "sources__lot__acquired_by", people("created_by")),
        pk=pk,
    )
    _labels([entry])
    actions = allowed_actions(request.user, entry)
    if sign_form is None and "acknowledge" in actions:
        sign_form = forms.SignForForm(allocation=entry)
    return render(
        request,
        "donations/entry.html",
        {
            "entry": entry,
            "merge_delay": settings.TONGZHOU_LEDGER_MAX_MERGE_DELAY,
            "actions": actions,
            "can_see_evidence": services.can_write(request.user, entry.holder)
            or is_official_for(request.user, entry.holder.region_code),
            "revealed": revealed,
            "reverse_form": reverse_form or forms.ReverseForm(),
            "sign_form": sign_form,
            "ack_form": sign_form,
        },
    )


def _run(request, action, *, success: str):
    try:
        entry = action()
    except (ValidationError, InvalidTransition, PermissionDenied) as exc:
        message = getattr(exc, "message", None) or "; ".join(
            getattr(exc, "messages", None) or [str(exc)]
        )
        refused = isinstance(exc, PermissionDenied)
        messages.error(request, message, extra_tags=REFUSED_TAG if refused else "")
        return None
    messages.success(request, success % {"seq": entry.number})
    return entry


@login_required
def workspace(request, org_id: int):
    """An organization's ledger: balance per purpose and item, and forms to write entries."""
    org = get_object_or_404(Organization, pk=org_id)
    if not is_member_of(request.user, org):
        raise Http404
    writable = services.can_write(request.user, org)
    posted = request.POST if request.method == "POST" else None
    which = request.POST.get("form") if posted else None
    receipt_form = forms.ReceiptForm(posted if which == "receipt" else None, prefix="r")
    if Campaign.objects.filter(organization=org).exists():
        receipt_form.fields["campaign"].queryset = Campaign.objects.filter(organization=org)
    else:
        del receipt_form.fields["campaign"]
    allocation_form = forms.AllocationForm(posted if which == "allocation" else None, prefix="a")
    disbursement_form = forms.DisbursementForm(
        posted if which == "disbursement" else None,
        request.FILES if which == "disbursement" else None,
        prefix="d",
    )
    holdings = queries.holdings(org)
    if posted:  # the services decide who writes (registry.queries.acting_organization)
        done = None
        if which == "receipt" and receipt_form.is_valid():
            d = receipt_form.cleaned_data
            done = _run(
                request,
                lambda: services.record_receipt(
                    organization=org,
                    by=request.user,
                    donor_name=d["donor_name"],
                    donor_kind=d["donor_kind"],
                    anonymous=d["anonymous"],
                    amount=d["amount"],
                    items=d["items"] or None,
                    incident=d["incident"],
                    restricted=d["restricted"],
                    purpose=d["purpose"],
                    channel=d["channel"],
                    receipt_number=d["receipt_number"],
                    handler=d["handler"],
                    donor_phone=d["donor_phone"],
                    donor_address=d["donor_address"],
                    donation_agreement=d["donation_agreement"],
                    campaign=d.get("campaign"),
                ),
                success=_("Receipt #%(seq)s recorded."),
            )
        elif which == "allocation" and allocation_form.is_valid():
            d = allocation_form.cleaned_data
            done = _run(
                request,
                lambda: services.allocate(
                    organization=org,
                    by=request.user,
                    to_organization=d["to_organization"],
                    incident=d["incident"],
                    purpose=d["purpose"],
                    amount=d["amount"],
                    items=d["items"] or None,
                ),
                success=_("Allocation #%(seq)s recorded."),
            )
        elif which == "disbursement" and disbursement_form.is_valid():
            d = disbursement_form.cleaned_data
            done = _run(
                request,
                lambda: services.disburse(
                    organization=org,
                    by=request.user,
                    purpose=d["purpose"],
                    region_code=d["region_code"] or "",
                    beneficiaries=d["beneficiaries"] or 0,
                    incident=d["incident"],
                    amount=d["amount"],
                    items=d["items"] or None,
                    evidence=d["evidence"] or None,
                    private_evidence=d["private_evidence"] or None,
                ),
                success=_("Disbursement #%(seq)s recorded."),
            )
        if done and which == "receipt":  # the trace code at once, on the printable receipt
            return receipt_recorded(request, done)
        if done:
            return redirect("donations:workspace", org_id=org.pk)
    return render(
        request,
        "donations/workspace.html",
        {
            "org": org,
            "writable": writable,
            "holdings": holdings,
            "held_items": sorted({(h["item"], h["unit"]) for h in holdings if h["item"]}),
            "pending": queries.pending_acknowledgements(org),
            "receipt_form": receipt_form,
            "allocation_form": allocation_form,
            "disbursement_form": disbursement_form,
        },
    )


@login_required
def entry_action(request, pk: int, action: str):
    entry = get_object_or_404(LedgerEntry.objects.select_related("holder", "counterparty"), pk=pk)
    if request.method != "POST":
        return redirect("donations:entry", pk=pk)
    if action == "reveal":
        # Rendered, not redirected: the salt and plain text are never put in a URL or session.
        revealed = services.reveal_private(entry=entry, by=request.user)
        return entry_detail(request, pk, revealed=revealed)
    if action == "reverse":
        form = forms.ReverseForm(request.POST)
        if not form.is_valid():
            return entry_detail(request, pk, reverse_form=form)
        _run(
            request,
            lambda: services.reverse(
                entry=entry, by=request.user, reason=form.cleaned_data["reason"]
            ),
            success=_("Reversal #%(seq)s recorded."),
        )
    elif action == "acknowledge":
        if entry.kind != LedgerEntry.Kind.ALLOCATION:
            raise Http404
        form = forms.SignForForm(request.POST, allocation=entry)
        if not form.is_valid():
            return entry_detail(request, pk, sign_form=form)
        done = _run(
            request,
            lambda: services.acknowledge(
                allocation=entry, by=request.user, **form.service_arguments()
            ),
            success=_("Signed for: entry #%(seq)s."),
        )
        if done:
            return redirect("donations:entry", pk=done.pk)
    else:
        raise Http404
    return redirect("donations:entry", pk=pk)


@login_required
def evidence_file(request, pk: int):
    """Evidence is private: the holder's members and the officials of its region only."""
    evidence = get_object_or_404(Evidence.objects.select_related("entry__holder"), pk=pk)
    holder = evidence.entry.holder
    if not (
        is_member_of(request.user, holder) or is_official_for(request.user, holder.region_code)
    ):
        raise Http404
    return FileResponse(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        as_attachment=True,
        filename=evidence.original_name or "evidence",
    )


OUTCOME_DONE = {
    "recovered": gettext_lazy("Recorded: the missing part came back (entry #%(seq)s)."),
    "written_off": gettext_lazy("Recorded: the missing part is written off (entry #%(seq)s)."),
    "replaced": gettext_lazy("Signed for: the missing part arrived (entry #%(seq)s)."),
}


@login_required
def shortfall_action(request, pk: int):
    """Resolve a shortfall from the workspace (_shortfalls.html): POST ``outcome`` (recovered,
    written_off, replaced) and ``reason``; back to the workspace named by ``org``."""
    allocation = get_object_or_404(
        LedgerEntry.objects.select_related("holder", "counterparty"),
        pk=pk,
        kind=LedgerEntry.Kind.ALLOCATION,
    )
    if request.method != "POST":
        return redirect("donations:entry", pk=pk)
    outcome = request.POST.get("outcome", "")
    reason = request.POST.get("reason", "")[:2000]
    if outcome not in OUTCOME_DONE:
        messages.error(request, _("Choose what became of the missing part."))
    else:
        _run(
            request,
            lambda: services.resolve_shortfall(
                allocation=allocation, by=request.user, outcome=outcome, reason=reason
            ),
            success=str(OUTCOME_DONE[outcome]),
        )
    back = request.POST.get("org", "")
    if back in (str(allocation.holder_id), str(allocation.counterparty_id)):
        return redirect(f"{reverse('donations:workspace', args=[int(back)])}#shortfalls")
    return redirect("donations:entry", pk=pk)
