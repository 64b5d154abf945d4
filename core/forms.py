from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import ngettext

from core.http import client_ip

__all__ = ["AdminLoginForm", "LoginForm", "client_ip", "locked_message"]


def locked_message(seconds: int) -> str:
    return ngettext(
        "Too many failed attempts. Please wait %(seconds)d second and try again.",
        "Too many failed attempts. Please wait %(seconds)d seconds and try again.",
        seconds,
    ) % {"seconds": seconds}


class LimitedLoginMixin:
    """Say how long to wait when the login limiter refused the attempt (core.ratelimit; the
    limit itself is enforced by the authentication backend, core.auth)."""

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            wait = getattr(self.request, "login_retry_after", 0) if self.request else 0
            if wait:
                self.retry_after = wait
                raise forms.ValidationError(locked_message(wait), code="locked")
            raise


class LoginForm(LimitedLoginMixin, AuthenticationForm):
    """The login page's form."""


class AdminLoginForm(LimitedLoginMixin, AdminAuthenticationForm):
    """The admin's login form (``admin.site.login_form``, set in config/urls.py)."""
