"""Django form fields for what people type on the pages, with the rules of core.text (the API's
serializer fields in core.api follow the same rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core import text


class DecimalField(forms.DecimalField):
    """Full-width digits (typed by Chinese input methods) normalized; other non-ASCII refused."""

    def to_python(self, value):
        if isinstance(value, str):
            value = text.number_text(value)
        return super().to_python(value)


class IntegerField(forms.IntegerField):
    def to_python(self, value):
        if isinstance(value, str):
            value = text.number_text(value)
        return super().to_python(value)


class NameField(forms.CharField):
    """A name: format characters removed, something visible left (core.text.clean_name)."""

    def to_python(self, value):
        return text.clean_name(super().to_python(value))


def formfield(model_field, **kwargs):
    """``Meta.formfield_callback`` for model forms: numbers typed with the rule above."""
    from django.db import models

    if not model_field.choices:
        if isinstance(model_field, models.DecimalField):
            kwargs.setdefault("form_class", DecimalField)
        elif isinstance(model_field, models.IntegerField) and not isinstance(
            model_field, models.AutoField | models.BigAutoField | models.SmallAutoField
        ):
            kwargs.setdefault("form_class", IntegerField)
    return model_field.formfield(**kwargs)


class PhotoInput(forms.ClearableFileInput):
    """A photo input that opens the phone's camera (``accept="image/*" capture``) and shows a
    thumbnail of what was picked (static/js/photo-input.js; the page includes that script).
    ``multiple=True`` lets a person pick several photos and posts a list (the field must accept
    one); without it the input posts one file, as a ``FileField`` expects."""

    def __init__(self, attrs=None, *, multiple: bool = False):
        self.allow_multiple_selected = multiple
        base = {"accept": "image/*", "capture": "environment", "data-photo-input": ""}
        if multiple:
            base["multiple"] = True
        super().__init__({**base, **(attrs or {})})


# --- Point picker (map) ------------------------------------------------------------------------


class PointPicker(forms.TextInput):
    """The longitude input followed by a small map (static/js/tz-map.js): a click on the map or
    "use my location" fills this input and the form's latitude input (``latitude_name``).
    Without JavaScript the map stays hidden and both inputs are typed by hand. Points are WGS-84
    (core.geo explains how the map converts from the boundaries' GCJ-02)."""

    template_name = "core/widgets/point_picker.html"

    def __init__(self, attrs=None, *, latitude_name: str = "latitude"):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})
        self.latitude_name = latitude_name

    def get_context(self, name, value, attrs):
        from core import geo

        context = super().get_context(name, value, attrs)
        context["widget"]["latitude_name"] = self.latitude_name
        context["widget"]["map_config"] = geo.map_settings()
        context["widget"]["map_id"] = f"{(attrs or {}).get('id') or 'id_' + name}-map"
        return context


def point_fields(*, required: bool = False) -> tuple[DecimalField, DecimalField]:
    """``latitude, longitude = point_fields()`` in a form: two decimal inputs (WGS-84, six
    decimals), the second with the map picker."""
    latitude = DecimalField(
        label=_("Latitude"),
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        required=required,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    longitude = DecimalField(
        label=_("Longitude"),
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=required,
        widget=PointPicker(),
        help_text=_("WGS-84 (GPS). Click the map or use your location to fill both."),
    )
    return latitude, longitude


class RegionPicker(forms.TextInput):
    """The region input: the plain 6-digit code input (it works without JavaScript, and the
    current region's name path is shown beside it), enhanced by static/js/region-picker.js into
    a province -> city -> county cascade searchable by name and pinyin initials ("yas" finds
    雅安市), read from the static index static/geo/regions.json (scripts/build_region_index.py).
    ``multiple=True``: several codes separated by spaces (service regions, an alert's regions);
    the script then shows each as a removable name."""

    template_name = "core/widgets/region_picker.html"

    def __init__(self, attrs=None, *, multiple: bool = False):
        base = {"autocomplete": "off", "spellcheck": "false", "data-region-input": ""}
        if multiple:
            base["data-multiple"] = ""
        else:
            base.update({"inputmode": "numeric", "maxlength": "6", "pattern": "[0-9]{6}"})
        super().__init__({**base, **(attrs or {})})
        self.multiple = multiple

    def format_value(self, value):
        if isinstance(value, list | tuple):
            return " ".join(str(v) for v in value)
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        from core import words

        context = super().get_context(name, value, attrs)
        codes = _region_codes(self.format_value(value) or "")
        context["widget"]["regions"] = [
            {"code": c, "path": words.region_path(c)} for c in codes if words.known_region(c)
        ]
        context["widget"]["multiple"] = self.multiple
        return context


def _region_codes(value: str) -> list[str]:
    return [c for c in value.replace("，", " ").replace(",", " ").split() if c]


class RegionField(forms.CharField):
    """A region (GB/T 2260 code) picked with :class:`RegionPicker`; the cleaned value is the
    6-digit code ("" when not required and empty). A code the platform does not know is a form
    error naming what was typed; services still check the region themselves."""

    default_error_messages = {
        "unknown": _("Choose a region from the list: “%(value)s” is not a known region code."),
    }

    def __init__(self, *, multiple: bool = False, **kwargs):
        kwargs.setdefault("widget", RegionPicker(multiple=multiple))
        if not multiple:
            kwargs.setdefault("max_length", 6)
        self.multiple = multiple
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, list | tuple):
            value = " ".join(str(v) for v in value)
        value = text.number_text(super().to_python(value) or "") if value else ""
        codes = _region_codes(value)
        return codes if self.multiple else (codes[0] if codes else "")

    def validate(self, value):
        super().validate(value)
        from core import words

        for code in value if self.multiple else [value] if value else []:
            if not words.known_region(code):
                raise forms.ValidationError(
                    self.error_messages["unknown"], code="unknown", params={"value": code}
                )

    def run_validators(self, value):
        if not self.multiple:
            super().run_validators(value)
