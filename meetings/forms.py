"""HTML forms of the meeting pages.

Forms check only the shape of input (required, length, dates that parse, "is
this id one of the choices offered"); the rules (a meeting in the past, a room
already booked, an ad hoc meeting without a reason, a household that voted
twice …) live in ``meetings/services/`` and come back as field errors. A
forged id (a body of another compound, a household elsewhere) fails here as a
field error, never as a 500 further down.

seed: 联席会议议事规则 第二—五条; 决策报告制度 第二、三条; 协同联动 第二、六、七条.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from huashan.directory.models import Organization

from .models import (
    ActionItem,
    AgendaTopic,
    Attendance,
    DecisionReport,
    EarlyIntervention,
    ForumOpinion,
    HearingSubject,
    Meeting,
    MotionVote,
    OwnersAssemblyMotion,
)

TITLE_MAX = 200
TEXT_MAX = 20000
REASON_MAX = 2000
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


def _textarea(rows: int = 4, **attrs) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


class MeetingForm(forms.Form):
    """Schedule or change a meeting (seed: 联席会议议事规则 第三条)."""

    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    place = forms.CharField(label=_("Place"), max_length=200)
    start = forms.DateTimeField(
        label=_("Starts at"), widget=DateTimeLocalInput(), input_formats=DATETIME_FORMATS
    )
    end = forms.DateTimeField(
        label=_("Ends at"), widget=DateTimeLocalInput(), input_formats=DATETIME_FORMATS
    )
    is_ad_hoc = forms.BooleanField(
        label=_("Ad hoc meeting (not in the last week of the month)"), required=False
    )
    ad_hoc_reason = forms.CharField(
        label=_("Why is an ad hoc meeting needed?"),
        required=False,
        max_length=REASON_MAX,
        widget=_textarea(3),
    )
    summary_public = forms.BooleanField(
        label=_("Post the summary on the disclosure board"), required=False
    )
    recorded_afterwards = forms.BooleanField(
        label=_("Record a meeting that has already been held (补录)"),
        required=False,
        help_text=_(
            "For a meeting called at short notice and held before it could be entered. "
            "It is saved as held, without a notice; attendance and minutes can be entered "
            "at once, and every record of it is marked 补录."
        ),
    )
    record_reason = forms.CharField(
        label=_("Why is it recorded afterwards?"),
        required=False,
        max_length=REASON_MAX,
        widget=_textarea(3),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["kind"].disabled = True
            self.fields["kind"].required = False
            # Only a meeting still being planned is edited; 补录 is chosen at creation.
            del self.fields["recorded_afterwards"]
            del self.fields["record_reason"]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The meeting must end after it starts."))
        if data.get("is_ad_hoc") and not (data.get("ad_hoc_reason") or "").strip():
            self.add_error("ad_hoc_reason", _("Say why an ad hoc meeting is needed."))
        if data.get("recorded_afterwards") and not (data.get("record_reason") or "").strip():
            self.add_error("record_reason", _("Say why the meeting is recorded after it was held."))
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, widget=_textarea(3))


class TopicProposeForm(forms.Form):
    """A party proposes a topic (seed: 联席会议议事规则 第二条、第四条)."""

    title = forms.CharField(label=_("Topic"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=TEXT_MAX, widget=_textarea(4)
    )
    proposer_organization = OrganizationChoiceField(
        label=_("Proposed on behalf of"), queryset=Organization.objects.none(), required=False
    )

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations is not None:
            self.fields["proposer_organization"].queryset = organizations


class TopicDecisionForm(forms.Form):
    """The office accepts, merges, defers or rejects a topic, with a reason."""

    DECISIONS = (
        ("accept", _("Accept onto the agenda")),
        ("merge", _("Merge into another topic")),
        ("defer", _("Defer to a later meeting")),
        ("reject", _("Reject")),
    )
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS)
    into = forms.ModelChoiceField(
        label=_("Merge into"), queryset=AgendaTopic.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=REASON_MAX, widget=_textarea(2)
    )

    def __init__(self, *args, topics=None, **kwargs):
        super().__init__(*args, **kwargs)
        if topics is not None:
            self.fields["into"].queryset = topics

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision in ("merge", "defer", "reject") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason; the proposer is told."))
        if decision == "merge" and not data.get("into"):
            self.add_error("into", _("Choose the topic to merge into."))
        return data


class TopicOrderForm(forms.Form):
    """The accepted topics in their new order: a comma-separated list of ids."""

    order = forms.CharField(label=_("Order"), max_length=2000)

    def clean_order(self) -> list[int]:
        raw = [part.strip() for part in self.cleaned_data["order"].split(",") if part.strip()]
        if not raw or not all(part.isdigit() and len(part) < 12 for part in raw):
            raise forms.ValidationError(_("Invalid order."))
        return [int(part) for part in raw]


class AttendanceForm(forms.Form):
    """One row of the attendance table (prefix = the member's id)."""

    status = forms.ChoiceField(
        label=_("Attendance"),
        choices=[("", "—"), *Attendance.Status.choices],
        required=False,
    )
    delegate_name = forms.CharField(label=_("Delegate"), max_length=50, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("status") == Attendance.Status.DELEGATE and not data.get("delegate_name"):
            self.add_error("delegate_name", _("Name the delegate."))
        return data


class MinutesForm(forms.Form):
    """Minutes of one agenda item (autosaved; the save button works without JS)."""

    discussion = forms.CharField(
        label=_("Discussion"), required=False, max_length=TEXT_MAX, widget=_textarea(5)
    )
    position_party = forms.CharField(
        label=_("Position of the party organizations"),
        required=False,
        max_length=TEXT_MAX,
        widget=_textarea(2),
    )
    position_residents_committee = forms.CharField(
        label=_("Position of the residents' committee"),
        required=False,
        max_length=TEXT_MAX,
        widget=_textarea(2),
    )
    position_pmc = forms.CharField(
        label=_("Position of the PMC"), required=False, max_length=TEXT_MAX, widget=_textarea(2)
    )
    position_property_company = forms.CharField(
        label=_("Position of the property company"),
        required=False,
        max_length=TEXT_MAX,
        widget=_textarea(2),
    )
    outcome = forms.CharField(
        label=_("Outcome"), required=False, max_length=TEXT_MAX, widget=_textarea(3)
    )


class MinutesReviseForm(MinutesForm):
    reason = forms.CharField(
        label=_("Reason for the revision"), max_length=REASON_MAX, widget=_textarea(2)
    )


class SummaryForm(forms.Form):
    body = forms.CharField(label=_("Summary text"), max_length=TEXT_MAX, widget=_textarea(14))


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=REASON_MAX, widget=_textarea(2)
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, widget=_textarea(2))


class ActionItemForm(forms.Form):
    """An agreed item with an owner and a due date (seed: 联席会议议事规则 第五条)."""

    title = forms.CharField(label=_("Agreed item"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=TEXT_MAX, widget=_textarea(3)
    )
    responsible_organization = OrganizationChoiceField(
        label=_("Responsible organization"), queryset=Organization.objects.none()
    )
    responsible_person = forms.ModelChoiceField(
        label=_("Responsible person"), queryset=None, required=False
    )
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())
    topic = forms.ModelChoiceField(
        label=_("Agenda item"), queryset=AgendaTopic.objects.none(), required=False
    )
    raised_by = OrganizationChoiceField(
        label=_("Raised by"), queryset=Organization.objects.none(), required=False
    )

    def __init__(self, *args, organizations=None, people=None, topics=None, **kwargs):
        super().__init__(*args, **kwargs)
        from huashan.directory.models import Person

        self.fields["responsible_person"].queryset = (
            people if people is not None else Person.objects.none()
        )
        self.fields["responsible_person"].label_from_instance = lambda p: p.name
        if organizations is not None:
            self.fields["responsible_organization"].queryset = organizations
            self.fields["raised_by"].queryset = organizations
        if topics is not None:
            self.fields["topic"].queryset = topics
        self.fields["responsible_organization"].error_messages["required"] = _(
            "Every agreed item needs a responsible organization."
        )


class EvidenceForm(forms.Form):
    """Progress on an agreed item, or its completion report, with evidence."""

    note = forms.CharField(label=_("Progress"), max_length=4000, widget=_textarea(3))
    evidence_text = forms.CharField(
        label=_("Evidence"),
        required=False,
        max_length=4000,
        widget=_textarea(2),
        help_text=_("What shows it is done: where to look, who checked, numbers."),
    )
    evidence_file = forms.FileField(
        label=_("Evidence file"),
        required=False,
        help_text=_("A photo or a PDF, at most 10 MB."),
    )

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if upload and upload.size > MAX_EVIDENCE_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        if upload:
            name = upload.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
            upload.name = name[-100:] or "evidence"
        return upload


class AcceptForm(forms.Form):
    note = forms.CharField(
        label=_("Acceptance note"), required=False, max_length=REASON_MAX, widget=_textarea(2)
    )


class ActionItemFilterForm(forms.Form):
    """Filters of the agreed-items list: responsible body, status, overdue only."""

    STATUS_CHOICES = [("", _("Any status")), ("open", _("Still open")), *ActionItem.Status.choices]
    organization = OrganizationChoiceField(
        label=_("Responsible organization"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("Any organization"),
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations is not None:
            self.fields["organization"].queryset = organizations


class DecisionReportForm(forms.Form):
    """Draft a decision report (seed: 决策报告制度 第二条)."""

    matter = forms.ChoiceField(label=_("Matter"), choices=DecisionReport.Matter.choices)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    body = forms.CharField(label=_("Report"), max_length=TEXT_MAX, widget=_textarea(8))
    form = forms.ChoiceField(
        label=_("Form"), choices=DecisionReport.Form.choices, initial="written"
    )
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    hearing_subject = forms.ChoiceField(
        label=_("Matter for an owners' hearing (听证会)"),
        choices=HearingSubject.choices,
        required=False,
        help_text=_(
            "Greenery renovation, parking planning and other public matters go on only after "
            "a held hearing of owner representatives."
        ),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), required=False, max_length=TEXT_MAX, widget=_textarea(3)
    )


class InviteForm(forms.Form):
    note = forms.CharField(
        label=_("Invitation"), required=False, max_length=TEXT_MAX, widget=_textarea(3)
    )


class InterventionResponseForm(forms.Form):
    """The invited body's answer (协同联动 第七条): agree, agree with conditions, or object."""

    answer = forms.ChoiceField(
        label=_("Answer"), choices=EarlyIntervention.Answer.choices, widget=forms.RadioSelect
    )
    response = forms.CharField(
        label=_("Conditions or reasons"),
        required=False,
        max_length=TEXT_MAX,
        widget=_textarea(3),
        help_text=_("Required when you agree with conditions or object."),
    )


class ResolutionRecordForm(forms.Form):
    resolution = forms.CharField(
        label=_("How the objection was resolved"), max_length=TEXT_MAX, widget=_textarea(3)
    )


class _LinkForm(forms.Form):
    """One choice among the rows the view offers (``choices=``, none by default); a row not
    offered is refused with :attr:`refusal`."""

    field_name = ""
    refusal = ""

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields[self.field_name]
        field.queryset = choices if choices is not None else field.queryset.model.objects.none()
        field.error_messages["invalid_choice"] = self.refusal


class LinkReportForm(_LinkForm):
    decision_report = forms.ModelChoiceField(
        label=_("Decision report"), queryset=DecisionReport.objects.none()
    )
    field_name = "decision_report"
    refusal = _("Choose a decision report of this compound.")

    def __init__(self, *args, reports=None, **kwargs):
        super().__init__(*args, choices=reports, **kwargs)


class HearingLinkForm(_LinkForm):
    """Link the owners' hearing (听证会) of a public matter (小区党组织服务承诺 8)."""

    hearing = forms.ModelChoiceField(
        label=_("Owners' hearing (听证会)"), queryset=Meeting.objects.none()
    )
    field_name = "hearing"
    refusal = _("Choose a work hearing (工作听证会) of this compound.")

    def __init__(self, *args, hearings=None, **kwargs):
        super().__init__(*args, choices=hearings, **kwargs)


class ExtendVoteForm(forms.Form):
    closes_at = forms.DateTimeField(
        label=_("New closing time"), widget=DateTimeLocalInput(), input_formats=DATETIME_FORMATS
    )
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, widget=_textarea(2))


class OwnerBallotForm(forms.Form):
    """An owner's online ballot for one exclusive unit they own."""

    household = forms.ModelChoiceField(
        label=_("Exclusive unit"), queryset=None, widget=forms.HiddenInput
    )
    choice = forms.ChoiceField(
        label=_("My vote"), choices=MotionVote.Choice.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, households=None, **kwargs):
        super().__init__(*args, **kwargs)
        from huashan.directory.models import Household

        self.fields["household"].queryset = (
            households if households is not None else Household.objects.none()
        )
        self.fields["household"].error_messages["invalid_choice"] = _(
            "You can vote only for a unit of this compound you own."
        )


class PolicyForm(forms.Form):
    """The compound's participation settings (community party organization)."""

    public_to_visitors = forms.BooleanField(
        label=_("public meeting pages open to visitors"),
        required=False,
    )
    large_fund_amount = forms.DecimalField(
        label=_("large maintenance-fund use from (yuan)"),
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
    )


class UnitOwnershipForm(forms.Form):
    """One line of the register of exclusive units (司法解释 第九条)."""

    household = forms.ModelChoiceField(label=_("Exclusive unit"), queryset=None)
    owner_mobile = forms.CharField(
        label=_("Registered owner's mobile (if they have an account)"),
        max_length=20,
        required=False,
    )
    holder_name = forms.CharField(label=_("holder as registered"), max_length=100, required=False)
    holder_ref = forms.CharField(
        label=_("holder reference"),
        max_length=40,
        required=False,
        help_text=_("The same reference on several units counts as one owner."),
    )
    developer_stock = forms.BooleanField(
        label=_("developer's unsold or undelivered unit"), required=False
    )

    def __init__(self, *args, households=None, **kwargs):
        super().__init__(*args, **kwargs)
        from huashan.directory.models import Household

        self.fields["household"].queryset = (
            households if households is not None else Household.objects.none()
        )
        self.fields["household"].error_messages["invalid_choice"] = _(
            "This household is not in the compound."
        )

    def clean(self):
        data = super().clean()
        mobile = (data.get("owner_mobile") or "").strip()
        data["owner"] = None
        if mobile:
            from huashan.directory.models import Person

            data["owner"] = Person.objects.filter(mobile=mobile, is_active=True).first()
            if data["owner"] is None:
                self.add_error("owner_mobile", _("No account has this mobile number."))
        return data


class ReceiptCheckForm(forms.Form):
    receipt = forms.CharField(label=_("Receipt number"), max_length=20)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=REASON_MAX, widget=_textarea(2)
    )


