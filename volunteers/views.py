"""Pages of volunteers and calls for volunteers: the hub's volunteers (register, enter the SMS
code), calls (post, close, sign up volunteers) and the public call page, where a volunteer signs
up alone with the phone and a code."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordination.models import Incident
from core import permissions as perms
from core.forms import REFUSED_TAG
from core.states import InvalidTransition
from registry.queries import acting_organizations
from volunteers import forms, queries
from volunteers import services as vs
from volunteers.api import CodeThrottle
from volunteers.models import SignUp


def _hubs(user) -> list:
    return [o for o in acting_organizations(user) if o.is_hub]


def _errors(request, error: Exception, form=None) -> None:
    """A service's refusal: field errors on the form when it has the field, else messages."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, msgs in error.message_dict.items():
            for msg in msgs:
                if form is not None and field in form.fields:
                    form.add_error(field, msg)
                else:
                    messages.error(request, msg)
    elif isinstance(error, ValidationError):
        for msg in error.messages:
            messages.error(request, msg)
    elif isinstance(error, PermissionDenied):
        messages.error(request, str(error) or _("You may not do this."), extra_tags=REFUSED_TAG)
    else:
        messages.error(request, getattr(error, "message", str(error)))


REFUSALS = (ValidationError, PermissionDenied, InvalidTransition)


def _int(value) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


@login_required
def volunteer_list(request):
    hubs = _hubs(request.user)
    if not hubs and not perms.is_official(request.user):
        raise PermissionDenied
    volunteers = queries.visible_volunteers(request.user).order_by("name", "id")[:500]
    return render(
        request,
        "volunteers/volunteer_list.html",
        {"volunteers": volunteers, "hubs": hubs, "hub_ids": [h.pk for h in hubs]},
    )


@login_required
def volunteer_new(request):
    hubs = _hubs(request.user)
    if not hubs:
        raise PermissionDenied
    form = forms.VolunteerForm(request.POST or None, hubs=hubs)
    if request.method == "POST" and form.is_valid():
        try:
            volunteer = vs.register_volunteer(by=request.user, **form.cleaned_data)
        except REFUSALS as error:
            _errors(request, error, form)
        else:
            messages.success(request, _("Registered: a code was sent to the volunteer's phone."))
            return redirect("volunteers:volunteer_verify", volunteer.pk)
    return render(
        request, "volunteers/form.html", {"form": form, "heading": _("Register a volunteer")}
    )


@login_required
def volunteer_verify(request, pk: int):
    volunteer = get_object_or_404(queries.visible_volunteers(request.user), pk=pk)
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and "resend" in request.POST:
        try:
            vs.resend_phone_code(volunteer=volunteer, by=request.user)
        except REFUSALS as error:
            _errors(request, error)
        else:
            messages.success(request, _("A new code was sent."))
        return redirect("volunteers:volunteer_verify", pk)
    if request.method == "POST" and form.is_valid():
        try:
            vs.verify_phone(volunteer=volunteer, by=request.user, **form.cleaned_data)
        except REFUSALS as error:
            _errors(request, error, form)
        else:
            messages.success(request, _("The phone is verified."))
            return redirect("volunteers:volunteer_list")
    return render(request, "volunteers/verify.html", {"form": form, "volunteer": volunteer})


def call_list(request):
    calls = queries.visible_calls(request.user).order_by("-created_at", "-id")[:200]
    return render(
        request,
        "volunteers/call_list.html",
        {"calls": calls, "may_post": bool(_hubs(request.user))},
    )


