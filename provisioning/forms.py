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
