"""Forms of the preparedness pages: they validate shape, the services validate meaning."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core import formfields
from registry.models import Organization


def when(**kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        **kwargs,
    )


def day(**kwargs) -> forms.DateField:
    return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


def organization_choices(queryset=None) -> list[tuple[int, str]]:
    qs = (
        queryset
        if queryset is not None
        else Organization.objects.filter(status=Organization.Status.VERIFIED)
    )
    return [(o.pk, o.name) for o in qs.order_by("kind", "name")]


class DrillForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    scenario = forms.CharField(label=_("Scenario"), widget=forms.Textarea)
    region_code = formfields.RegionField(label=_("Region"))
    starts_at = when(label=_("Starts at"))
    objectives = forms.CharField(
        label=_("Objectives"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One objective per line."),
    )
    participants = forms.TypedMultipleChoiceField(
        label=_("Participating agencies and organizations"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].choices = organization_choices()

    def clean_objectives(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["objectives"].splitlines() if line.strip()
        ]


class InjectForm(forms.Form):
    deliver_at = when(label=_("Deliver at"))
    title = forms.CharField(label=_("Title"), max_length=180)
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ItemFields(forms.Form):
    """One follow-up item (optional): title, owner among ``owners``, due date."""

    item_title = forms.CharField(label=_("Follow-up item"), max_length=300, required=False)
    item_owner = forms.TypedChoiceField(
        label=_("Owner"), coerce=int, required=False, empty_value=None
    )
    item_due_on = day(label=_("Due on"), required=False)

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item_owner"].choices = [("", "—"), *[(o.pk, o.name) for o in owners]]

    def items(self) -> list[dict]:
        data = self.cleaned_data
        if not (data.get("item_title") or data.get("item_owner") or data.get("item_due_on")):
            return []
        return [
            {
                "title": data.get("item_title") or "",
                "owner": data.get("item_owner"),
                "due_on": data.get("item_due_on"),
            }
        ]


class ReviewForm(ItemFields):
    worked = forms.CharField(
        label=_("What worked"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    field_order = ["worked", "item_title", "item_owner", "item_due_on"]


class CompleteForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CarryOverForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    region_code = formfields.RegionField(label=_("Region"))
    held_at = when(label=_("Held at"))
    agenda = forms.CharField(label=_("Agenda"), widget=forms.Textarea)
    members = forms.TypedMultipleChoiceField(
        label=_("Member agencies and organizations"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = organization_choices()


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea)
    attended = forms.TypedMultipleChoiceField(
        label=_("Attended"), coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(o.pk, o.name) for o in members]


class DecisionForm(ItemFields):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))
    incident = forms.TypedChoiceField(
        label=_("Task on incident"), coerce=int, required=False, empty_value=None
    )
    task_title = forms.CharField(label=_("Task title"), max_length=200, required=False)
    field_order = ["text", "item_title", "item_owner", "item_due_on", "incident", "task_title"]

    def __init__(self, *args, incidents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incident"].choices = [("", "—"), *[(i.pk, i.title) for i in incidents]]


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
