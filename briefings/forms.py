from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huashan.directory.models import Organization

from .models import BODY_MAX, RESPONSE_MAX, TITLE_MAX, Briefing


class BriefingForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Briefing.Kind.choices)
    sender = forms.ModelChoiceField(label=_("sent by"), queryset=Organization.objects.none())
    title = forms.CharField(label=_("title"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("what is reported"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    recipients = forms.ModelMultipleChoiceField(
        label=_("tell"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for the usual bodies of this kind of briefing."),
    )
    public = forms.BooleanField(label=_("tell the residents too"), required=False)
    respond_by = forms.DateField(
        label=_("answer by (feedback only)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, senders=(), bodies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sender"].queryset = Organization.objects.filter(
            pk__in=[o.pk for o in senders]
        ).order_by("kind", "pk")
        if len(senders) == 1:
            self.fields["sender"].initial = senders[0].pk
        if bodies is not None:
            self.fields["recipients"].queryset = bodies


class ResponseForm(forms.Form):
    response = forms.CharField(
        label=_("what was done"),
        max_length=RESPONSE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
