"""The ledger's page forms: goods as rows (name, specification, unit, quantity, unit value),
the sign-for form prefilled with what was sent, and evidence photos.

Decisions where the issue is silent:
- Goods rows are a Django formset (``<prefix>-goods-N-name`` ...). A few empty rows are always
  there, so the form works without JavaScript; donations/static/donations/goods-lines.js adds and
  removes rows. A post without the formset's management fields (an older client, a script) is
  read as "no rows", so money-only posts keep working.
- Numbers accept full-width digits (core.text.number_text), the ideographic full stop "。" as
  the decimal point and "," / "，" as thousands separators (``1，200``).
- Several goods lines can also be pasted at once, one a line, fields separated by ``|``, ``｜``,
  a tab, ``、`` or ``，`` (what a spreadsheet or a Chinese keyboard gives).
- Signing for: each line (or the amount) is prefilled with what was sent; a receiver can only
  lower it (more than was sent is a field error), and must give a reason when anything differs.
"""

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coordination.models import Incident
from core import formfields, region_data, words
from core.text import number_text
from donations.models import Campaign, Channel, DonorKind, LedgerEntry
from registry.models import Organization

ITEMS_HELP = _(
    "One item a line: name | unit | quantity | unit value | specification "
    "(、 or ， also separate the fields)."
)
MAX_LINES = 200
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def number(raw: str) -> str:
    """Typed number text as plain ASCII: full-width digits, 。 as the point, 1,200 / 1，200."""
    value = number_text(raw.replace("。", "."))
    if _GROUPED.match(value):
        value = value.replace(",", "")
    return value


class NumberField(formfields.DecimalField):
    """A decimal typed the way people type it (``number`` above). A text input with a decimal
    keypad, not ``type=number``: browsers refuse full-width digits and "1，200" there."""

    widget = forms.TextInput

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}

    def to_python(self, value):
        if isinstance(value, str):
            value = number(value)
        return super().to_python(value)


def _fields(raw: str) -> list[str]:
    parts = re.split(r"[|｜\t]", raw)
    if len(parts) == 1:
        parts = re.split(r"[、，]", raw)
    return [p.strip() for p in parts]


def parse_items(text: str) -> list[dict]:
    """Goods lines typed one a line as ``name | unit | quantity | unit value | spec``."""
    items = []
    for line_no, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip():
            continue
        parts = _fields(raw)
        if len(parts) < 3 or not parts[0] or not parts[1]:
            raise forms.ValidationError(
                _("Line %(n)s: give at least name | unit | quantity.") % {"n": line_no}
            )
        try:
            quantity = Decimal(number(parts[2]))
            unit_value = Decimal(number(parts[3])) if len(parts) > 3 and parts[3] else Decimal(0)
        except (InvalidOperation, ValidationError) as exc:
            raise forms.ValidationError(
                _("Line %(n)s: quantity and value must be numbers.") % {"n": line_no}
            ) from exc
        if quantity <= 0 or unit_value < 0 or quantity.as_tuple().exponent < -3:
            raise forms.ValidationError(
                _("Line %(n)s: quantity must be positive.") % {"n": line_no}
            )
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


class GoodsLineForm(forms.Form):
    """One goods row; an all-empty row is ignored."""

    name = forms.CharField(label=_("Item"), max_length=120, required=False)
    spec = forms.CharField(label=_("Specification"), max_length=200, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    quantity = NumberField(
        label=_("Quantity"),
        required=False,
        min_value=Decimal("0.001"),
        max_digits=14,
        decimal_places=3,
    )
    unit_value = NumberField(
        label=_("Unit value (CNY)"),
        required=False,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
    )

    def clean(self):
        data = super().clean()
        if not any(data.get(f) not in (None, "") for f in self.fields) and not self.errors:
            return data
        for name, message in (
            ("name", _("Name the item.")),
            ("unit", _("Give the unit (箱, 顶, 件 ...).")),
            ("quantity", _("Give the quantity.")),
        ):
            if data.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, message)
        return data

    def item(self) -> dict | None:
        d = self.cleaned_data
        if not d.get("name"):
            return None
        return {
            "name": d["name"],
            "unit": d["unit"],
            "quantity": d["quantity"],
            "unit_value": (d.get("unit_value") or Decimal(0)).quantize(Decimal("0.01")),
            "spec": d.get("spec") or "",
        }


class HeldGoodsLineForm(GoodsLineForm):
    """A row of goods drawn from what the organization holds (an allocation, a disbursement):
    the value and specification come from the lots drawn, so they are not asked; the name
    offers the items held (``<datalist id="held-items">`` on the workspace)."""

    name = forms.CharField(
        label=_("Item"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"list": "held-items"}),
    )
    spec = None
    unit_value = None


