"""Liaison page forms: shape only; the services decide (docs/CONVENTIONS.md)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.models import Incident
from core import formfields
from core.forms import ActingOrganizationField
from liaison.models import Category, Function, Notice, Urgency
from registry.choices import OrganizationKind

BLANK = [("", "—")]


def when(**kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        **kwargs,
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``multiple`` input (a list; an empty list when none)."""

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class LookupForm(forms.Form):
    function = forms.ChoiceField(
        label=_("Function"), choices=BLANK + list(Function.choices), required=False
    )
    region = formfields.RegionField(label=_("Region"), required=False)


class ResponsibilityForm(forms.Form):
    agency = ActingOrganizationField()
    function = forms.ChoiceField(label=_("Function"), choices=Function.choices)
    unit = forms.CharField(label=_("Responsible unit"), max_length=120)
    duty_contact = formfields.NameField(label=_("On-duty contact"), max_length=100)
    duty_phone = forms.RegexField(label=_("On-duty phone"), regex=r"^[0-9+\- ]{5,30}$")
    duty_hours = forms.CharField(label=_("On-duty hours"), max_length=100, required=False)
    public = forms.BooleanField(
        label=_("Public (otherwise only members of organizations see it)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].organizations = agencies


class NoticeSearchForm(forms.Form):
    search = forms.CharField(label=_("Search"), max_length=100, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=BLANK + list(Notice.Kind.choices), required=False
    )


class NoticeForm(forms.Form):
    agency = ActingOrganizationField()
    kind = forms.ChoiceField(label=_("Kind"), choices=Notice.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea, max_length=20000)
    audience_regions = formfields.RegionField(
        label=_("Regions addressed"),
        multiple=True,
        required=False,
        help_text=_("Empty: the agency's whole area."),
    )
    audience_kinds = forms.MultipleChoiceField(
        label=_("Kinds of organization addressed (none ticked: all)"),
        choices=[c for c in OrganizationKind.choices if c[0] != OrganizationKind.AGENCY],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    public = forms.BooleanField(label=_("In the public library"), required=False, initial=True)
    expires_at = when(label=_("Expires at"), required=False)
    ack_due_at = when(
        label=_("Acknowledge by"),
        required=False,
        help_text=_("Set a date to require each organization to acknowledge the notice."),
    )
    attachments = MultipleFileField(
        label=_("Attachments (PDF, JPEG or PNG)"),
        required=False,
        widget=MultipleFileInput(),
    )

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].organizations = agencies


class FieldReportForm(forms.Form):
    organization = ActingOrganizationField()
    incident = forms.TypedChoiceField(label=_("Incident"), coerce=int)
    category = forms.ChoiceField(label=_("What is it about"), choices=Category.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial="normal")
    description = forms.CharField(
        label=_("What you see or need"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    people_count = formfields.IntegerField(label=_("People concerned"), min_value=0, required=False)
    region_code = formfields.RegionField(label=_("Area"))
    latitude, longitude = formfields.point_fields()
    photos = MultipleFileField(
        label=_("Photos"), required=False, widget=formfields.PhotoInput(multiple=True)
    )

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].organizations = organizations
        self.fields["incident"].choices = [
            (i.pk, i.title)
            for i in Incident.objects.filter(status__in=Incident.ACTIVE).order_by("-started_at")
        ]

    def clean_incident(self):
        return Incident.objects.get(pk=self.cleaned_data["incident"])


class CheckInForm(forms.Form):
    safe = forms.TypedChoiceField(
        label=_("How is the team"),
        choices=[("1", _("All safe")), ("0", _("We need help"))],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    latitude, longitude = formfields.point_fields()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000)
