"""Liaison pages: the directory, the notice library, field reports and safety check-ins.

Each POST calls one service; a refusal shows as a message (coordination's ``run_service``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from coordination.models import Incident
from coordination.views.flow import run_service
from core import permissions as perms
from core.roles import Role
from core.states import action_reasons, allowed_actions
from liaison import forms, queries, services
from liaison.models import FieldReport
from registry.choices import OrganizationKind
from registry.queries import acting_organizations


def _agencies(user):
    return acting_organizations(user, roles=(Role.OFFICIAL,), kinds=(OrganizationKind.AGENCY,))


# --- directory ---------------------------------------------------------------------------------


@require_safe
def directory(request):
    """Who answers for what: look up a function at a region (nearest level first)."""
    form = forms.LookupForm(request.GET or None)
    function = region = ""
    if form.is_valid():
        function = form.cleaned_data.get("function") or ""
        region = form.cleaned_data.get("region") or ""
    rows = queries.lookup(request.user, function=function, region=region)
    return render(
        request,
        "liaison/directory.html",
        {
            "form": form,
            "rows": rows,
            "looked_up": bool(function or region),
            "nearest": rows[0] if rows and function and region else None,
            "agencies": _agencies(request.user),
        },
    )


@login_required
def directory_edit(request):
    agencies = _agencies(request.user)
    if not agencies:
        raise PermissionDenied
    form = forms.ResponsibilityForm(request.POST or None, agencies=agencies)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            request,
            services.save_responsibility,
            success=_("Directory updated."),
            **form.cleaned_data,
        )
    ):
        return redirect("liaison:directory_edit")
    rows = [row for agency in agencies for row in queries.responsibilities_of(agency)]
    return render(
        request, "liaison/directory_edit.html", {"form": form, "rows": rows, "agencies": agencies}
    )


# --- notices -----------------------------------------------------------------------------------


@require_safe
def notice_list(request):
    """The public notice library, with search (cached for the public: core.public_cache)."""
    form = forms.NoticeSearchForm(request.GET or None)
    search = kind = ""
    if form.is_valid():
        search = form.cleaned_data.get("search") or ""
        kind = form.cleaned_data.get("kind") or ""
    page = Paginator(queries.public_notices(search=search, kind=kind), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "liaison/notice_list.html",
        {"form": form, "page": page, "agencies": _agencies(request.user)},
    )


@login_required
def notice_create(request):
    agencies = _agencies(request.user)
    if request.method != "POST" and not agencies:
        raise PermissionDenied
    form = forms.NoticeForm(request.POST or None, request.FILES or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        notice = run_service(
            request, services.publish_notice, success=_("Notice published."), **form.cleaned_data
        )
        if notice:
            return redirect("liaison:notice_detail", pk=notice.pk)
    return render(
        request,
        "liaison/form.html",
        {"form": form, "heading": _("Publish a notice"), "multipart": True},
    )


@require_safe
def notice_detail(request, pk: int):
    notice = queries.notice_detail(request.user, pk)
    receipts = queries.receipts_of(request.user, notice)
    own = [r for r in receipts if r.organization_id in perms.organization_ids(request.user)]
    return render(
        request,
        "liaison/notice_detail.html",
        {
            "notice": notice,
            "receipts": receipts,
            "own": own,
            "is_agency": perms.is_official_for(request.user, notice.agency.region_code),
            "overdue": notice.ack_due_at is not None and notice.ack_due_at < timezone.now(),
        },
    )


NOTICE_ACTIONS = {
    "read": (services.read_notice, gettext_lazy("Marked as read.")),
    "acknowledge": (services.acknowledge_notice, gettext_lazy("Acknowledged.")),
}


@require_POST
@login_required
def notice_action(request, pk: int, action: str):
    if action not in NOTICE_ACTIONS:
        raise Http404
    notice = queries.notice_detail(request.user, pk)
    service, success = NOTICE_ACTIONS[action]
    run_service(
        request,
        service,
        notice=notice,
        organization=request.POST.get("organization") or None,
        success=success,
    )
    return redirect("liaison:notice_detail", pk=pk)


# --- field reports -----------------------------------------------------------------------------


@require_safe
@login_required
def report_list(request):
    """The agency's inbox (routed to it or in its area) and the organization's sent reports."""
    status = request.GET.get("status", "")
    if status not in FieldReport.Status.values:
        status = ""
    page = Paginator(queries.report_list(request.user, status=status), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "liaison/report_list.html",
        {
            "page": page,
            "status": status,
            "statuses": FieldReport.Status.choices,
            "may_send": bool(acting_organizations(request.user)),
        },
    )


@login_required
def report_create(request):
    organizations = acting_organizations(request.user)
    if request.method != "POST" and not organizations:
        raise PermissionDenied
    initial = {}
    if request.GET.get("incident", "").isdigit():
        incident = Incident.objects.filter(pk=int(request.GET["incident"])).first()
        if incident is not None:  # the incident's region to start from
            initial = {"incident": incident.pk, "region_code": incident.region_code}
    form = forms.FieldReportForm(
        request.POST or None, request.FILES or None, organizations=organizations, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        report = run_service(
            request,
            services.send_field_report,
            success=_("Sent. The responsible agency has been told."),
            **form.cleaned_data,
        )
        if report:
            return redirect("liaison:report_detail", pk=report.pk)
    return render(
        request,
        "liaison/form.html",
        {"form": form, "heading": _("Send a field report or request"), "multipart": True},
    )


@require_safe
@login_required
def report_detail(request, pk: int):
    report = queries.report_detail(request.user, pk)
    reasons = action_reasons(request.user, report)
    return render(
        request,
        "liaison/report_detail.html",
        {
            "report": report,
            "actions": allowed_actions(request.user, report),
            "reasons": reasons,
            "is_sender": report.organization_id in perms.organization_ids(request.user),
        },
    )


REPORT_ACTIONS = {
    "acknowledge": (services.acknowledge_report, False, gettext_lazy("Acknowledged.")),
    "confirm": (services.confirm_report, False, gettext_lazy("Confirmed: it shows on the map.")),
    "dismiss": (services.dismiss_report, True, gettext_lazy("Report closed.")),
}


@require_POST
@login_required
def report_action(request, pk: int, action: str):
    if action not in REPORT_ACTIONS:
        raise Http404
    report = get_object_or_404(queries.visible_reports(request.user), pk=pk)
    service, with_reason, success = REPORT_ACTIONS[action]
    kwargs = {"reason": request.POST.get("reason", "")} if with_reason else {}
    run_service(request, service, report=report, success=success, **kwargs)
    return redirect("liaison:report_detail", pk=pk)


# --- check-ins ---------------------------------------------------------------------------------


@require_safe
@login_required
def check_ins(request):
    """A team's phone page: its deployed filings, each with a check-in form; officials see the
    missed check-ins of their jurisdiction."""
    deployments = list(queries.my_deployments(request.user))
    missed = list(queries.open_missed(request.user))
    if (
        not deployments
        and not missed
        and not perms.is_official(request.user)
        and not acting_organizations(request.user, verified=False)
    ):
        raise PermissionDenied
    return render(
        request,
        "liaison/check_ins.html",
        {"deployments": deployments, "missed": missed, "form": forms.CheckInForm()},
    )


@require_POST
@login_required
def check_in(request, pk: int):
    deployment = get_object_or_404(queries.my_deployments(request.user), pk=pk)
    form = forms.CheckInForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            services.check_in,
            deployment=deployment,
            success=_("Checked in."),
            **form.cleaned_data,
        )
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(reverse("liaison:check_ins"))
