"""Community pages: the public list of routine needs and projects by region, and a page for
every action (post a need, confirm it, post a project, link needs, pledge). Each POST calls one
service; a refusal shows as a message (coordination's ``run_service``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from community import forms, queries, services
from community.models import Project, RoutineNeed
from coordination.views.flow import run_service
from core import permissions as perms
from core import regions
from core.states import action_reasons
from registry.choices import OrganizationKind
from registry.queries import acting_organizations

PAGE_ROWS = 100


def _non_agencies(user):
    return [o for o in acting_organizations(user) if o.kind != OrganizationKind.AGENCY]


def _funders(user, project: Project) -> list:
    return [
        m.organization
        for m in perms.memberships(user)
        if m.organization.status == "verified"
        and m.organization_id != project.organization_id
        and (
            (m.organization.kind == OrganizationKind.FOUNDATION and m.role in ("admin", "member"))
            or (m.organization.kind == OrganizationKind.AGENCY and m.role == "official")
        )
    ]


@require_safe
def overview(request):
    """Public: routine needs (asked vs covered by projects, the gap chart) and projects (sought
    vs pledged) of a region. Fixed queries whatever the rows (the first ``PAGE_ROWS`` of each)."""
    form = forms.RegionFilterForm(request.GET or None)
    region = form.cleaned_data["region"] if form.is_valid() else ""
    needs = list(queries.visible_needs(request.user, region)[:PAGE_ROWS])
    projects = list(queries.visible_projects(region)[:PAGE_ROWS])
    return render(
        request,
        "community/overview.html",
        {
            "form": form,
            "region": region,
            "needs": needs,
            "projects": projects,
            "chart_option": queries.gap_chart([n for n in needs if n.is_confirmed]),
            "may_post_need": bool(_non_agencies(request.user)) or perms.is_official(request.user),
            "may_post_project": bool(_non_agencies(request.user)),
        },
    )


def _need(user, pk: int) -> RoutineNeed:
    need = queries.visible_needs(user).filter(pk=pk).first()
    if need is None:
        raise Http404
    return need


@login_required
def need_create(request):
    organizations = _non_agencies(request.user)
    if request.method != "POST" and not organizations and not perms.is_official(request.user):
        raise PermissionDenied
    form = forms.NeedForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        need = run_service(
            request, services.post_need, success=_("Need posted."), **form.cleaned_data
        )
        if need:
            return redirect("community:need_detail", pk=need.pk)
    return render(
        request,
        "community/form.html",
        {"form": form, "heading": _("Post a community need")},
    )


@require_safe
def need_detail(request, pk: int):
    need = _need(request.user, pk)
    return render(
        request,
        "community/need_detail.html",
        {
            "need": need,
            "reasons": action_reasons(request.user, need),
            "matches": queries.matching_organizations(request.user, need),
            "links": list(need.links.select_related("project__organization").order_by("id")),
        },
    )


@require_POST
@login_required
def need_confirm(request, pk: int):
    need = _need(request.user, pk)
    run_service(request, services.confirm_need, need=need, success=_("Need confirmed."))
    return redirect("community:need_detail", pk=pk)


@login_required
def project_create(request):
    organizations = _non_agencies(request.user)
    if request.method != "POST" and not organizations:
        raise PermissionDenied
    form = forms.ProjectForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        project = run_service(
            request, services.post_project, success=_("Project posted."), **form.cleaned_data
        )
        if project:
            return redirect("community:project_detail", pk=project.pk)
    return render(request, "community/form.html", {"form": form, "heading": _("Post a project")})


def _project(pk: int) -> Project:
    project = queries.visible_projects().filter(pk=pk).first()
    if project is None:
        raise Http404
    return project


def _linkable(project: Project) -> list[RoutineNeed]:
    """Confirmed needs in the project's area it does not address yet (the newest 200)."""
    return list(
        RoutineNeed.objects.filter(
            confirmed_at__isnull=False,
            region_code__startswith=regions.prefix_of(project.region_code),
        )
        .exclude(links__project=project)
        .order_by("-created_at", "-id")[:200]
    )


@require_safe
def project_detail(request, pk: int):
    project = _project(pk)
    reasons = action_reasons(request.user, project)
    return render(
        request,
        "community/project_detail.html",
        {
            "project": project,
            "reasons": reasons,
            "links": queries.project_links(project),
            "pledges": list(project.pledges.select_related("funder").order_by("-created_at")),
            "link_form": forms.LinkNeedForm(needs=_linkable(project))
            if not reasons.get("link")
            else None,
            "pledge_form": forms.PledgeForm(funders=_funders(request.user, project))
            if not reasons.get("pledge")
            else None,
            "remaining": max(project.budget_sought - project.pledged, 0),
        },
    )


@require_POST
@login_required
def project_link(request, pk: int):
    project = _project(pk)
    form = forms.LinkNeedForm(request.POST, needs=_linkable(project))
    if form.is_valid():
        run_service(
            request,
            services.link_need,
            project=project,
            success=_("Need linked to the project."),
            **form.cleaned_data,
        )
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("community:project_detail", pk=pk)


@require_POST
@login_required
def project_pledge(request, pk: int):
    project = _project(pk)
    form = forms.PledgeForm(request.POST, funders=_funders(request.user, project))
    if form.is_valid():
        run_service(
            request,
            services.pledge,
            project=project,
            success=_("Pledge recorded."),
            **form.cleaned_data,
        )
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(reverse("community:project_detail", args=[pk]))
