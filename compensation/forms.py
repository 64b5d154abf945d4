"""Forms of the compensation pages: shape only; compensation.services decides."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compensation.models import Claim
from core import formfields, words
from core.forms import ActingOrganizationField
from donations.forms import EvidenceField


def when(**kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        **kwargs,
    )


def amount(label) -> formfields.DecimalField:
    return formfields.DecimalField(label=label, max_digits=12, decimal_places=2, min_value=0)


class ClaimForm(forms.Form):
    organization = ActingOrganizationField()
    # Shape only (a select of the user's filings and tasks): the service decides whose it is.
    basis = forms.RegexField(label=_("During"), regex=r"^(deployment|task):\d{1,9}$")
    kind = forms.ChoiceField(label=_("Kind of loss"), choices=Claim.Kind.choices)
    person = forms.IntegerField(label=_("Person hurt or killed"), min_value=1, required=False)
    description = forms.CharField(
        label=_("What happened, what was lost"), widget=forms.Textarea(attrs={"rows": 4})
    )
    occurred_at = when(label=_("When it happened"))
    amount_claimed = amount(_("Amount claimed (CNY)"))
    insurer_claim_reference = forms.CharField(
        label=_("Insurer claim reference"), max_length=100, required=False
    )
    evidence = EvidenceField(label=_("Photos or documents"))

    def __init__(self, *args, organizations=(), deployments=(), tasks=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].organizations = organizations
        self.fields["basis"].widget = forms.Select(
            choices=[
                (
                    f"deployment:{d.pk}",
                    gettext("Filing: %(incident)s, %(area)s")
                    % {"incident": d.incident.title, "area": words.region_path(d.area_region_code)},
                )
                for d in deployments
            ]
            + [
                (
                    f"task:{t.pk}",
                    gettext("Task: %(title)s (%(incident)s)")
                    % {"title": t.title, "incident": t.incident.title},
                )
                for t in tasks
            ]
        )
        self.fields["person"].widget = forms.Select(
            choices=[("", "—")] + [(p.pk, p.name) for p in people]
        )

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        kind, _sep, pk = data.pop("basis").partition(":")
        data[kind] = int(pk)
        return data


class ApproveForm(forms.Form):
    amount = amount(_("Amount approved (CNY)"))
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))


class PayForm(forms.Form):
    fund = ActingOrganizationField(label=_("Fund held by"))
    voucher = forms.FileField(
        label=_("Payment voucher (kept private, its fingerprint chained)"),
        required=False,
        widget=formfields.PhotoInput(attrs={"accept": "image/*,application/pdf", "capture": False}),
    )

    def __init__(self, *args, funds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].organizations = funds


class SettleForm(forms.Form):
    amount = amount(_("Amount the insurer paid (CNY)"))
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    insurer_claim_reference = forms.CharField(
        label=_("Insurer claim reference"), max_length=100, required=False
    )
