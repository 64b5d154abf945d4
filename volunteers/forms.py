"""Forms of the volunteers' pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.formfields import IntegerField, NameField, RegionField
from core.forms import ActingOrganizationField


def _skills(text: str) -> list[str]:
    return [s for s in (text or "").replace("，", " ").replace(",", " ").split() if s]


class VolunteerForm(forms.Form):
    name = NameField(label=_("Real name"), max_length=100)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=30,
        help_text=_("A 6-digit code is sent to this phone; the volunteer tells it to you."),
    )
    region_code = RegionField(label=_("Region"))
    skills = forms.CharField(label=_("Skills"), required=False, help_text=_("Separated by spaces."))

    def __init__(self, *args, hubs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hub"] = ActingOrganizationField(organizations=hubs, label=_("Hub"))

    def clean_skills(self) -> list[str]:
        return _skills(self.cleaned_data.get("skills"))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code received by SMS"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class CallForm(forms.Form):
    incident = forms.ModelChoiceField(label=_("Incident"), queryset=None)
    area_region_code = RegionField(label=_("Area"))
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What volunteers will do"), required=False, widget=forms.Textarea
    )
    skills = forms.CharField(label=_("Skills wanted"), required=False)
    slots = IntegerField(label=_("Volunteers needed"), min_value=1, max_value=100000)

    def __init__(self, *args, hubs=(), incidents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incident"].queryset = incidents
        self.fields["incident"].label_from_instance = lambda i: i.title
        self.fields["hub"] = ActingOrganizationField(organizations=hubs, label=_("Hub"))

    def clean_skills(self) -> list[str]:
        return _skills(self.cleaned_data.get("skills"))


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Your mobile phone"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class ConfirmForm(PhoneForm):
    code = forms.CharField(
        label=_("Code received by SMS"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class SignUpForm(forms.Form):
    volunteer = forms.ModelChoiceField(label=_("Volunteer"), queryset=None)

    def __init__(self, *args, volunteers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers
        self.fields["volunteer"].label_from_instance = lambda v: v.name
