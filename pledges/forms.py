"""HTML forms for pledge letters, evidence, 三诺 and accountability.

Forms check the shape of input (required, length, "is this id one of the
choices offered", a date not in the future, a threshold within 0–100 %, a
period longer than zero) so each error lands next to its field; the rules of
the process live in the ``pledges/services/`` package and a ``ValidationError`` raised
there is put next to the field it names by the view.

seed: 小区党组织服务承诺; 物业管理委员会服务承诺 (第9、10条); 公示承诺制度 第四条 (三诺);
决策报告制度 第四条 (义务质量总监).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan import workdays
from huashan.core.photos import MultipleImageField
from huashan.directory.models import Building, Organization, Person
from issues.pledge_evidence import CLOCK_CHOICES as _CLOCK_CHOICES

from . import services
from .models import (
    AccountabilityCase,
    Activity,
    Attestation,
    CandidatePledge,
    CareService,
    Inspection,
    InspectionArea,
    PatrolOpinion,
    RuleKind,
)

TEXT_MAX = services.TEXT_MAX
TITLE_MAX = services.TITLE_MAX
MAX_FINDINGS = 10
MAX_PEOPLE = 200

PERIOD_CHOICES = (
    ("", _("— choose —")),
    (1, _("Month")),
    (3, _("Quarter")),
    (6, _("Half-year")),
    (12, _("Year")),
)
SOURCE_CHOICES = (
    ("", _("— choose —")),
    ("meeting", _("Meetings")),
    ("activity", _("Activities")),
    ("inspection", _("Inspections")),
)
# The numbers come from their one source (issues.pledge_evidence → huashan.workdays).
CLOCK_CHOICES = _CLOCK_CHOICES
MEASURE_CHOICES = (
    ("", _("— choose —")),
    ("findings_rectified", _("Share of inspection findings rectified")),
    ("findings_fixed_on_time", _("Share of findings fixed by their deadline")),
)


def _meeting_kind_choices() -> list[tuple[str, str]]:
    try:
        from meetings.models import Meeting
    except ImportError:  # meetings not built: the codes alone
        return [(code, code) for code in services.MEETING_KINDS]
    return [(c, label) for c, label in Meeting.Kind.choices if c in services.MEETING_KINDS]


def _kind_choices() -> list[tuple[str, list]]:
    return [
        (str(_("Meetings")), _meeting_kind_choices()),
        (str(_("Activities")), [(f"{c}", label) for c, label in Activity.Kind.choices]),
        (str(_("Inspections")), list(Inspection.Kind.choices)),
    ]


def _category_choices() -> list[tuple[str, str]]:
    try:
        from disclosures.selectors import categories
    except ImportError:  # disclosures not built
        return []
    return [(c.code, c.name) for c in categories()]


def _qs(queryset, model):
    """The given queryset, or none (never evaluate a queryset for truth)."""
    return model.objects.none() if queryset is None else queryset


class CompoundChoiceField(forms.ModelChoiceField):
    """A choice among the compound's rows; a forged id gets a clear, translated error."""

    default_error_messages = {"invalid_choice": _("Choose one of the listed options.")}


class CompoundMultipleChoiceField(forms.ModelMultipleChoiceField):
    default_error_messages = {
        "invalid_choice": _("Choose people from the list."),
        "invalid_pk_value": _("Choose people from the list."),
    }

    def clean(self, value):
        if value and len(value) > MAX_PEOPLE:
            raise ValidationError(
                _("At most %(max)d people, please."), code="too_many", params={"max": MAX_PEOPLE}
            )
        return super().clean(value)


