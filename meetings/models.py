"""Joint meetings and the decisions that come out of them.

seed: 联席会议议事规则 第一—六条 (the monthly joint meeting, its office, notices,
minutes, summaries and follow-up of agreed items); 协同联动解决小区事务流程 第二条
(owners' assembly procedure), 第六条 (forums, hearings, reviews) and 第七条 (early
intervention); 决策报告制度 第一—三条 (decision reports); 物业管理委员会服务承诺 10
(3 consecutive unexcused absences).

Every state change goes through ``meetings/services/`` and writes one event row
(a subclass of :class:`huashan.core.models.Event`). Each model with a state has a
``TRANSITIONS`` mapping the services guard against.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.core.models import Event
from huashan.directory.models import Compound, Household, Organization

PERSON = settings.AUTH_USER_MODEL


# --- meetings -------------------------------------------------------------------


class Meeting(models.Model):
    """A meeting of a compound: the monthly joint meeting, a forum/hearing/review,
    or a PMC working meeting.

    seed: 联席会议议事规则 第三条 (members, observers, convener/chair, last week of the
    month, ad hoc when needed); 协同联动 第六条 (民情恳谈会、工作听证会、服务评议会).
    """

    class Kind(models.TextChoices):
        JOINT = "joint", _("Joint meeting (联席会议)")
        RESIDENTS_FORUM = "residents_forum", _("Residents' forum (民情恳谈会)")
        WORK_HEARING = "work_hearing", _("Work hearing (工作听证会)")
        SERVICE_REVIEW = "service_review", _("Service review (服务评议会)")
        OWNERS_FORUM = "owners_forum", _("Owners' forum (业主恳谈会)")
        PMC_WORKING = "pmc_working", _("PMC working meeting (物业管理委员会工作会议)")

    #: Kinds where opinions of residents are recorded (协同联动 第六条).
    FORUM_KINDS = frozenset(
        {Kind.RESIDENTS_FORUM, Kind.WORK_HEARING, Kind.SERVICE_REVIEW, Kind.OWNERS_FORUM}
    )

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        NOTICE_SENT = "notice_sent", _("Notice sent")
        HELD = "held", _("Held")
        MINUTES_APPROVED = "minutes_approved", _("Summary approved")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.DRAFT: {Status.NOTICE_SENT, Status.HELD, Status.CANCELLED},
        Status.NOTICE_SENT: {Status.HELD, Status.CANCELLED},
        Status.HELD: {Status.MINUTES_APPROVED, Status.CLOSED},
        Status.MINUTES_APPROVED: {Status.CLOSED},
        Status.CLOSED: set(),
        Status.CANCELLED: set(),
    }

    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("compound")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organizing body"),
        help_text=_("The body whose meeting this is (the PMC for its working meetings)."),
    )
    is_ad_hoc = models.BooleanField(_("ad hoc meeting"), default=False)
    ad_hoc_reason = models.TextField(_("reason for an ad hoc meeting"), blank=True)
    convener = models.ForeignKey(
        PERSON,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("convener"),
    )
    chair = models.ForeignKey(
        PERSON,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("chair"),
    )
    place = models.CharField(_("place"), max_length=200)
    start = models.DateTimeField(_("starts at"), db_index=True)
    end = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    summary_public = models.BooleanField(
        _("post the summary on the disclosure board"), default=False
    )
    #: Forums/hearings: the feedback report to residents (协同联动 第六条).
    feedback_report = models.TextField(_("feedback report"), blank=True)
    feedback_published_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    #: 补录: entered after it was held (an emergency meeting called at once); it never
    #: had a notice, and every record of it says so (issue 13 item 3).
    recorded_afterwards = models.BooleanField(_("recorded afterwards (补录)"), default=False)
    record_reason = models.TextField(_("why it is recorded afterwards"), blank=True)
    created_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-start", "-pk")
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=("compound", "kind", "start"))]
        constraints = [
            models.CheckConstraint(
                name="meeting_end_after_start", condition=Q(end__gt=models.F("start"))
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {timezone.localtime(self.start):%Y-%m-%d}"

    @property
    def is_forum(self) -> bool:
        return self.kind in self.FORUM_KINDS


class MeetingEvent(Event):
    """A step of a meeting, its notice, minutes and summary, shown as a phrase."""

    VERB_LABELS = {
        "create": _("Scheduled the meeting"),
        "record_past": _("Recorded a meeting held earlier (补录)"),
        "update": _("Changed the meeting"),
        "member_add": _("Added a participant"),
        "member_remove": _("Removed a participant"),
        "reorder": _("Reordered the agenda"),
        "send_notice": _("Sent the meeting notice"),
        "notice_signed": _("A body signed for the notice"),
        "cancel": _("Cancelled the meeting"),
        "held": _("Marked the meeting as held"),
        "attendance": _("Recorded attendance"),
        "minutes_revise": _("Revised the minutes"),
        "summary_draft": _("Drafted the summary"),
        "summary_countersign_request": _("Sent the summary for countersigning"),
        "summary_countersigned": _("A body countersigned the summary"),
        "summary_returned": _("Took the summary back for changes"),
        "summary_approve": _("Approved the summary"),
        "summary_distribute": _("Distributed the summary to the four bodies"),
        "summary_publish": _("Posted the summary on the disclosure board"),
        "summary_received": _("A body signed for the summary"),
        "opinion": _("Recorded an opinion"),
        "opinion_disposed": _("Disposed of an opinion"),
        "publish_feedback": _("Published the feedback report"),
    }
    #: Filled below, once :class:`Summary` exists (summary steps are meeting events).
    STATE_LABELS: ClassVar[dict] = {}

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")


class MeetingMember(models.Model):
    """Who is called to the meeting: a member (成员) or an observer (列席).

    seed: 联席会议议事规则 第三条. Derived from the directory when the meeting is
    created; the office may add or remove people before the notice is sent.
    """

    class Role(models.TextChoices):
        MEMBER = "member", _("Member (成员)")
        OBSERVER = "observer", _("Observer (列席)")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        ordering = ("role", "organization__kind", "pk")
        constraints = [
            models.UniqueConstraint(fields=("meeting", "person"), name="meeting_member_once")
        ]
        verbose_name = _("meeting member")
        verbose_name_plural = _("meeting members")

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.person_id} ({self.role})"


# --- agenda ---------------------------------------------------------------------


class AgendaTopic(models.Model):
    """议题: proposed by a party or arising from a big complaint / overdue item.

    seed: 联席会议议事规则 第二条 (what the meeting studies) and 第四条 (the office
    collects topics). A topic without a meeting waits for the next joint meeting.
    """

    class Source(models.TextChoices):
        MANUAL = "manual", _("Proposed by a party")
        COMPLAINT = "complaint", _("Big-tier complaint")
        ACTION_ITEM = "action_item", _("Overdue agreed item")
        FORUM = "forum", _("Opinion raised at a forum")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        MERGED = "merged", _("Merged")
        DEFERRED = "deferred", _("Deferred")
        REJECTED = "rejected", _("Rejected")

    TRANSITIONS = {
        Status.PROPOSED: {Status.ACCEPTED, Status.MERGED, Status.DEFERRED, Status.REJECTED},
        Status.ACCEPTED: {Status.DEFERRED, Status.MERGED},
        Status.DEFERRED: {Status.PROPOSED, Status.ACCEPTED, Status.REJECTED},
        Status.MERGED: set(),
        Status.REJECTED: set(),
    }

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="topics"
    )
    title = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.MANUAL
    )
    issue = models.ForeignKey(
        "issues.Issue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action_item = models.ForeignKey(
        "ActionItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposer = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposer_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED, db_index=True
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_topics"
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    decided_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("order", "created_at", "pk")
        verbose_name = _("agenda topic")
        verbose_name_plural = _("agenda topics")
        constraints = [
            # A complaint / an agreed item proposes itself at most once while waiting.
            models.UniqueConstraint(
                fields=("compound", "issue"),
                condition=Q(issue__isnull=False, status="proposed"),
                name="agenda_topic_issue_once",
            ),
            models.UniqueConstraint(
                fields=("compound", "action_item"),
                condition=Q(action_item__isnull=False, status="proposed"),
                name="agenda_topic_action_item_once",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AgendaTopicEvent(Event):
    """A step of an agenda topic, shown as a phrase."""

    VERB_LABELS = {
        "propose": _("Proposed the topic"),
        AgendaTopic.Status.ACCEPTED: _("Put the topic on the agenda"),
        AgendaTopic.Status.MERGED: _("Merged the topic into another"),
        AgendaTopic.Status.DEFERRED: _("Deferred the topic"),
        AgendaTopic.Status.REJECTED: _("Turned the topic down"),
    }
    STATE_LABELS = dict(AgendaTopic.Status.choices)

    topic = models.ForeignKey(AgendaTopic, on_delete=models.CASCADE, related_name="events")


# --- notice ---------------------------------------------------------------------


class NoticeSequence(models.Model):
    """Per compound per year counter for 花山联〔YYYY〕N号, incremented under a row lock."""

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("compound", "year"), name="notice_sequence_once")
        ]

    def __str__(self) -> str:
        return f"{self.compound_id} {self.year}: {self.last}"


class Notice(models.Model):
    """会议通知 with its document number (seed: 联席会议议事规则 第四条)."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="notice")
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    document_number = models.CharField(_("document number"), max_length=40)
    body = models.TextField(_("notice text"))
    issued_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("document_number",), name="notice_document_number_unique"
            )
        ]
        verbose_name = _("meeting notice")
        verbose_name_plural = _("meeting notices")

    def __str__(self) -> str:
        return self.document_number