@login_required
def call_new(request):
    hubs = _hubs(request.user)
    if not hubs:
        raise PermissionDenied
    incidents = Incident.objects.filter(status__in=Incident.ACTIVE).order_by("-started_at")
    form = forms.CallForm(
        request.POST or None,
        hubs=hubs,
        incidents=incidents,
        initial={"incident": request.GET.get("incident")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            call = vs.post_call(by=request.user, **form.cleaned_data)
        except REFUSALS as error:
            _errors(request, error, form)
        else:
            messages.success(request, _("The call is posted."))
            return redirect("volunteers:call_detail", call.pk)
    return render(
        request, "volunteers/form.html", {"form": form, "heading": _("Call for volunteers")}
    )


def _call(request, pk: int):
    return get_object_or_404(queries.visible_calls(request.user), pk=pk)


def call_detail(request, pk: int):
    call = _call(request, pk)
    user = request.user
    is_hub = call.hub_id in queries.hub_ids(user)
    context = {
        "call": call,
        "full_reason": vs.full_reason(call),
        "is_hub": is_hub,
        "phone_form": forms.PhoneForm(),
        "confirm_form": forms.ConfirmForm(initial={"phone": request.GET.get("phone", "")}),
        "code_sent": "phone" in request.GET,
    }
    if queries.sees_sign_ups(user, call):
        context["sign_ups"] = list(queries.sign_ups_of(call))
    if is_hub:
        taken = {s.volunteer_id for s in context["sign_ups"]}
        volunteers = (
            queries.visible_volunteers(user)
            .filter(hub_id=call.hub_id, phone_verified_at__isnull=False)
            .exclude(pk__in=taken)
            .order_by("name")
        )
        context["sign_up_form"] = forms.SignUpForm(volunteers=volunteers)
    return render(request, "volunteers/call_detail.html", context)


def _throttled(request) -> bool:
    throttle = CodeThrottle()
    if throttle.allow_request(request, None):
        return False
    messages.error(request, _("Too many attempts from this connection; try again later."))
    return True


@require_POST
def call_request_code(request, pk: int):
    call = _call(request, pk)
    form = forms.PhoneForm(request.POST)
    if _throttled(request) or not form.is_valid():
        return redirect("volunteers:call_detail", pk)
    try:
        vs.request_sign_up_code(call=call, **form.cleaned_data)
    except REFUSALS as error:
        _errors(request, error)
        return redirect("volunteers:call_detail", pk)
    messages.success(
        request, _("If this phone belongs to a volunteer of the hub, a code is on its way.")
    )
    query = urlencode({"phone": form.cleaned_data["phone"]})
    return redirect(f"{reverse('volunteers:call_detail', args=[pk])}?{query}")


@require_POST
def call_confirm(request, pk: int):
    call = _call(request, pk)
    form = forms.ConfirmForm(request.POST)
    if _throttled(request) or not form.is_valid():
        return redirect("volunteers:call_detail", pk)
    try:
        vs.confirm_sign_up(call=call, **form.cleaned_data)
    except REFUSALS as error:
        _errors(request, error)
    else:
        messages.success(request, _("You are signed up. The hub will contact you."))
    return redirect("volunteers:call_detail", pk)


@require_POST
@login_required
def call_action(request, pk: int, action: str):
    call = _call(request, pk)
    try:
        if action in ("close", "reopen"):
            vs.close_call(call=call, by=request.user, reopen=action == "reopen")
            messages.success(request, _("Saved."))
        elif action == "sign_up":
            # The same lookup as the API: a volunteer the user may not see is a 404.
            volunteer = get_object_or_404(
                queries.visible_volunteers(request.user),
                pk=_int(request.POST.get("volunteer")),
            )
            vs.sign_up(call=call, by=request.user, volunteer=volunteer)
            messages.success(request, _("Signed up."))
        else:
            raise Http404
    except REFUSALS as error:
        _errors(request, error)
    return redirect("volunteers:call_detail", pk)


@require_POST
@login_required
def sign_up_cancel(request, pk: int):
    entry = get_object_or_404(
        SignUp.objects.filter(call__hub_id__in=queries.hub_ids(request.user)), pk=pk
    )
    try:
        vs.cancel_sign_up(sign_up=entry, by=request.user, reason=request.POST.get("reason", ""))
    except REFUSALS as error:
        _errors(request, error)
    else:
        messages.success(request, _("Sign-up cancelled."))
    return redirect("volunteers:call_detail", entry.call_id)
