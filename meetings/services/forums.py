"""Forums and hearings (议事协商会、听证会) and home visits (上门走访): opinions recorded and
disposed, feedback published.

seed: 协同联动 第六条 "通过民情恳谈会、工作听证会、服务评议会、上门走访等多种方式，畅通沟通渠道".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.core.services import require_perm as _require
from huashan.core.state import record_event
from huashan.directory.models import Compound, Household, Organization, Person
from huashan.directory.selectors import compound_organizations

from ..models import (
    AgendaTopic,
    ForumOpinion,
    Meeting,
)
from ..models.forums import HomeVisit, HomeVisitEvent
from ._common import (
    TITLE_MAX,
    MeetingStateError,
    MStatus,
    _lock,
    _meeting_event,
    _sync,
    _text,
    _topic_event,
)
from .agenda import next_joint_meeting


def forum_opinion_record(
    *,
    actor,
    meeting: Meeting,
    raised_by_name: str,
    content: str,
    raised_by: Person | None = None,
    household: Household | None = None,
) -> ForumOpinion:
    """Record an opinion raised at a 恳谈会 / 听证会 / 评议会 (seed: 协同联动 第六条)."""
    person = _require(actor, "meetings.run_forum", meeting, gettext("You may not record opinions."))
    if not meeting.is_forum:
        raise ValidationError(_("Opinions are recorded at forums, hearings and reviews."))
    if meeting.status == MStatus.CANCELLED:
        raise MeetingStateError(_("The meeting was cancelled."), code="cancelled")
    raised_by_name = _text(raised_by_name, field_name="raised_by_name", max_length=50)
    content = _text(content, field_name="content", max_length=4000)
    if household is not None and household.building.compound_id != meeting.compound_id:
        raise ValidationError({"household": [_("This household is not in the compound.")]})
    with transaction.atomic():
        opinion = ForumOpinion.objects.create(
            meeting=meeting,
            raised_by=raised_by,
            raised_by_name=raised_by_name,
            household=household,
            content=content,
        )
        _meeting_event(meeting, actor=person, verb="opinion", note=content[:200])
    return opinion


def forum_opinion_dispose(
    *,
    actor,
    opinion: ForumOpinion,
    disposition: str,
    note: str = "",
    category=None,
) -> ForumOpinion:
    """Say what became of an opinion: adopted / explained (with a note), turned into a
    complaint (``issues.services.issue_submit`` starts the complaint clocks; needs
    ``category``) or into an agenda topic for the next joint meeting. The same for an
    opinion heard on a home visit (上门走访, 协同联动 第六条)."""
    occasion = opinion.occasion
    person = _require(actor, "meetings.run_forum", occasion, gettext("You may not do this."))
    D = ForumOpinion.Disposition
    if disposition not in D.values or disposition == D.PENDING:
        raise ValidationError({"disposition": [_("Choose a disposition.")]}, code="invalid")
    note = _text(
        note,
        field_name="disposition_note",
        max_length=4000,
        required=disposition in (D.ADOPTED, D.EXPLAINED),
    )
    with transaction.atomic():
        locked = _lock(ForumOpinion, opinion.pk)
        if locked.disposition != D.PENDING:
            raise MeetingStateError(_("This opinion has already been handled."), code="handled")
        if disposition == D.COMPLAINT:
            from issues.services import issue_submit

            if category is None:
                raise ValidationError({"category": [_("Please choose a category.")]})
            result = issue_submit(
                actor=locked.raised_by or person,
                compound=occasion.compound,
                category=category,
                description=locked.content,
                building=locked.household.building if locked.household_id else None,
                unit=locked.household.unit if locked.household_id else "",
                location_text="" if locked.household_id else _occasion_place(occasion),
                reporter_name=locked.raised_by_name,
                is_public=True,
            )
            locked.issue = result.issue
        elif disposition == D.AGENDA_TOPIC:
            topic = AgendaTopic.objects.create(
                compound=occasion.compound,
                meeting=next_joint_meeting(compound=occasion.compound),
                title=locked.content[:TITLE_MAX],
                description=note,
                source=AgendaTopic.Source.FORUM,
                proposer=person,
            )
            _topic_event(topic, actor=person, verb="propose", to_state=topic.status)
            locked.topic = topic
        old = locked.disposition
        locked.disposition = disposition
        locked.disposition_note = note
        locked.decided_by = person
        locked.decided_at = timezone.now()
        locked.save()
        _occasion_event(
            occasion,
            actor=person,
            verb="opinion_disposed",
            from_state=old,
            to_state=disposition,
            note=locked.content[:200],
        )
    return _sync(opinion, locked)


def meeting_publish_feedback(*, actor, meeting: Meeting, report: str) -> Meeting:
    """Publish the forum's feedback report once every opinion has a disposition
    (协同联动 第六条: 合理有序引导居民群众参与)."""
    person = _require(actor, "meetings.run_forum", meeting, gettext("You may not do this."))
    report = _text(report, field_name="report")
    with transaction.atomic():
        locked = _lock(Meeting, meeting.pk)
        if not locked.is_forum or locked.status not in (MStatus.HELD, MStatus.CLOSED):
            raise MeetingStateError(_("Publish feedback after the forum is held."))
        if locked.opinions.filter(disposition=ForumOpinion.Disposition.PENDING).exists():
            raise ValidationError(
                {"report": [_("Some opinions have no disposition yet.")]}, code="pending"
            )
        old = locked.status
        locked.feedback_report = report
        locked.feedback_published_at = timezone.now()
        locked.status = MStatus.CLOSED
        locked.save(update_fields=["feedback_report", "feedback_published_at", "status"])
        _meeting_event(
            locked, actor=person, verb="publish_feedback", from_state=old, to_state=locked.status
        )
    return _sync(meeting, locked)


# --- home visits (上门走访, 协同联动 第六条) -------------------------------------------

#: The three parties who visit (协同联动 第六条 "社区居民委员会、物业管理委员会、物业服务企业
#: '三方'应通过…上门走访等多种方式"), with the compound party organization that leads them.
VISIT_BODY_KINDS = frozenset(
    {
        Organization.Kind.RESIDENTS_COMMITTEE,
        Organization.Kind.RC_PROPERTY_COMMITTEE,
        Organization.Kind.PMC,
        Organization.Kind.PROPERTY_COMPANY,
        Organization.Kind.COMPOUND_PARTY,
    }
)
#: A visit is entered afterwards, within this many days (the portal's choice).
VISIT_MAX_DAYS_AGO = 60


def _occasion_place(occasion) -> str:
    if isinstance(occasion, HomeVisit):
        return str(occasion.household) if occasion.household_id else ""
    return occasion.place


def _occasion_event(occasion, **kwargs):
    if isinstance(occasion, HomeVisit):
        return record_event(HomeVisitEvent, visit=occasion, **kwargs)
    return _meeting_event(occasion, **kwargs)


def home_visit_record(
    *,
    actor,
    compound: Compound,
    visited_on: dt.date | None,
    visitors: str,
    purpose: str,
    organizations: Iterable[Organization] = (),
    household: Household | None = None,
    issue=None,
) -> HomeVisit:
    """Record a home visit (上门走访) by the three parties: the day, who went, which bodies
    took part, why; the household visited and the complaint it concerns when there is one.
    What the residents said is recorded with :func:`home_visit_opinion_record`."""
    person = _require(
        actor, "meetings.run_forum", compound, gettext("You may not record home visits.")
    )
    visitors = _text(visitors, field_name="visitors", max_length=200)
    purpose = _text(purpose, field_name="purpose", max_length=2000)
    errors: dict[str, list] = {}
    today = timezone.localdate()
    if not isinstance(visited_on, dt.date):
        errors["visited_on"] = [_("Give the date of the visit.")]
    elif visited_on > today:
        errors["visited_on"] = [_("A visit is recorded after it took place.")]
    elif (today - visited_on).days > VISIT_MAX_DAYS_AGO:
        errors["visited_on"] = [
            _("A visit can be recorded within %(days)d days.") % {"days": VISIT_MAX_DAYS_AGO}
        ]
    bodies = list(organizations)
    allowed = set(
        compound_organizations(compound=compound)
        .filter(kind__in=VISIT_BODY_KINDS)
        .values_list("pk", flat=True)
    )
    if not bodies:
        errors["organizations"] = [_("Choose the bodies that took part.")]
    elif any(o.pk not in allowed for o in bodies):
        errors["organizations"] = [_("Choose bodies of this compound's three parties.")]
    if household is not None and household.building.compound_id != compound.pk:
        errors["household"] = [_("This household is not in the compound.")]
    if issue is not None and issue.compound_id != compound.pk:
        errors["issue"] = [_("This complaint is not of this compound.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        visit = HomeVisit.objects.create(
            compound=compound,
            household=household,
            visited_on=visited_on,
            visitors=visitors,
            purpose=purpose,
            issue=issue,
            recorded_by=person,
        )
        visit.organizations.set(bodies)
        record_event(HomeVisitEvent, visit=visit, actor=person, verb="visit", note=purpose[:200])
    return visit


def home_visit_opinion_record(
    *,
    actor,
    visit: HomeVisit,
    raised_by_name: str,
    content: str,
    raised_by: Person | None = None,
) -> ForumOpinion:
    """An opinion heard on a home visit, recorded like a forum's and disposed of with
    :func:`forum_opinion_dispose` (协同联动 第六条)."""
    person = _require(actor, "meetings.run_forum", visit, gettext("You may not record opinions."))
    raised_by_name = _text(raised_by_name, field_name="raised_by_name", max_length=50)
    content = _text(content, field_name="content", max_length=4000)
    with transaction.atomic():
        opinion = ForumOpinion.objects.create(
            visit=visit,
            raised_by=raised_by,
            raised_by_name=raised_by_name,
            household=visit.household,
            content=content,
        )
        record_event(HomeVisitEvent, visit=visit, actor=person, verb="opinion", note=content[:200])
    return opinion
