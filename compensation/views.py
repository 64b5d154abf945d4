"""Pages of loss compensation: the list, filing a claim (a phone form with photos), the claim
page with the bureau's review, decision and payment, the evidence files."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from compensation import actions, forms, queries, services
from compensation.models import ClaimEvidence
from core import permissions as perms
from core.forms import REFUSED_TAG
from core.states import InvalidTransition, action_reasons, refusal_text
from donations.actions import receiving_kinds
from registry.models import Person
from registry.queries import acting_organizations


def _apply(form, error: ValidationError) -> None:
    items = error.error_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
    for field, errors in items:
        for message in errors if isinstance(errors, list) else [errors]:
            text = " ".join(message.messages) if hasattr(message, "messages") else str(message)
            form.add_error(field if field in form.fields else None, text)


@require_safe
@login_required
def claim_list(request):
    user = request.user
    orgs = acting_organizations(user, verified=False)
    if not (orgs or perms.is_official(user)):
        raise PermissionDenied
    claims = queries.visible_claims(user).order_by("-created_at", "-id")
    page = Paginator(claims, 50).get_page(request.GET.get("page"))
    return render(request, "compensation/claim_list.html", {"page": page, "may_file": bool(orgs)})


@login_required
def claim_create(request):
    orgs = acting_organizations(request.user, verified=False)
    if not orgs and request.method != "POST":
        raise PermissionDenied  # no form to offer; a post goes to the service, which decides
    deployments, tasks = queries.claim_bases(request.user)
    people = Person.objects.filter(organization__in=orgs).order_by("name", "id")[:300]
    form = forms.ClaimForm(
        request.POST or None,
        request.FILES or None,
        organizations=orgs,
        deployments=deployments,
        tasks=tasks,
        people=people,
    )
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.file_claim(by=request.user, **form.values())
        except ValidationError as error:
            _apply(form, error)
        except PermissionDenied as error:
            messages.error(request, refusal_text(error), extra_tags=REFUSED_TAG)
        else:
            messages.success(request, _("Claim filed. The bureau will review it."))
            return redirect("compensation:claim_detail", pk=claim.pk)
    return render(
        request,
        "compensation/claim_form.html",
        {"form": form, "has_basis": bool(deployments or tasks)},
    )


def _forms(request, claim, bound: str = "", data=None, files=None) -> dict:
    funds = acting_organizations(request.user, kinds=receiving_kinds())

    def make(name, cls, **kw):
        return cls(data, files, **kw) if name == bound else cls(**kw)

    return {
        "approve": make("approve", forms.ApproveForm, initial={"amount": claim.amount_claimed}),
        "reject": make("reject", forms.RejectForm),
        "pay": make("pay", forms.PayForm, funds=funds),
        "settle": make(
            "settle",
            forms.SettleForm,
            initial={"insurer_claim_reference": claim.insurer_claim_reference},
        ),
    }


@require_safe
@login_required
def claim_detail(request, pk: int):
    return _detail(request, pk)


def _detail(request, pk: int, action_forms=None, status: int = 200):
    claim = get_object_or_404(queries.visible_claims(request.user), pk=pk)
    reasons = action_reasons(request.user, claim)
    return render(
        request,
        "compensation/claim_detail.html",
        {
            "claim": claim,
            "steps": actions.claim_steps(claim),
            "allowed": [name for name, why in reasons.items() if not why],
            "why_not_pay": reasons.get("pay", "") if claim.status == "approved" else "",
            "evidence": list(claim.evidence.all()),
            "forms": action_forms or _forms(request, claim),
            "is_reviewer": perms.is_official_for(request.user, claim.region_code),
        },
        status=status,
    )


SERVICES = {
    "review": (services.review_claim, None, gettext_lazy("Claim taken under review.")),
    "approve": (services.approve_claim, forms.ApproveForm, gettext_lazy("Claim approved.")),
    "reject": (services.reject_claim, forms.RejectForm, gettext_lazy("Claim rejected.")),
    "pay": (services.pay_claim, forms.PayForm, gettext_lazy("Payment recorded in the ledger.")),
    "settle": (services.settle_claim, forms.SettleForm, gettext_lazy("Insurer payment recorded.")),
}


@require_POST
@login_required
def claim_action(request, pk: int, action: str):
    if action not in SERVICES:
        raise Http404
    claim = get_object_or_404(queries.visible_claims(request.user), pk=pk)
    service, _form_class, success = SERVICES[action]
    action_forms = _forms(request, claim, action, request.POST, request.FILES)
    form = action_forms.get(action)
    if form is not None and not form.is_valid():
        return _detail(request, pk, action_forms, status=400)
    values = dict(form.cleaned_data) if form is not None else {}
    try:
        service(claim=claim, by=request.user, **values)
    except ValidationError as error:
        if form is None:
            messages.error(request, " ".join(error.messages))
        else:
            _apply(form, error)
            return _detail(request, pk, action_forms, status=400)
    except (InvalidTransition, PermissionDenied) as error:
        refused = isinstance(error, PermissionDenied)
        messages.error(request, refusal_text(error), extra_tags=REFUSED_TAG if refused else "")
    else:
        messages.success(request, str(success))
    return redirect("compensation:claim_detail", pk=pk)


@require_safe
@login_required
def evidence_file(request, pk: int):
    row = get_object_or_404(ClaimEvidence.objects.select_related("claim"), pk=pk)
    if not queries.visible_claims(request.user).filter(pk=row.claim_id).exists():
        raise Http404
    response = FileResponse(row.file.open("rb"), content_type=row.content_type)
    response["Content-Disposition"] = f'inline; filename="evidence-{row.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
