"""Django form fields for what people type on the pages, with the rules of core.text (the API's
serializer fields in core.api follow the same rules)."""

from django import forms

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
