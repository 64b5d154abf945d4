"""The page a sampled service recipient opens from the SMS: no account, one answer per link,
on a phone. An unknown token is a 404; a used or expired link says so."""

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.states import InvalidTransition
from procurement import services
from procurement.models import RecipientConfirmation


@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    row = get_object_or_404(
        RecipientConfirmation.objects.select_related(
            "milestone__contract__project", "milestone__contract__supplier"
        ),
        token=token,
    )
    error = ""
    status = 200
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer not in ("confirmed", "denied"):
            error, status = _("Choose yes or no."), 400
        else:
            try:
                row = services.answer_confirmation(token=token, confirmed=answer == "confirmed")
            except InvalidTransition as exc:
                error, status = str(exc.args[0] if exc.args else exc), 409
            row.refresh_from_db()
    return render(
        request,
        "procurement/confirm.html",
        {
            "row": row,
            "milestone": row.milestone,
            "project": row.milestone.contract.project,
            "supplier": row.milestone.contract.supplier,
            "error": error,
        },
        status=status,
    )
