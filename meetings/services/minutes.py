"""Minutes (会议记录): the draft, and new versions with a reason once the summary is approved."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import (
    AgendaTopic,
    Meeting,
    Minutes,
    MinutesVersion,
    Summary,
)
from ._common import (
    REASON_MAX,
    MeetingStateError,
    MinutesLockedError,
    MStatus,
    _lock,
    _meeting_event,
    _meeting_permission,
    _require_any,
    _sync,
    _text,
)


def _minutes_texts(texts: dict) -> dict[str, str]:
    unknown = set(texts) - set(Minutes.TEXT_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]}, code="unknown")
    return {name: _text(texts[name], field_name=name, required=False) for name in texts}


def _summary_approved(meeting: Meeting) -> bool:
    return Summary.objects.filter(
        meeting=meeting, status__in=(Summary.Status.APPROVED, Summary.Status.DISTRIBUTED)
    ).exists()


def minutes_save_draft(
    *, actor, meeting: Meeting, topic: AgendaTopic | None = None, **texts: str
) -> Minutes:
    """Autosave the live minutes of one agenda item (seed: 联席会议议事规则 第四条 做好会议记录).

    Cheap and idempotent: one row per (meeting, topic), only the given text
    fields are written, and saving the same text again writes nothing. Not an
    event (autosave runs every few seconds); the summary approval freezes the
    text, after which :func:`minutes_revise` is the only way to change it.
    """
    person = _require_any(
        actor, _meeting_permission(meeting.kind), meeting, gettext("You may not write minutes.")
    )
    cleaned = _minutes_texts(texts)
    if topic is not None and topic.meeting_id != meeting.pk:
        raise ValidationError({"topic": [_("This topic is not on the meeting's agenda.")]})
    if meeting.status == MStatus.CANCELLED:
        raise MeetingStateError(_("The meeting was cancelled."), code="cancelled")
    if _summary_approved(meeting):
        raise MinutesLockedError(
            _("The summary is approved; record a new version with a reason instead."),
            code="locked",
        )
    with transaction.atomic():
        minutes, created = Minutes.objects.select_for_update().get_or_create(
            meeting=meeting, topic=topic, defaults={**cleaned, "updated_by": person}
        )
        if created:
            return minutes
        changed = [k for k, v in cleaned.items() if getattr(minutes, k) != v]
        if changed:
            for key in changed:
                setattr(minutes, key, cleaned[key])
            minutes.updated_by = person
            minutes.updated_at = timezone.now()
            minutes.save(update_fields=[*changed, "updated_by", "updated_at"])
    return minutes


def minutes_revise(*, actor, minutes: Minutes, reason: str, **texts: str) -> Minutes:
    """Change minutes after the summary was approved: the old text is kept as a
    :class:`MinutesVersion` with the reason, the version number goes up."""
    meeting = minutes.meeting
    person = _require_any(
        actor, _meeting_permission(meeting.kind), meeting, gettext("You may not revise minutes.")
    )
    reason = _text(reason, field_name="reason", max_length=REASON_MAX)
    cleaned = _minutes_texts(texts)
    with transaction.atomic():
        locked = _lock(Minutes, minutes.pk)
        if not any(getattr(locked, k) != v for k, v in cleaned.items()):
            raise ValidationError({"discussion": [_("Nothing changed.")]}, code="unchanged")
        MinutesVersion.objects.create(
            minutes=locked,
            version=locked.version,
            reason=reason,
            created_by=person,
            **{name: getattr(locked, name) for name in Minutes.TEXT_FIELDS},
        )
        for key, value in cleaned.items():
            setattr(locked, key, value)
        locked.version += 1
        locked.updated_by = person
        locked.updated_at = timezone.now()
        locked.save()
        _meeting_event(
            meeting,
            actor=person,
            verb="minutes_revise",
            note=f"v{locked.version}: {reason}",
        )
    return _sync(minutes, locked)
