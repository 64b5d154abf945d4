"""A supplier's procurement record (政府采购记录): its debarment in words (procurement.debarment),
its clawbacks with recoveries and write-offs, the lifts; officials of the buyer lift a
debarment here. Public, like the organization's registry page that links to it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core import permissions as perms
from procurement import queries, services
from procurement.forms import LiftForm
from procurement.services.debarments import require_may_lift
from procurement.views import common
from registry.models import Organization


def _supplier_or_404(pk: int) -> Organization:
    return get_object_or_404(Organization.objects.exclude(kind="agency"), pk=pk)


@require_safe
def supplier_record(request, pk: int):
    organization = _supplier_or_404(pk)
    record = queries.supplier_record(organization)
    may_lift, lift_why = False, ""
    if record["debarred"] and perms.is_official(request.user):
        try:
            require_may_lift(request.user, organization, record["grounds"])
            may_lift = True
        except Exception as error:  # PermissionDenied: said in words, no dead button
            lift_why = common.error_text(error)
    return render(
        request,
        "procurement/supplier_record.html",
        {
            "organization": organization,
            "record": record,
            "may_lift": may_lift,
            "lift_why": lift_why,
            "lift_form": LiftForm(),
        },
    )


@require_POST
@login_required
def lift(request, pk: int):
    organization = _supplier_or_404(pk)
    form = LiftForm(request.POST)
    if form.is_valid():
        common.run_service(
            request,
            services.lift_debarment,
            success=_("The debarment was lifted."),
            organization=organization,
            reason=form.cleaned_data["reason"],
        )
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("procurement:supplier_record", pk=organization.pk)
