from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from core import ratelimit

# The extra tag of a page message that reports a service's PermissionDenied (as against bad
# input or a state that forbids the action): the permission matrix tells page refusals by it.
REFUSED_TAG = "refused"

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
