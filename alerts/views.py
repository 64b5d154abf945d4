"""Pages: the alert list and detail (delivery status for officials), the manual alert form
with its audience preview, the inbox, preferences, CAP documents and the Atom feed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from alerts import cap, queries, services
from alerts.forms import AlertForm, PreferenceForm
from alerts.models import Delivery
from core import permissions as perms

# CAP 1.2 severity words as a person reads them (the CAP document and the API keep the English
# values). Chinese terms follow GB/T 35965 (应急信息交互协议) usage.
SEVERITY_LABELS = {
    "Extreme": gettext_lazy("Extreme (CAP)"),
    "Severe": gettext_lazy("Severe (CAP)"),
    "Moderate": gettext_lazy("Moderate (CAP)"),
    "Minor": gettext_lazy("Minor (CAP)"),
    "Unknown": gettext_lazy("Unknown (CAP)"),
}


def _count_cards(counts: dict[str, int]) -> list[dict]:
    """The delivery counters as labelled cards: total first, then each status in table order."""
    labels = dict(Delivery.Status.choices)
    cards = [{"key": "total", "label": _("Total"), "n": counts.get("total", 0)}]
    cards += [
        {"key": key, "label": labels[key], "n": counts.get(key, 0)}
        for key in Delivery.Status.values
    ]
    return cards


def alert_list(request):
    alerts = queries.visible_alerts(request.user)
    page = Paginator(alerts, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "alerts/alert_list.html",
        {"page": page, "is_official": perms.is_official(request.user)},
    )


def alert_detail(request, pk: int):
    alert = get_object_or_404(queries.visible_alerts(request.user), pk=pk)
    context = {"alert": alert, "severity": SEVERITY_LABELS.get(alert.severity, alert.severity)}
    if services.can_see_deliveries(request.user, alert):
        context["counts"] = _count_cards(queries.delivery_counts(alert))
        context["deliveries"] = Paginator(queries.deliveries_of(alert), 100).get_page(
            request.GET.get("page")
        )
    return render(request, "alerts/alert_detail.html", context)


def alert_cap(request, pk: int):
    alert = get_object_or_404(queries.public_alerts(), pk=pk)
    return HttpResponse(cap.build_cap(alert), content_type="application/cap+xml; charset=utf-8")


def alert_feed(request):
    alerts = list(queries.public_alerts()[:50])
    return HttpResponse(cap.build_feed(alerts), content_type="application/atom+xml; charset=utf-8")


@login_required
def alert_new(request):
    if not perms.is_official(request.user):
        raise PermissionDenied
    form = AlertForm(request.POST or None)
    reach = None
    if request.method == "POST" and form.is_valid():
        try:
            if "preview" in request.POST:
                reach = services.preview(by=request.user, audience=form.audience())
            else:
                data = form.cleaned_data
                alert = services.issue_alert(
                    by=request.user,
                    title=data["title"],
                    body=data["body"],
                    title_en=data["title_en"],
                    body_en=data["body_en"],
                    level=data["level"],
                    audience=form.audience(),
                    channels=data["channels"],
                    public=data["public"],
                )
                messages.success(
                    request,
                    _("Alert sent to %(people)d people in %(orgs)d organizations.")
                    % {"people": alert.recipient_count, "orgs": alert.organization_count},
                )
                return redirect("alerts:alert_detail", pk=alert.pk)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
    return render(request, "alerts/alert_form.html", {"form": form, "reach": reach})


@login_required
def inbox(request):
    page = Paginator(queries.inbox(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "alerts/inbox.html", {"page": page})


@login_required
@require_POST
def inbox_read(request, pk: int):
    delivery = get_object_or_404(queries.inbox(request.user), pk=pk)
    services.mark_read(delivery=delivery, by=request.user)
    return redirect("alerts:inbox")


@login_required
@require_POST
def inbox_read_all(request):
    services.mark_all_read(by=request.user)
    return redirect("alerts:inbox")


@login_required
def preferences(request):
    current = services.preferences_of(request.user)
    initial = {
        "email": current.email,
        "sms": current.sms,
        "phone": current.phone,
        "digest_levels": current.digest_levels,
    }
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_preferences(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Preferences saved."))
            return redirect("alerts:preferences")
    return render(request, "alerts/preferences.html", {"form": form})
