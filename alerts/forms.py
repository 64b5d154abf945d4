from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.audience import BASIS_BOTH, BASIS_FILINGS, BASIS_REGISTERED, SELECTABLE_KINDS
from alerts.models import AlertType, Channel, Level
from core import formfields
from core.roles import Role
from registry.choices import Grade, OrganizationKind, Specialty


class AlertForm(forms.Form):
    """An official's manual alert; the audience is built from the fields below."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}))
    title_en = forms.CharField(label=_("English title"), max_length=200, required=False)
    body_en = forms.CharField(
        label=_("English message"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    regions = formfields.RegionField(
        label=_("Regions"),
        required=False,
        multiple=True,
        help_text=_(
            "Pick one or more regions. To alert your whole jurisdiction leave regions and "
            "specialties empty and tick “Everyone in my jurisdiction”."
        ),
    )
    everyone = forms.BooleanField(
        label=_("Everyone in my jurisdiction"),
        required=False,
        help_text=_("Needed when no region or specialty is chosen."),
    )
    specialties = forms.MultipleChoiceField(
        label=_("Specialties"),
        choices=Specialty.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    kinds = forms.MultipleChoiceField(
        label=_("Organization kinds"),
        choices=[(k, OrganizationKind(k).label) for k in SELECTABLE_KINDS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For example all foundations; together with specialties, either one counts."),
    )
    min_grade = forms.TypedChoiceField(
        label=_("Assessed grade at least"),
        choices=[("", _("Any grade")), *Grade.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Applies to the specialties chosen above."),
    )
    basis = forms.ChoiceField(
        label=_("Organizations in these regions"),
        choices=[
            (BASIS_REGISTERED, _("Registered there")),
            (BASIS_FILINGS, _("With approved filings there (teams on site)")),
            (BASIS_BOTH, _("Either")),
        ],
        initial=BASIS_BOTH,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Teams on site file where they work; “Either” reaches both."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=[(Role.ADMIN, Role.ADMIN.label), (Role.MEMBER, Role.MEMBER.label)],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Empty means every member."),
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=Channel.choices,
        initial=[Channel.IN_APP],
        widget=forms.CheckboxSelectMultiple,
    )
    public = forms.BooleanField(label=_("Public (CAP feed)"), required=False)

    def audience(self) -> dict:
        data = self.cleaned_data
        return {
            "regions": data["regions"],
            "specialties": data["specialties"],
            "roles": data["roles"],
            "everyone": data["everyone"],
            "kinds": data["kinds"],
            "min_grade": data["min_grade"],
            "basis": data["basis"] or BASIS_BOTH,
        }

    def clean(self):
        data = super().clean()
        if data.get("min_grade") and not data.get("specialties"):
            self.add_error("min_grade", _("A grade applies to specialties: choose at least one."))
        return data


class PreferenceForm(forms.Form):
    email = forms.BooleanField(label=_("Email"), required=False)
    sms = forms.BooleanField(label=_("SMS"), required=False)
    phone = forms.CharField(label=_("Mobile phone for SMS"), max_length=20, required=False)
    digest_levels = forms.MultipleChoiceField(
        label=_("Send these levels as an hourly digest"),
        choices=[(Level.YELLOW, Level.YELLOW.label), (Level.BLUE, Level.BLUE.label)],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Red and orange alerts always go out at once."),
    )
    quiet_start = forms.TimeField(
        label=_("Quiet hours from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("Beijing time. SMS and e-mail wait until quiet hours end."),
    )
    quiet_end = forms.TimeField(
        label=_("Quiet hours until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("Red and orange mobilizations and official alerts still arrive at once."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for alert_type in AlertType:
            self.fields[f"type_{alert_type.value}"] = forms.MultipleChoiceField(
                label=alert_type.label,
                choices=[
                    (Channel.SMS.value, Channel.SMS.label),
                    (Channel.EMAIL.value, Channel.EMAIL.label),
                ],
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Besides the in-app inbox, which is always on."),
            )

    @staticmethod
    def initial_for(pref) -> dict:
        from alerts.preferences import chosen_channels

        initial = {
            "email": pref.email,
            "sms": pref.sms,
            "phone": pref.phone,
            "digest_levels": pref.digest_levels,
            "quiet_start": pref.quiet_start,
            "quiet_end": pref.quiet_end,
        }
        for alert_type in AlertType.values:
            initial[f"type_{alert_type}"] = [
                c for c in chosen_channels(pref, alert_type) if c != Channel.IN_APP
            ]
        return initial

    def values(self) -> dict:
        """The keyword arguments of ``alerts.services.set_preferences``."""
        data = self.cleaned_data
        return {
            "email": data["email"],
            "sms": data["sms"],
            "phone": data["phone"],
            "digest_levels": data["digest_levels"],
            "quiet_start": data["quiet_start"],
            "quiet_end": data["quiet_end"],
            "channels_by_type": {
                t: [Channel.IN_APP.value, *data[f"type_{t}"]] for t in AlertType.values
            },
        }


class WebhookForm(forms.Form):
    """An organization's endpoint for signed alert deliveries (alerts.services.register_webhook).

    The secret may be left blank: the page then makes one (``secrets.token_urlsafe``) and shows
    it once, right after saving, for the receiving system's configuration; it is never shown
    again (neither here nor in the API)."""

    url = forms.URLField(label=_("Receiving URL"), max_length=500, assume_scheme="https")
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        min_length=16,
        max_length=200,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("At least 16 characters. Leave blank to have one made for you."),
    )
