"""Forms of the incident board pages; they validate shape, the services validate meaning."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.models import (
    Incident,
    IncidentKind,
    NaturalDisasterSubtype,
    NeedCategory,
    Priority,
)
from core import formfields
from core.forms import ActingOrganizationField
from registry.choices import PersonnelFunction, Specialty

BLANK = [("", "—")]


def when(**kwargs) -> forms.DateTimeField:
    """A date-time field with the browser's date-time picker (ISO input is accepted)."""
    return forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        **kwargs,
    )


class IncidentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=IncidentKind.choices)
    subtype = forms.ChoiceField(
        label=_("Subtype (natural disasters)"),
        choices=BLANK + list(NaturalDisasterSubtype.choices),
        required=False,
    )
    grade = forms.TypedChoiceField(
        label=_("Grade"),
        choices=BLANK + [(1, "I"), (2, "II"), (3, "III"), (4, "IV")],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("For accidents, leave empty to use the grade suggested by the casualties."),
    )
    region_code = forms.RegexField(
        label=_("Region code"), regex=r"^\d{6}$", widget=formfields.RegionPicker()
    )
    latitude, longitude = formfields.point_fields()  # with the map picker
    started_at = when(label=_("Started at"))
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    deaths = formfields.IntegerField(label=_("Deaths"), min_value=0, required=False)
    serious_injuries = formfields.IntegerField(
        label=_("Serious injuries"), min_value=0, required=False
    )
    direct_loss = formfields.DecimalField(
        label=_("Direct economic loss (yuan)"),
        max_digits=16,
        decimal_places=2,
        min_value=0,
        required=False,
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Incident.Status.choices)
    reason = forms.CharField(label=_("Reason"), required=False)
    response_level = forms.TypedChoiceField(
        label=_("Response level"),
        choices=BLANK + [(n, str(n)) for n in (1, 2, 3, 4)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    expected_duration_hours = formfields.IntegerField(
        label=_("Expected duration (hours)"), min_value=1, required=False
    )
    measures = forms.CharField(label=_("Measures"), widget=forms.Textarea, required=False)


class CapacityForm(forms.Form):
    area_region_code = forms.RegexField(
        label=_("Area code"), regex=r"^\d{6}$", widget=formfields.RegionPicker()
    )
    max_teams = formfields.IntegerField(label=_("Max teams"), min_value=0, required=False)
    max_people = formfields.IntegerField(label=_("Max people"), min_value=0, required=False)


class NeedForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=NeedCategory.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea)
    quantity = formfields.IntegerField(label=_("Quantity"), min_value=1)
    unit = forms.CharField(label=_("Unit"), max_length=20)
    region_code = forms.RegexField(
        label=_("Area code"), regex=r"^\d{6}$", widget=formfields.RegionPicker()
    )
    latitude, longitude = formfields.point_fields()  # with the map picker
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Priority.choices, initial="normal")
    organization = ActingOrganizationField()

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].organizations = organizations


class DeploymentForm(forms.Form):
    organization = ActingOrganizationField()
    headcount = formfields.IntegerField(label=_("Headcount"), min_value=1)
    specialties = forms.MultipleChoiceField(
        label=_("Specialties"),
        choices=Specialty.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    vehicles = formfields.IntegerField(label=_("Vehicles"), min_value=0, initial=0)
    area_region_code = forms.RegexField(
        label=_("Area code"), regex=r"^\d{6}$", widget=formfields.RegionPicker()
    )
    latitude, longitude = formfields.point_fields()  # with the map picker
    arrival_at = when(label=_("Arrival time"))
    leader_name = formfields.NameField(label=_("Leader name"), max_length=100)
    leader_phone = forms.RegexField(label=_("Leader phone"), regex=r"^[0-9+\- ]{5,30}$")
    self_sufficiency_days = formfields.IntegerField(
        label=_("Self-sufficiency days"), min_value=0, initial=3
    )

    def __init__(self, *args, organizations=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].organizations = organizations
        # The roster: one role select per person of the talent pool ("not going" by default).
        several = len({p.organization_id for p in people}) > 1
        for person in people:
            name = f"{person.name}（{person.organization.name}）" if several else person.name
            label = _("On the roster: %(name)s") % {"name": name}
            self.fields[f"roster_{person.pk}"] = forms.ChoiceField(
                label=label,
                choices=[("", _("Not going"))] + list(PersonnelFunction.choices),
                required=False,
            )

    def roster_fields(self):
        return [self[name] for name in self.fields if name.startswith("roster_")]

    def values(self) -> dict:
        """What ``file_deployment`` takes: the fields, with the roster as a list."""
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("roster_")}
        data["roster"] = [
            {"person": int(k.removeprefix("roster_")), "role": v}
            for k, v in self.cleaned_data.items()
            if k.startswith("roster_") and v
        ]
        return data


class RosterForm(forms.Form):
    """A filing's roster again: one role select per person of the organization's talent pool
    (``services.set_roster`` replaces the whole roster)."""

    def __init__(self, *args, people=(), current=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = current or {}
        for person in people:
            self.fields[f"roster_{person.pk}"] = forms.ChoiceField(
                label=person.name,
                choices=[("", _("Not going"))] + list(PersonnelFunction.choices),
                required=False,
                initial=current.get(person.pk, ""),
            )

    def values(self) -> dict:
        return {
            "roster": [
                {"person": int(k.removeprefix("roster_")), "role": v}
                for k, v in self.cleaned_data.items()
                if k.startswith("roster_") and v
            ]
        }


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    need = forms.TypedChoiceField(label=_("Need"), coerce=int, empty_value=None, required=False)
    quantity_committed = formfields.IntegerField(
        label=_("Quantity committed toward the need"), min_value=0, initial=0
    )
    specialty = forms.ChoiceField(
        label=_("Specialty"), choices=BLANK + list(Specialty.choices), required=False
    )
    min_grade = forms.TypedChoiceField(
        label=_("Minimum grade"),
        choices=BLANK + [(1, "1"), (2, "2"), (3, "3")],
        coerce=int,
        empty_value=None,
        required=False,
    )
    region_code = forms.RegexField(
        label=_("Area code"), regex=r"^\d{6}$", widget=formfields.RegionPicker()
    )
    latitude, longitude = formfields.point_fields()  # with the map picker
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial="normal")
    due_at = when(label=_("Due at"), required=False)

    def __init__(self, *args, needs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].choices = BLANK + [(n.pk, str(n)) for n in needs]


class ReportForm(forms.Form):
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea)
    people_served = formfields.IntegerField(label=_("People served"), min_value=0, initial=0)
    quantity_delivered = formfields.IntegerField(
        label=_("Quantity delivered"), min_value=0, initial=0
    )
    beneficiaries = forms.CharField(
        label=_("Beneficiary details (private, erased after the incident closes)"),
        widget=forms.Textarea,
        required=False,
    )
    photo = forms.FileField(label=_("Evidence photo (JPEG or PNG)"), required=False)
    taken_at = when(label=_("Photo taken at"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("photo") and not data.get("taken_at"):
            self.add_error("taken_at", _("Give the time the photo was taken."))
        return data
