"""The insurance page of an organization's talent pool: who is covered, for what, until when."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import permissions as perms
from registry import forms, queries, services
from registry.views import _apply_errors


@login_required
def insurance(request, pk: int):
    """Members of the organization and officials whose jurisdiction covers it see the policies;
    members add them (the service decides)."""
    org = get_object_or_404(queries.visible_organizations(request.user), pk=pk)
    if not services.can_read_private(request.user, org):
        raise Http404
    people = list(org.people.order_by("name", "id"))
    is_member = perms.is_member_of(request.user, org)
    form = forms.InsurancePolicyForm(request.POST or None, request.FILES or None, people=people)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        person = get_object_or_404(org.people, pk=values.pop("person"))
        try:
            services.add_policy(by=request.user, person=person, **values)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Policy saved."))
            return redirect("registry:insurance", pk=org.pk)
    policies = queries.visible_policies(request.user, organization=org.pk).order_by(
        "person__name", "-valid_until", "id"
    )
    return render(
        request,
        "registry/insurance.html",
        {"org": org, "policies": policies, "form": form, "may_edit": is_member and people},
    )


@require_POST
@login_required
def remove_insurance(request, pk: int):
    policy = get_object_or_404(queries.visible_policies(request.user), pk=pk)
    org_id = policy.person.organization_id
    services.remove_policy(by=request.user, policy=policy)
    messages.success(request, _("Policy removed."))
    return redirect("registry:insurance", pk=org_id)
