"""The meeting, its history and its members.

seed: 联席会议议事规则 第一、三条; 协同联动解决小区事务流程 第六条.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.core.models import Event
from huashan.directory.models import Compound, Organization

from ._common import PERSON


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
        #: 协同联动 第四条: convened by the street (街道吹哨、部门报到) on the community
        #: party organization's request, for a problem beyond the compound and community.
        STREET_JOINT = "street_joint", _("Street joint meeting (街道联席会议)")

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
    #: The 委托 under which a compound party head convenes and chairs a joint meeting
    #: (联席会议议事规则 第三条); empty when the community party head chairs.
    chair_delegation = models.ForeignKey(
        "directory.ChairDelegation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("chaired under the delegation"),
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
        "street_propose": _("Proposed taking a complaint to the street"),
        "street_outcome": _("Recorded the outcome of the street joint meeting"),
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


class StreetReferral(models.Model):
    """A problem beyond the three parties and the community, taken to the street.

    seed: 协同联动 第四条 "对于超出'三方'职责与社区职责范围的重大物业管理服务问题…小区联席
    会议应研究并提出建议，报社区党组织。社区党组织应及时提请街道运用'街道吹哨、部门报到'
    机制，召集街道联席会议…". The compound's joint meeting proposes (``proposed``); the
    community party organization asks the street (``requested``) or says why not
    (``declined``); the street convenes a street joint meeting (``convened``) whose
    outcome returns to the complaint (``concluded``). The request is the street whistle:
    a street whistle exists only through a requested referral (``street_whistle``).
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed by the joint meeting")
        REQUESTED = "requested", _("Requested of the street")
        DECLINED = "declined", _("Not taken to the street")
        CONVENED = "convened", _("Street joint meeting convened")
        CONCLUDED = "concluded", _("Outcome returned to the complaint")

    TRANSITIONS = {
        Status.PROPOSED: {Status.REQUESTED, Status.DECLINED},
        Status.REQUESTED: {Status.CONVENED},
        Status.CONVENED: {Status.CONCLUDED, Status.CONVENED},
        Status.DECLINED: set(),
        Status.CONCLUDED: set(),
    }

    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="street_referrals"
    )
    issue = models.ForeignKey(
        "issues.Issue",
        on_delete=models.PROTECT,
        related_name="street_referrals",
        verbose_name=_("complaint"),
    )
    joint_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        related_name="street_proposals",
        verbose_name=_("joint meeting that studied it"),
    )
    proposal = models.TextField(_("the joint meeting's proposal"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    request_text = models.TextField(_("the community party organization's request"), blank=True)
    decline_reason = models.TextField(_("why it is not taken to the street"), blank=True)
    requested_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    street_meeting = models.ForeignKey(
        Meeting,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="street_referrals",
        verbose_name=_("street joint meeting"),
    )
    outcome = models.TextField(_("outcome of the street joint meeting"), blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    #: Asking the street blows its whistle (街道吹哨、部门报到) on the complaint: the one
    #: street whistle the request made (``street_referral_request``); none while proposed
    #: or when declined.
    street_whistle = models.OneToOneField(
        "issues.Whistle",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="street_referral",
        verbose_name=_("street whistle"),
    )

    class Meta:
        ordering = ("-proposed_at", "-pk")
        verbose_name = _("referral to the street")
        verbose_name_plural = _("referrals to the street")

    def __str__(self) -> str:
        return f"{self.issue_id} → street ({self.status})"