class OrganizationField(CompoundChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


class PersonField(CompoundChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class PeopleField(CompoundMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class PastDateField(forms.DateField):
    """A date that has happened (evidence cannot be dated in the future)."""

    widget = forms.DateInput(attrs={"type": "date"})

    def validate(self, value):
        super().validate(value)
        if value and value > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."), code="future")
        if value and value.year < 2000:
            raise ValidationError(_("Enter a date after 2000."), code="too_old")


# --- letters and items ----------------------------------------------------------


class LetterForm(forms.Form):
    """A new pledge letter (seed: 公示承诺制度 第一条 "三方"年度服务承诺)."""

    organization = OrganizationField(queryset=Organization.objects.none(), label=_("Organization"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    letterhead = forms.CharField(label=_("Letterhead"), max_length=TITLE_MAX, required=False)
    preamble = forms.CharField(
        label=_("Preamble"), max_length=TEXT_MAX, required=False, widget=forms.Textarea
    )
    closing = forms.CharField(
        label=_("Closing text"), max_length=TEXT_MAX, required=False, widget=forms.Textarea
    )

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _qs(organizations, Organization)
        if not self.is_bound:
            self.initial.setdefault("year", timezone.localdate().year)


class LetterEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    letterhead = forms.CharField(label=_("Letterhead"), max_length=TITLE_MAX, required=False)
    preamble = forms.CharField(
        label=_("Preamble"), max_length=TEXT_MAX, required=False, widget=forms.Textarea
    )
    closing = forms.CharField(
        label=_("Closing text"), max_length=TEXT_MAX, required=False, widget=forms.Textarea
    )


# Which parameter fields each rule kind needs (missing ones are marked next to the field).
REQUIRED_PARAMS = {
    RuleKind.COUNT_PER_PERIOD: ("period_months", "source", "kinds", "min_count"),
    RuleKind.DEADLINE_RATE: ("period_months", "clocks", "threshold"),
    RuleKind.DISCLOSURE_ON_TIME: ("period_months", "categories"),
    RuleKind.RATE_THRESHOLD: ("period_months", "measure", "inspection_kinds", "threshold"),
    RuleKind.ONE_OFF_BY_DATE: ("start", "min_count"),
    RuleKind.EVALUATION_THRESHOLD: ("period_months", "threshold"),
    RuleKind.ATTESTED: ("period_months",),
}
OPTIONAL_PARAMS = {
    RuleKind.COUNT_PER_PERIOD: ("per_member",),
    RuleKind.DISCLOSURE_ON_TIME: ("threshold",),
    RuleKind.ONE_OFF_BY_DATE: ("due", "months", "min_reporters"),
}
PARAM_FIELDS = (
    "period_months",
    "source",
    "kinds",
    "min_count",
    "per_member",
    "clocks",
    "threshold",
    "categories",
    "measure",
    "inspection_kinds",
    "start",
    "due",
    "months",
    "min_reporters",
)


class ItemForm(forms.Form):
    """One measurable item: its text and the rule (kind + parameters) that measures it.

    The parameters are plain fields, so a threshold above 100 % or a period of
    zero is marked next to that field; whatever the service's ``params_clean``
    still rejects (e.g. a meeting kind counted as an activity) is shown next
    to the "more parameters" box.
    """

    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=99, required=False)
    section = forms.CharField(label=_("Section"), max_length=TITLE_MAX, required=False)
    heading = forms.CharField(label=_("Heading"), max_length=TITLE_MAX, required=False)
    text = forms.CharField(
        label=_("Text of the promise"), max_length=TEXT_MAX, widget=forms.Textarea
    )
    responsible_org = OrganizationField(
        queryset=Organization.objects.none(),
        required=False,
        label=_("Responsible organization"),
        help_text=_("Empty: the organization of the letter."),
    )
    warn_lead_days = forms.IntegerField(
        label=_("Warn this many days before the period ends"),
        min_value=0,
        max_value=365,
        initial=7,
    )
    rule_kind = forms.ChoiceField(label=_("How it is measured"), choices=RuleKind.choices)
    label = forms.CharField(label=_("Short label"), max_length=TITLE_MAX, required=False)
    period_months = forms.IntegerField(
        label=_("Period"),
        required=False,
        widget=forms.Select(choices=PERIOD_CHOICES),
    )
    source = forms.ChoiceField(label=_("What is counted"), choices=SOURCE_CHOICES, required=False)
    kinds = forms.MultipleChoiceField(
        label=_("Kinds counted"), required=False, widget=forms.CheckboxSelectMultiple
    )
    min_count = forms.IntegerField(
        label=_("At least this many"), min_value=1, max_value=1000, required=False
    )
    per_member = forms.BooleanField(label=_("For each member"), required=False)
    clocks = forms.MultipleChoiceField(
        label=_("Deadlines"),
        choices=CLOCK_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    threshold = forms.DecimalField(
        label=_("Threshold (%)"),
        required=False,
        max_digits=6,
        decimal_places=2,
        error_messages={
            "invalid": _("The threshold must be a percentage between 0 and 100."),
            "max_digits": _("The threshold must be a percentage between 0 and 100."),
            "max_decimal_places": _("At most two decimal places."),
        },
    )
    categories = forms.MultipleChoiceField(
        label=_("Disclosure categories"), required=False, widget=forms.CheckboxSelectMultiple
    )
    measure = forms.ChoiceField(label=_("Rate measured"), choices=MEASURE_CHOICES, required=False)
    inspection_kinds = forms.MultipleChoiceField(
        label=_("Inspections counted"),
        choices=Inspection.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    start = forms.DateField(
        label=_("From (e.g. taking office)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    due = forms.DateField(
        label=_("Done by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    months = forms.IntegerField(label=_("Within months"), min_value=1, max_value=60, required=False)
    min_reporters = forms.IntegerField(
        label=_("A concentrated demand has at least this many residents"),
        min_value=2,
        max_value=1000,
        required=False,
    )
    extra = forms.CharField(
        label=_("More parameters (JSON, optional)"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('For experts, e.g. a second measure: {"also": [...]}'),
    )

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_org"].queryset = _qs(organizations, Organization)
        self.fields["kinds"].choices = _kind_choices()
        self.fields["categories"].choices = _category_choices()

    @classmethod
    def initial_for(cls, item) -> dict:
        params = dict(item.params or {})
        initial = {
            "number": item.number,
            "section": item.section,
            "heading": item.heading,
            "text": item.text,
            "responsible_org": item.responsible_org_id,
            "warn_lead_days": item.warn_lead_days,
            "rule_kind": item.rule_kind,
            "label": params.pop("label", ""),
        }
        for name in PARAM_FIELDS:
            if name in params:
                initial[name] = params.pop(name)
        if params:
            initial["extra"] = json.dumps(params, ensure_ascii=False)
        return initial

    def clean_period_months(self):
        value = self.cleaned_data.get("period_months")
        if value is None:
            return None
        if value <= 0:
            raise ValidationError(_("The period must be longer than zero."), code="zero")
        if value not in services.PERIOD_MONTHS:
            raise ValidationError(_("The period must be 1, 3, 6 or 12 months."), code="period")
        return value

    def clean_threshold(self):
        value = self.cleaned_data.get("threshold")
        if value is not None and not Decimal(0) <= value <= Decimal(100):
            raise ValidationError(
                _("The threshold must be between 0 and 100 %% (you gave %(value)s)."),
                code="range",
                params={"value": f"{value:g}"},
            )
        return value

    def clean_extra(self):
        raw = (self.cleaned_data.get("extra") or "").strip()
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except ValueError:
            raise ValidationError(_("This is not valid JSON."), code="json") from None
        if not isinstance(value, dict):
            raise ValidationError(_("Write a JSON object, e.g. {}."), code="json")
        return value

    def clean(self):
        data = super().clean()
        kind = data.get("rule_kind")
        if not kind:
            return data
        for name in REQUIRED_PARAMS.get(kind, ()):
            if name in self.errors:
                continue
            if data.get(name) in (None, "", []):
                self.add_error(name, _("Needed for this kind of rule."))
        if kind == RuleKind.ONE_OFF_BY_DATE and not (
            "due" in self.errors or "months" in self.errors
        ):
            if not data.get("due") and not data.get("months"):
                self.add_error("due", _("Give a date or a number of months."))
            elif data.get("due") and data.get("start") and data["due"] < data["start"]:
                self.add_error("due", _("The due date must be after the start date."))
        if self.errors:
            return data
        data["params"] = self.build_params(data)
        try:
            data["params"] = services.params_clean(rule_kind=kind, params=data["params"])
        except ValidationError as exc:
            for message in exc.message_dict.get("params", exc.messages):
                self.add_error("extra", message)
        return data

    @staticmethod
    def build_params(data: dict) -> dict:
        kind = data["rule_kind"]
        params = dict(data.get("extra") or {})
        if data.get("label"):
            params["label"] = data["label"]
        for name in REQUIRED_PARAMS.get(kind, ()) + OPTIONAL_PARAMS.get(kind, ()):
            value = data.get(name)
            if value in (None, "", []):
                continue
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = float(value)
            params[name] = value
        return params

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "text": data["text"],
            "rule_kind": data["rule_kind"],
            "params": data["params"],
            "number": data.get("number"),
            "heading": data.get("heading", ""),
            "section": data.get("section", ""),
            "warn_lead_days": data["warn_lead_days"],
            "responsible_org": data.get("responsible_org"),
        }


class AttestationForm(forms.Form):
    """A reviewer's evidence and judgement for a period of an item."""

    period_start = forms.ChoiceField(label=_("Period"))
    judgement = forms.ChoiceField(
        label=_("Judgement"), choices=Attestation.Judgement.choices, widget=forms.RadioSelect
    )
    evidence = forms.CharField(
        label=_("Evidence and reasons"), max_length=TEXT_MAX, widget=forms.Textarea
    )
    value = forms.DecimalField(
        label=_("Measured value (%)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
    )

    def __init__(self, *args, periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_start"].choices = [
            (start.isoformat(), f"{start:%Y-%m-%d} — {end:%Y-%m-%d}") for start, end in periods
        ]

    def clean_period_start(self):
        return dt.date.fromisoformat(self.cleaned_data["period_start"])


# --- evidence ---------------------------------------------------------------------


class ActivityForm(forms.Form):
    """Volunteer service, study, training, neighbourhood or cultural activity."""

    organization = OrganizationField(queryset=Organization.objects.none(), label=_("Organizer"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    held_on = PastDateField(label=_("Date"))
    description = forms.CharField(
        label=_("Description"), max_length=TEXT_MAX, required=False, widget=forms.Textarea
    )
    participants = PeopleField(
        queryset=Person.objects.none(),
        required=False,
        label=_("Participants with an account"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    participant_count = forms.IntegerField(
        label=_("Number of participants"),
        min_value=0,
        max_value=100000,
        required=False,
        help_text=_("Including people without an account."),
    )
    photos = MultipleImageField(label=_("Photos"))

    def __init__(self, *args, organizations=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _qs(organizations, Organization)
        self.fields["participants"].queryset = _qs(people, Person)


class CareServiceForm(forms.Form):
    """A care service provided with the property company (小区党组织服务承诺 第9条
    "联动物业提供独居老人关爱、儿童托管等便民服务")."""

    organization = OrganizationField(queryset=Organization.objects.none(), label=_("Organizer"))
    kind = forms.ChoiceField(label=_("Care service"), choices=CareService.Kind.choices)
    description = forms.CharField(label=_("What was provided"), max_length=TITLE_MAX)
    served_on = PastDateField(label=_("Date"))
    households_served = forms.IntegerField(
        label=_("Households served"), min_value=1, max_value=services.HOUSEHOLDS_MAX
    )
    with_company = forms.BooleanField(
        label=_("The property company took part (联动物业)"), required=False, initial=True
    )

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _qs(organizations, Organization)


class InspectionForm(forms.Form):
    """An inspection with up to ten findings (seed: 物业管理委员会服务承诺 第9条;
    小区党组织服务承诺 第7条; 决策报告制度 第四条)."""

    organization = OrganizationField(queryset=Organization.objects.none(), label=_("Conducted by"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Inspection.Kind.choices)
    inspected_on = PastDateField(label=_("Date"))
    areas = forms.MultipleChoiceField(
        label=_("Areas checked"),
        choices=InspectionArea.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A quarterly safety inspection covers at least fire safety and elevators."),
    )
    areas_other = forms.CharField(label=_("Other areas checked"), max_length=200, required=False)
    inspector = PersonField(queryset=Person.objects.none(), required=False, label=_("Inspector"))
    owner_representatives = PeopleField(
        queryset=Person.objects.none(),
        required=False,
        label=_("Owner representatives"),
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    summary = forms.CharField(
        label=_("Summary"), max_length=TEXT_MAX, required=False, widget=forms.Textarea
    )
    findings = forms.CharField(
        label=_("Problems found (one per line)"),
        required=False,
        max_length=TEXT_MAX * 2,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=workdays.number_text(
            _(
                "Start a line with ! for a safety hazard (fixed within %(n)d days), with !! "
                "for a major one (reported at once to the community and the street)."
            ),
            "hazard_days",
        ),
    )

    def __init__(self, *args, organizations=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _qs(organizations, Organization)
        self.fields["inspector"].queryset = _qs(people, Person)
        self.fields["owner_representatives"].queryset = _qs(people, Person)

    def clean_findings(self):
        rows = []
        for line in (self.cleaned_data.get("findings") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            is_safety = line.startswith(("!", "！"))
            major = line.startswith(("!!", "！！", "!！", "！!"))
            description = line.lstrip("!！ ").strip()
            if not description:
                continue
            if len(description) > 1000:
                raise ValidationError(_("A finding is too long (at most 1000 characters)."))
            rows.append({"description": description, "is_safety": is_safety, "major": major})
        if len(rows) > MAX_FINDINGS:
            raise ValidationError(
                _("At most %(max)d findings at once; add more on the inspection page."),
                params={"max": MAX_FINDINGS},
            )
        return rows


class FindingForm(forms.Form):
    description = forms.CharField(
        label=_("Problem found"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_safety = forms.BooleanField(
        label=workdays.number_text(_("Safety hazard (fix within %(n)d days)"), "hazard_days"),
        required=False,
    )
    major = forms.BooleanField(
        label=_("Major safety hazard: report at once to the community and the street"),
        required=False,
    )


class PatrolOpinionForm(forms.Form):
    """An owner's opinion heard on the quality supervisor's patrol (决策报告制度 第四条)."""

    content = forms.CharField(
        label=_("Owner's opinion or suggestion"),
        max_length=services.OPINION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    building = CompoundChoiceField(
        queryset=Building.objects.none(), required=False, label=_("Building")
    )
    unit = forms.CharField(label=_("Unit"), max_length=services.UNIT_MAX, required=False)
    owner_name = forms.CharField(
        label=_("Owner's name (optional)"),
        max_length=services.OWNER_NAME_MAX,
        required=False,
        help_text=_("Only if the owner agrees to give it."),
    )
    name_agreed = forms.BooleanField(label=_("The owner agreed to give their name"), required=False)

    def __init__(self, *args, buildings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = _qs(buildings, Building)


class PatrolOpinionDisposeForm(forms.Form):
    """The property company's answer to an owner's opinion heard on a patrol."""

    disposition = forms.ChoiceField(
        label=_("What became of it"),
        choices=[
            (value, label)
            for value, label in PatrolOpinion.Disposition.choices
            if value != PatrolOpinion.Disposition.PENDING
        ],
        widget=forms.RadioSelect,
    )
    reply = forms.CharField(
        label=_("Reply"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    category = forms.ChoiceField(
        label=_("Complaint category (when handed over)"),
        choices=(),
        required=False,
        help_text=_("Handed over, the opinion is filed as a complaint of the compound."),
    )

    def __init__(self, *args, categories=(), **kwargs):
        # ``categories``: the active complaint categories, read once for every form of a page.
        super().__init__(*args, **kwargs)
        self._categories = {str(c.pk): c for c in categories}
        self.fields["category"].choices = [
            ("", "—"),
            *((str(c.pk), c.name) for c in categories),
        ]

    def clean_category(self):
        return self._categories.get(self.cleaned_data.get("category") or "")


class FindingFixForm(forms.Form):
    """Proof of rectification (整改证明)."""

    proof = forms.CharField(
        label=_("What was done"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    photo = forms.ImageField(label=_("Photo of the fix"), required=False)


# --- 三诺 -------------------------------------------------------------------------


class ElectionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    held_on = forms.DateField(
        label=_("Election date"), widget=forms.DateInput(attrs={"type": "date"})
    )


class CandidatePledgeForm(forms.Form):
    """One of a candidate's three pledges (seed: 公示承诺制度 第四条)."""

    candidate = PersonField(queryset=Person.objects.none(), label=_("Candidate"))
    kind = forms.ChoiceField(label=_("Pledge"), choices=CandidatePledge.Kind.choices)
    text = forms.CharField(label=_("Text"), max_length=TEXT_MAX, widget=forms.Textarea)
    signed_on = PastDateField(label=_("Signed on"))

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = _qs(people, Person)


# --- 问责退出 ---------------------------------------------------------------------


class CaseOpenForm(forms.Form):
    """Open a case by hand (seed: 物业管理委员会服务承诺 第10条)."""

    organization = OrganizationField(queryset=Organization.objects.none(), label=_("Organization"))
    person = PersonField(queryset=Person.objects.none(), label=_("Member"))
    trigger = forms.ChoiceField(
        label=_("Trigger"),
        choices=[
            (t.value, t.label)
            for t in AccountabilityCase.Trigger
            if t in AccountabilityCase.MANUAL_TRIGGERS
        ],
    )
    details = forms.CharField(label=_("Details"), max_length=TEXT_MAX, widget=forms.Textarea)

    def __init__(self, *args, organizations=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _qs(organizations, Organization)
        self.fields["person"].queryset = _qs(people, Person)


class CaseDecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=AccountabilityCase.Outcome.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(label=_("Reasons"), max_length=TEXT_MAX, widget=forms.Textarea)


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *AccountabilityCase.Status.choices],
    )
