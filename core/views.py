from datetime import UTC, datetime

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from django.views.decorators.http import require_safe
from rest_framework import exceptions
from rest_framework.authtoken.models import Token

from core import hooks
from core import permissions as perms
from core.queries import visible_audit_events
from core.roles import ACTING_ROLES, Role

# The sections of a home, in the order a person with several roles sees them.
HOME_ROLES = (
    ("official", gettext_lazy("For your jurisdiction")),
    ("organization", gettext_lazy("For your organization")),
    ("charity", gettext_lazy("Donations you hold")),
    ("expert", gettext_lazy("Expert panels")),
    ("evaluator", gettext_lazy("Evaluation")),
)


def home_sections(user) -> list[dict]:
    """The person's work queue (``work_queue`` hook of every app), one section per role they
    hold, in ``HOME_ROLES`` order. Within a section what is waiting comes first, oldest first;
    items with nothing waiting follow, shown as done.

    Decision: a role's section appears when some app reports an item for it (an official with
    an empty queue still sees "nothing waiting" rows with count 0), so a person with several
    roles sees each of them, and a role the platform does not know yet is not lost (it is
    shown after the known ones under its own key)."""
    by_role: dict[str, list[dict]] = {}
    for item in hooks.collect("work_queue", user):
        by_role.setdefault(item["role"], []).append(item)
    known = [role for role, _label in HOME_ROLES]
    titles = dict(HOME_ROLES)
    sections = []
    for role in known + sorted(set(by_role) - set(known)):
        items = by_role.get(role)
        if not items:
            continue
        far_future = datetime.max.replace(tzinfo=UTC)
        items.sort(key=lambda i: (i["count"] == 0, i.get("oldest") or far_future))
        sections.append(
            {
                "role": role,
                "title": titles.get(role, role),
                "items": items,
                "waiting": sum(i["count"] for i in items),
            }
        )
    return sections


def home_panels(request) -> list[dict]:
    """Public panels every home shows (``home_panels`` hook): active incidents, open needs,
    the ledger's latest entries, public alerts; each template rendered with its context."""
    panels = sorted(hooks.collect("home_panels", request.user), key=lambda p: p.get("order", 50))
    return [
        {
            "key": panel.get("key", ""),
            "title": panel["title"],
            "html": render_to_string(panel["template"], panel.get("context") or {}, request),
        }
        for panel in panels
    ]


def dashboard(request):
    """The home at /: for a signed-in person, what they have to do now, one section per role
    (officials, organizations, charities, experts); for everyone, the counts of each area and
    the public picture (active incidents, open needs, ledger, alerts)."""
    user = request.user
    sections = home_sections(user) if user.is_authenticated else []
    return render(
        request,
        "core/dashboard.html",
        {
            "sections": sections,
            "cards": hooks.collect("dashboard_cards", user),
            "panels": home_panels(request),
            "official_of": [
                m.organization.name
                for m in perms.memberships(user)
                if m.role == Role.OFFICIAL and m.organization.kind == "agency"
            ],
            "member_of": [
                m.organization.name
                for m in perms.memberships(user)
                if m.role in ACTING_ROLES and m.organization.kind != "agency"
            ],
        },
    )


@login_required
def audit_trail(request):
    page = Paginator(visible_audit_events(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "core/audit.html", {"page": page})


def live(request):
    """The cheapest Django view: no database. The benchmarks' denominator (api_ceiling)."""
    return JsonResponse({"status": "ok"})


@require_safe
def favicon(request):
    """``/favicon.ico``, which browsers request whatever a page links: the static icon.

    A temporary redirect, because the static URL carries a content hash once collected.
    """
    return redirect(static("favicon.ico"))


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def page_not_found(request, exception=None):
    """404 for a URL no route matches: the API's JSON error body under /api/, a page elsewhere.

    (``/api/v1/alerts/-1/`` matches no ``<int:pk>`` route; an API client still gets JSON.)
    """
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": str(exceptions.NotFound.default_detail)},
            status=404,
            json_dumps_params={"ensure_ascii": False},
        )
    return defaults.page_not_found(request, exception)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Changing the password also revokes the user's API token (a leaked token dies with it)."""

    success_url = reverse_lazy("core:dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)
        Token.objects.filter(user=self.request.user).delete()
        messages.success(self.request, _("Password changed. Your API token was revoked."))
        return response


def _mark_refused(response):
    """429 + Retry-After when the login limiter refused the attempt (core.forms sets
    ``retry_after`` on the form with a ``locked`` error)."""
    form = (getattr(response, "context_data", None) or {}).get("form")
    wait = getattr(form, "retry_after", 0) if form is not None else 0
    if wait and form.has_error("__all__", "locked"):
        response.status_code = 429
        response.headers["Retry-After"] = str(wait)
    return response


class LoginView(auth_views.LoginView):
    """The login page (core.forms.LoginForm): 429 with Retry-After when the limiter refuses."""

    def form_invalid(self, form):
        return _mark_refused(super().form_invalid(form))


def admin_login(request, extra_context=None):
    """The admin's login, with ``admin.site.login_form = AdminLoginForm`` (config/urls.py): the
    same limiter as every login, and the same 429 when it refuses."""
    from django.contrib import admin

    return _mark_refused(admin.site.login(request, extra_context))