class NoticeReceipt(models.Model):
    """One recipient body of a notice (主送 / 抄送) and its 签收."""

    class Line(models.TextChoices):
        MAIN = "main", _("Main recipient (主送)")
        COPY = "copy", _("Copy (抄送)")

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="receipts")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    line = models.CharField(max_length=8, choices=Line.choices, default=Line.MAIN)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("line", "organization__kind", "pk")
        constraints = [
            models.UniqueConstraint(fields=("notice", "organization"), name="notice_receipt_once")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} → {self.organization_id}"


# --- attendance and minutes -----------------------------------------------------


class Attendance(models.Model):
    """出席情况 of one person at one meeting (PMC pledge 10 counts unexcused absences)."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        EXCUSED = "excused", _("Excused absence")
        UNEXCUSED = "unexcused", _("Unexcused absence")
        DELEGATE = "delegate", _("Sent a delegate")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("attendance"), max_length=12, choices=Status.choices)
    delegate_name = models.CharField(_("delegate"), max_length=50, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("meeting", "pk")
        constraints = [
            models.UniqueConstraint(fields=("meeting", "person"), name="attendance_once")
        ]
        indexes = [models.Index(fields=("person", "status"))]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.person_id} {self.status}"


class Minutes(models.Model):
    """会议记录 of one agenda item (``topic`` empty: general remarks).

    Autosaved as a draft while the meeting runs (``minutes_save_draft``); once
    the summary is approved, changes go through ``minutes_revise`` which keeps
    the old text as a :class:`MinutesVersion` with a reason.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes")
    topic = models.ForeignKey(
        AgendaTopic, null=True, blank=True, on_delete=models.PROTECT, related_name="minutes"
    )
    discussion = models.TextField(_("discussion"), blank=True)
    position_party = models.TextField(_("position of the party organizations"), blank=True)
    position_residents_committee = models.TextField(
        _("position of the residents' committee"), blank=True
    )
    position_pmc = models.TextField(_("position of the PMC"), blank=True)
    position_property_company = models.TextField(_("position of the property company"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    TEXT_FIELDS = (
        "discussion",
        "position_party",
        "position_residents_committee",
        "position_pmc",
        "position_property_company",
        "outcome",
    )

    class Meta:
        ordering = ("meeting", "topic__order", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("meeting", "topic"),
                condition=Q(topic__isnull=False),
                name="minutes_once_per_topic",
            ),
            models.UniqueConstraint(
                fields=("meeting",),
                condition=Q(topic__isnull=True),
                name="minutes_once_general",
            ),
        ]
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.topic_id} v{self.version}"


