from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from core import ratelimit

LOCKED_MESSAGE = _("Too many failed attempts. Please wait 15 minutes and try again.")


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


class LoginForm(AuthenticationForm):
    """The login form, with failed attempts limited per account and per IP (core.ratelimit)."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request)
        if ratelimit.is_locked(username, ip):
            raise forms.ValidationError(LOCKED_MESSAGE, code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            ratelimit.record_failure(username, ip)
            raise
        ratelimit.clear(username)
        return cleaned
