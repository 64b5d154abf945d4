"""Preparedness pages: drills, follow-up items, joint meetings and the public yearly summary.
Each POST calls one service; a refusal is shown as a message (``coordination.views.flow``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from coordination.models import Incident
from coordination.views.flow import run_service
from core import permissions as perms
from core.states import action_reasons, allowed_actions
from preparedness import forms, queries, services
from preparedness.models import (
    Decision,
    Drill,
    FollowUp,
    MeetingAttachment,
    MeetingMember,
    Objective,
)
from preparedness.services.followups import participants_of
from registry.models import Organization

DRILL_ACTIONS = {
    "run": (
        services.run_drill,
        gettext_lazy("The drill is running: injects go out at their time."),
    ),
    "end": (services.end_drill, gettext_lazy("The drill has ended: review each objective.")),
    "close": (services.close_drill, gettext_lazy("The drill is closed.")),
}


@require_safe
@login_required
def drill_list(request):
    drills = list(queries.visible_drills(request.user).order_by("-starts_at", "-id")[:200])
    return render(
        request,
        "preparedness/drill_list.html",
        {"drills": drills, "can_create": perms.is_official(request.user)},
    )


@login_required
def drill_create(request):
    if not perms.is_official(request.user):
        raise PermissionDenied
    form = forms.DrillForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        drill = run_service(
            request, services.create_drill, success=_("Drill planned."), **form.cleaned_data
        )
        if drill:
            return redirect("preparedness:drill_detail", pk=drill.pk)
    return render(request, "preparedness/form.html", {"form": form, "heading": _("Plan a drill")})


def _drill(request, pk: int) -> Drill:
    return get_object_or_404(
        queries.visible_drills(request.user).prefetch_related(
            "participants",
            "injects",
            Prefetch(
                "objectives",
                queryset=Objective.objects.prefetch_related(
                    Prefetch("gaps", queryset=FollowUp.objects.select_related("owner"))
                ),
            ),
        ),
        pk=pk,
    )


@require_safe
@login_required
def drill_detail(request, pk: int):
    drill = _drill(request, pk)
    actions = allowed_actions(request.user, drill)
    owners = sorted(drill.participants.all(), key=lambda o: o.name)
    return render(
        request,
        "preparedness/drill_detail.html",
        {
            "drill": drill,
            "actions": actions,
            "reasons": action_reasons(request.user, drill),
            "participants": owners,
            "inject_form": forms.InjectForm() if "add_inject" in actions else None,
            "review_form": forms.ReviewForm(owners=owners) if "review" in actions else None,
        },
    )


@login_required
@require_POST
def drill_action(request, pk: int, action: str):
    drill = _drill(request, pk)
    service, success = DRILL_ACTIONS[action]
    run_service(request, service, success=str(success), drill=drill)
    return redirect("preparedness:drill_detail", pk=drill.pk)


@login_required
@require_POST
def inject_add(request, pk: int):
    drill = _drill(request, pk)
    form = forms.InjectForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            services.add_inject,
            success=_("Inject added."),
            drill=drill,
            **form.cleaned_data,
        )
    else:
        _form_errors(request, form)
    return redirect("preparedness:drill_detail", pk=drill.pk)


@login_required
@require_POST
def objective_review(request, pk: int, objective_id: int):
    drill = _drill(request, pk)
    objective = get_object_or_404(Objective.objects.filter(drill=drill), pk=objective_id)
    owners = Organization.objects.filter(pk__in=participants_of(drill))
    form = forms.ReviewForm(request.POST, owners=owners)
    if form.is_valid():
        run_service(
            request,
            services.review_objective,
            success=_("Review recorded."),
            objective=objective,
            worked=form.cleaned_data["worked"],
            gaps=form.items(),
        )
    else:
        _form_errors(request, form)
    return redirect("preparedness:drill_detail", pk=drill.pk)


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))


# --- follow-up items -----------------------------------------------------------------------


@require_safe
@login_required
def followup_list(request):
    status = request.GET.get("status", FollowUp.Status.OPEN)
    if status not in FollowUp.Status.values:
        status = FollowUp.Status.OPEN
    items = list(
        queries.visible_followups(request.user).filter(status=status).order_by("due_on", "id")[:300]
    )
    return render(
        request,
        "preparedness/followup_list.html",
        {"items": items, "status": status, "statuses": FollowUp.Status.choices},
    )


@require_safe
@login_required
def followup_detail(request, pk: int):
    item = get_object_or_404(queries.visible_followups(request.user), pk=pk)
    actions = allowed_actions(request.user, item)
    return render(
        request,
        "preparedness/followup_detail.html",
        {
            "item": item,
            "actions": actions,
            "complete_form": forms.CompleteForm() if "complete" in actions else None,
            "carry_form": forms.CarryOverForm() if "carry_over" in actions else None,
        },
    )


@login_required
@require_POST
def followup_complete(request, pk: int):
    item = get_object_or_404(queries.visible_followups(request.user), pk=pk)
    form = forms.CompleteForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            services.complete_followup,
            success=_("Item closed as done."),
            item=item,
            note=form.cleaned_data["note"],
        )
    return redirect("preparedness:followup_detail", pk=item.pk)


@login_required
@require_POST
def followup_carry_over(request, pk: int):
    item = get_object_or_404(queries.visible_followups(request.user), pk=pk)
    form = forms.CarryOverForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    run_service(
        request,
        services.carry_over_followup,
        success=_("Item carried over."),
        item=item,
        reason=reason,
    )
    return redirect("preparedness:followup_detail", pk=item.pk)


# --- joint meetings ------------------------------------------------------------------------


@require_safe
@login_required
def meeting_list(request):
    meetings = list(queries.visible_meetings(request.user).order_by("-held_at", "-id")[:200])
    return render(
        request,
        "preparedness/meeting_list.html",
        {"meetings": meetings, "can_create": perms.is_official(request.user)},
    )


@login_required
def meeting_create(request):
    if not perms.is_official(request.user):
        raise PermissionDenied
    form = forms.MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meeting = run_service(
            request, services.convene_meeting, success=_("Meeting convened."), **form.cleaned_data
        )
        if meeting:
            return redirect("preparedness:meeting_detail", pk=meeting.pk)
    return render(
        request, "preparedness/form.html", {"form": form, "heading": _("Convene a joint meeting")}
    )


def _meeting(request, pk: int):
    return get_object_or_404(
        queries.visible_meetings(request.user).prefetch_related(
            Prefetch("members", queryset=MeetingMember.objects.select_related("organization")),
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related("task").prefetch_related(
                    Prefetch("followups", queryset=FollowUp.objects.select_related("owner"))
                ),
            ),
            "attachments",
        ),
        pk=pk,
    )


def _incidents_for(user) -> list:
    """Active incidents of the official's jurisdiction, for a decision's task."""
    prefixes = perms.jurisdiction_prefixes(user)
    if not prefixes:
        return []
    cond = Q()
    for prefix in prefixes:
        cond |= Q(region_code__startswith=prefix)
    return list(
        Incident.objects.filter(cond, status__in=Incident.ACTIVE).order_by("-started_at")[:50]
    )


@require_safe
@login_required
def meeting_detail(request, pk: int):
    meeting = _meeting(request, pk)
    actions = allowed_actions(request.user, meeting)
    members = [m.organization for m in meeting.members.all()]
    return render(
        request,
        "preparedness/meeting_detail.html",
        {
            "meeting": meeting,
            "actions": actions,
            "record": queries.member_record(meeting),
            "minutes_form": forms.MinutesForm(members=members) if "minutes" in actions else None,
            "decision_form": forms.DecisionForm(
                owners=members, incidents=_incidents_for(request.user)
            )
            if "decide" in actions
            else None,
            "attachment_form": forms.AttachmentForm() if "attach" in actions else None,
        },
    )


@login_required
@require_POST
def meeting_minutes(request, pk: int):
    meeting = _meeting(request, pk)
    members = [m.organization for m in meeting.members.all()]
    form = forms.MinutesForm(request.POST, members=members)
    if form.is_valid():
        run_service(
            request,
            services.record_minutes,
            success=_("Minutes recorded."),
            meeting=meeting,
            **form.cleaned_data,
        )
    else:
        _form_errors(request, form)
    return redirect("preparedness:meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_decision(request, pk: int):
    meeting = _meeting(request, pk)
    members = [m.organization for m in meeting.members.all()]
    form = forms.DecisionForm(request.POST, owners=members, incidents=_incidents_for(request.user))
    if form.is_valid():
        data = form.cleaned_data
        run_service(
            request,
            services.record_decision,
            success=_("Decision recorded."),
            meeting=meeting,
            text=data["text"],
            followups=form.items(),
            incident=data.get("incident"),
            task_title=data.get("task_title") or "",
        )
    else:
        _form_errors(request, form)
    return redirect("preparedness:meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_attachment(request, pk: int):
    meeting = _meeting(request, pk)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        run_service(
            request,
            services.add_attachment,
            success=_("File attached."),
            meeting=meeting,
            upload=form.cleaned_data["file"],
            name=form.cleaned_data["name"],
        )
    else:
        _form_errors(request, form)
    return redirect("preparedness:meeting_detail", pk=meeting.pk)


@require_safe
@login_required
def attachment_download(request, pk: int):
    attachment = get_object_or_404(
        MeetingAttachment.objects.filter(meeting__in=queries.visible_meetings(request.user)),
        pk=pk,
    )
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


# --- public --------------------------------------------------------------------------------


@require_safe
def summary(request):
    """Public: drills held and follow-up items closed per year, as a table and a chart."""
    rows = queries.yearly_summary()
    chart = None
    if rows:
        years = [str(r["year"]) for r in rows]
        chart = {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "grid": {"left": 8, "right": 16, "bottom": 8, "top": 32, "containLabel": True},
            "xAxis": {"type": "category", "data": years},
            "yAxis": {"type": "value", "minInterval": 1},
            "series": [
                {"name": _("Drills held"), "type": "bar", "data": [r["held"] for r in rows]},
                {
                    "name": _("Follow-up items opened"),
                    "type": "bar",
                    "data": [r["opened"] for r in rows],
                },
                {
                    "name": _("Follow-up items done"),
                    "type": "bar",
                    "data": [r["done"] for r in rows],
                },
                {
                    "name": _("Carried over with reason"),
                    "type": "bar",
                    "data": [r["carried"] for r in rows],
                },
            ],
            "aria": {"enabled": True},
        }
    return render(request, "preparedness/summary.html", {"rows": rows, "chart": chart})
