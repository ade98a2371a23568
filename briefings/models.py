"""通报: what the parties tell each other, and what they do with the party's feedback.

seed: 决策报告制度 第一条 "社区居民委员会、物业管理委员会、物业服务企业（以下简称“三方”）
应通过小区党组织召集的联席会议或工作群，适时相互通报收集到的居民反映问题情况及解决实际
问题进展。重要紧急信息须第一时间通报并联动处置。" and 第三条 "有关单位（组织）应及时将收到
的小区相关意见通报给小区党组织、“三方”及居民；同时，“三方”应及时研究办理街道、社区、
小区党组织反馈的意见或建议，工作中出现新情况的，应视情向有关单位（组织）报告。"

A :class:`Briefing` is sent by one body of the compound to others; each addressed body
has a :class:`BriefingRecipient` row that records when it acknowledged it and, for the
party organizations' feedback, what it did about it (办理情况) and by when it had to.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.core.models import AlarmStage, Event
from huashan.directory.models import Compound, Organization, Person

TITLE_MAX = 120
BODY_MAX = 4000
RESPONSE_MAX = 2000


class Briefing(models.Model):
    class Kind(models.TextChoices):
        #: 第一条: 相互通报收集到的居民反映问题情况及解决实际问题进展.
        PROGRESS = "progress", _("Residents' concerns and progress")
        #: 第一条: 重要紧急信息须第一时间通报并联动处置.
        URGENT = "urgent", _("Urgent notice")
        #: 第三条: 及时将收到的小区相关意见通报给小区党组织、三方及居民.
        OPINIONS = "opinions", _("Opinions received")
        #: 第三条: 三方应及时研究办理街道、社区、小区党组织反馈的意见或建议.
        FEEDBACK = "feedback", _("Feedback to act on")
        #: 第三条: 工作中出现新情况的，应视情向有关单位（组织）报告.
        NEW_SITUATION = "new_situation", _("New development")

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="briefings")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    sender = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("sent by")
    )
    author = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    body = models.TextField(_("what is reported"), max_length=BODY_MAX)
    #: Shown to residents on the compound's public page (opinions always are: "及居民").
    public = models.BooleanField(_("tell the residents too"), default=False)
    #: Feedback only: by when each addressed party says what it did.
    respond_by = models.DateField(_("answer by"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ("-sent_at", "-pk")
        indexes = [models.Index(fields=("compound", "-sent_at"), name="briefing_compound_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def needs_response(self) -> bool:
        return self.kind == self.Kind.FEEDBACK

    @property
    def needs_acknowledgement(self) -> bool:
        return self.kind == self.Kind.URGENT


class BriefingRecipient(models.Model):
    """One addressed body: acknowledged (联动处置) and, for feedback, answered (办理)."""

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="recipients")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    response = models.TextField(_("what was done"), blank=True, max_length=RESPONSE_MAX)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("organization__kind", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("briefing", "organization"), name="briefing_recipient_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.briefing_id} → {self.organization_id}"

    def overdue_on(self, today) -> bool:
        """Feedback not answered by its date (the page marks it; the sender sees it)."""
        due = self.briefing.respond_by
        return bool(self.briefing.needs_response and not self.responded_at and due and today > due)


class BriefingAlarm(models.Model):
    """Feedback not yet answered: told once on its answer date and once after it."""

    Stage = AlarmStage

    recipient = models.ForeignKey(
        BriefingRecipient, on_delete=models.CASCADE, related_name="alarms"
    )
    stage = models.CharField(max_length=8, choices=AlarmStage.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("recipient", "stage"), name="briefing_alarm_once")
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.stage}"


class BriefingEvent(Event):
    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="events")

    VERB_LABELS = {
        "sent": _("Sent the briefing"),
        "acknowledged": _("Acknowledged the briefing"),
        "responded": _("Said what was done"),
        "overdue": _("Not answered by the date"),
    }
