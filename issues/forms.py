"""HTML forms for residents' complaints and the staff pages.

Forms only check the shape of input (required, length, "is this id one of
the choices offered"); the rules of the process live in ``issues/services.py``.
A forged id (a building of another compound, an inactive category, an
organization that does not act for the compound) fails as a field error here,
never as a 500 further down.

seed: 协同联动解决小区事务流程 第一—五条; 公示承诺制度 第一条.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from huashan import workdays
from huashan.core.photos import MultipleImageField
from huashan.directory.models import Organization, Person, mobile_validator

from .models import Category, Issue, ResponseTemplate, Satisfaction, Whistle

DESCRIPTION_MAX = 2000
DESCRIPTION_MIN = 5

PHOTOS_AGAIN = _(
    "Please choose the photos again: a browser cannot keep chosen files after an error. "
    "/ 请重新选择照片"
)

hotline_validator = RegexValidator(
    r"^[0-9A-Za-z-]{1,40}$",
    _("A 12345 work-order number has only digits, letters and dashes."),
)


class CompoundChoiceField(forms.ModelChoiceField):
    """A choice among the compound's rows; a forged id gets a clear, translated error."""

    default_error_messages = {
        "invalid_choice": _("Choose one of the listed options."),
    }


class CategorySelect(forms.Select):
    """Options say whether the category is safety related, so issues.js can tick
    the hazard box when such a category is chosen (the form works without it)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None and instance.safety_related:
            option["attrs"]["data-safety"] = "1"
        return option


class BuildingChoiceField(CompoundChoiceField):
    """Buildings are listed by number only: the compound is already known."""

    def label_from_instance(self, obj) -> str:
        return obj.number


class IssueFilingForm(forms.Form):
    """Step 1 of filing: what, where, who (seed: 协同联动 第一条; 公示承诺制度 第一条).

    Photos are asked on step 2 (:class:`IssuePhotosForm`), after the resident
    has seen similar open issues, so a chosen photo is never lost to a
    validation error in the text fields.
    """

    category = CompoundChoiceField(
        label=_("What is it about?"),
        queryset=Category.objects.none(),
        empty_label=None,
        widget=CategorySelect,
    )
    building = BuildingChoiceField(
        label=_("Building"),
        queryset=None,
        required=False,
        empty_label=_("— common area / not a building —"),
    )
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    location_text = forms.CharField(
        label=_("Where exactly?"),
        max_length=200,
        required=False,
        help_text=_("e.g. the east gate, the car park under building 5"),
    )
    description = forms.CharField(
        label=_("What happened?"),
        max_length=DESCRIPTION_MAX,
        min_length=DESCRIPTION_MIN,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Please describe the problem."),
            "max_length": _(
                "Please keep the description within %(limit_value)d characters "
                "(you wrote %(show_value)d)."
            ),
            "min_length": _(
                "Please describe the problem in a few more words (at least %(limit_value)d "
                "characters)."
            ),
        },
    )
    is_hazard = forms.BooleanField(
        label=_("It is a safety hazard (e.g. exposed wires, a blocked fire exit, falling objects)"),
        required=False,
    )
    is_public = forms.BooleanField(
        label=_("May be shown in “Complaint progress” (your name and phone stay hidden)"),
        required=False,
        initial=True,
    )
    share_identity = forms.BooleanField(
        label=_("The responsible party (e.g. the property company) may see who I am"),
        required=False,
    )
    hotline_number = forms.CharField(
        label=_("12345 hotline work-order number (if you also called the hotline)"),
        max_length=40,
        required=False,
        validators=[hotline_validator],
    )
    contact = forms.ChoiceField(
        label=_("May we call you back?"),
        choices=[
            ("call_back", _("Yes: I leave my mobile number so you can call me back")),
            ("none", _("Report anonymously (no contact details)")),
        ],
        initial="call_back",
        required=False,  # not sent (an older page, a script): to be called back
        widget=forms.RadioSelect(attrs={"data-contact-choice": ""}),
    )
    #: Shown as a warning next to ``contact`` (templates/issues/file.html).
    NO_CONTACT_WARNING = _(
        "Anonymous means nobody can call you back, and the tracking code shown after you "
        "submit is the only way to follow your complaint: take a screenshot of it."
    )
    reporter_name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False)
    reporter_phone = forms.CharField(
        label=_("Your mobile number"),
        max_length=11,
        required=False,
        validators=[mobile_validator],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )

    def __init__(self, *args, compound, anonymous: bool, hazard_days: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.compound = compound
        self.anonymous = anonymous
        categories = Category.objects.filter(active=True)
        self.fields["category"].queryset = categories
        # seed: 小区党组织服务承诺 第7条 (安全隐患 3 日内整改). The box starts ticked when
        # the preselected category is safety related; a safety-related category is
        # a hazard even when the box is left empty (the resident may flag, not unflag).
        self.fields["is_hazard"].help_text = self._hazard_help(hazard_days)
        if not self.is_bound:
            chosen = self.initial.get("category")
            shown = (
                categories.filter(pk=chosen).first()
                if chosen
                else categories.order_by("sort_order", "code").first()
            )
            self.initial["is_hazard"] = bool(
                self.initial.get("is_hazard") or (shown and shown.safety_related)
            )
        self.fields["building"].queryset = compound.buildings.all()
        self.fields["description"].widget.attrs["maxlength"] = DESCRIPTION_MAX
        if not anonymous:
            del self.fields["contact"]
            del self.fields["reporter_name"]
            del self.fields["reporter_phone"]

    @staticmethod
    def _hazard_help(days: int | None) -> str:
        return _(
            "Safety hazards must be fixed within %(days)d days. Categories such as "
            "elevators and fire safety always count as safety hazards."
        ) % {"days": days or workdays.HAZARD_3_DAYS.amount}

    def show_hazard_days(self, days: int | None) -> None:
        """The compound's own number of days in the hazard box's help text. The views
        look it up only when the page is shown, not for a valid POST on its way to a
        redirect (issue 20); it may come after validation, which already bound the field."""
        text = self._hazard_help(days)
        self.fields["is_hazard"].help_text = text
        bound = self._bound_fields_cache.get("is_hazard")
        if bound is not None:
            bound.help_text = text

    def clean_description(self) -> str:
        text = self.cleaned_data["description"].strip()
        if not text:
            raise ValidationError(_("Please describe the problem."), code="required")
        return text

    def clean(self):
        data = super().clean()
        nowhere = not data.get("building") and not (data.get("location_text") or "").strip()
        if nowhere and "building" not in self.errors:
            self.add_error(
                "location_text", _("Say where: choose a building or describe the place.")
            )
        if self.anonymous:
            self._clean_contact(data)
        return data

    def _clean_contact(self, data) -> None:
        """Without an account: a mobile number to be called back, or nothing at all
        (anonymous; the tracking code is then the only way back — issue 13 item 9)."""
        contact = data["contact"] = data.get("contact") or "call_back"
        if contact == "none":
            if data.get("reporter_name") or data.get("reporter_phone"):
                self.add_error(
                    "contact",
                    _(
                        "You chose to leave no contact details but typed a name or number. "
                        "Clear them, or choose to be called back."
                    ),
                )
            data["share_identity"] = False  # there is no identity to share
        elif not data.get("reporter_phone") and "reporter_phone" not in self.errors:
            self.add_error(
                "reporter_phone",
                _(
                    "Please leave a mobile number so we can call you back, or choose to "
                    "report anonymously without contact details."
                ),
            )

    @property
    def no_contact(self) -> bool:
        return self.anonymous and self.cleaned_data.get("contact") == "none"

    def draft(self) -> dict:
        """The cleaned data as plain values, to keep in the session between the steps."""
        data = dict(self.cleaned_data)
        data["category"] = data["category"].pk
        data["building"] = data["building"].pk if data.get("building") else ""
        return data


class IssuePhotosForm(forms.Form):
    """Step 2 of filing: the photos (optional)."""

    photos = MultipleImageField(
        label=_("Photos (up to 6, each up to 10 MB)"),
        help_text=_("JPEG or PNG. Location data in the photo is removed."),
    )


class MeTooForm(forms.Form):
    phone = forms.CharField(max_length=11, required=False, validators=[mobile_validator])


class TrackForm(forms.Form):
    tracking_number = forms.CharField(
        label=_("Tracking number"),
        max_length=20,
        help_text=_("e.g. HS-2026-000123"),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_tracking_number(self) -> str:
        return self.cleaned_data["tracking_number"].strip().upper()

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class BoardFilterForm(forms.Form):
    """Filters of the public board; a bad value is reported and ignored, never a 500."""

    category = CompoundChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    building = BuildingChoiceField(
        label=_("Building"), queryset=None, required=False, empty_label=_("All")
    )

    def __init__(self, *args, compound, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.all()
        self.fields["building"].queryset = compound.buildings.all()
        all_choice = [("", _("All"))]
        self.fields["status"].choices = all_choice + [
            c for c in Issue.Status.choices if c[0] != Issue.Status.MERGED
        ]
        self.fields["tier"].choices = all_choice + list(Issue.Tier.choices)

    def filters(self) -> dict:
        if not self.is_valid():
            return {
                name: self.cleaned_data.get(name) or None
                for name in self.fields
                if name not in self.errors
            }
        return {name: self.cleaned_data.get(name) or None for name in self.fields}


# --- reporter -------------------------------------------------------------------


class ReporterNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Your reply"), max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it not solved?"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class SatisfactionForm(forms.Form):
    """The three questions on resolution (seed: 评议监督考核制度; pledge letters 第3条)."""

    contacted = forms.TypedChoiceField(
        label=_("Were you contacted?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
    )
    solved = forms.TypedChoiceField(
        label=_("Is it solved?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
    )
    rating = forms.ChoiceField(
        label=_("How satisfied are you?"),
        choices=Satisfaction.Rating.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- staff ------------------------------------------------------------------------


def _text(label, *, required=True, rows=3, max_length=DESCRIPTION_MAX):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class NoteForm(forms.Form):
    note = _text(_("Note"), required=False)


class OrganizationField(CompoundChoiceField):
    pass


class TransferForm(forms.Form):
    organization = OrganizationField(
        label=_("Transfer to"), queryset=Organization.objects.none(), empty_label=None
    )
    note = _text(_("Note"), required=False)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class TemplateSelect(forms.Select):
    """Options carry the template's text so issues.js can fill an empty note."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-body"] = instance.body
        return option


