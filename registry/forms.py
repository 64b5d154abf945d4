"""Forms of the registry pages: shape only; registry.services decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core import formfields
from core.forms import ActingOrganizationField
from registry.choices import Grade, OrganizationKind, Specialty
from registry.models import PROFILE_FIELDS, Capability, Document, Organization, Person

REGISTRABLE_KINDS = [(k, label) for k, label in OrganizationKind.choices if k != "agency"]


def _codes(value: str) -> list[str]:
    return [c for c in value.replace("，", ",").replace(" ", ",").split(",") if c]


class RegistrationForm(forms.Form):
    username = forms.RegexField(label=_("Username"), regex=r"^[\w.@+-]+\Z", max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
    email = forms.EmailField(label=_("E-mail"))
    name = formfields.NameField(label=_("Organization name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=40)
    kind = forms.ChoiceField(label=_("Kind"), choices=REGISTRABLE_KINDS)
    region_code = forms.CharField(label=_("Region code (6 digits)"), max_length=6)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    contact_name = formfields.NameField(label=_("Contact name"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    certificate = forms.FileField(
        label=_("Registration certificate (PDF, JPEG or PNG)"), required=False
    )

    ORG_FIELDS = (
        "name",
        "name_en",
        "uscc",
        "kind",
        "region_code",
        "address",
        "contact_name",
        "contact_phone",
        "description",
    )


class ProfileForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    service_regions_text = forms.CharField(
        label=_("Service regions (codes, comma-separated)"), required=False
    )

    class Meta:
        model = Organization
        formfield_callback = formfields.formfield
        field_classes = {
            "name": formfields.NameField,
            "name_en": formfields.NameField,
            "legal_representative": formfields.NameField,
            "contact_name": formfields.NameField,
        }
        fields = [f for f in PROFILE_FIELDS if f != "service_regions"]  # a text box below

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_regions_text"].initial = ",".join(self.instance.service_regions or [])

    def changes(self) -> dict:
        data = {f: self.cleaned_data[f] for f in self.Meta.fields}
        data["service_regions"] = _codes(self.cleaned_data.get("service_regions_text", ""))
        return data


class CapabilityForm(forms.ModelForm):
    personnel_text = forms.CharField(
        label=_("Personnel by function (function=number, one a line)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("management, search, rescue, logistics, medical, safety_officer"),
    )
    equipment_text = forms.CharField(
        label=_("Equipment (name=quantity, one a line)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    class Meta:
        model = Capability
        formfield_callback = formfields.formfield
        fields = [
            "specialty",
            "declared_grade",
            "mobility_range",
            "assembly_hours_local",
            "assembly_hours_remote",
            "sustained_sites",
            "sustained_hours",
            "usar_scale",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["specialty"].disabled = True
            self.fields["personnel_text"].initial = "\n".join(
                f"{k}={v}" for k, v in (self.instance.personnel or {}).items()
            )
            self.fields["equipment_text"].initial = "\n".join(
                f"{e.get('name')}={e.get('quantity')}" for e in self.instance.equipment or []
            )

    @staticmethod
    def _pairs(text: str, field: str) -> list[tuple[str, int]]:
        pairs = []
        for line in text.splitlines():
            if not line.strip():
                continue
            name, _sep, number = line.partition("=")
            try:
                pairs.append((name.strip(), int(number)))
            except ValueError:
                raise forms.ValidationError({field: _("Write name=number on each line.")}) from None
        return pairs

    def values(self) -> dict:
        data = {f: self.cleaned_data[f] for f in self.Meta.fields if f != "specialty"}
        data["personnel"] = dict(
            self._pairs(self.cleaned_data.get("personnel_text", ""), "personnel_text")
        )
        data["equipment"] = [
            {"name": n, "quantity": q}
            for n, q in self._pairs(self.cleaned_data.get("equipment_text", ""), "equipment_text")
        ]
        return data


class InviteMemberForm(forms.Form):
    """Invite an existing user; they become a member when they accept."""

    username = forms.CharField(label=_("Username or e-mail"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"), choices=[("member", _("Member")), ("admin", _("Organization admin"))]
    )


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Document.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("verified", _("Verify")), ("rejected", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (required to reject)"), widget=forms.Textarea, required=False
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea)


class AssessmentForm(forms.Form):
    grade = forms.TypedChoiceField(label=_("Assessed grade"), choices=Grade.choices, coerce=int)
    score = formfields.DecimalField(
        label=_("Score (0-100)"), min_value=0, max_value=100, decimal_places=2
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)
    assessed_on = forms.DateField(
        label=_("Assessed on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        help_text=_("Empty: the default validity period."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class PersonForm(forms.ModelForm):
    organization = ActingOrganizationField()
    skills_text = forms.CharField(label=_("Skills (comma-separated)"), required=False)

    class Meta:
        model = Person
        formfield_callback = formfields.formfield
        field_classes = {"name": formfields.NameField}
        fields = ["name", "social_worker_level", "phone", "region_code", "availability"]

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].organizations = organizations

    def values(self) -> dict:
        data = {f: self.cleaned_data[f] for f in self.Meta.fields}
        data["skills"] = [
            t.strip()
            for t in self.cleaned_data.get("skills_text", "").replace("，", ",").split(",")
            if t.strip()
        ]
        return data


class DirectoryFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any"))] + REGISTRABLE_KINDS
    )
    specialty = forms.ChoiceField(
        label=_("Specialty"), required=False, choices=[("", _("Any"))] + Specialty.choices
    )
    min_grade = forms.TypedChoiceField(
        label=_("Minimum grade"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any"))] + Grade.choices,
    )
    q = forms.CharField(label=_("Name"), required=False)