class MinutesVersion(models.Model):
    """The text of minutes as it was before a revision after approval."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    discussion = models.TextField(blank=True)
    position_party = models.TextField(blank=True)
    position_residents_committee = models.TextField(blank=True)
    position_pmc = models.TextField(blank=True)
    position_property_company = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    reason = models.TextField(_("reason for the revision"))
    created_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("minutes", "version")
        constraints = [
            models.UniqueConstraint(fields=("minutes", "version"), name="minutes_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.minutes_id} v{self.version}"


# --- summary --------------------------------------------------------------------


class Summary(models.Model):
    """会议纪要: drafted from the minutes, countersigned by the four bodies, approved
    by the chair, distributed with receipts (seed: 联席会议议事规则 第四条)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COUNTERSIGNING = "countersigning", _("Countersigning")
        APPROVED = "approved", _("Approved")
        DISTRIBUTED = "distributed", _("Distributed")

    TRANSITIONS = {
        Status.DRAFT: {Status.COUNTERSIGNING},
        Status.COUNTERSIGNING: {Status.DRAFT, Status.APPROVED},
        Status.APPROVED: {Status.DISTRIBUTED},
        Status.DISTRIBUTED: set(),
    }

    #: The four bodies that countersign and receive it (第四条).
    BODY_KINDS = (
        Organization.Kind.COMMUNITY_PARTY,
        Organization.Kind.RESIDENTS_COMMITTEE,
        Organization.Kind.PMC,
        Organization.Kind.PROPERTY_COMPANY,
    )

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="summary")
    body = models.TextField(_("summary text"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    drafted_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    drafted_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    distributed_at = models.DateTimeField(null=True, blank=True)
    #: pk of the disclosures.Disclosure when posted publicly (no FK: optional app).
    public_disclosure_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("meeting summary")
        verbose_name_plural = _("meeting summaries")

    def __str__(self) -> str:
        return f"纪要 {self.meeting_id}"


class SummarySignature(models.Model):
    """会签 (countersign) or 签收 (receipt) of the summary by one body."""

    class Kind(models.TextChoices):
        COUNTERSIGN = "countersign", _("Countersign (会签)")
        RECEIPT = "receipt", _("Receipt (签收)")

    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="signatures")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ("kind", "organization__kind", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("summary", "kind", "organization"), name="summary_signature_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.summary_id} {self.kind} {self.organization_id}"


# --- action items -----------------------------------------------------------------


class ActionItem(models.Model):
    """议定事项 with an owner and a due date, followed up until accepted.

    seed: 联席会议议事规则 第五条 (the office follows up agreed items until done).
    ``due_at`` is the end of the due day, stored once (DESIGN.md §4 "Time").
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Done, waiting for acceptance")
        DONE = "done", _("Done and accepted")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATES = (Status.OPEN, Status.IN_PROGRESS, Status.SUBMITTED)
    TRANSITIONS = {
        Status.OPEN: {Status.IN_PROGRESS, Status.SUBMITTED, Status.CANCELLED},
        Status.IN_PROGRESS: {Status.SUBMITTED, Status.CANCELLED},
        Status.SUBMITTED: {Status.DONE, Status.IN_PROGRESS},
        Status.DONE: set(),
        Status.CANCELLED: set(),
    }

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="action_items")
    topic = models.ForeignKey(
        AgendaTopic, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items"
    )
    title = models.CharField(_("agreed item"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    responsible_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible organization"),
    )
    responsible_person = models.ForeignKey(
        PERSON,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    raised_by = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("raised by"),
        help_text=_("The body that raised the matter; it may accept the result."),
    )
    due_date = models.DateField(_("due date"))
    due_at = models.DateTimeField(db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("due_at", "pk")
        indexes = [models.Index(fields=("compound", "status", "due_at"))]
        verbose_name = _("agreed item")
        verbose_name_plural = _("agreed items")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at < timezone.now()


def action_item_evidence_path(instance: ActionItemUpdate, filename: str) -> str:
    return f"meetings/evidence/{instance.item_id}/{filename}"


class ActionItemUpdate(models.Model):
    """A progress update; ``is_completion`` marks the owner's report that it is done."""

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("progress"))
    evidence_text = models.TextField(_("evidence"), blank=True)
    evidence_file = models.FileField(
        _("evidence file"), upload_to=action_item_evidence_path, blank=True
    )
    is_completion = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("item", "created_at", "pk")

    def __str__(self) -> str:
        return f"{self.item_id} @ {self.created_at:%Y-%m-%d}"

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence_text.strip() or self.evidence_file)


