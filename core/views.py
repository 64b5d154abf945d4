from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views import defaults
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