def goods_formset(line_form: type[GoodsLineForm]):
    return forms.formset_factory(
        line_form, extra=3, max_num=MAX_LINES, absolute_max=MAX_LINES, validate_max=True
    )


GoodsLineFormSet = goods_formset(GoodsLineForm)
HeldGoodsLineFormSet = goods_formset(HeldGoodsLineForm)


class AmountOrItems(forms.Form):
    """An amount of money, or goods as rows (and/or pasted lines): exactly one of the two."""

    amount = NumberField(
        label=_("Amount (CNY)"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
    )
    items = forms.CharField(
        label=_("Paste several goods lines"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=ITEMS_HELP,
    )

    goods_formset = GoodsLineFormSet

    def __init__(self, data=None, files=None, **kwargs):
        super().__init__(data, files, **kwargs)
        goods_prefix = self.add_prefix("goods")
        sent_rows = data is not None and f"{goods_prefix}-TOTAL_FORMS" in data
        self.goods = self.goods_formset(data if sent_rows else None, prefix=goods_prefix)

    def goods_valid(self) -> bool:
        return not self.goods.is_bound or self.goods.is_valid()

    def is_valid(self) -> bool:
        valid = super().is_valid()  # runs clean(), which validates the rows as well
        return valid and self.goods_valid()

    def clean_items(self):
        return parse_items(self.cleaned_data.get("items", ""))

    def clean(self):
        data = super().clean()
        rows = []
        if self.goods.is_bound and self.goods.is_valid():
            rows = [item for form in self.goods.forms if (item := form.item())]
        if "items" in data:
            data["items"] = rows + data["items"]
        if not self.goods_valid() or "items" in self.errors or "amount" in self.errors:
            return data  # the rows or fields say what is wrong; "either ... or" would mislead
        if (data.get("amount") is None) == (not data.get("items")):
            raise forms.ValidationError(_("Give either an amount or goods lines."))
        return data


def _incidents():
    """Incidents a ledger entry may name: never an exercise (the ledger refuses them)."""
    return Incident.objects.filter(is_exercise=False).order_by("-started_at")


class ReceiptForm(AmountOrItems):
    field_order = [
        "donor_name", "donor_kind", "anonymous", "channel", "amount", "items", "incident",
        "restricted", "purpose", "campaign", "receipt_number", "donation_agreement", "handler",
        "donor_phone", "donor_address",
    ]  # fmt: skip
    donor_name = formfields.NameField(label=_("Donor name"), max_length=200, required=False)
    donor_kind = forms.ChoiceField(label=_("Donor kind"), choices=DonorKind.choices)
    # The organization's filed public fundraising campaigns (公开募捐); the view sets the choices
    # and drops the field when there are none. Decision: campaigns are registered by platform
    # staff (admin) after checking the filing on 慈善中国, not self-declared on this page; a
    # receipt recorded for one is bound to its incident and purpose (services.record_receipt).
    campaign = forms.ModelChoiceField(
        label=_("Public fundraising campaign (公开募捐)"),
        queryset=Campaign.objects.none(),
        required=False,
        help_text=_("A receipt for a campaign is restricted to the campaign's incident and use."),
    )
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
    goods_formset = HeldGoodsLineFormSet
    field_order = ["to_organization", "incident", "purpose", "amount", "items"]
    to_organization = forms.ModelChoiceField(
        label=_("To organization"),
        queryset=Organization.objects.filter(status="verified").exclude(kind="agency"),
    )
    incident = forms.ModelChoiceField(label=_("Incident"), queryset=_incidents(), required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)


class EvidenceField(forms.FileField):
    """Several files from one ``PhotoInput(multiple=True)``: a list (empty when none)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            formfields.PhotoInput(attrs={"accept": "image/*,application/pdf"}, multiple=True),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(EvidenceField, self).clean(f, initial) for f in files]


@lru_cache(maxsize=1)
def _regions_by_name() -> dict[str, frozenset[str]]:
    """Every way a person may name a region -> its codes: the name (芦山县) and each tail of its
    path, with or without spaces (雅安市 芦山县, 雅安市芦山县, 四川省 雅安市 芦山县)."""
    index: dict[str, set[str]] = {}
    for code, _name, _level, _parent in region_data.rows():
        names = words.region_path(code).split(" ")
        for start in range(len(names)):
            tail = names[start:]
            for key in (" ".join(tail), "".join(tail)):
                index.setdefault(key, set()).add(code)
    return {key: frozenset(codes) for key, codes in index.items()}


class RegionField(forms.CharField):
    """A region typed as its name (芦山县, 雅安市 芦山县) or its six-digit code; cleaned to the
    code. A name several regions share (朝阳区) asks for the city or province as well."""

    def clean(self, value):
        text = " ".join(unicodedata.normalize("NFKC", super().clean(value) or "").split())
        if not text:
            return ""
        if re.fullmatch(r"\d{6}", text):
            if not words.known_region(text):
                raise ValidationError(_("No region has this code."), code="unknown_region")
            return text
        codes = _regions_by_name().get(text)
        if not codes:
            raise ValidationError(
                _("No region is called “%(name)s”: type the county's name or its code.")
                % {"name": text},
                code="unknown_region",
            )
        if len(codes) > 1:
            raise ValidationError(
                _("Several regions are called “%(name)s”: %(regions)s. Add the city or province.")
                % {"name": text, "regions": "、".join(sorted(words.region_path(c) for c in codes))},
                code="ambiguous_region",
            )
        return next(iter(codes))


class DisbursementForm(AmountOrItems):
    goods_formset = HeldGoodsLineFormSet
    field_order = ["purpose", "incident", "region_code", "beneficiaries", "amount", "items"]
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    incident = forms.ModelChoiceField(label=_("Incident"), queryset=_incidents(), required=False)
    region_code = RegionField(
        label=_("Where it was used"),
        max_length=60,
        required=False,
        help_text=_(
            "The county (or city) where the money was spent or the goods handed out, "
            "e.g. 芦山县; its six-digit code works too."
        ),
    )
    beneficiaries = formfields.IntegerField(
        label=_("Beneficiaries"),
        min_value=0,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    evidence = EvidenceField(
        label=_("Evidence photos or PDF"),
        required=False,
        help_text=_("Photos of the hand-over, receipts or invoices (PDF, PNG or JPEG)."),
    )
    private_evidence = EvidenceField(
        label=_("Evidence not to publish"),
        required=False,
        help_text=_(
            "Files showing faces, ID numbers or other personal data: chained and kept for the "
            "bureau and auditors, never served publicly."
        ),
    )


def _plain(value: Decimal) -> Decimal:
    """10.000 -> 10 and 2.500 -> 2.5 for an input's value (``normalize`` alone gives 1E+1)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


class SignForForm(forms.Form):
    """Sign for (签收) an allocation: prefilled with what was sent, line by line."""

    reason = forms.CharField(
        label=_("Why does it differ?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when anything arrived short: published with the sign-for."),
    )

    def __init__(self, data=None, *, allocation: LedgerEntry, **kwargs):
        super().__init__(data, **kwargs)
        self.allocation = allocation
        self.sent: dict[str, tuple[str, str, Decimal]] = {}
        fields = {}
        if allocation.amount:
            fields["amount"] = NumberField(
                label=_("Amount that arrived (CNY)"),
                initial=allocation.amount,
                min_value=Decimal(0),
                max_value=allocation.amount,
                max_digits=14,
                decimal_places=2,
                help_text=_("Sent: %(sent)s") % {"sent": words.money(allocation.amount)},
            )
            self.sent["amount"] = ("", "CNY", allocation.amount)
        for position, line in enumerate(allocation.lines.all()):
            name = f"line-{position}"
            fields[name] = NumberField(
                label=f"{line.name}{f' ({line.spec})' if line.spec else ''}",
                initial=_plain(line.quantity),
                min_value=Decimal(0),
                max_value=line.quantity,
                max_digits=14,
                decimal_places=3,
                help_text=_("Sent: %(sent)s") % {"sent": words.quantity(line.quantity, line.unit)},
            )
            fields[name].unit = line.unit
            self.sent[name] = (line.name, line.unit, line.quantity)
        self.fields = {**fields, "reason": self.fields["reason"]}

    def line_fields(self):
        return [self[name] for name in self.sent]

    def clean(self):
        data = super().clean()
        got = {name: data.get(name) for name in self.sent}
        if any(value is None for value in got.values()):
            return data  # the field says what is missing
        differs = any(got[name] != sent for name, (_n, _u, sent) in self.sent.items())
        if differs and not (data.get("reason") or "").strip():
            self.add_error(
                "reason", _("Say why less arrived than was sent (published with the sign-for).")
            )
        if not any(got.values()):
            raise forms.ValidationError(
                _("Nothing arrived: ask the sender to reverse the allocation instead.")
            )
        data["shortfall"] = differs
        return data

    def service_arguments(self) -> dict:
        """``amount`` / ``items`` / ``reason`` for ``services.acknowledge``."""
        d = self.cleaned_data
        items = [
            {"name": name, "unit": unit, "quantity": d[field]}
            for field, (name, unit, _sent) in self.sent.items()
            if field != "amount" and d[field]
        ]
        amount = d.get("amount") if "amount" in self.sent else None
        return {
            "amount": amount if amount else None,
            "items": items or None,
            "reason": d["reason"].strip() if d.get("shortfall") else "",
        }


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
