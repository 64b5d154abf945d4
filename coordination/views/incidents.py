"""Incident pages: list, detail tabs, and the official and organization forms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordination import actions as coordination_actions
from coordination import forms, queries, rosters, services
from coordination import permissions as cperms
from coordination.exports import three_w_csv
from coordination.models import Deployment, Incident, Need, Task
from coordination.views.flow import acting_organizations, run_service
from core import hooks
from core.states import allowed_actions

TABS = [
    ("overview", gettext_lazy("Overview")),
    ("needs", gettext_lazy("Needs")),
    ("deployments", gettext_lazy("Deployments")),
    ("board", gettext_lazy("Task board")),
    ("3w", gettext_lazy("Who does what where")),
    ("history", gettext_lazy("History")),
]


def incident_list(request):
    """Active incidents first; a fixed number of queries whatever the page holds."""
    page = Paginator(queries.visible_incidents(request.user), 25).get_page(request.GET.get("page"))
    names = queries.region_names([i.region_code for i in page])
    return render(
        request,
        "coordination/incident_list.html",
        {
            "page": page,
            "region_names": names,
            "can_create": cperms.perms.is_official(request.user),
        },
    )


@login_required
def incident_create(request):
    if not cperms.perms.is_official(request.user):
        raise PermissionDenied
    form = forms.IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        incident = run_service(
            request, services.create_incident, success=_("Incident opened."), **form.cleaned_data
        )
        if incident:
            return redirect("coordination:incident_detail", pk=incident.pk)
    return render(request, "coordination/form.html", {"form": form, "heading": _("New incident")})


def incident_detail(request, pk: int):
    incident = get_object_or_404(queries.visible_incidents(request.user), pk=pk)
    tab = request.GET.get("tab", "overview")
    if tab not in dict(TABS):
        tab = "overview"
    user = request.user
    is_official = cperms.is_official_for(user, incident.region_code)
    my_orgs = acting_organizations(user) if user.is_authenticated else []
    context = {
        "incident": incident,
        "tab": tab,
        "tabs": TABS,
        "is_official": is_official,
        "my_orgs": my_orgs,
        "incident_actions": allowed_actions(user, incident),
        "region_names": queries.region_names([incident.region_code]),
    }
    if tab == "overview":
        context.update(
            {
                "own_filings": own_filings(user, incident),
                "on_site": rosters.add_insurance(incident, queries.people_on_site(incident)),
                # built only when the template shows them (officials with those actions)
                "status_form": forms.StatusForm,
                "capacity_form": forms.CapacityForm,
                "panels": rendered_panels(request, incident),
                "task_counts": {
                    Task.Status(row["status"]).label: row["n"]
                    for row in queries.task_counts(incident)
                },
            }
        )
    elif tab == "needs":
        needs = list(queries.visible_needs(user, incident))
        for need in needs:
            need.incident = incident  # the guards read it: no query per row
            need.gap = max(need.quantity - need.committed, 0)
            need.percent = min(round(need.committed * 20 / need.quantity) * 5, 100)
        context["needs"] = needs
    elif tab == "deployments":
        context["on_site"] = rosters.add_insurance(incident, queries.people_on_site(incident))
        # officials: the jurisdiction's filings; others: their organizations' own, whatever the
        # organization's status now (a suspended team still withdraws its filing)
        filings = queries.visible_deployments(user).filter(incident=incident)
        context["filings"] = rosters.annotate(
            list(
                filings.prefetch_related(rosters.roster_prefetch()).order_by(
                    "status", "-created_at"
                )
            )
        )
        for filing in context["filings"]:
            filing.steps = coordination_actions.deployment_steps(filing)
    elif tab == "board":
        context["columns"] = [
            (status, label, [(task, allowed_actions(user, task)) for task in tasks])
            for status, label, tasks in queries.board(incident)
        ]
    elif tab == "3w":
        rows = queries.three_w(incident)
        context.update({"rows": rows, "bars": queries.three_w_bars(rows)})
    return render(request, "coordination/incident_detail.html", context)


def own_filings(user, incident: Incident) -> list[Deployment]:
    """The overview's "your filing" card: the open filings of the organizations ``user`` acts
    for (a hub's teams included), with rosters and whether the roster may be edited."""
    own = (
        [o.pk for o in acting_organizations(user, verified=False)] if user.is_authenticated else []
    )
    filings = queries.own_open_filings(incident, own)
    for filing in filings:
        filing.roster_refusal = services.roster_refusal(user, filing)
    return filings


# How long a contributed panel's HTML is kept under its ``cache_key`` at most: the key changes
# with the panel's data; this bounds how long a renamed organization keeps its old name there.
PANEL_SECONDS = 300


def rendered_panels(request, incident: Incident) -> list[dict]:
    """Panels other apps contribute (``incident_panels`` hook), each template rendered with
    its own context. A panel that gives a ``cache_key`` (its data's version: it must change
    whenever what the panel shows changes) is rendered once per key and language and then
    served from the cache; its context should be lazy so that a hit reads nothing."""
    panels = []
    for panel in hooks.collect("incident_panels", incident):
        key = panel.get("cache_key")
        html = None
        if key:
            key = f"incident-panel:{key}:{get_language()}"
            html = cache.get(key)
        if html is None:
            html = render_to_string(panel["template"], panel.get("context") or {}, request)
            if key:
                cache.set(key, html, PANEL_SECONDS)
        panels.append({"title": panel["title"], "html": mark_safe(html)})  # noqa: S308
    return panels


def incident_3w_csv(request, pk: int):
    incident = get_object_or_404(queries.visible_incidents(request.user), pk=pk)
    response = HttpResponse(
        three_w_csv(queries.three_w(incident)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="incident-{incident.pk}-3w.csv"'
    return response


@require_POST
@login_required
def incident_action(request, pk: int, action: str):
    incident = get_object_or_404(Incident, pk=pk)
    back = reverse("coordination:incident_detail", args=[pk])
    if action == "status":
        form = forms.StatusForm(request.POST)
        if form.is_valid():
            run_service(
                request,
                services.change_status,
                incident=incident,
                success=_("Status changed."),
                **form.cleaned_data,
            )
        else:
            messages.error(request, _("Check the form."))
    elif action == "take-over":
        run_service(
            request,
            services.take_over,
            incident=incident,
            reason=request.POST.get("reason", ""),
            success=_("You now lead this incident."),
        )
    elif action == "capacity":
        form = forms.CapacityForm(request.POST)
        if form.is_valid():
            run_service(
                request,
                services.set_area_capacity,
                incident=incident,
                success=_("Capacity saved."),
                **form.cleaned_data,
            )
        else:
            messages.error(request, _("Check the form."))
    else:
        raise Http404
    return redirect(back)


@login_required
def need_create(request, pk: int):
    incident = get_object_or_404(Incident, pk=pk)
    form = forms.NeedForm(
        request.POST or None,
        organizations=acting_organizations(request.user),
        initial={"region_code": incident.region_code},
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            request,
            services.post_need,
            incident=incident,
            success=_("Need posted."),
            **form.cleaned_data,
        )
    ):
        return redirect(reverse("coordination:incident_detail", args=[pk]) + "?tab=needs")
    return render(
        request,
        "coordination/form.html",
        {"form": form, "heading": _("Post a need"), "incident": incident},
    )


@require_POST
@login_required
def need_confirm(request, pk: int):
    need = get_object_or_404(Need.objects.select_related("incident"), pk=pk)
    run_service(request, services.confirm_need, need=need, success=_("Need confirmed."))
    return redirect(reverse("coordination:incident_detail", args=[need.incident_id]) + "?tab=needs")


@login_required
def deployment_create(request, pk: int):
    incident = get_object_or_404(Incident, pk=pk)
    organizations = acting_organizations(request.user)
    if request.method != "POST" and not organizations:
        raise PermissionDenied  # no form to offer; a post goes to the service, which decides
    form = forms.DeploymentForm(
        request.POST or None,
        organizations=organizations,
        people=rosters.pool_of(organizations),
        initial={"area_region_code": incident.region_code},
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            request,
            services.file_deployment,
            incident=incident,
            success=_("Filing sent."),
            **form.values(),
        )
    ):
        return redirect(reverse("coordination:incident_detail", args=[pk]) + "?tab=deployments")
    return render(
        request,
        "coordination/form.html",
        {"form": form, "heading": _("File a deployment (报备)"), "incident": incident},
    )


@login_required
def deployment_roster(request, pk: int):
    """A filing's roster (people, role, accident cover for its dates) and, for the filing
    organization, the form that names them again (twin of ``POST
    /api/v1/deployments/{id}/roster/``)."""
    deployment = get_object_or_404(queries.visible_deployments(request.user), pk=pk)
    refusal = services.roster_refusal(request.user, deployment)
    form = forms.RosterForm(
        request.POST if request.method == "POST" else None,
        people=rosters.pool_of([deployment.organization]) if not refusal else (),
        current=dict(deployment.roster.values_list("person_id", "role")),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            request,
            services.set_roster,
            deployment=deployment,
            success=_("Roster saved."),
            **form.values(),
        )
    ):
        return redirect(reverse("coordination:incident_detail", args=[deployment.incident_id]))
    filing = queries.filing_with_roster(deployment.pk)
    return render(
        request,
        "coordination/deployment_roster.html",
        {"filing": filing, "form": form, "refusal": refusal},
    )


DEPLOYMENT_ACTIONS = {
    "approve": (services.approve_deployment, True, gettext_lazy("Filing approved.")),
    "hold": (services.hold_deployment, True, gettext_lazy("Filing held.")),
    "arrive": (services.arrive_deployment, False, gettext_lazy("Arrival recorded.")),
    "withdraw": (services.withdraw_deployment, True, gettext_lazy("Filing withdrawn.")),
}


@require_POST
@login_required
def deployment_action(request, pk: int, action: str):
    if action not in DEPLOYMENT_ACTIONS:
        raise Http404
    deployment = get_object_or_404(queries.visible_deployments(request.user), pk=pk)
    service, with_reason, success = DEPLOYMENT_ACTIONS[action]
    kwargs = {"reason": request.POST.get("reason", "")} if with_reason else {}
    run_service(request, service, deployment=deployment, success=success, **kwargs)
    return redirect(
        reverse("coordination:incident_detail", args=[deployment.incident_id]) + "?tab=deployments"
    )
