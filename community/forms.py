"""Forms of the community pages: shape only; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.models import NeedCategory, Priority
from core import formfields
from core.forms import ActingOrganizationField


def _date(label):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))


class NeedForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=NeedCategory.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, max_length=5000)
    quantity = formfields.IntegerField(label=_("Quantity"), min_value=1, max_value=10**9)
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


class ProjectForm(forms.Form):
    organization = ActingOrganizationField()
    title = forms.CharField(label=_("Title"), max_length=200)
    region_code = forms.RegexField(
        label=_("Area code"), regex=r"^\d{6}$", widget=formfields.RegionPicker()
    )
    category = forms.ChoiceField(label=_("Category"), choices=NeedCategory.choices)
    budget_sought = formfields.DecimalField(
        label=_("Budget sought (yuan)"), max_digits=14, decimal_places=2, min_value=0
    )
    starts_on = _date(_("Starts on"))
    ends_on = _date(_("Ends on"))
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, max_length=10000)
    beneficiaries = forms.CharField(label=_("Beneficiaries"), max_length=200)

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].organizations = organizations


class LinkNeedForm(forms.Form):
    need = forms.TypedChoiceField(label=_("Need"), coerce=int)
    quantity = formfields.IntegerField(label=_("Quantity covered"), min_value=1, max_value=10**9)

    def __init__(self, *args, needs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].choices = [
            (n.pk, f"{n.get_category_display()}：{n.description[:40]}（{n.quantity} {n.unit}）")
            for n in needs
        ]


class PledgeForm(forms.Form):
    funder = ActingOrganizationField()
    amount = formfields.DecimalField(
        label=_("Amount (yuan)"), max_digits=14, decimal_places=2, min_value=0
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, funders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funder"].organizations = funders
        self.fields["funder"].label = _("Funder")


class RegionFilterForm(forms.Form):
    region = forms.RegexField(
        label=_("Region"), regex=r"^\d{6}$", required=False, widget=formfields.RegionPicker()
    )
