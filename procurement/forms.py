"""Forms of the procurement pages. They check shape only; the services decide (permission, state,
the rules of publication, scoring and payment), exactly as for the API."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.models import Incident
from core import formfields, validators
from core.forms import ActingOrganizationField
from procurement.models import (
    Category,
    CriterionKind,
    Direction,
    EvaluationMethod,
    Method,
    MethodReason,
    Project,
    TerminationGround,
    Verification,
)
from procurement.recipients import parse_lines
from registry.choices import Grade, OrganizationKind, Specialty
from registry.models import Organization

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


def small_value_hint() -> str:
    """The small-value route in one sentence, with the threshold of the settings."""
    from django.conf import settings

    from core import words

    return _(
        "Below %(threshold)s: competitive consultation or negotiation, inviting at least 3 "
        "verified suppliers. From %(threshold)s: open tender, unless a legal ground is chosen and "
        "written down. Emergency purchases (Art. 85) are reviewed after the fact."
    ) % {"threshold": words.money(settings.TONGZHOU_SMALL_PURCHASE_THRESHOLD)}


def when_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE)


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _checked(field: str, rule, value):
    """Run a ``core.validators`` date rule as a form error on ``field``."""
    try:
        validators.check(field, rule, value)
    except ValidationError as exc:
        raise forms.ValidationError(exc.message_dict.get(field, exc.messages)) from exc
    return value


class ProjectForm(forms.Form):
    """A plan (draft project). The region is picked with the shared cascading picker
    (``core.formfields.RegionField``: province -> city -> county, by name or pinyin initials)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices)
    evaluation_method = forms.ChoiceField(
        label=_("Evaluation"),
        choices=EvaluationMethod.choices,
        initial=EvaluationMethod.COMPREHENSIVE,
    )
    budget_amount = formfields.DecimalField(
        label=_("Budget (yuan)"), max_digits=14, decimal_places=2, min_value=0.01
    )
    region_code = formfields.RegionField(label=_("Region"))
    tender_end = forms.DateTimeField(
        label=_("Tender deadline"), widget=when_input(), input_formats=[LOCAL_MINUTE]
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    incident = forms.ModelChoiceField(
        label=_("Incident (emergency procurement)"),
        queryset=Incident.objects.none(),
        required=False,
    )
    eligibility_specialty = forms.ChoiceField(
        label=_("Required specialty"),
        choices=[("", _("Any"))] + list(Specialty.choices),
        required=False,
    )
    eligibility_min_grade = forms.TypedChoiceField(
        label=_("Minimum assessed grade"),
        choices=[("", _("Any"))] + list(Grade.choices),
        coerce=int,
        empty_value=None,
        required=False,
    )
    invitees = forms.ModelMultipleChoiceField(
        label=_("Invited organizations (invited tender, negotiation, consultation, single source)"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    method_reason = forms.ChoiceField(
        label=_("Legal ground for a method other than open tender"),
        choices=[("", _("None (open tender, emergency, or below the threshold)"))]
        + list(MethodReason.choices),
        required=False,
    )
    method_reason_text = forms.CharField(
        label=_("The facts that make the ground apply"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incident"].queryset = Incident.objects.filter(
            is_exercise=False,
            status__in=[
                Incident.Status.RESPONDING,
                Incident.Status.RESETTLEMENT,
                Incident.Status.RECOVERY,
            ],
        ).order_by("-id")
        self.fields["incident"].label_from_instance = lambda i: i.title
        self.fields["invitees"].queryset = (
            Organization.objects.filter(status="verified").exclude(kind="agency").order_by("name")
        )
        self.fields["invitees"].label_from_instance = lambda o: o.name
        self.fields["method"].help_text = small_value_hint()

    def clean_tender_end(self):
        return _checked("tender_end", validators.deadline, self.cleaned_data["tender_end"])

    def service_arguments(self) -> dict:
        d = self.cleaned_data
        return {
            "title": d["title"],
            "category": d["category"],
            "method": d["method"],
            "evaluation_method": d["evaluation_method"],
            "budget_amount": d["budget_amount"],
            "region_code": d["region_code"],
            "tender_end": d["tender_end"],
            "description": d["description"],
            "incident": d["incident"],
            "eligibility": {
                "specialty": d["eligibility_specialty"] or "",
                "min_grade": d["eligibility_min_grade"],
            },
            "invitees": list(d["invitees"]),
            "method_reason": d["method_reason"],
            "method_reason_text": d["method_reason_text"],
        }

    @staticmethod
    def initial_for(project: Project) -> dict:
        return {
            "title": project.title,
            "category": project.category,
            "method": project.method,
            "evaluation_method": project.evaluation_method,
            "budget_amount": project.budget_amount,
            "region_code": project.region_code,
            "tender_end": timezone.localtime(project.tender_end),
            "description": project.description,
            "incident": project.incident_id,
            "eligibility_specialty": project.eligibility_specialty,
            "eligibility_min_grade": project.eligibility_min_grade,
            "invitees": [o.pk for o in project.invitees.all()],
            "method_reason": project.method_reason,
            "method_reason_text": project.method_reason_text,
        }


class StandardForm(forms.Form):
    """One measurable indicator (服务标准)."""

    indicator = forms.CharField(label=_("Indicator"), max_length=200)
    target = formfields.DecimalField(label=_("Target"), max_digits=14, decimal_places=2)
    unit = forms.CharField(label=_("Unit"), max_length=30)
    verification = forms.ChoiceField(label=_("Verification"), choices=Verification.choices)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, initial=Direction.AT_LEAST, required=False
    )
    sample_size = formfields.IntegerField(
        label=_("Recipients to sample"), min_value=0, max_value=1000, required=False
    )

    def clean_direction(self):
        return self.cleaned_data.get("direction") or Direction.AT_LEAST

    def clean_sample_size(self):
        return self.cleaned_data.get("sample_size") or 0


class CriterionForm(forms.Form):
    """One evaluation factor with its weight."""

    name = forms.CharField(label=_("Factor"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=CriterionKind.choices)
    weight = formfields.IntegerField(label=_("Weight"), min_value=1, max_value=100)


class RowFormSet(forms.BaseFormSet):
    """Rows added and removed in the browser (procurement/static/procurement/rows.js); a row
    left empty or marked for removal is not sent to the service."""

    def rows(self) -> list[dict]:
        return [
            {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


StandardFormSet = forms.formset_factory(
    StandardForm, formset=RowFormSet, extra=0, can_delete=True, max_num=30, validate_max=True
)
CriterionFormSet = forms.formset_factory(
    CriterionForm, formset=RowFormSet, extra=0, can_delete=True, max_num=20, validate_max=True
)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class PanelForm(forms.Form):
    size = formfields.IntegerField(label=_("Panel size"), min_value=3, max_value=25, initial=3)


class AwardForm(forms.Form):
    bid = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=_("Reason (required when not the top-ranked bid)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RetenderForm(forms.Form):
    tender_end = forms.DateTimeField(
        label=_("New tender deadline"), widget=when_input(), input_formats=[LOCAL_MINUTE]
    )

    def clean_tender_end(self):
        return _checked("tender_end", validators.deadline, self.cleaned_data["tender_end"])


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


BID_FILE_ACCEPT = (
    ".pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx,.ppt,.pptx,application/pdf,image/jpeg,image/png"
)


class MultipleFileField(forms.FileField):
    """Several files in one input (the bid's proposal files): shape only, the service checks
    type, size and count (``procurement.services.bids.check_bid_files``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"multiple": True, "accept": BID_FILE_ACCEPT})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class BidForm(forms.Form):
    organization = ActingOrganizationField()
    price = formfields.DecimalField(
        label=_("Price (yuan)"), max_digits=14, decimal_places=2, min_value=0.01
    )
    team_size = formfields.IntegerField(label=_("Team size"), min_value=0, initial=0)
    proposal = forms.CharField(
        label=_("Technical proposal"), widget=forms.Textarea(attrs={"rows": 6})
    )
    documents = MultipleFileField(
        label=_("Proposal files (PDF, images, Word, Excel, PowerPoint)"),
        help_text=_(
            "Files chosen here replace the ones already attached; choose none to keep them."
        ),
        required=False,
    )

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].organizations = organizations


class ChallengeForm(forms.Form):
    organization = ActingOrganizationField()
    reason = forms.CharField(
        label=_("Grounds of the challenge"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].organizations = organizations


class ResolveForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("dismissed", _("Dismiss the challenge")),
            ("upheld", _("Uphold: annul the award")),
        ],
        widget=forms.RadioSelect,
    )
    response = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}))


class MilestoneRowForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_at = forms.DateTimeField(label=_("Due"), widget=when_input(), input_formats=[LOCAL_MINUTE])
    payment_percent = formfields.DecimalField(
        label=_("Payment (%)"), max_digits=5, decimal_places=2, min_value=0.01, max_value=100
    )

    # Where and when the service happens (optional): progress photos are checked against them.
    site_latitude = formfields.DecimalField(
        label=_("Site latitude"),
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        required=False,
    )
    site_longitude = formfields.DecimalField(
        label=_("Site longitude"),
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=False,
    )
    service_starts_at = forms.DateTimeField(
        label=_("Service starts"),
        required=False,
        widget=when_input(),
        input_formats=[LOCAL_MINUTE],
    )
    service_ends_at = forms.DateTimeField(
        label=_("Service ends"),
        required=False,
        widget=when_input(),
        input_formats=[LOCAL_MINUTE],
    )

    def clean_due_at(self):
        return _checked("milestones", validators.deadline, self.cleaned_data["due_at"])


MilestoneFormSet = forms.formset_factory(
    MilestoneRowForm, formset=RowFormSet, extra=0, can_delete=True, max_num=24, validate_max=True
)


class TerminateForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    ground = forms.ChoiceField(
        label=_("Ground of termination"),
        choices=TerminationGround.choices,
        initial=TerminationGround.NONPERFORMANCE,
        required=False,
        help_text=_("A termination for falsified records debars the supplier from bidding."),
    )
    clawback_amount = formfields.DecimalField(
        label=_("Amount to claw back (yuan)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        initial=0,
    )
    due_on = forms.DateField(
        label=_("Clawback due on"), required=False, widget=date_input(), input_formats=["%Y-%m-%d"]
    )

    def clean_due_on(self):
        value = self.cleaned_data.get("due_on")
        return _checked("due_on", validators.deadline, value) if value else value


class RecoveryForm(forms.Form):
    amount = formfields.DecimalField(
        label=_("Amount recovered (yuan)"), max_digits=14, decimal_places=2, min_value=0.01
    )
    recovered_on = forms.DateField(
        label=_("Recovered on"), widget=date_input(), input_formats=["%Y-%m-%d"]
    )
    note = forms.CharField(
        label=_("Note (how it was paid)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_recovered_on(self):
        return _checked("recovered_on", validators.fact, self.cleaned_data["recovered_on"])


class WriteOffForm(forms.Form):
    amount = formfields.DecimalField(
        label=_("Amount to write off (yuan; empty: all that is outstanding)"),
        max_digits=14,
        decimal_places=2,
        min_value=0.01,
        required=False,
    )
    reason = forms.CharField(
        label=_("Why it cannot be recovered"), widget=forms.Textarea(attrs={"rows": 2})
    )
    written_off_on = forms.DateField(
        label=_("Written off on"), widget=date_input(), input_formats=["%Y-%m-%d"], required=False
    )

    def clean_written_off_on(self):
        value = self.cleaned_data.get("written_off_on")
        return _checked("written_off_on", validators.fact, value) if value else value


class InviteForm(forms.Form):
    organizations = forms.ModelMultipleChoiceField(
        label=_("Suppliers to invite"),
        queryset=Organization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = (
            Organization.objects.filter(status="verified").exclude(kind="agency").order_by("name")
        )
        self.fields["organizations"].label_from_instance = lambda o: o.name


class ReviewForm(forms.Form):
    notes = forms.CharField(
        label=_("What the after-the-fact review found"), widget=forms.Textarea(attrs={"rows": 3})
    )


class LiftForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the debarment is lifted"), widget=forms.Textarea(attrs={"rows": 2})
    )


class MultiplePhotoField(forms.FileField):
    """Several photos in one input (core.formfields.PhotoInput with ``multiple``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", formfields.PhotoInput(multiple=True))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class IndicatorValuesMixin:
    """One number field per indicator of the milestone (``v_<id>``)."""

    prefix_key = "v"

    def add_indicators(self, indicators, *, label_suffix="", required=True):
        self.indicators = list(indicators)
        for s in self.indicators:
            self.fields[f"{self.prefix_key}_{s.pk}"] = formfields.DecimalField(
                label=f"{s.indicator} ({label_suffix}{s.unit})",
                max_digits=14,
                decimal_places=2,
                required=required,
            )

    def indicator_values(self) -> dict[str, str]:
        out = {}
        for s in self.indicators:
            value = self.cleaned_data.get(f"{self.prefix_key}_{s.pk}")
            if value is not None:
                out[str(s.pk)] = str(value)
        return out


class DocumentsInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ReportForm(IndicatorValuesMixin, forms.Form):
    summary = forms.CharField(
        label=_("What was delivered"), widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = MultiplePhotoField(label=_("Photos"), required=False)
    taken_at = forms.DateTimeField(
        label=_("Photos taken at"),
        required=False,
        widget=when_input(),
        input_formats=[LOCAL_MINUTE],
    )
    documents = MultiplePhotoField(
        label=_("Documents (PDF)"),
        required=False,
        widget=DocumentsInput(attrs={"accept": "application/pdf"}),
    )
    recipients = forms.CharField(
        label=_(
            "Service recipients served: one a line, name then mobile number (private; a sample "
            "is asked by SMS to confirm)"
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_indicators(indicators, required=False)

    def recipient_rows(self) -> list[dict]:
        return parse_lines(self.cleaned_data.get("recipients", ""))

    def clean_taken_at(self):
        value = self.cleaned_data.get("taken_at")
        return _checked("taken_at", validators.fact, value) if value else value


class InspectForm(IndicatorValuesMixin, forms.Form):
    """What was seen, and the value measured for every indicator (``m_<id>``)."""

    prefix_key = "m"
    notes = forms.CharField(
        label=_("What was seen on site"), widget=forms.Textarea(attrs={"rows": 3})
    )
    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    third_party_score = formfields.DecimalField(
        label=_("Third-party evaluator's score (0-100)"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
    )
    photos = MultiplePhotoField(label=_("Photos of the inspection"), required=False)

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        # not required here: the service says which are missing (after who may inspect)
        self.add_indicators(indicators, label_suffix=_("measured, "), required=False)


class AcceptForm(forms.Form):
    """The acceptance judges the latest inspection's measurements; the official adds the
    recipients present, if any, and notes."""

    recipients = forms.CharField(
        label=_(
            "Service recipients present (one name a line; kept private, only the count is public)"
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)

    def recipient_names(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["recipients"].splitlines() if line.strip()
        ]


class EvaluatorForm(forms.Form):
    """The third-party evaluator organization to assign (verified organizations of that kind)."""

    organization = forms.ModelChoiceField(
        label=_("Third-party evaluator"),
        queryset=Organization.objects.none(),
        empty_label=None,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(
            kind=OrganizationKind.EVALUATOR, status=Organization.Status.VERIFIED
        ).order_by("name")


class ScoreForm(forms.Form):
    """An expert's points for every valid bid on every non-price factor (``s_<bid>_<criterion>``),
    and the conflict-of-interest declaration every score needs."""

    declaration = forms.BooleanField(
        label=_(
            "I declare that I have no conflict of interest with any bidder: I am not a member, "
            "employee or relative of anyone at a bidding organization."
        ),
        required=True,
    )

    def __init__(self, *args, bids=(), criteria=(), mine=None, **kwargs):
        super().__init__(*args, **kwargs)
        mine = mine or {}
        self.cells = []
        for bid in bids:
            for c in criteria:
                name = f"s_{bid.pk}_{c.pk}"
                self.fields[name] = formfields.DecimalField(
                    label=f"{bid.organization.name} · {c.name} (0-{c.weight})",
                    max_digits=6,
                    decimal_places=2,
                    min_value=0,
                    max_value=c.weight,
                    initial=mine.get((bid.pk, c.pk)),
                )
                self.cells.append((name, bid, c))


def default_deadline(days: int = 30) -> dt.datetime:
    return (timezone.localtime() + dt.timedelta(days=days)).replace(second=0, microsecond=0)
