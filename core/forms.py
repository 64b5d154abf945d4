from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.http import client_ip

# The extra tag of a page message that reports a service's PermissionDenied (as against bad
# input or a state that forbids the action): the permission matrix tells page refusals by it.
REFUSED_TAG = "refused"

__all__ = [
    "REFUSED_TAG",
    "ActingOrganizationField",
    "AdminLoginForm",
    "LoginForm",
    "client_ip",
    "locked_message",
]


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


class ActingOrganizationField(forms.IntegerField):
    """A page's "act for" choice: a select of the organizations the person may act for when there
    are several, nothing shown with one (or none). Shape only: the id goes to the service as sent,
    and ``registry.queries.acting_organization`` decides, as it does for the API."""

    def __init__(self, organizations=(), **kwargs) -> None:
        kwargs.setdefault("label", _("Act for"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)
        self.organizations = organizations

    @property
    def organizations(self) -> list:
        return self._organizations

    @organizations.setter
    def organizations(self, organizations) -> None:
        self._organizations = list(organizations)
        if len(self._organizations) > 1:
            choices = [("", "—")] + [(o.pk, o.name) for o in self._organizations]
            self.widget = forms.Select(choices=choices)
        else:
            self.widget = forms.HiddenInput()
        self.widget.is_required = False