class ActionItemEvent(Event):
    """A step of an agreed item, shown as a phrase."""

    VERB_LABELS = {
        "create": _("Recorded the agreed item"),
        "progress": _("Reported progress"),
        "submit_done": _("Reported the item done"),
        "accept": _("Accepted the completed item"),
        "reject_completion": _("Sent the item back as not done"),
        "cancel": _("Cancelled the agreed item"),
        "reminder": _("Reminded the responsible body"),
        "breach": _("Overdue: supervision started"),
    }
    STATE_LABELS = dict(ActionItem.Status.choices)

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="events")


class ActionItemAlarm(models.Model):
    """A reminder before due or a 督办 notice on breach, written once per (item, stage, due)."""

    class Stage(models.TextChoices):
        REMINDER = "reminder", _("Due soon")
        BREACH = "breach", _("Overdue (督办)")

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="alarms")
    stage = models.CharField(max_length=8, choices=Stage.choices)
    due = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("item", "stage", "due"), name="action_item_alarm_once")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.stage}"


class ScheduleReminder(models.Model):
    """Once per compound and month: "no joint meeting scheduled yet" (第三条; PP-1)."""

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("compound", "year", "month"), name="schedule_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.compound_id} {self.year}-{self.month:02d}"


# --- decision reports ---------------------------------------------------------------


