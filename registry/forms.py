"""Forms of the registry pages: shape only; registry.services decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core import formfields, validators
from core.forms import ActingOrganizationField
from registry import uscc
from registry.choices import Grade, OrganizationKind, PersonnelFunction, Specialty
from registry.models import PROFILE_FIELDS, Capability, Document, Organization, Person, Phase

REGISTRABLE_KINDS = [(k, label) for k, label in OrganizationKind.choices if k != "agency"]

# Certificates and documents are often photographed with a phone: the camera or a PDF.
DOCUMENT_ACCEPT = "image/jpeg,image/png,application/pdf"


def document_input() -> formfields.PhotoInput:
    """A file input for a document: a phone offers the camera or its files (no forced capture)."""
    return formfields.PhotoInput(attrs={"accept": DOCUMENT_ACCEPT, "capture": False})


class USCCInput(forms.TextInput):
    """The 统一社会信用代码 input: 18 characters, upper case, with a live check message computed
    by static/js/uscc.js, which implements registry.uscc.validate (the messages come from the
    server's catalogue, so both say the same words)."""

    template_name = "registry/widgets/uscc.html"

    def __init__(self, attrs=None):
        base = {
            "maxlength": "18",
            "autocapitalize": "characters",
            "autocomplete": "off",
            "spellcheck": "false",
            "class": "uscc",
            "data-uscc": "",
        }
        super().__init__({**base, **(attrs or {})})

    def get_context(self, name, value, attrs):
        import json

        context = super().get_context(name, value, attrs)
        context["widget"]["prefixes"] = json.dumps(
            {k: list(v) for k, v in uscc.KIND_PREFIXES.items() if v}
        )
        context["widget"]["messages"] = {
            "ok": _("The code passes the GB 32100 and GB 11714 checks."),
            "typing": _("%(count)s of 18 characters."),
            **uscc.MESSAGES,
        }
        return context


class USCCField(forms.CharField):
    """Upper-cased and trimmed; its meaning (check digits, kind, uniqueness) is the service's."""

    widget = USCCInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault(
            "help_text",
            _(
                "18 characters on the registration certificate, digits and capital letters "
                "(never I, O, S, V, Z); the last one is a check character."
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        return (super().to_python(value) or "").strip().replace(" ", "").upper()


class RegistrationForm(forms.Form):
    username = forms.RegexField(label=_("Username"), regex=r"^[\w.@+-]+\Z", max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
    email = forms.EmailField(label=_("E-mail"))
    name = formfields.NameField(label=_("Organization name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=REGISTRABLE_KINDS)
    uscc = USCCField(label=_("Unified social credit code"))
    region_code = formfields.RegionField(label=_("Region"))
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    contact_name = formfields.NameField(label=_("Contact name"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    certificate = forms.FileField(
        label=_("Registration certificate (PDF, JPEG or PNG)"),
        required=False,
        widget=document_input(),
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
    service_regions_text = formfields.RegionField(
        label=_("Service regions"), required=False, multiple=True
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
        fields = [f for f in PROFILE_FIELDS if f != "service_regions"]  # a picker below
        widgets = {"founded_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_regions_text"].initial = " ".join(self.instance.service_regions or [])
        # The service's plausibility rule, here too, so one submit shows every error.
        if "founded_on" in self.fields:
            self.fields["founded_on"].validators.append(validators.founded)

    def changes(self) -> dict:
        data = {f: self.cleaned_data[f] for f in self.Meta.fields if f in self.cleaned_data}
        data["service_regions"] = self.cleaned_data.get("service_regions_text") or []
        return data


class CapabilityForm(forms.ModelForm):
    """A capability: the specialty as labelled choices, people by function as one number box
    each (PersonnelFunction), equipment as ``name=quantity`` lines."""

    equipment_text = forms.CharField(
        label=_("Equipment (name=quantity, one a line)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("For example: 生命探测仪=2"),
    )
    phases = forms.MultipleChoiceField(
        label=_("Disaster phases served"),
        choices=Phase.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Tasks and tenders of an incident in a phase go to capabilities serving it; "
            "none ticked serves every phase."
        ),
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
        widgets = {"specialty": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialty"].choices = Specialty.choices
        personnel = (self.instance.personnel or {}) if self.instance.pk else {}
        for key, label in PersonnelFunction.choices:
            self.fields[f"personnel_{key}"] = formfields.IntegerField(
                label=_("People: %(function)s") % {"function": label},
                min_value=0,
                max_value=100000,
                required=False,
                initial=personnel.get(key),
            )
        if self.instance.pk:
            self.fields["phases"].initial = list(self.instance.phases or [])
            self.fields["specialty"].disabled = True
            self.fields["equipment_text"].initial = "\n".join(
                f"{e.get('name')}={e.get('quantity')}" for e in self.instance.equipment or []
            )

    def clean_equipment_text(self) -> list[tuple[str, int]]:
        pairs = []
        for number, line in enumerate(self.cleaned_data["equipment_text"].splitlines(), 1):
            if not line.strip():
                continue
            name, _sep, quantity = line.replace("＝", "=").partition("=")
            try:
                pairs.append((name.strip(), int(quantity)))
            except ValueError:
                raise forms.ValidationError(
                    _("Line %(number)d: write name=quantity, for example 生命探测仪=2.")
                    % {"number": number}
                ) from None
            if not name.strip():
                raise forms.ValidationError(
                    _("Line %(number)d: the name is missing.") % {"number": number}
                )
        return pairs

    def values(self) -> dict:
        data = {f: self.cleaned_data[f] for f in self.Meta.fields if f != "specialty"}
        data["personnel"] = {
            key: self.cleaned_data[f"personnel_{key}"]
            for key in PersonnelFunction.values
            if self.cleaned_data.get(f"personnel_{key}")
        }
        data["equipment"] = [
            {"name": n, "quantity": q} for n, q in self.cleaned_data.get("equipment_text") or []
        ]
        data["phases"] = list(self.cleaned_data.get("phases") or [])
        return data


class InviteMemberForm(forms.Form):
    """Invite an existing user; they become a member when they accept."""

    username = forms.CharField(label=_("Username or e-mail"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"), choices=[("member", _("Member")), ("admin", _("Organization admin"))]
    )


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"), widget=document_input())
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
        fields = ["name", "social_worker_level", "phone", "region_code", "availability"]
        field_classes = {"name": formfields.NameField, "region_code": formfields.RegionField}

    def __init__(self, *args, organizations=(), editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # the person stays with their organization
            del self.fields["organization"]
        else:
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
    region = formfields.RegionField(label=_("Region"), required=False)
    q = forms.CharField(label=_("Name"), required=False)


class InsurancePolicyForm(forms.Form):
    person = forms.TypedChoiceField(label=_("Person"), coerce=int)
    insurer = forms.CharField(label=_("Insurer"), max_length=200)
    policy_number = forms.CharField(label=_("Policy number"), max_length=100)
    accident_amount = formfields.DecimalField(
        label=_("Accident cover (CNY)"), max_digits=12, decimal_places=2, required=False
    )
    medical_amount = formfields.DecimalField(
        label=_("Medical cover (CNY)"), max_digits=12, decimal_places=2, required=False
    )
    liability_amount = formfields.DecimalField(
        label=_("Third-party liability cover (CNY)"),
        max_digits=12,
        decimal_places=2,
        required=False,
    )
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    upload = forms.FileField(
        label=_("Policy document (PDF, JPEG or PNG)"), required=False, widget=document_input()
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.name) for p in people]
