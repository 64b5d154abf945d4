from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coordination.models import Incident
from core import formfields
from core.text import number_text
from donations.models import Channel, DonorKind
from registry.models import Organization

ITEMS_HELP = _("One item a line: name | unit | quantity | unit value | specification")


def parse_items(text: str) -> list[dict]:
    """Goods lines typed one a line as ``name | unit | quantity | unit value | spec``."""
    items = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.split("|")]
        if len(parts) < 3 or not parts[0] or not parts[1]:
            raise forms.ValidationError(
                _("Line %(n)s: give at least name | unit | quantity.") % {"n": number}
            )
        try:
            quantity = Decimal(number_text(parts[2]))
            unit_value = (
                Decimal(number_text(parts[3])) if len(parts) > 3 and parts[3] else Decimal(0)
            )
        except (InvalidOperation, ValidationError) as exc:
            raise forms.ValidationError(
                _("Line %(n)s: quantity and value must be numbers.") % {"n": number}
            ) from exc
        if quantity <= 0 or unit_value < 0 or quantity.as_tuple().exponent < -3:
            raise forms.ValidationError(_("Line %(n)s: quantity must be positive.") % {"n": number})
        items.append(
            {
                "name": parts[0][:120],
                "unit": parts[1][:20],
                "quantity": quantity,
                "unit_value": unit_value.quantize(Decimal("0.01")),
                "spec": parts[4][:200] if len(parts) > 4 else "",
            }
        )
    return items


class AmountOrItems(forms.Form):
    amount = formfields.DecimalField(
        label=_("Amount (CNY)"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
    )
    items = forms.CharField(
        label=_("Goods"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=ITEMS_HELP,
    )

    def clean_items(self):
        return parse_items(self.cleaned_data.get("items", ""))

    def clean(self):
        data = super().clean()
        if (data.get("amount") is None) == (not data.get("items")):
            raise forms.ValidationError(_("Give either an amount or goods lines."))
        return data


def _incidents():
    return Incident.objects.order_by("-started_at")


class ReceiptForm(AmountOrItems):
    donor_name = formfields.NameField(label=_("Donor name"), max_length=200, required=False)
    donor_kind = forms.ChoiceField(label=_("Donor kind"), choices=DonorKind.choices)
    anonymous = forms.BooleanField(label=_("Anonymous donor"), required=False)
    donor_phone = forms.CharField(label=_("Donor phone (private)"), max_length=30, required=False)
    donor_address = forms.CharField(
        label=_("Donor address (private)"), max_length=300, required=False
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    incident = forms.ModelChoiceField(label=_("Incident"), queryset=_incidents(), required=False)
    restricted = forms.BooleanField(label=_("Restricted (定向)"), required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)
    receipt_number = forms.CharField(label=_("Receipt number"), max_length=64, required=False)
    handler = forms.CharField(label=_("Handler (private)"), max_length=100, required=False)
    donation_agreement = forms.BooleanField(label=_("Donation agreement signed"), required=False)


class AllocationForm(AmountOrItems):
    to_organization = forms.ModelChoiceField(
        label=_("To organization"),
        queryset=Organization.objects.filter(status="verified").exclude(kind="agency"),
    )
    incident = forms.ModelChoiceField(label=_("Incident"), queryset=_incidents(), required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)


class DisbursementForm(AmountOrItems):
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    incident = forms.ModelChoiceField(label=_("Incident"), queryset=_incidents(), required=False)
    region_code = forms.RegexField(label=_("Region code"), regex=r"^\d{6}$", required=False)
    beneficiaries = formfields.IntegerField(label=_("Beneficiaries"), min_value=0, required=False)
    evidence = forms.FileField(label=_("Evidence (PDF, PNG or JPEG)"), required=False)


class AcknowledgeForm(AmountOrItems):
    pass


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