class DecisionReport(models.Model):
    """决策报告: the PMC reports a major matter in advance (seed: 决策报告制度 第二条).

    Matters listed in 协同联动 第七条 (large maintenance-fund use, change of the
    property company, fee adjustment) may not proceed before the joint-meeting
    office has invited the street and the community party organization to
    intervene early.
    """

    class Matter(models.TextChoices):
        PMC_MEMBERS = "pmc_members", _("Election or replacement of PMC members")
        COMPANY_HEAD = "company_head", _("Change of the property company's project head")
        COMPANY_SELECTION = "company_selection", _("Hiring or dismissing the property company")
        FACILITY_REPAIR = "facility_repair", _("Repair or renovation of common facilities")
        MAINTENANCE_FUND = "maintenance_fund", _("Large use of the maintenance fund")
        COMMON_PARTS = "common_parts", _("Operation of common parts and its revenue")
        FEE_ADJUSTMENT = "fee_adjustment", _("Property fee adjustment")

    #: 协同联动 第七条: 大额维修资金使用、物业服务企业变更、物业费调整.
    EARLY_INTERVENTION_MATTERS = frozenset(
        {Matter.MAINTENANCE_FUND, Matter.COMPANY_SELECTION, Matter.FEE_ADJUSTMENT}
    )
    #: The bodies invited to intervene early (第七条: 街道、社区党组织).
    EARLY_INTERVENTION_KINDS = (
        Organization.Kind.STREET_OFFICE,
        Organization.Kind.COMMUNITY_PARTY,
    )
    #: Recipients of the report (决策报告制度 第二条).
    RECIPIENT_KINDS = (
        Organization.Kind.STREET_OFFICE,
        Organization.Kind.COMMUNITY_PARTY,
        Organization.Kind.COMPOUND_PARTY,
        Organization.Kind.RESIDENTS_COMMITTEE,
        Organization.Kind.JOINT_MEETING_OFFICE,
    )

    class Form(models.TextChoices):
        WRITTEN = "written", _("Written")
        ORAL = "oral", _("Oral")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FILED = "filed", _("Reported")
        PROCEEDING = "proceeding", _("Cleared to proceed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    TRANSITIONS = {
        Status.DRAFT: {Status.FILED, Status.WITHDRAWN},
        Status.FILED: {Status.PROCEEDING, Status.WITHDRAWN},
        Status.PROCEEDING: set(),
        Status.WITHDRAWN: set(),
    }

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("reporting body")
    )
    matter = models.CharField(_("matter"), max_length=20, choices=Matter.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("report"))
    form = models.CharField(_("form"), max_length=8, choices=Form.choices, default=Form.WRITTEN)
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    filed_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField(null=True, blank=True)
    proceed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("decision report")
        verbose_name_plural = _("decision reports")

    def __str__(self) -> str:
        return self.title

    @property
    def needs_early_intervention(self) -> bool:
        return self.matter in self.EARLY_INTERVENTION_MATTERS


