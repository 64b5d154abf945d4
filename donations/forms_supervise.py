"""Forms of the supervision pages: questions on entries, deliveries to end receivers and the
receiver's sign-for. Shape only; the services in donations.questions and donations.receivers
judge meaning."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core import formfields
from donations import chain
from donations.forms import ITEMS_HELP, parse_items
from donations.models import ReceiverKind
from donations.questions import MAX_TEXT

MAX_PHOTOS = 5


class PhotosField(forms.FileField):
    """The photos picked with ``core.formfields.PhotoInput`` (which always posts a list)."""

    def clean(self, data, initial=None):
        if not isinstance(data, list | tuple):
            data = [data] if data else []
        if len(data) > MAX_PHOTOS:
            raise forms.ValidationError(_("At most %(n)s photos.") % {"n": MAX_PHOTOS})
        photos = [super(PhotosField, self).clean(item, initial) for item in data if item]
        if self.required and not photos:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return photos


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Your question or concern"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Published with the answer; phone and ID numbers are masked."),
    )
    contact = forms.CharField(
        label=_("How to reach you (optional, never published)"), max_length=200, required=False
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Public answer"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReceiverDeliveryForm(forms.Form):
    receiver_name = formfields.NameField(label=_("Receiver (hospital, school ...)"), max_length=200)
    receiver_kind = forms.ChoiceField(label=_("Kind of receiver"), choices=ReceiverKind.choices)
    region_code = forms.RegexField(
        label=_("Receiver's region code"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("Six digits, e.g. 511826.")},
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    items = forms.CharField(
        label=_("Goods handed over"), widget=forms.Textarea(attrs={"rows": 3}), help_text=ITEMS_HELP
    )

    def clean_items(self):
        items = parse_items(self.cleaned_data.get("items", ""))
        if not items:
            raise forms.ValidationError(_("List the goods handed over."))
        return items


class SignForm(forms.Form):
    """One quantity and mismatch note per line sent (``q<n>``, ``note<n>``), prefilled."""

    signer_name = formfields.NameField(label=_("Your name"), max_length=100)
    signer_role = forms.CharField(label=_("Your role"), max_length=100)
    photos = PhotosField(
        label=_("Photos of what arrived"),
        required=False,
        widget=formfields.PhotoInput(multiple=True),
    )

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.sent = list(lines)
        for n, line in enumerate(self.sent):
            self.fields[f"q{n}"] = formfields.DecimalField(
                label=_("Arrived (%(unit)s)") % {"unit": line.unit},
                min_value=Decimal(0),
                max_digits=14,
                decimal_places=3,
                initial=chain.quantity(line.quantity),
            )
            self.fields[f"note{n}"] = forms.CharField(
                label=_("Not as ordered? (e.g. ordered N95, got KN95)"),
                max_length=200,
                required=False,
            )

    def line_fields(self):
        return [(line, self[f"q{n}"], self[f"note{n}"]) for n, line in enumerate(self.sent)]

    def signed_lines(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {"quantity": data[f"q{n}"], "note": data.get(f"note{n}", "")}
            for n in range(len(self.sent))
        ]
