"""Forms of the hub pages (registry.views_hubs)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.formfields import NameField, RegionField
from core.forms import ActingOrganizationField


class VouchTeamForm(forms.Form):
    name = NameField(label=_("Team name"), max_length=200)
    leader_name = NameField(label=_("Leader"), max_length=100)
    leader_phone = forms.CharField(label=_("Leader's phone"), max_length=30)
    region_code = RegionField(label=_("Region"))
    reference = forms.CharField(
        label=_("Hub reference"),
        max_length=40,
        required=False,
        help_text=_("Leave empty for the next number of the hub."),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    members = forms.CharField(
        label=_("Members"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line: name, phone, skills (skills separated by spaces)."),
    )

    def __init__(self, *args, hubs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hub"] = ActingOrganizationField(organizations=hubs, label=_("Hub"))

    def clean_members(self) -> list[dict]:
        rows = []
        for line in (self.cleaned_data.get("members") or "").splitlines():
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if not parts or not parts[0]:
                continue
            rows.append(
                {
                    "name": parts[0],
                    "phone": parts[1] if len(parts) > 1 else "",
                    "skills": parts[2].split() if len(parts) > 2 else [],
                }
            )
        return rows


class ProposeLinkForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Organization"), queryset=None)

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = organizations
        self.fields["member"].label_from_instance = lambda o: o.name


class AddTeamMemberForm(forms.Form):
    """A person added to a vouched team's roster by its hub (registry.services.add_team_member)."""

    name = NameField(label=pgettext_lazy("person", "Name"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    skills = forms.CharField(
        label=_("Skills"),
        max_length=400,
        required=False,
        help_text=_("Separated by spaces, e.g. 搜救 救护."),
    )

    def clean_skills(self) -> list[str]:
        skills = (self.cleaned_data.get("skills") or "").replace("，", " ").replace(",", " ")
        words = [s for s in skills.split() if s]
        if len(words) > 20:
            raise forms.ValidationError(_("At most 20 skills."))
        if any(len(s) > 40 for s in words):
            raise forms.ValidationError(_("A skill is at most 40 characters."))
        return words