class DecisionReportRecipient(models.Model):
    """One recipient body: acknowledges and may answer (决策报告制度 第二、三条)."""

    report = models.ForeignKey(DecisionReport, on_delete=models.CASCADE, related_name="recipients")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("organization__kind", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("report", "organization"), name="decision_recipient_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.organization_id}"


class EarlyIntervention(models.Model):
    """An invitation to intervene early (协同联动 第七条), sent by the meeting office."""

    report = models.ForeignKey(
        DecisionReport, on_delete=models.CASCADE, related_name="interventions"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    invited_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(_("invitation"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    response = models.TextField(_("response"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("report", "organization"), name="early_intervention_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id} ⇢ {self.organization_id}"


class DecisionReportEvent(Event):
    """A step of a decision report, shown as a phrase."""

    VERB_LABELS = {
        "create": _("Drafted the decision report"),
        "file": _("Reported the decision in advance"),
        "acknowledge": _("A body acknowledged the report"),
        "answer": _("A body answered the report"),
        "invite_intervention": _("Invited early intervention"),
        "intervention_response": _("A body answered the invitation to intervene"),
        "proceed": _("Cleared the decision to proceed"),
        "withdraw": _("Withdrew the decision report"),
    }
    STATE_LABELS = dict(DecisionReport.Status.choices)

    report = models.ForeignKey(DecisionReport, on_delete=models.CASCADE, related_name="events")


# --- owners' assembly -------------------------------------------------------------


class OwnersAssemblyMotion(models.Model):
    """A matter for the owners' assembly (业主大会), following 协同联动 第二条:
    working-group proposal → PMC deliberation → compound and community party
    review → owners' vote → decision published → result published.

    The vote is counted under Civil Code art. 278 (``meetings/tally.py``).
    """

    class Matter(models.TextChoices):
        # Civil Code art. 278 (一)—(九).
        ASSEMBLY_RULES = "assembly_rules", _("Owners' assembly rules of procedure")
        MANAGEMENT_STATUTE = "management_statute", _("Management statute (管理规约)")
        COMMITTEE_ELECTION = "committee_election", _("Electing or replacing committee members")
        COMPANY_SELECTION = "company_selection", _("Hiring or dismissing the property company")
        FUND_USE = "fund_use", _("Using the maintenance fund")
        FUND_RAISING = "fund_raising", _("Raising the maintenance fund")
        REBUILDING = "rebuilding", _("Rebuilding or reconstructing buildings and facilities")
        COMMON_PARTS_USE = (
            "common_parts_use",
            _("Changing the use of common parts or operating them"),
        )
        OTHER = "other", _("Other major matters of common ownership")

    class Stage(models.TextChoices):
        PROPOSAL = "proposal", _("Working-group proposal")
        PMC_DELIBERATION = "pmc_deliberation", _("PMC deliberation")
        PARTY_REVIEW = "party_review", _("Party review")
        VOTING = "voting", _("Owners' vote")
        DECIDED = "decided", _("Decision published")
        RESULT_PUBLISHED = "result_published", _("Result published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    TRANSITIONS = {
        Stage.PROPOSAL: {Stage.PMC_DELIBERATION, Stage.WITHDRAWN},
        Stage.PMC_DELIBERATION: {Stage.PARTY_REVIEW, Stage.WITHDRAWN},
        Stage.PARTY_REVIEW: {Stage.VOTING, Stage.WITHDRAWN},
        Stage.VOTING: {Stage.DECIDED},
        Stage.DECIDED: {Stage.RESULT_PUBLISHED},
        Stage.RESULT_PUBLISHED: set(),
        Stage.WITHDRAWN: set(),
    }

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("motion"), max_length=200)
    body = models.TextField(_("proposal"))
    matter = models.CharField(_("matter"), max_length=24, choices=Matter.choices)
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.PROPOSAL, db_index=True
    )
    proposed_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    working_group = models.CharField(_("working group"), max_length=100, blank=True)
    pmc_resolution = models.TextField(_("PMC deliberation"), blank=True)
    compound_party_review = models.TextField(_("compound party review"), blank=True)
    compound_party_reviewed_at = models.DateTimeField(null=True, blank=True)
    community_party_review = models.TextField(_("community party review"), blank=True)
    community_party_reviewed_at = models.DateTimeField(null=True, blank=True)
    vote_opens_at = models.DateTimeField(null=True, blank=True)
    vote_closes_at = models.DateTimeField(null=True, blank=True)
    #: Snapshot at the opening of the vote: every household of the compound.
    total_area = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    total_owners = models.PositiveIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    tally = models.JSONField(default=dict, blank=True)
    decision_text = models.TextField(_("decision"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    result_text = models.TextField(_("implementation result"), blank=True)
    result_published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("owners' assembly motion")
        verbose_name_plural = _("owners' assembly motions")

    def __str__(self) -> str:
        return self.title


class MotionVote(models.Model):
    """One household's vote, weighted by its exclusive area (one vote per household)."""

    class Choice(models.TextChoices):
        YES = "yes", _("For")
        NO = "no", _("Against")
        ABSTAIN = "abstain", _("Abstain")

    motion = models.ForeignKey(OwnersAssemblyMotion, on_delete=models.CASCADE, related_name="votes")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("vote"), max_length=8, choices=Choice.choices)
    area = models.DecimalField(max_digits=8, decimal_places=2)
    voter = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cast_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("motion", "household"), name="motion_vote_once")
        ]

    def __str__(self) -> str:
        return f"{self.motion_id}: {self.household_id} {self.choice}"


class MotionEvent(Event):
    """A step of an owners' assembly motion, shown as a phrase."""

    VERB_LABELS = {
        "propose": _("Proposed the motion"),
        "pmc_deliberate": _("The PMC deliberated the motion"),
        "review_compound": _("Reviewed by the compound party organization"),
        "review_community": _("Reviewed by the community party organization"),
        "open_vote": _("Opened the owners' vote"),
        "vote": _("An owner voted"),
        "decide": _("Closed the vote and counted it"),
        "publish_result": _("Published the result"),
        "withdraw": _("Withdrew the motion"),
    }
    STATE_LABELS = dict(OwnersAssemblyMotion.Stage.choices)

    motion = models.ForeignKey(
        OwnersAssemblyMotion, on_delete=models.CASCADE, related_name="events"
    )


# --- forums and hearings --------------------------------------------------------


class ForumOpinion(models.Model):
    """An opinion raised at a 恳谈会 / 听证会 / 评议会 and what became of it.

    seed: 协同联动 第六条.
    """

    class Disposition(models.TextChoices):
        PENDING = "pending", _("Not yet handled")
        ADOPTED = "adopted", _("Adopted")
        EXPLAINED = "explained", _("Explained")
        COMPLAINT = "complaint", _("Turned into a complaint")
        AGENDA_TOPIC = "agenda_topic", _("Turned into an agenda topic")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="opinions")
    raised_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_by_name = models.CharField(_("raised by"), max_length=50)
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content = models.TextField(_("opinion"))
    disposition = models.CharField(
        _("disposition"),
        max_length=16,
        choices=Disposition.choices,
        default=Disposition.PENDING,
        db_index=True,
    )
    disposition_note = models.TextField(_("explanation"), blank=True)
    issue = models.ForeignKey(
        "issues.Issue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    topic = models.ForeignKey(
        AgendaTopic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("meeting", "created_at", "pk")
        verbose_name = _("forum opinion")
        verbose_name_plural = _("forum opinions")

    def __str__(self) -> str:
        return f"{self.raised_by_name}: {self.content[:20]}"


# --- printable documents ----------------------------------------------------------


def meeting_document_path(instance: MeetingDocument, filename: str) -> str:
    return f"meetings/pdf/{instance.meeting_id}/{filename}"


class MeetingDocument(models.Model):
    """A PDF of a meeting rendered by the worker (DESIGN.md §4 "PDF": never in a request).

    ``meeting_document_request`` creates the row and dispatches the render after
    commit; the page polls ``status``. The newest ready row of a kind is current.
    """

    class Kind(models.TextChoices):
        NOTICE = "notice", _("Meeting notice")
        SIGN_IN = "sign_in", _("Sign-in sheet")
        MINUTES = "minutes", _("Minutes")
        SUMMARY = "summary", _("Meeting summary")

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to=meeting_document_path, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.kind} {self.status}"


# Summary and attendance steps are recorded on the meeting; their vocabularies label
# its history too (the values do not collide; "draft" means the same in both).
MeetingEvent.STATE_LABELS = {
    **dict(Attendance.Status.choices),
    **dict(Summary.Status.choices),
    **dict(Meeting.Status.choices),
}
