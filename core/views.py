from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_safe
from rest_framework import exceptions
from rest_framework.authtoken.models import Token

from core import hooks
from core.queries import visible_audit_events


def dashboard(request):
    """Counts across the five areas, contributed by each app's ``dashboard_cards`` hook."""
    cards = hooks.collect("dashboard_cards", request.user)
    return render(request, "core/dashboard.html", {"cards": cards})


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
