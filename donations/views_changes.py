"""The change of use of restricted (定向) money or goods, as a page: the last ledger-entry
action that had only an API (POST /api/v1/ledger/entries/<pk>/change-of-use/).

The entry page shows a panel (``donations/_entry_changes.html``) for the holder's writers when
``allowed_actions`` holds ``change_use``, and why not otherwise; the form is a page of its own
(it asks for a new purpose or incident, the filing reference and the donor's consent) that
calls ``donations.services.change_use`` like the API. Revealing a receipt's private details
(POST .../private/) already has its page: the entry page's "reveal" button.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordination.models import Incident
from core.forms import REFUSED_TAG
from core.states import InvalidTransition, action_reasons, refusal_text
from donations import services
from donations.actions import ENTRY
from donations.models import LedgerEntry


class ChangeOfUseForm(forms.Form):
    """The fields of ChangeOfUseIn (the API's body); the service decides what is required."""

    incident = forms.ModelChoiceField(
        label=gettext_lazy("New incident"),
        queryset=Incident.objects.exclude(status=Incident.Status.CLOSED).order_by("-pk"),
        required=False,
        empty_label=gettext_lazy("(none: a purpose only)"),
    )
    purpose = forms.CharField(label=gettext_lazy("New purpose"), max_length=200, required=False)
    filing_reference = forms.CharField(label=gettext_lazy("Filing reference"), max_length=100)
    donor_consent = forms.BooleanField(
        label=gettext_lazy("The donor consented to the change"),
        required=False,
        help_text=gettext_lazy("Required where a donation agreement exists."),
    )


@login_required
def change_of_use(request, pk: int):
    """GET: the form (403 for who may not write the holder's ledger, the reason shown when
    nothing restricted is left); POST: ``services.change_use``, then the new entry's page.
    A refusal by the service comes back on this page as a message, never a 500."""
    entry = get_object_or_404(LedgerEntry.objects.select_related("holder", "incident"), pk=pk)
    posted = request.POST if request.method == "POST" else None
    if posted is None:
        try:
            ENTRY["change_use"].who(request.user, entry)
        except (PermissionDenied, ValidationError) as exc:
            raise PermissionDenied(refusal_text(exc)) from exc
    form = ChangeOfUseForm(posted)
    if posted is not None and form.is_valid():
        data = form.cleaned_data
        try:
            change = services.change_use(
                entry=entry,
                by=request.user,
                purpose=data["purpose"],
                filing_reference=data["filing_reference"],
                donor_consent=data["donor_consent"],
                incident=data["incident"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except PermissionDenied as exc:
            messages.error(request, refusal_text(exc), extra_tags=REFUSED_TAG)
        except InvalidTransition as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(
                request, _("Change of use recorded: entry #%(seq)s.") % {"seq": change.number}
            )
            return redirect("donations:entry", pk=change.pk)
    why = action_reasons(request.user, entry).get("change_use", "")
    return render(
        request,
        "donations/change_of_use.html",
        {"entry": entry, "form": form, "why": why},
    )
