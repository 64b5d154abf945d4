"""Task pages: detail with suggestions and forms, actions, reports, my tasks, evidence."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from coordination import actions as coordination_actions
from coordination import forms, queries, services
from coordination import permissions as cperms
from coordination.models import Deployment, EvidencePhoto, Incident, Task, TaskReport
from coordination.views.flow import acting_organizations, run_service
from core.states import action_reasons, allowed_actions


@login_required
def task_create(request, pk: int):
    incident = get_object_or_404(Incident, pk=pk)
    if not cperms.is_official_for(request.user, incident.region_code):
        raise PermissionDenied
    needs = list(incident.needs.filter(confirmed_at__isnull=False))
    form = forms.TaskForm(
        request.POST or None, needs=needs, initial={"region_code": incident.region_code}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["need"] = next((n for n in needs if n.pk == data["need"]), None)
        task = run_service(
            request, services.create_task, incident=incident, success=_("Task created."), **data
        )
        if task:
            return redirect("coordination:task_detail", pk=task.pk)
    return render(
        request,
        "coordination/form.html",
        {"form": form, "heading": _("New task"), "incident": incident},
    )


def task_detail(request, pk: int):
    task = get_object_or_404(
        queries.tasks_with_relations().filter(
            queries.exercise_visibility(request.user, "incident")
        ),
        pk=pk,
    )
    user = request.user
    my_orgs = acting_organizations(user) if user.is_authenticated else []
    reasons = action_reasons(user, task)
    allowed = [name for name, why in reasons.items() if not why]
    private = cperms.sees_private(
        user, region_code=task.incident.region_code, organization_id=task.organization_id
    )
    return render(
        request,
        "coordination/task_detail.html",
        {
            "task": task,
            "actions": allowed,
            "steps": coordination_actions.task_steps(task),
            "my_orgs": my_orgs,
            "why_not_claim": _why_not_claim(user, task, reasons),
            "may_file": bool(my_orgs) and "file_deployment" in allowed_actions(user, task.incident),
            "reports": list(queries.reports_of(task)) if private else None,
            "suggestions": queries.suggestions(task) if "assign" in allowed else [],
            "report_form": forms.ReportForm() if {"report", "start"} & set(allowed) else None,
        },
    )


def _why_not_claim(user, task: Task, reasons: dict[str, str]) -> str:
    """Why the person's team may not claim this open task ("" when it may, when the task is
    not open, or when the person belongs to no organization that could act, verified or not:
    an official has nothing to claim)."""
    if task.status != Task.Status.OPEN or not user.is_authenticated:
        return ""
    if not acting_organizations(user, verified=False):
        return ""
    return reasons.get("claim", "")


TASK_ACTIONS = {
    "accept": (services.accept_task, gettext_lazy("Task accepted.")),
    "decline": (services.decline_task, gettext_lazy("Task declined.")),
    "start": (services.start_task, gettext_lazy("Work started.")),
    "complete": (
        services.complete_task,
        gettext_lazy("Task completed; an official will verify it."),
    ),
    "verify": (services.verify_task, gettext_lazy("Verification recorded.")),
    "cancel": (services.cancel_task, gettext_lazy("Task cancelled.")),
    "assign": (services.assign_task, gettext_lazy("Task assigned.")),
    # The page's claim is the claim and the acceptance in one step (services.tasks).
    "claim": (
        services.claim_and_accept_task,
        gettext_lazy("Task claimed and accepted: start work when the team is on site."),
    ),
}


@require_POST
@login_required
def task_action(request, pk: int, action: str):
    if action not in TASK_ACTIONS:
        raise Http404
    task = get_object_or_404(queries.tasks_with_relations(), pk=pk)
    service, success = TASK_ACTIONS[action]
    kwargs = {}
    if action in ("decline", "cancel"):
        kwargs["reason"] = request.POST.get("reason", "")
    elif action == "verify":
        kwargs["accepted"] = request.POST.get("accepted") == "yes"
        kwargs["reason"] = request.POST.get("reason", "")
    elif action in ("assign", "claim"):
        # As sent: the service decides which organization acts (or is assigned) and whether.
        kwargs["organization"] = request.POST.get("organization") or None
    if action == "start" and "summary" in request.POST:
        return _start_with_report(request, task)
    run_service(request, service, task=task, success=success, **kwargs)
    return redirect(request.POST.get("next") or reverse("coordination:task_detail", args=[pk]))


def _start_with_report(request, task: Task):
    """The detail page's start form carries the first report: both in one service call."""
    form = forms.ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("coordination:task_detail", pk=task.pk)
    data = dict(form.cleaned_data)
    photo, taken_at = data.pop("photo"), data.pop("taken_at")
    run_service(
        request,
        services.start_task_with_report,
        task=task,
        photos=[(photo, taken_at)] if photo else [],
        success=_("Work started and the first report filed."),
        **data,
    )
    return redirect("coordination:task_detail", pk=task.pk)


@require_POST
@login_required
def task_report(request, pk: int):
    task = get_object_or_404(queries.tasks_with_relations(), pk=pk)
    form = forms.ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("coordination:task_detail", pk=pk)
    data = dict(form.cleaned_data)
    photo, taken_at = data.pop("photo"), data.pop("taken_at")
    run_service(
        request,
        services.report_task,
        task=task,
        photos=[(photo, taken_at)] if photo else [],
        success=_("Report filed."),
        **data,
    )
    return redirect("coordination:task_detail", pk=pk)


@login_required
def my_tasks(request):
    """What the user's organizations may act on: tasks they hold, and open tasks of incidents
    where they have an approved filing."""
    my_orgs = acting_organizations(request.user)
    deployed = Deployment.objects.filter(
        organization__in=my_orgs, status__in=Deployment.OCCUPYING
    ).values("incident_id")
    # A holder answers for its tasks whatever its status now (the holder's services say so).
    holders = acting_organizations(request.user, verified=False)
    held = list(
        queries.tasks_with_relations()
        .annotate(has_reports=Exists(TaskReport.objects.filter(task=OuterRef("pk"))))
        .filter(organization__in=holders)
        .exclude(status__in=[Task.Status.VERIFIED, Task.Status.CANCELLED])
        .order_by("status", "-created_at")
    )
    claimable = list(
        queries.tasks_with_relations()
        .filter(status=Task.Status.OPEN, incident_id__in=deployed)
        .order_by("-created_at")[:100]
    )
    return render(
        request,
        "coordination/my_tasks.html",
        {
            "held": [_row(request.user, t) for t in held],
            "claimable": [_row(request.user, t) for t in claimable],
            "my_orgs": my_orgs,
        },
    )


def _row(user, task: Task) -> dict:
    """One line of "my tasks": the buttons, what comes next, and why a claim is refused."""
    reasons = action_reasons(user, task)
    return {
        "task": task,
        "actions": [name for name, why in reasons.items() if not why],
        "next": coordination_actions.TASK_NEXT.get(task.status, ""),
        "why_not_claim": _why_not_claim(user, task, reasons),
    }


@login_required
def evidence_photo(request, pk: int):
    photo = get_object_or_404(EvidencePhoto.objects.select_related("report__task__incident"), pk=pk)
    task = photo.report.task
    if not cperms.sees_private(
        request.user, region_code=task.incident.region_code, organization_id=task.organization_id
    ):
        raise Http404
    return FileResponse(photo.file.open("rb"), content_type=photo.content_type)
