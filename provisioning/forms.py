"""Forms of the setup pages (plain words; every error next to its field)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huashan.directory.models import Membership


class OrganizationForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("Leave empty to use the usual name after the compound."),
    )
    phone = forms.CharField(
        label=_("Public phone"),
        max_length=32,
        required=False,
        help_text=_("For the property company: the complaint phone residents call."),
    )


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Real name"), max_length=50)
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=())
    start = forms.DateField(
        label=_("Term start"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day the person took office (e.g. the election day)."),
    )

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Membership.Role.choices)
        self.fields["role"].choices = [(r, labels[r]) for r in roles]


# --- changing a template (no JSON: one field per number or cadence) ----------------------

NUMBER_KEYS = {
    "min_count": _("count"),
    "threshold": _("threshold (%)"),
    "period_months": _("period (months)"),
    "months": _("months"),
}
CADENCES = (
    ("monthly", _("Monthly")),
    ("quarterly", _("Quarterly")),
    ("half_yearly", _("Half-yearly")),
    ("yearly", _("Yearly")),
)


def _letter_fields(body: dict):
    """(field name, label, value, path) for each number of each measured item."""
    for i, item in enumerate(body.get("items", [])):
        measures = [(0, item["params"])] + [
            (m, sub.get("params", {})) for m, sub in enumerate(item["params"].get("also", []), 1)
        ]
        for m, params in measures:
            for key, word in NUMBER_KEYS.items():
                if key in params and isinstance(params[key], int):
                    number = item.get("number")
                    head = f"第{number}条" if number else item.get("section", "")
                    label = f"{head} {params.get('label', '')}：{word}"
                    yield f"i{i}_m{m}_{key}", label, params[key], (i, m, key)


class TemplateChangeForm(forms.Form):
    """A new version of a template from a later year; the fields depend on its kind."""

    valid_from = forms.IntegerField(
        label=_("Applies from the year"),
        min_value=2000,
        max_value=2100,
        help_text=_("Years already being measured keep the current version."),
    )
    note = forms.CharField(
        label=_("Reason for the change"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, template, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        body = template.body
        self.number_paths: dict[str, tuple] = {}
        if template.kind == "disclosure_schedule":
            self.fields["cadence"] = forms.ChoiceField(
                label=_("How often"), choices=CADENCES, initial=body.get("cadence")
            )
        elif template.kind == "pledge_letter":
            for name, label, value, path in _letter_fields(body):
                self.fields[name] = forms.IntegerField(
                    label=label, min_value=1, max_value=100, initial=value
                )
                self.number_paths[name] = path
        elif template.kind == "evaluation":
            for gi, (group, criteria) in enumerate(body.get("groups", [])):
                for ci, (name, points) in enumerate(criteria):
                    self.fields[f"g{gi}_c{ci}"] = forms.IntegerField(
                        label=f"{group}：{name}", min_value=1, max_value=100, initial=points
                    )
        elif template.kind == "joint_meeting":
            self.fields["min_count"] = forms.IntegerField(
                label=_("Meetings a month (at least)"),
                min_value=1,
                max_value=10,
                initial=body.get("min_count"),
            )

    @property
    def editable(self) -> bool:
        return self.template.kind != "deadline_policy"

    def body(self) -> dict:
        """The template's content with the numbers of this form put in."""
        import copy

        body = copy.deepcopy(self.template.body)
        data = self.cleaned_data
        if self.template.kind == "disclosure_schedule":
            body["cadence"] = data["cadence"]
        elif self.template.kind == "pledge_letter":
            for name, (i, m, key) in self.number_paths.items():
                params = body["items"][i]["params"]
                target = params if m == 0 else params["also"][m - 1]["params"]
                target[key] = data[name]
        elif self.template.kind == "evaluation":
            for gi, (_group, criteria) in enumerate(body["groups"]):
                for ci, criterion in enumerate(criteria):
                    criterion[1] = data[f"g{gi}_c{ci}"]
        elif self.template.kind == "joint_meeting":
            body["min_count"] = data["min_count"]
        return body
