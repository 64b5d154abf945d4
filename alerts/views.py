"""Pages: the alert list and detail (delivery status for officials, with a retry per failed
delivery), the manual alert form with its audience preview, the inbox, preferences, an
organization's webhook, CAP documents and the Atom feed."""

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from alerts import cap, queries, services
from alerts.forms import AlertForm, PreferenceForm, WebhookForm
from alerts.models import Delivery, Webhook
from core import permissions as perms
from core.states import Conflict, InvalidTransition, refusal_text
from registry.models import Organization

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


def _channel_rows(channels: dict) -> list[dict]:
    """The preview's channels in table order with their names and reasons in words."""
    from alerts.audience import reason_label
    from alerts.models import Channel

    labels = dict(Channel.choices)
    rows = []
    for key in Channel.values:
        if key not in channels:
            continue
        entry = channels[key]
        rows.append(
            {
                "key": key,
                "label": labels[key],
                **entry,
                "unreachable": [
                    {**item, "why": reason_label(item["reason"])} for item in entry["unreachable"]
                ],
            }
        )
    return rows


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
        deliveries = Paginator(queries.deliveries_of(alert), 100).get_page(request.GET.get("page"))
        for delivery in deliveries:  # the retry guard reads the alert: no query per row
            delivery.alert = alert
        context["deliveries"] = deliveries
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
                reach = services.preview(
                    by=request.user,
                    audience=form.audience(),
                    channels=form.cleaned_data["channels"],
                )
                reach["channel_rows"] = _channel_rows(reach["channels"])
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
    form = PreferenceForm(request.POST or None, initial=PreferenceForm.initial_for(current))
    if request.method == "POST" and form.is_valid():
        try:
            services.set_preferences(user=request.user, **form.values())
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Preferences saved."))
            return redirect("alerts:preferences")
    return render(
        request,
        "alerts/preferences.html",
        {
            "form": form,
            "current": current,
            "escalate_sms": settings.TONGZHOU_ESCALATE_SMS_AFTER_MINUTES,
            "escalate_members": settings.TONGZHOU_ESCALATE_MEMBERS_AFTER_MINUTES,
        },
    )


@login_required
@require_POST
def delivery_retry(request, pk: int):
    """The 重试 button of a failed delivery on the alert page: the same service as
    POST /api/v1/deliveries/<pk>/retry/. A delivery of an alert whose deliveries the person may
    not see is a 404; one that has not failed is refused with the reason, on the alert page."""
    delivery = get_object_or_404(Delivery.objects.select_related("alert"), pk=pk)
    if not services.can_see_deliveries(request.user, delivery.alert):
        raise Http404
    try:
        services.retry_delivery(delivery=delivery, by=request.user)
    except (InvalidTransition, Conflict, ValidationError) as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, _("The delivery will be sent again."))
    return redirect("alerts:alert_detail", pk=delivery.alert_id)


@login_required
def webhooks(request, pk: int):
    """An organization's admins list its webhooks (the active one and those it replaced) and
    register a new one, which replaces the active one (POST /api/v1/organizations/<pk>/webhooks/
    calls the same service; the API has no removal, so neither has the page). Other people: a
    member or anyone when the organization is verified (public) gets 403, otherwise 404, as the
    API answers."""
    org = get_object_or_404(Organization, pk=pk)
    if not perms.is_org_admin(request.user, org):
        if perms.is_member_of(request.user, org) or org.is_verified:
            raise PermissionDenied
        raise Http404
    form = WebhookForm(request.POST if request.method == "POST" else None)
    made_secret = ""
    if request.method == "POST" and form.is_valid():
        secret = form.cleaned_data["secret"] or secrets.token_urlsafe(32)
        try:
            services.register_webhook(
                organization=org, url=form.cleaned_data["url"], secret=secret, by=request.user
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Webhook saved: alerts are now signed and sent to it."))
            if not form.cleaned_data["secret"]:
                made_secret = secret  # shown on this response only, never again
            form = WebhookForm()
    hooks = Webhook.objects.filter(organization=org)
    return render(
        request,
        "alerts/webhooks.html",
        {"org": org, "form": form, "webhooks": hooks, "made_secret": made_secret},
    )