class ProgressForm(forms.Form):
    """A progress note; an empty note with a chosen template posts the template's text."""

    template = forms.ModelChoiceField(
        label=_("Start from a response template"),
        queryset=ResponseTemplate.objects.none(),
        required=False,
        empty_label=_("— none —"),
        widget=TemplateSelect,
        error_messages={"invalid_choice": _("Choose one of the listed options.")},
    )
    note = _text(_("Progress note"), required=False, rows=4)
    public = forms.BooleanField(
        label=_("Show on the reporter's timeline and the public board"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates
        self.fields["note"].widget.attrs["data-template-target"] = "1"

    def clean(self):
        data = super().clean()
        if not (data.get("note") or "").strip():
            template = data.get("template")
            if template is None:
                self.add_error("note", _("Write a note or choose a template."))
            else:
                data["note"] = template.body
        return data


class QuestionForm(forms.Form):
    question = _text(_("What do you need from the reporter?"))


class PlanForm(forms.Form):
    plan = _text(_("Solution plan"), rows=5)


class ResolveForm(forms.Form):
    explanation = _text(_("Public explanation of the result"), rows=4)
    photos = MultipleImageField(label=_("Photos of the result (up to 6)"))


class RejectForm(forms.Form):
    explanation = _text(_("Public explanation: why is it rejected and who can help instead?"))


class MergeForm(forms.Form):
    into = forms.CharField(label=_("Merge into tracking number"), max_length=20)
    note = _text(_("Note"), required=False)

    def __init__(self, *args, issue, **kwargs):
        super().__init__(*args, **kwargs)
        self.issue = issue

    def clean_into(self) -> Issue:
        number = self.cleaned_data["into"].strip().upper()
        target = (
            Issue.objects.filter(compound_id=self.issue.compound_id, tracking_number=number)
            .exclude(pk=self.issue.pk)
            .first()
        )
        if target is None:
            raise ValidationError(_("No other issue of this compound has that tracking number."))
        return target


class TierForm(forms.Form):
    tier = forms.ChoiceField(label=_("New tier"), choices=Issue.Tier.choices)
    reason = _text(_("Reason"))


class HazardForm(forms.Form):
    """Flag or unflag a safety hazard (seed: 小区党组织服务承诺 第7条)."""

    is_hazard = forms.BooleanField(label=_("It is a safety hazard"), required=False)
    major = forms.BooleanField(
        label=_(
            "Major hazard: report it at once to the community party organization and the street"
        ),
        required=False,
    )
    reason = _text(_("Reason"))

    def __init__(self, *args, issue, **kwargs):
        super().__init__(*args, **kwargs)
        # The form offers the change: ticked when the issue is not a hazard yet.
        self.fields["is_hazard"].initial = not issue.is_hazard


class ConsultationForm(forms.Form):
    result = _text(_("Consultation result of the three parties (三方协商落实意见)"), rows=4)


class PersonMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class WhistleForm(forms.Form):
    """社区吹哨、党员报到 / 街道吹哨、部门报到 (seed: 协同联动 第三条, 第四条): organizations
    and individual party members (of the compound and community party organizations)."""

    level = forms.ChoiceField(label=_("Whistle"), choices=Whistle.Level.choices)
    organizations = forms.ModelMultipleChoiceField(
        label=_("Summon these organizations"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose among the listed organizations.")},
    )
    persons = PersonMultipleChoiceField(
        label=_("Summon these party members (党员报到)"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose among the listed party members.")},
    )
    reason = _text(_("Reason"))
    report_due = forms.DateTimeField(
        label=_("Report in by"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, organizations, levels, persons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = organizations
        if persons is None:
            del self.fields["persons"]
        else:
            self.fields["persons"].queryset = persons
        self.fields["level"].choices = [c for c in Whistle.Level.choices if c[0] in levels]

    def clean(self):
        data = super().clean()
        nobody = not data.get("organizations") and not data.get("persons")
        if nobody and "organizations" not in self.errors and "persons" not in self.errors:
            self.add_error("organizations", _("Summon at least one organization or party member."))
        return data


class ReportInForm(forms.Form):
    contribution = _text(_("What will you contribute?"))


class RateSummonsForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
    )


class SupervisionForm(forms.Form):
    organization = OrganizationField(
        label=_("Responsible organization"), queryset=Organization.objects.none(), empty_label=None
    )
    due = forms.DateField(
        label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    instruction = _text(_("Instruction"))

    def __init__(self, *args, organizations, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["organization"].queryset = organizations

    def clean_due(self) -> dt.date:
        due = self.cleaned_data["due"]
        if due < self.today:
            raise ValidationError(_("The due date cannot be in the past."))
        return due


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    organization = CompoundChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("All my organizations"),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["status"].choices = [("", _("All open")), *list(Issue.Status.choices)]


class BulkForm(forms.Form):
    ACTIONS = [("accept", _("Accept the complaint")), ("transfer", _("Transfer"))]

    action = forms.ChoiceField(choices=ACTIONS)
    issues = forms.ModelMultipleChoiceField(
        queryset=Issue.objects.none(),
        error_messages={
            "required": _("Tick at least one issue."),
            "invalid_choice": _("One of the ticked issues is not in your queue."),
        },
    )
    organization = OrganizationField(
        label=_("Transfer to"), queryset=Organization.objects.none(), required=False
    )

    def __init__(self, *args, issues, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issues"].queryset = issues
        self.fields["organization"].queryset = organizations

    def clean(self):
        data = super().clean()
        if data.get("action") == "transfer" and not data.get("organization"):
            self.add_error("organization", _("Choose where to transfer the issues."))
        return data
