"""HTML forms of the disclosure board and the publishers' pages.

Forms check the shape of input (required, length, "is this id one of the
choices offered", a file that is not absurdly large); the rules — posting
window against the category minimum, ledger totals, what a file really is,
who may publish — live in the ``disclosures/services/`` package and come back as
``ValidationError`` that the views put next to the fields.

seed: 公示承诺制度 第一—四条.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from huashan import periods
from huashan.directory.models import Organization

from .ledger import IMPORT_MAX_BYTES
from .models import Category, Channel, Disclosure, PeriodType, ResolutionFollowUp
from .sanitize import BODY_MAX_CHARS
from .services import (
    ANSWER_MAX_CHARS,
    ANSWER_MIN_CHARS,
    ATTACHMENT_MAX_BYTES,
    FOLLOWUP_PLAN_MAX_CHARS,
    FOLLOWUP_REASON_MAX_CHARS,
    OBJECTION_MAX_CHARS,
    OBJECTION_MIN_CHARS,
    REASON_MIN_CHARS,
    TITLE_MAX,
)

SEARCH_MAX = 100
MONEY = {"max_digits": 14, "decimal_places": 2}

FILE_AGAIN = _(
    "Please choose the file again: a browser cannot keep a chosen file after an error. "
    "Everything else you typed is still here."
)


def period_code_bounds(code: str) -> tuple[dt.date, dt.date]:
    """``2026`` / ``2026H1`` / ``2026Q3`` / ``2026-07`` → first and last day.

    Raises ``ValueError`` (:class:`huashan.periods.PeriodError`) for anything else
    (the form turns it into a field error).
    """
    period = periods.parse(code)
    return period.start, period.end


class BoardFilterForm(forms.Form):
    """Public board filters: category, organization, period, words; current or archive."""

    q = forms.CharField(label=_("Search"), required=False, max_length=SEARCH_MAX)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("All categories"),
    )
    organization = forms.ModelChoiceField(
        label=_("Published by"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("All organizations"),
    )
    period = forms.CharField(
        label=_("Period"),
        required=False,
        max_length=10,
        help_text=_("2026, 2026H1, 2026Q3 or 2026-07"),
    )
    archive = forms.BooleanField(label=_("Show the archive"), required=False)

    def __init__(self, *args, categories, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        self.fields["organization"].queryset = organizations
        self.fields["q"].widget.attrs.update({"type": "search", "enterkeyhint": "search"})

    def clean_period(self) -> tuple[dt.date, dt.date] | None:
        code = self.cleaned_data.get("period", "").strip()
        if not code:
            return None
        try:
            return period_code_bounds(code)
        except ValueError:
            raise ValidationError(
                _("Write the period as 2026, 2026H1, 2026Q3 or 2026-07."), code="period"
            ) from None

    def filters(self) -> dict:
        """Keyword arguments for ``selectors.board_disclosures`` (valid parts only)."""
        data = getattr(self, "cleaned_data", {})
        period = data.get("period")
        return {
            "category": data.get("category"),
            "organization": data.get("organization"),
            "period_start": period[0] if period else None,
            "period_end": period[1] if period else None,
            "q": data.get("q", ""),
            "archive": bool(data.get("archive")),
        }


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DisclosureDraftForm(forms.Form):
    """Create or edit a draft. seed: 公示承诺制度 第四条 (channels, posting periods)."""

    organization = forms.ModelChoiceField(
        label=_("Published by"), queryset=Organization.objects.none()
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body_markdown = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=BODY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Markdown: **bold**, lists with “- ”, tables with “|”. "
            "Scripts, styles and embedded content are removed."
        ),
    )
    period_type = forms.ChoiceField(
        label=_("Period covered"), choices=PeriodType.choices, initial=PeriodType.NONE
    )
    period_start = forms.DateField(label=_("Period start"), required=False, widget=DateInput())
    period_end = forms.DateField(label=_("Period end"), required=False, widget=DateInput())
    posting_start = forms.DateField(label=_("Posted from"), required=False, widget=DateInput())
    posting_end = forms.DateField(
        label=_("Posted until"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for long-term postings."),
    )
    long_term = forms.BooleanField(label=_("Long-term (until replaced)"), required=False)
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=[Channel.BOARD.value, Channel.ONLINE.value],
    )
    source_url = forms.URLField(
        label=_("Source link"), required=False, max_length=200, assume_scheme="https"
    )

    FIELDS = (
        "title",
        "body_markdown",
        "category",
        "period_type",
        "period_start",
        "period_end",
        "posting_start",
        "posting_end",
        "long_term",
        "channels",
        "source_url",
    )

    def __init__(self, *args, organizations, categories, lock_organization=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["category"].queryset = categories
        if lock_organization:
            self.fields["organization"].disabled = True

    @classmethod
    def initial_from(cls, disclosure: Disclosure) -> dict:
        return {
            "organization": disclosure.organization_id,
            "category": disclosure.category_id,
            "title": disclosure.title,
            "body_markdown": disclosure.body_markdown,
            "period_type": disclosure.period_type,
            "period_start": disclosure.period_start,
            "period_end": disclosure.period_end,
            "posting_start": disclosure.posting_start,
            "posting_end": disclosure.posting_end,
            "long_term": disclosure.long_term,
            "channels": list(disclosure.channels or []),
            "source_url": disclosure.source_url,
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts."))
        start, end = data.get("posting_start"), data.get("posting_end")
        if start and end and end < start:
            self.add_error("posting_end", _("The posting cannot end before it starts."))
        return data

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class SingleFileField(forms.FileField):
    """A file of at most ``max_bytes`` (what it really is, the service checks)."""

    def __init__(self, *args, max_bytes: int, **kwargs):
        self.max_bytes = max_bytes
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and upload.size > self.max_bytes:
            raise ValidationError(
                _("“%(name)s” is larger than %(mb)d MB."),
                code="too_large",
                params={"name": upload.name[:80], "mb": self.max_bytes // (1024 * 1024)},
            )
        return upload


class AttachmentForm(forms.Form):
    file = SingleFileField(
        label=_("Attachment (PDF or image)"),
        max_bytes=ATTACHMENT_MAX_BYTES,
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.png,.jpg,.jpeg,.gif,.webp,application/pdf,image/*"}
        ),
        help_text=_("PDF, PNG, JPEG, GIF or WebP, at most 10 MB."),
    )


class LedgerImportForm(forms.Form):
    """A ledger file and the four totals printed on the paper statement.

    seed: 公示承诺制度 第二条; 物业管理委员会服务承诺 2.
    """

    file = SingleFileField(
        label=_("Ledger file (.xlsx or .csv)"),
        max_bytes=IMPORT_MAX_BYTES,
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.csv,application/vnd.openxmlformats-officedocument."
                "spreadsheetml.sheet,text/csv"
            }
        ),
        help_text=_(
            "Header row: 日期, 项目, 对方, 金额, 收支 (收入/支出), 类别. "
            "Amounts are positive; all lines are imported or none."
        ),
    )
    opening_balance = forms.DecimalField(label=_("Opening balance (yuan)"), **MONEY)
    stated_income = forms.DecimalField(label=_("Total income (yuan)"), min_value=0, **MONEY)
    stated_expense = forms.DecimalField(label=_("Total expense (yuan)"), min_value=0, **MONEY)
    stated_closing_balance = forms.DecimalField(label=_("Closing balance (yuan)"), **MONEY)

    def totals(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in (
                "opening_balance",
                "stated_income",
                "stated_expense",
                "stated_closing_balance",
            )
        }


class CorrectionForm(forms.Form):
    """A correction becomes a new version with a public reason (DESIGN.md §4 Events)."""

    reason = forms.CharField(
        label=_("Reason for the correction"),
        min_length=REASON_MIN_CHARS,
        max_length=ANSWER_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown publicly in the version history."),
    )
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body_markdown = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=BODY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    posting_end = forms.DateField(
        label=_("Posted until"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for long-term postings."),
    )
    long_term = forms.BooleanField(label=_("Long-term (until replaced)"), required=False)
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    @classmethod
    def initial_from(cls, disclosure: Disclosure) -> dict:
        return {
            "title": disclosure.title,
            "body_markdown": disclosure.body_markdown,
            "posting_end": disclosure.posting_end,
            "long_term": disclosure.long_term,
            "channels": list(disclosure.channels or []),
        }


class ObjectionForm(forms.Form):
    """seed: 公示承诺制度 第三条 "业主对公示内容有异议的，物业服务企业应当答复"."""

    body = forms.CharField(
        label=_("Your objection"),
        min_length=OBJECTION_MIN_CHARS,
        max_length=OBJECTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Public, with your name masked. Say what is wrong and what you expect."),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        min_length=ANSWER_MIN_CHARS,
        max_length=ANSWER_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Published next to the objection."),
    )


class ComplianceFilterForm(forms.Form):
    period = forms.CharField(
        label=_("Period"), max_length=10, help_text=_("2026, 2026H1, 2026Q3 or 2026-07")
    )
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("All organizations"),
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations

    def clean_period(self) -> tuple[dt.date, dt.date]:
        try:
            return period_code_bounds(self.cleaned_data["period"])
        except ValueError:
            raise ValidationError(
                _("Write the period as 2026, 2026H1, 2026Q3 or 2026-07."), code="period"
            ) from None


class ReportRequestForm(forms.Form):
    period = forms.CharField(
        label=_("Quarter or year"),
        max_length=6,
        help_text=_("2026Q3 for a quarterly report, 2026 for the annual report."),
    )

    def clean_period(self) -> str:
        try:
            period = periods.parse(
                self.cleaned_data["period"], kinds=(periods.QUARTER, periods.YEAR)
            )
        except periods.PeriodError:
            raise ValidationError(
                _("Write 2026Q3 for a quarter or 2026 for a whole year."), code="period"
            ) from None
        return period.code


class ResolutionFollowUpForm(forms.Form):
    """One resolution's report for a half-year (物业管理委员会服务承诺 1 "对未落实事项公开说明
    原因并制定整改计划"); what each status requires is checked by the service."""

    status = forms.ChoiceField(label=_("Status"), choices=ResolutionFollowUp.Status.choices)
    reason = forms.CharField(
        label=_("Reason not implemented"),
        required=False,
        max_length=FOLLOWUP_REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the resolution is not implemented."),
    )
    plan = forms.CharField(
        label=_("Rectification plan"),
        required=False,
        max_length=FOLLOWUP_PLAN_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required unless the resolution is implemented: what is left and how."),
    )
    plan_due = forms.DateField(
        label=_("Target date"),
        required=False,
        widget=DateInput(),
        help_text=_("Required when not implemented; today or later."),
    )