class MotionForm(forms.Form):
    """工作小组提议 (seed: 协同联动 第二条)."""

    title = forms.CharField(label=_("Motion"), max_length=TITLE_MAX)
    matter = forms.ChoiceField(label=_("Matter"), choices=OwnersAssemblyMotion.Matter.choices)
    body = forms.CharField(label=_("Proposal"), max_length=TEXT_MAX, widget=_textarea(6))
    working_group = forms.CharField(label=_("Working group"), max_length=100, required=False)
    amount = forms.DecimalField(
        label=_("Amount (yuan), for a use of the maintenance fund"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    hearing_subject = forms.ChoiceField(
        label=_("Matter for an owners' hearing (听证会)"),
        choices=HearingSubject.choices,
        required=False,
        help_text=_(
            "Greenery renovation, parking planning and other public matters go on only after "
            "a held hearing of owner representatives."
        ),
    )


class ResolutionForm(forms.Form):
    resolution = forms.CharField(
        label=_("PMC deliberation"), max_length=TEXT_MAX, widget=_textarea(3)
    )


class PartyReviewForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Review by"),
        choices=(
            ("compound", _("Compound party organization")),
            ("community", _("Community party organization")),
        ),
    )
    opinion = forms.CharField(label=_("Opinion"), max_length=TEXT_MAX, widget=_textarea(3))
    approve = forms.TypedChoiceField(
        label=_("Result"),
        choices=(("1", _("Approve for the owners' vote")), ("0", _("Refuse (withdraws it)"))),
        coerce=lambda value: value == "1",
        initial="1",
    )


class OpenVoteForm(forms.Form):
    closes_at = forms.DateTimeField(
        label=_("Vote closes at"), widget=DateTimeLocalInput(), input_formats=DATETIME_FORMATS
    )
    declared_total_area = forms.DecimalField(
        label=_("Total exclusive area (m²) per the property register"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    declared_total_owners = forms.IntegerField(
        label=_("Number of owners per the property register"),
        required=False,
        min_value=0,
        max_value=1_000_000,
    )


class VoteForm(forms.Form):
    """One household's paper ballot, entered by a clerk (a second one confirms it)."""

    household = forms.ModelChoiceField(label=_("Household"), queryset=None)
    choice = forms.ChoiceField(
        label=_("Vote"), choices=MotionVote.Choice.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, households=None, **kwargs):
        super().__init__(*args, **kwargs)
        from huashan.directory.models import Household

        self.fields["household"].queryset = (
            households if households is not None else Household.objects.none()
        )
        self.fields["household"].error_messages["invalid_choice"] = _(
            "This household is not in the compound."
        )


class DecisionTextForm(forms.Form):
    decision_text = forms.CharField(
        label=_("Decision (left empty: the tally's verdict)"),
        required=False,
        max_length=TEXT_MAX,
        widget=_textarea(3),
    )


class ResultForm(forms.Form):
    result_text = forms.CharField(
        label=_("Implementation result"), max_length=TEXT_MAX, widget=_textarea(3)
    )


class OpinionForm(forms.Form):
    """An opinion raised at a forum / hearing / review (seed: 协同联动 第六条)."""

    raised_by_name = forms.CharField(label=_("Raised by"), max_length=50)
    content = forms.CharField(label=_("Opinion"), max_length=4000, widget=_textarea(3))


class DispositionForm(forms.Form):
    disposition = forms.ChoiceField(
        label=_("Disposition"),
        choices=[c for c in ForumOpinion.Disposition.choices if c[0] != "pending"],
    )
    note = forms.CharField(
        label=_("Explanation"), required=False, max_length=4000, widget=_textarea(2)
    )
    category = forms.ModelChoiceField(label=_("Complaint category"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from issues.models import Category

        self.fields["category"].queryset = Category.objects.filter(active=True)


class FeedbackForm(forms.Form):
    report = forms.CharField(label=_("Feedback report"), max_length=TEXT_MAX, widget=_textarea(6))
