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
    ``multiple=True`` lets a person pick several photos (the field must then accept a list)."""

    allow_multiple_selected = True

    def __init__(self, attrs=None, *, multiple: bool = False):
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
