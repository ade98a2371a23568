"""Every state change of a residents' complaint (居民反映问题).

seed: 协同联动解决小区事务流程 第一—七条 (三事分流, 转办与督办, 联合调查, 社区吹哨、党员报到,
街道吹哨、部门报到, 历史遗留问题的解释说明); 公示承诺制度 第一条 (progress is public);
小区党组织服务承诺 第3条 (48 小时响应, 7 个工作日反馈) and 第7条 (安全隐患 3 日内整改);
物业管理委员会服务承诺 第3条 (复杂问题 7 日内明确解决方案).

Shape (STYLE.md "State machines"): one service per transition, keyword-only
arguments with the actor first; each checks the ``rules`` permission, locks the
row with ``select_for_update``, guards the old state against
``Issue.TRANSITIONS``, writes the change and one :class:`IssueEvent`
(``public=True`` when the resident's timeline shows it) and queues
notifications (``notification_create`` inside the transaction; delivery after
commit). Deadlines come only from ``huashan.workdays``.

Decisions (also in docs/issues.md):

* A staff question to the reporter (waiting_reporter) counts as the response:
  it stops the 48-hour clock if nobody accepted the issue before.
* Waiting for the reporter pauses every running clock of the issue; on resume
  each running deadline moves by the paused duration.
* Whistles: an issue cannot be resolved while a summoned party has not
  reported in (报到). 第三条/第四条 make the report-in the point of the
  whistle; closing around a missing party would hide exactly the failure the
  whistle is there to expose. Staff can still post progress, and supervisors
  see the overdue report-in through the deadline scan.
* Every closing state (resolved, closed, rejected, merged) has a public
  explanation; a bare "not our responsibility" is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.expressions import RawSQL
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, get_random_string, salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan import workdays
from huashan.core.services import acting_person as _person
from huashan.core.services import cache_count, cache_count_hit
from huashan.core.services import require_perm as _require
from huashan.directory.models import (
    Compound,
    Membership,
    Organization,
    Person,
    mask_name,
    mobile_validator,
)
from huashan.directory.rules import STAFF_ROLES
from huashan.directory.selectors import compound_organizations
from huashan.notify.services import OutboxMessage, notification_create, notifications_create_bulk

from .models import (
    ALARMS_SETTLED,
    Category,
    ClockPolicy,
    Issue,
    IssueAlarm,
    IssueEvent,
    IssuePhoto,
    MeToo,
    Referral,
    Satisfaction,
    SupervisionOrder,
    TrackingSequence,
    Whistle,
    WhistleSummons,
)
from .photos import SanitizedPhoto, photos_sanitize

logger = logging.getLogger(__name__)

Status = Issue.Status
Tier = Issue.Tier
Kind = Organization.Kind
Clock = IssueAlarm.Clock
Stage = IssueAlarm.Stage

#: Hooks the meetings app registers to turn a big matter into a proposed agenda
#: topic (seed: 协同联动 第三条; 联席会议议事规则 第二条). Each is called after
#: commit as ``hook(issue=..., actor=..., reason=...)``.
AGENDA_HOOK: list[Callable[..., Any]] = []

RATE_LIMIT = 5
RATE_WINDOW_SECONDS = 10 * 60
DESCRIPTION_MIN = 5
DESCRIPTION_MAX = Issue._meta.get_field("description").max_length
NOTE_MAX = 4000
#: A closing explanation must say more than this many characters of substance.
CLOSING_MIN_CHARS = 10
#: Brush-offs that are not an answer on their own (公示承诺制度 第一条; 协同联动
#: 第五条 "不得相互推诿").
DISMISSIVE_PHRASES = (
    "not our responsibility",
    "not our job",
    "not our business",
    "不归我们管",
    "不是我们的责任",
    "不属于我们的责任",
    "不属于我们",
    "不属于物业",
    "不归物业管",
    "与我们无关",
    "与物业无关",
    "非我方职责",
    "不在我们职责范围内",
    "无法处理",
)
TRACKING_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
IDEMPOTENCY_KEY_BYTES = 24  # 32 URL-safe characters
IDEMPOTENCY_KEY_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
TRACKING_CODE_LENGTH = 10
HOTLINE_RE = re.compile(r"^[A-Za-z0-9-]*$")
DEFAULT_WARN_HOURS = ClockPolicy._meta.get_field("warn_before_hours").default

# Who is told when a new issue comes in, and who supervises (seed: 协同联动 第二条;
# 联席会议议事规则 第四条: the joint-meeting office run by the compound party org).
INTAKE_KINDS = (Kind.JOINT_MEETING_OFFICE, Kind.COMPOUND_PARTY)
SUPERVISOR_KINDS = (Kind.COMPOUND_PARTY, Kind.RC_PROPERTY_COMMITTEE)
# Big matters (seed: 协同联动 第三条): the compound party organization and the RC's
# committee convene, and the PMC and the property company investigate with them
# (居民小组、利益相关方 and resident representatives join through the joint meeting).
INVESTIGATE_KINDS = (*SUPERVISOR_KINDS, Kind.PMC, Kind.PROPERTY_COMPANY)


class IssueStateError(ValidationError):
    """The issue is not in a state from which this step is allowed."""


class RateLimited(ValidationError):
    """Too many submissions from one client in the window."""


@dataclass(frozen=True)
class SubmitResult:
    issue: Issue
    #: Shown once to an anonymous reporter; only its hash is stored. None when logged in
    #: and when ``replayed``.
    tracking_code: str | None
    #: True when the idempotency key had already filed ``issue``: nothing new was written.
    replayed: bool = False


@dataclass
class ScanReport:
    """What one deadline scan did: one line per alarm it raised."""

    warned: list[str] = field(default_factory=list)
    breached: list[str] = field(default_factory=list)


# --- small helpers ------------------------------------------------------------


def _text(value, *, field_name: str, max_length: int = NOTE_MAX, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field_name: [_("This field is required.")]}, code="required")
    if len(text) > max_length:
        raise ValidationError(
            {
                field_name: [
                    ValidationError(
                        _("At most %(limit)d characters, please (you wrote %(count)d)."),
                        params={"limit": max_length, "count": len(text)},
                        code="max_length",
                    )
                ]
            }
        )
    return text


def closing_explanation_clean(value, *, field_name: str = "explanation") -> str:
    """A public explanation that actually explains (公示承诺制度 第一条, 协同联动 第五条).

    Refuses empty text and text that is, once brush-off phrases such as
    "not our responsibility" / "不归我们管" and punctuation are removed, shorter
    than :data:`CLOSING_MIN_CHARS`.
    """
    text = _text(value, field_name=field_name)
    substance = text.lower()
    for phrase in DISMISSIVE_PHRASES:
        substance = substance.replace(phrase, "")
    substance = re.sub(r"[\W_]+", "", substance)
    if len(substance) < CLOSING_MIN_CHARS:
        raise ValidationError(
            {
                field_name: [
                    ValidationError(
                        _(
                            "Explain to the resident what was done, or why not and who can "
                            "help (at least %(min)d characters). A bare “not our "
                            "responsibility” is not an answer."
                        ),
                        params={"min": CLOSING_MIN_CHARS},
                        code="explanation_too_short",
                    )
                ]
            }
        )
    return text


def _locked(issue: Issue) -> Issue:
    return (
        Issue.objects.select_for_update(of=("self",))
        .select_related("compound", "assigned_org", "category")
        .get(pk=issue.pk)
    )


def _sync(target: Issue, source: Issue) -> Issue:
    """Copy the saved state onto the caller's instance, so it is not stale."""
    for f in Issue._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    return source


def _guard(issue: Issue, target: str, *, allowed_from: Iterable[str] | None = None) -> str:
    old = issue.status
    allowed = target in Issue.TRANSITIONS.get(old, set())
    if allowed_from is not None:
        allowed = allowed and old in set(allowed_from)
    if not allowed:
        raise IssueStateError(
            _(
                "This issue is now “%(status)s”, so this step is not possible. "
                "Reload the page to see its current state."
            ),
            params={"status": issue.get_status_display()},
            code="invalid_transition",
        )
    return old


def _require_open(issue: Issue) -> None:
    if issue.status not in Issue.OPEN_STATES:
        raise IssueStateError(
            _("This issue is “%(status)s” and no longer open."),
            params={"status": issue.get_status_display()},
            code="not_open",
        )


def _event(
    issue: Issue,
    *,
    actor: Person | None,
    verb: str,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    public: bool = False,
    organization: Organization | None = None,
    at: dt.datetime | None = None,
) -> IssueEvent:
    return IssueEvent.objects.create(
        issue=issue,
        actor=actor,
        verb=verb,
        from_state=from_state,
        to_state=to_state,
        note=note,
        public=public,
        organization=organization,
        at=at or timezone.now(),
    )


def _link(name: str, issue: Issue, fallback: str) -> str:
    try:
        return reverse(name, args=[issue.tracking_number])
    except NoReverseMatch:
        return fallback


def staff_link(issue: Issue) -> str:
    return _link("issues:staff_detail", issue, f"/issues/{issue.tracking_number}/manage/")


def public_link(issue: Issue) -> str:
    return _link("issues:detail", issue, f"/issues/{issue.tracking_number}/")


# --- notifications -----------------------------------------------------------


def _org_recipients(organization: Organization, cache_: dict | None = None) -> list[Person]:
    if cache_ is not None and organization.pk in cache_:
        return cache_[organization.pk]
    people = list(
        Person.objects.filter(
            is_active=True,
            memberships__in=Membership.objects.current().filter(
                organization=organization, role__in=STAFF_ROLES
            ),
        ).distinct()
    )
    if cache_ is not None:
        cache_[organization.pk] = people
    return people


def notify_organization(
    organization: Organization, *, subject: str, body: str, link: str = "", members=None
) -> None:
    """Inbox for each current staff member; the group robot too when it has a webhook."""
    for person in members if members is not None else _org_recipients(organization):
        notification_create(
            recipient=person, channel="inbox", subject=subject, body=body, link=link
        )
    if organization.webhook_url:
        notification_create(
            organization=organization, channel="webhook", subject=subject, body=body, link=link
        )


def _notify_person(person: Person | None, *, subject: str, body: str, link: str = "") -> None:
    if person is not None and person.is_active:
        notification_create(
            recipient=person, channel="inbox", subject=subject, body=body, link=link
        )


def _notify_reporter(issue: Issue, *, subject: str, body: str) -> None:
    # Anonymous reporters follow the issue with their tracking code; we do not text them.
    if issue.reporter_id:
        _notify_person(issue.reporter, subject=subject, body=body, link=public_link(issue))


def _orgs_of_kinds(compound: Compound, kinds: Iterable[str]) -> list[Organization]:
    return list(compound_organizations(compound=compound).filter(kind__in=list(kinds)))


def _intake_orgs(compound: Compound) -> list[Organization]:
    orgs = _orgs_of_kinds(compound, INTAKE_KINDS)
    office = [o for o in orgs if o.kind == Kind.JOINT_MEETING_OFFICE]
    return office or orgs


def _responsible_orgs(issue: Issue) -> list[Organization]:
    if issue.assigned_org_id:
        return [issue.assigned_org]
    return _intake_orgs(issue.compound)


def _notify_responsible(issue: Issue, *, subject: str, body: str) -> None:
    for org in _responsible_orgs(issue):
        notify_organization(org, subject=subject, body=body, link=staff_link(issue))


# --- clocks --------------------------------------------------------------------


@dataclass(frozen=True)
class Clocks:
    """The compound's deadline policies (defaults: the pledges' numbers)."""

    policy: ClockPolicy
    response: workdays.DeadlinePolicy
    feedback: workdays.DeadlinePolicy
    plan: workdays.DeadlinePolicy
    hazard: workdays.DeadlinePolicy
    legacy: workdays.DeadlinePolicy


def _scaled(base: workdays.DeadlinePolicy, amount: int, label) -> workdays.DeadlinePolicy:
    """The base policy if the compound keeps the pledge's number, else the same kind rescaled."""
    if amount == base.amount:
        return base
    return workdays.DeadlinePolicy(
        kind=base.kind, amount=amount, code=f"{base.code}__{amount}", label=label
    )


def clock_policy_for(compound: Compound) -> ClockPolicy:
    policy, _created = ClockPolicy.objects.get_or_create(compound=compound)
    return policy


def clocks_for(policy: ClockPolicy) -> Clocks:
    """seed: 小区党组织服务承诺 第3条 / 第7条; 物业管理委员会服务承诺 第3条; 协同联动 第五条."""
    return Clocks(
        policy=policy,
        response=_scaled(
            workdays.RESPONSE_48H,
            policy.response_hours,
            gettext("Response within %(n)d hours") % {"n": policy.response_hours},
        ),
        feedback=_scaled(
            workdays.FEEDBACK_7_WORKING_DAYS,
            policy.feedback_working_days,
            gettext("Progress feedback within %(n)d working days")
            % {"n": policy.feedback_working_days},
        ),
        plan=_scaled(
            workdays.PLAN_7_DAYS,
            policy.plan_days,
            gettext("Solution plan within %(n)d days") % {"n": policy.plan_days},
        ),
        hazard=_scaled(
            workdays.HAZARD_3_DAYS,
            policy.hazard_days,
            gettext("Safety hazard fixed within %(n)d days") % {"n": policy.hazard_days},
        ),
        # 历史遗留: a periodic explanation to residents (协同联动 第五条), counted like the plan.
        legacy=workdays.DeadlinePolicy(
            kind=workdays.DeadlineKind.CIVIL_DAYS,
            amount=policy.legacy_explanation_days,
            code=f"legacy_explanation_{policy.legacy_explanation_days}_days",
            label=gettext("Explanation to residents every %(n)d days")
            % {"n": policy.legacy_explanation_days},
        ),
    )


def _feedback_policy(issue: Issue, clocks: Clocks) -> workdays.DeadlinePolicy:
    return clocks.legacy if issue.tier == Tier.LEGACY else clocks.feedback


def running_clocks(issue: Issue) -> list[tuple[str, dt.datetime]]:
    """(clock, due) of every deadline still running on an open issue."""
    if issue.status not in Issue.OPEN_STATES:
        return []
    running = []
    if issue.accepted_at is None and issue.response_due:
        running.append((Clock.RESPONSE, issue.response_due))
    if issue.feedback_due:
        running.append((Clock.FEEDBACK, issue.feedback_due))
    if issue.is_complex and issue.plan_given_at is None and issue.plan_due:
        running.append((Clock.PLAN, issue.plan_due))
    if issue.is_hazard and issue.hazard_due:
        running.append((Clock.HAZARD, issue.hazard_due))
    return running


def _refresh_next_deadline(issue: Issue) -> None:
    dues = [due for _clock, due in running_clocks(issue)]
    issue.next_deadline = min(dues) if dues else None
    # The clocks may have changed: the deadline scan must look at the issue again.
    issue.alarm_recheck_at = None


def _unpause(issue: Issue, now: dt.datetime) -> dt.timedelta:
    """Resume the clocks: every running deadline moves by the paused duration."""
    if issue.paused_at is None:
        return dt.timedelta(0)
    paused = max(now - issue.paused_at, dt.timedelta(0))
    if issue.accepted_at is None and issue.response_due:
        issue.response_due += paused
    if issue.feedback_due:
        issue.feedback_due += paused
    if issue.plan_due and issue.plan_given_at is None:
        issue.plan_due += paused
    if issue.hazard_due:
        issue.hazard_due += paused
    issue.paused_at = None
    return paused


def _make_complex(issue: Issue, clocks: Clocks, now: dt.datetime) -> None:
    """Big, hard and legacy matters need a solution plan (物业管理委员会服务承诺 第3条)."""
    if not issue.is_complex:
        issue.is_complex = True
    if issue.plan_due is None and issue.plan_given_at is None:
        issue.plan_due = workdays.deadline(now, clocks.plan)


# --- tracking numbers and codes --------------------------------------------------


def tracking_numbers_allocate(*, year: int, count: int = 1) -> list[str]:
    """``HS-<year>-<6 digits>`` numbers from :class:`TrackingSequence` under a row lock."""
    TrackingSequence.objects.get_or_create(year=year)
    with transaction.atomic():
        sequence = TrackingSequence.objects.select_for_update().get(year=year)
        first = sequence.last + 1
        sequence.last += count
        sequence.save(update_fields=["last"])
    return [f"HS-{year}-{n:06d}" for n in range(first, first + count)]


def tracking_code_new() -> str:
    return get_random_string(TRACKING_CODE_LENGTH, TRACKING_CODE_ALPHABET)


def _normalize_code(code: str) -> str:
    return re.sub(r"[\s-]+", "", str(code or "")).upper()


def tracking_code_hash(code: str) -> str:
    """Keyed hash of a tracking code (HMAC with SECRET_KEY); the code itself is never stored."""
    digest = salted_hmac(
        "issues.tracking_code", _normalize_code(code), algorithm="sha256"
    ).hexdigest()
    return f"hmac-sha256${digest}"


_DUMMY_HASH = "hmac-sha256$" + "0" * 64


def tracking_code_matches(stored_hash: str, code: str | None) -> bool:
    """Constant-time comparison; an empty stored hash never matches."""
    candidate = tracking_code_hash(code or "")
    matches = constant_time_compare(stored_hash or _DUMMY_HASH, candidate)
    return bool(stored_hash) and bool(code) and matches


def _require_reporter(actor, issue: Issue, tracking_code: str | None, message) -> Person | None:
    """The logged-in reporter, or anyone holding the issue's tracking code."""
    person = _person(actor)
    if person is not None and issue.reporter_id == person.pk:
        return person
    if tracking_code and tracking_code_matches(issue.tracking_code_hash, tracking_code):
        return person
    raise PermissionDenied(message)


# --- rate limit -------------------------------------------------------------------


def _rate_key(client_key: str) -> str:
    return "issues:submit:" + hashlib.sha256(str(client_key).encode()).hexdigest()[:40]


def rate_limit_check(client_key: str) -> None:
    """At most :data:`RATE_LIMIT` submissions per client in :data:`RATE_WINDOW_SECONDS`."""
    if not client_key:
        return
    if cache_count(_rate_key(client_key)) >= RATE_LIMIT:
        raise RateLimited(
            _(
                "Too many submissions from this device. Please try again in 10 minutes. "
                "/ 提交过于频繁，请10分钟后再试。"
            ),
            code="rate_limited",
        )


def _rate_limit_hit(client_key: str) -> None:
    if not client_key:
        return
    cache_count_hit(_rate_key(client_key), RATE_WINDOW_SECONDS)


# --- photos --------------------------------------------------------------------


def _save_photos(issue: Issue, photos: list[SanitizedPhoto], *, stage: str) -> None:
    for photo in photos:
        row = IssuePhoto(
            issue=issue,
            stage=stage,
            token=secrets.token_hex(16),
            width=photo.width,
            height=photo.height,
        )
        row.image.save(photo.name, photo, save=False)
        row.save()


# --- intake --------------------------------------------------------------------


def issue_submit(
    *,
    actor: Person | None,
    compound: Compound,
    category: Category,
    description: str,
    building=None,
    unit: str = "",
    location_text: str = "",
    is_public: bool = True,
    is_hazard: bool | None = None,
    share_identity: bool = False,
    reporter_name: str = "",
    reporter_phone: str = "",
    hotline_number: str = "",
    photos=(),
    client_key: str = "",
    idempotency_key: str = "",
    no_contact: bool = False,
) -> SubmitResult:
    """File a complaint; logged in, or without an account and a tracking code.

    Without an account the reporter either leaves a mobile number (to be called back)
    or, with ``no_contact``, nothing at all: truly anonymous, and the one-time tracking
    code is then the only way back to the complaint (issue 13 item 9).

    seed: 协同联动解决小区事务流程 第一条 (every problem enters the 三事分流 route);
    小区党组织服务承诺 第3条 (the 48-hour and 7-working-day clocks start now) and
    第7条 (safety hazards: 3 days).

    ``idempotency_key`` (issued with the filing form, :func:`idempotency_key_new`):
    a repeated submission with the same key — a phone retrying after its
    connection broke — returns the complaint it already filed (``replayed``)
    instead of a second one. Two racing submissions are decided by the unique
    constraint ``issue_idempotency_key_once``.
    """
    person = _person(actor)
    idempotency_key = idempotency_key_clean(idempotency_key)
    if idempotency_key:
        existing = Issue.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _submit_replay(existing, person)
    rate_limit_check(client_key)
    errors: dict[str, list] = defaultdict(list)

    description = (description or "").strip()
    if not description:
        errors["description"].append(
            ValidationError(_("Please describe the problem."), code="required")
        )
    elif len(description) > DESCRIPTION_MAX:
        errors["description"].append(
            ValidationError(
                _("At most %(limit)d characters, please (you wrote %(count)d)."),
                params={"limit": DESCRIPTION_MAX, "count": len(description)},
                code="max_length",
            )
        )
    elif len(description) < DESCRIPTION_MIN:
        errors["description"].append(
            ValidationError(
                _("Please describe the problem in a few more words (at least %(min)d characters)."),
                params={"min": DESCRIPTION_MIN},
                code="min_length",
            )
        )
    if not isinstance(category, Category) or not category.active:
        errors["category"].append(
            ValidationError(_("Please choose a category."), code="invalid_category")
        )
    if building is not None and getattr(building, "compound_id", None) != compound.pk:
        errors["building"].append(
            ValidationError(_("This building is not in the compound."), code="invalid_building")
        )
    unit = (unit or "").strip()
    location_text = (location_text or "").strip()
    if len(unit) > 20:
        errors["unit"].append(ValidationError(_("The unit is too long."), code="max_length"))
    if len(location_text) > 200:
        errors["location_text"].append(
            ValidationError(_("At most 200 characters, please."), code="max_length")
        )
    if building is None and not location_text:
        errors["location_text"].append(
            ValidationError(
                _("Say where: choose a building or describe the place."), code="required"
            )
        )
    reporter_name = (reporter_name or "").strip()
    reporter_phone = re.sub(r"[\s-]+", "", reporter_phone or "")
    if len(reporter_name) > 50:
        errors["reporter_name"].append(
            ValidationError(_("At most 50 characters, please."), code="max_length")
        )
    if no_contact and person is None:
        if reporter_name or reporter_phone:
            errors["reporter_phone"].append(
                ValidationError(
                    _(
                        "You chose to leave no contact details but typed a name or number. "
                        "Clear them, or choose to be called back."
                    ),
                    code="no_contact_but_given",
                )
            )
        share_identity = False  # there is no identity to share
    elif person is None and not reporter_phone:
        errors["reporter_phone"].append(
            ValidationError(
                _(
                    "Please leave a mobile number so we can call you back, or choose to "
                    "report anonymously without contact details."
                ),
                code="required",
            )
        )
    if reporter_phone:
        try:
            mobile_validator(reporter_phone)
        except ValidationError as exc:
            errors["reporter_phone"].extend(exc.error_list)
    hotline_number = (hotline_number or "").strip()
    if len(hotline_number) > 40 or not HOTLINE_RE.match(hotline_number):
        errors["hotline_number"].append(
            ValidationError(
                _("A 12345 work-order number has only letters, digits and dashes."),
                code="invalid_hotline",
            )
        )
    if errors:  # refused on its text: no photo is looked at, nothing is counted
        raise ValidationError(dict(errors))
    try:
        cleaned_photos: list[SanitizedPhoto] = photos_sanitize(photos)
    except ValidationError as exc:
        # A filing refused for its photos counts in the filing limit: reading (and, before
        # a late refusal, decoding) photos costs the server, and a refusal must not be
        # repeatable for free (issue 14 item 5). Text errors above still count nothing.
        _rate_limit_hit(client_key)
        raise ValidationError(dict(exc.error_dict)) from exc

    now = timezone.now()
    clocks = clocks_for(clock_policy_for(compound))
    hazard = category.safety_related if is_hazard is None else bool(is_hazard)
    tracking_code = None if person is not None else tracking_code_new()
    number = tracking_numbers_allocate(year=timezone.localtime(now).year)[0]
    try:
        issue = _submit_write(
            person=person,
            compound=compound,
            category=category,
            number=number,
            clocks=clocks,
            hazard=hazard,
            tracking_code=tracking_code,
            photos=cleaned_photos,
            now=now,
            idempotency_key=idempotency_key,
            fields={
                "building": building,
                "unit": unit,
                "location_text": location_text,
                "description": description,
                "is_public": bool(is_public),
                "reporter_name": reporter_name or (person.name if person else ""),
                "reporter_phone": reporter_phone or (person.mobile if person else ""),
                "share_identity": bool(share_identity),
                "hotline_number": hotline_number,
            },
        )
    except IntegrityError:
        # A concurrent submission with the same key won the unique constraint.
        existing = (
            Issue.objects.filter(idempotency_key=idempotency_key).first()
            if idempotency_key
            else None
        )
        if existing is None:
            raise
        return _submit_replay(existing, person)
    # Counted once the issue is written (or refused for its photos, above): rejected
    # text never locks anyone out.
    _rate_limit_hit(client_key)
    return SubmitResult(issue=issue, tracking_code=tracking_code)


def _submit_write(
    *,
    person,
    compound,
    category,
    number,
    clocks,
    hazard,
    tracking_code,
    photos,
    now,
    idempotency_key,
    fields,
) -> Issue:
    description = fields["description"]
    with transaction.atomic():
        issue = Issue(
            compound=compound,
            tracking_number=number,
            category=category,
            is_hazard=hazard,
            reporter=person,
            tracking_code_hash=tracking_code_hash(tracking_code) if tracking_code else "",
            idempotency_key=idempotency_key or None,
            created_at=now,
            **fields,
            response_due=workdays.deadline(now, clocks.response),
            feedback_due=workdays.deadline(now, clocks.feedback),
            hazard_due=workdays.deadline(now, clocks.hazard) if hazard else None,
            last_public_update_at=now,
        )
        _refresh_next_deadline(issue)
        issue.save()
        _save_photos(issue, photos, stage=IssuePhoto.Stage.REPORT)
        _event(issue, actor=person, verb="submit", to_state=Status.SUBMITTED, public=True, at=now)
        subject = gettext("New issue %(number)s: %(category)s") % {
            "number": number,
            "category": category.name,
        }
        if hazard:
            subject = gettext("[Safety hazard] %(subject)s") % {"subject": subject}
        for org in _intake_orgs(compound):
            notify_organization(
                org, subject=subject, body=description[:500], link=staff_link(issue)
            )
    return issue


def idempotency_key_new() -> str:
    """A fresh key for one filing form (see :func:`issue_submit`)."""
    return secrets.token_urlsafe(IDEMPOTENCY_KEY_BYTES)


def idempotency_key_clean(value) -> str:
    """The key if it looks like one we issued, else "" (missing, garbage, oversized)."""
    value = value if isinstance(value, str) else ""
    return value if IDEMPOTENCY_KEY_RE.fullmatch(value) else ""


def issue_submit_replay(*, actor, idempotency_key) -> SubmitResult | None:
    """The complaint this form's key already filed (``replayed``), else None."""
    key = idempotency_key_clean(idempotency_key)
    if not key:
        return None
    issue = Issue.objects.filter(idempotency_key=key).first()
    return None if issue is None else _submit_replay(issue, _person(actor))


def _submit_replay(issue: Issue, person: Person | None) -> SubmitResult:
    """The complaint a key already filed, shown again only to the one who filed it."""
    if issue.reporter_id != (person.pk if person is not None else None):
        raise ValidationError(
            _("This form was already sent. Please start a new complaint."),
            code="idempotency_key_used",
        )
    return SubmitResult(issue=issue, tracking_code=None, replayed=True)


def issue_me_too(*, actor, issue: Issue, phone: str = "") -> MeToo:
    """A resident with the same problem adds weight instead of filing a duplicate."""
    person = _person(actor)
    phone = re.sub(r"[\s-]+", "", phone or "")
    if person is None:
        if not phone:
            raise ValidationError(
                {"phone": [_("Without logging in, please leave a mobile number.")]},
                code="required",
            )
        try:
            mobile_validator(phone)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.error_list}) from exc
    with transaction.atomic():
        locked = _locked(issue)
        _require_open(locked)
        if not locked.is_public and (person is None or person.pk != locked.reporter_id):
            raise PermissionDenied(gettext("This issue is not public."))
        if person is not None and person.pk == locked.reporter_id:
            raise ValidationError(_("You reported this issue yourself."), code="own_issue")
        lookup = {"person": person} if person is not None else {"phone": phone}
        if MeToo.objects.filter(issue=locked, **lookup).exists():
            raise ValidationError(
                _("You have already said you have this problem too."), code="duplicate"
            )
        me_too = MeToo.objects.create(
            issue=locked, person=person, phone=phone if person is None else ""
        )
        _event(
            locked,
            actor=person,
            verb="me_too",
            note=gettext("Another resident has the same problem."),
            public=True,
        )
    return me_too


# --- routing ---------------------------------------------------------------------


def issue_accept(*, actor, issue: Issue, note: str = "") -> Issue:
    """Accept the issue: the 48-hour response clock stops (小区党组织服务承诺 第3条)."""
    note = _text(note, field_name="note", required=False)
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor, "issues.manage_issue", locked, gettext("You may not accept this issue.")
        )
        old = _guard(locked, Status.ACCEPTED)
        now = timezone.now()
        locked.status = Status.ACCEPTED
        locked.accepted_at = now
        locked.last_public_update_at = now
        _refresh_next_deadline(locked)
        locked.save()
        _event(
            locked,
            actor=person,
            verb="accept",
            from_state=old,
            to_state=Status.ACCEPTED,
            note=note,
            public=True,
        )
        _notify_reporter(
            locked,
            subject=gettext("Your issue %(number)s was accepted")
            % {"number": locked.tracking_number},
            body=note or gettext("Staff accepted your issue and will follow it up."),
        )
    return _sync(issue, locked)


def _covering_org(compound: Compound, organization: Organization, field_name: str) -> None:
    if not compound_organizations(compound=compound).filter(pk=organization.pk).exists():
        raise ValidationError(
            {field_name: [_("This organization does not act for this compound.")]},
            code="invalid_organization",
        )


def _ensure_referrals(
    issue: Issue,
    *,
    actor: Person,
    kinds: Iterable[str],
    purpose: str,
    ack_due: dt.datetime | None,
    note: str = "",
) -> list[Referral]:
    existing = set(
        Referral.objects.filter(issue=issue, purpose=purpose).values_list(
            "organization_id", flat=True
        )
    )
    created = []
    for org in _orgs_of_kinds(issue.compound, kinds):
        if org.pk in existing:
            continue
        created.append(
            Referral.objects.create(
                issue=issue,
                organization=org,
                purpose=purpose,
                created_by=actor,
                created_at=timezone.now(),
                ack_due=ack_due,
                note=note,
            )
        )
    return created


def issue_transfer(*, actor, issue: Issue, organization: Organization, note: str = "") -> Issue:
    """转办: hand the issue to the party that must fix it.

    seed: 协同联动 第二条 — "属于物业管理委员会、物业企业自行解决的转办解决，由小区党组织和社区
    环境和物业管理委员会进行督办，并报社区党组织和社区居民委员会备档": for a small matter the
    transfer also records the two supervising referrals and the two filing ones.
    """
    note = _text(note, field_name="note", required=False)
    if organization is None:
        raise ValidationError({"organization": [_("Choose an organization.")]}, code="required")
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor, "issues.manage_issue", locked, gettext("You may not transfer this issue.")
        )
        old = _guard(locked, Status.TRANSFERRED)
        _covering_org(locked.compound, organization, "organization")
        if locked.assigned_org_id == organization.pk and old == Status.TRANSFERRED:
            raise ValidationError(
                {"organization": [_("The issue is already with this organization.")]},
                code="same_organization",
            )
        now = timezone.now()
        clocks = clocks_for(clock_policy_for(locked.compound))
        locked.status = Status.TRANSFERRED
        locked.assigned_org = organization
        locked.last_public_update_at = now
        _refresh_next_deadline(locked)
        locked.save()
        Referral.objects.create(
            issue=locked,
            organization=organization,
            purpose=Referral.Purpose.FIX,
            created_by=person,
            created_at=now,
            ack_due=workdays.deadline(now, clocks.response),
            note=note,
        )
        if locked.tier == Tier.SMALL:
            _ensure_referrals(
                locked,
                actor=person,
                kinds=SUPERVISOR_KINDS,
                purpose=Referral.Purpose.SUPERVISE,
                ack_due=workdays.deadline(now, clocks.response),
            )
            _ensure_referrals(
                locked,
                actor=person,
                kinds=(Kind.COMMUNITY_PARTY, Kind.RESIDENTS_COMMITTEE),
                purpose=Referral.Purpose.FILE,
                ack_due=None,
            )
        public_note = gettext("Transferred to %(org)s.") % {"org": organization.name}
        _event(
            locked,
            actor=person,
            verb="transfer",
            from_state=old,
            to_state=Status.TRANSFERRED,
            note=f"{public_note} {note}".strip(),
            public=True,
            organization=organization,
        )
        notify_organization(
            organization,
            subject=gettext("Issue %(number)s was transferred to you")
            % {"number": locked.tracking_number},
            body=f"{locked.description[:500]}\n{note}".strip(),
            link=staff_link(locked),
        )
        _notify_reporter(
            locked,
            subject=gettext("Your issue %(number)s was transferred")
            % {"number": locked.tracking_number},
            body=public_note,
        )
    return _sync(issue, locked)


def _acknowledge_fix_referrals(issue: Issue, person: Person, now: dt.datetime) -> None:
    # Only a staff seat acts for an organization (docs/roles.md: voice-only seats do not).
    from .rules import person_staff_org_ids

    Referral.objects.filter(
        issue=issue,
        purpose=Referral.Purpose.FIX,
        organization_id__in=person_staff_org_ids(person),
        acknowledged_at__isnull=True,
    ).update(acknowledged_at=now, acknowledged_by=person)


def issue_start(*, actor, issue: Issue, note: str = "") -> Issue:
    """The responsible party starts work (also resumes after waiting for the reporter)."""
    note = _text(note, field_name="note", required=False)
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor, "issues.work_issue", locked, gettext("You may not work on this issue.")
        )
        old = _guard(
            locked,
            Status.IN_PROGRESS,
            allowed_from=(Status.ACCEPTED, Status.TRANSFERRED, Status.WAITING_REPORTER),
        )
        now = timezone.now()
        _unpause(locked, now)
        locked.status = Status.IN_PROGRESS
        locked.last_public_update_at = now
        _refresh_next_deadline(locked)
        locked.save()
        _acknowledge_fix_referrals(locked, person, now)
        _event(
            locked,
            actor=person,
            verb="start",
            from_state=old,
            to_state=Status.IN_PROGRESS,
            note=note,
            public=True,
        )
    return _sync(issue, locked)


def _fulfil_orders(issue: Issue, person: Person | None, now: dt.datetime, *, all_orders=False):
    from .rules import person_staff_org_ids

    orders = SupervisionOrder.objects.filter(issue=issue, fulfilled_at__isnull=True)
    if not all_orders:
        orders = orders.filter(organization_id__in=person_staff_org_ids(person))
    orders.update(fulfilled_at=now)


def issue_post_progress(*, actor, issue: Issue, note: str, public: bool = True) -> IssueEvent:
    """A progress note; a public one restarts the feedback clock (7 个工作日内反馈, 第3条).

    For a legacy matter the clock is the periodic explanation (协同联动 第五条).
    """
    note = _text(note, field_name="note")
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor, "issues.work_issue", locked, gettext("You may not post on this issue.")
        )
        _require_open(locked)
        now = timezone.now()
        if public:
            clocks = clocks_for(clock_policy_for(locked.compound))
            locked.feedback_due = workdays.deadline(now, _feedback_policy(locked, clocks))
            locked.last_public_update_at = now
            _refresh_next_deadline(locked)
            locked.save()
        _fulfil_orders(locked, person, now)
        event = _event(locked, actor=person, verb="progress", note=note, public=bool(public))
        if public:
            _notify_reporter(
                locked,
                subject=gettext("Progress on your issue %(number)s")
                % {"number": locked.tracking_number},
                body=note,
            )
    _sync(issue, locked)
    return event


def issue_wait_for_reporter(*, actor, issue: Issue, question: str) -> Issue:
    """Ask the reporter something; every clock pauses until they answer."""
    question = _text(question, field_name="question")
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor, "issues.work_issue", locked, gettext("You may not work on this issue.")
        )
        old = _guard(locked, Status.WAITING_REPORTER)
        now = timezone.now()
        if locked.accepted_at is None:
            locked.accepted_at = now  # a question to the reporter is a response
        locked.status = Status.WAITING_REPORTER
        locked.paused_at = now
        locked.last_public_update_at = now
        _refresh_next_deadline(locked)
        locked.save()
        _event(
            locked,
            actor=person,
            verb="wait_for_reporter",
            from_state=old,
            to_state=Status.WAITING_REPORTER,
            note=question,
            public=True,
        )
        _notify_reporter(
            locked,
            subject=gettext("A question about your issue %(number)s")
            % {"number": locked.tracking_number},
            body=question,
        )
    return _sync(issue, locked)


def issue_reporter_reply(
    *, actor, issue: Issue, note: str, tracking_code: str | None = None
) -> Issue:
    """The reporter answers; the clocks resume, shifted by the time they were paused."""
    note = _text(note, field_name="note")
    with transaction.atomic():
        locked = _locked(issue)
        person = _require_reporter(
            actor, locked, tracking_code, gettext("Only the reporter can answer here.")
        )
        old = _guard(locked, Status.IN_PROGRESS, allowed_from=(Status.WAITING_REPORTER,))
        now = timezone.now()
        _unpause(locked, now)
        locked.status = Status.IN_PROGRESS
        _refresh_next_deadline(locked)
        locked.save()
        _event(
            locked,
            actor=person,
            verb="reporter_reply",
            from_state=old,
            to_state=Status.IN_PROGRESS,
            note=note,
            public=True,
        )
        _notify_responsible(
            locked,
            subject=gettext("The reporter answered on %(number)s")
            % {"number": locked.tracking_number},
            body=note,
        )
    return _sync(issue, locked)


def issue_give_plan(*, actor, issue: Issue, plan: str) -> Issue:
    """复杂问题7日内明确解决方案 (物业管理委员会服务承诺 第3条)."""
    plan = _text(plan, field_name="plan")
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor, "issues.work_issue", locked, gettext("You may not work on this issue.")
        )
        _require_open(locked)
        now = timezone.now()
        clocks = clocks_for(clock_policy_for(locked.compound))
        locked.plan_given_at = now
        locked.feedback_due = workdays.deadline(now, _feedback_policy(locked, clocks))
        locked.last_public_update_at = now
        _refresh_next_deadline(locked)
        locked.save()
        _fulfil_orders(locked, person, now)
        _event(locked, actor=person, verb="plan", note=plan, public=True)
        _notify_reporter(
            locked,
            subject=gettext("A solution plan for your issue %(number)s")
            % {"number": locked.tracking_number},
            body=plan,
        )
    return _sync(issue, locked)


def _unreported_summonses(issue: Issue) -> list[WhistleSummons]:
    return list(
        WhistleSummons.objects.filter(whistle__issue=issue, reported_at__isnull=True)
        .select_related("organization", "person")
        .order_by("pk")
    )


def _summons_label(summons: WhistleSummons) -> str:
    if summons.organization_id:
        return summons.organization.name
    return mask_name(summons.person.name)


def issue_resolve(*, actor, issue: Issue, explanation: str, photos=()) -> Issue:
    """Resolved, with a public explanation and optional proof photos.

    Blocked while a summoned party has not reported in (协同联动 第三条/第四条; see
    the module docstring).
    """
    explanation = closing_explanation_clean(explanation)
    cleaned = photos_sanitize(photos)
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor, "issues.work_issue", locked, gettext("You may not resolve this issue.")
        )
        old = _guard(locked, Status.RESOLVED)
        missing = _unreported_summonses(locked)
        if missing:
            raise IssueStateError(
                _(
                    "Not every summoned party has reported in yet (%(names)s). The issue "
                    "can be resolved once each of them has reported."
                ),
                params={"names": "、".join(_summons_label(s) for s in missing)},
                code="whistle_unreported",
            )
        now = timezone.now()
        locked.paused_at = None
        locked.status = Status.RESOLVED
        locked.resolved_at = now
        locked.public_explanation = explanation
        locked.last_public_update_at = now
        _refresh_next_deadline(locked)
        locked.save()
        _save_photos(locked, cleaned, stage=IssuePhoto.Stage.RESOLUTION)
        _fulfil_orders(locked, person, now, all_orders=True)
        _event(
            locked,
            actor=person,
            verb="resolve",
            from_state=old,
            to_state=Status.RESOLVED,
            note=explanation,
            public=True,
        )
        _notify_reporter(
            locked,
            subject=gettext("Your issue %(number)s is resolved: please tell us how it went")
            % {"number": locked.tracking_number},
            body=explanation,
        )
    return _sync(issue, locked)


def issue_confirm(*, actor, issue: Issue, tracking_code: str | None = None) -> Issue:
    """The reporter confirms the resolution; the issue closes."""
    with transaction.atomic():
        locked = _locked(issue)
        person = _require_reporter(
            actor, locked, tracking_code, gettext("Only the reporter can confirm.")
        )
        old = _guard(locked, Status.CLOSED, allowed_from=(Status.RESOLVED,))
        locked.status = Status.CLOSED
        locked.closed_at = timezone.now()
        locked.save()
        _event(
            locked,
            actor=person,
            verb="confirm",
            from_state=old,
            to_state=Status.CLOSED,
            note=gettext("The reporter confirmed the result."),
            public=True,
        )
    return _sync(issue, locked)


def issue_close_auto(*, issue: Issue, now: dt.datetime) -> Issue | None:
    """System: close a resolved issue nobody objected to within ``auto_close_days``."""
    with transaction.atomic():
        locked = _locked(issue)
        if locked.status != Status.RESOLVED or locked.resolved_at is None:
            return None
        days = clock_policy_for(locked.compound).auto_close_days
        if locked.resolved_at + dt.timedelta(days=days) > now:
            return None
        locked.status = Status.CLOSED
        locked.closed_at = now
        locked.save()
        _event(
            locked,
            actor=None,
            verb="auto_close",
            from_state=Status.RESOLVED,
            to_state=Status.CLOSED,
            note=gettext("Closed automatically: no objection within %(days)d days.")
            % {"days": days},
            public=True,
            at=now,
        )
    return _sync(issue, locked)


def reopen_refusal(issue: Issue, *, now: dt.datetime | None = None) -> str | None:
    """Why the reporter may not reopen now, or None if they may.

    Rules: once only; within ``reopen_days`` of the resolution; and if they
    already rated it, only when they said 不满意 or "not solved" (issue 3 §6).
    """
    now = now or timezone.now()
    if issue.status not in (Status.RESOLVED, Status.CLOSED) or issue.resolved_at is None:
        return gettext("Only a resolved or closed issue can be reopened.")
    if issue.reopen_count >= 1:
        return gettext("An issue can be reopened only once.")
    days = clock_policy_for(issue.compound).reopen_days
    if issue.resolved_at + dt.timedelta(days=days) < now:
        return gettext("The %(days)d days for reopening have passed.") % {"days": days}
    satisfaction = Satisfaction.objects.filter(issue=issue).first()
    if (
        satisfaction is not None
        and satisfaction.solved
        and satisfaction.rating != Satisfaction.Rating.UNSATISFIED
    ):
        return gettext("You said the problem is solved, so it cannot be reopened.")
    return None


def issue_reopen(*, actor, issue: Issue, reason: str, tracking_code: str | None = None) -> Issue:
    """The reporter objects to the result and the issue goes back to work (once)."""
    reason = _text(reason, field_name="reason")
    with transaction.atomic():
        locked = _locked(issue)
        person = _require_reporter(
            actor, locked, tracking_code, gettext("Only the reporter can reopen this issue.")
        )
        now = timezone.now()
        refusal = reopen_refusal(locked, now=now)
        if refusal:
            raise IssueStateError(refusal, code="reopen_refused")
        old = _guard(locked, Status.IN_PROGRESS)
        clocks = clocks_for(clock_policy_for(locked.compound))
        locked.status = Status.IN_PROGRESS
        locked.reopen_count += 1
        locked.resolved_at = None
        locked.closed_at = None
        locked.feedback_due = workdays.deadline(now, _feedback_policy(locked, clocks))
        if locked.is_hazard:
            locked.hazard_due = workdays.deadline(now, clocks.hazard)
        locked.last_public_update_at = now
        _refresh_next_deadline(locked)
        locked.save()
        _event(
            locked,
            actor=person,
            verb="reopen",
            from_state=old,
            to_state=Status.IN_PROGRESS,
            note=reason,
            public=True,
        )
        subject = gettext("Issue %(number)s was reopened by the reporter") % {
            "number": locked.tracking_number
        }
        _notify_responsible(locked, subject=subject, body=reason)
        for org in _orgs_of_kinds(locked.compound, SUPERVISOR_KINDS):
            notify_organization(org, subject=subject, body=reason, link=staff_link(locked))
    return _sync(issue, locked)


def issue_reject(*, actor, issue: Issue, explanation: str) -> Issue:
    """Rejected, with a reason the resident can read (never a bare brush-off)."""
    explanation = closing_explanation_clean(explanation)
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor, "issues.manage_issue", locked, gettext("You may not reject this issue.")
        )
        old = _guard(locked, Status.REJECTED)
        now = timezone.now()
        locked.status = Status.REJECTED
        locked.paused_at = None
        locked.closed_at = now
        locked.public_explanation = explanation
        locked.last_public_update_at = now
        _refresh_next_deadline(locked)
        locked.save()
        _event(
            locked,
            actor=person,
            verb="reject",
            from_state=old,
            to_state=Status.REJECTED,
            note=explanation,
            public=True,
        )
        _notify_reporter(
            locked,
            subject=gettext("Your issue %(number)s was not accepted")
            % {"number": locked.tracking_number},
            body=explanation,
        )
    return _sync(issue, locked)


def issue_merge(*, actor, issue: Issue, into: Issue, note: str = "") -> Issue:
    """Merge a duplicate into another open issue; its reporter becomes a "me too" there."""
    note = _text(note, field_name="note", required=False)
    if into is None or into.pk == issue.pk:
        raise ValidationError(
            {"into": [_("Choose another issue to merge into.")]}, code="invalid_merge"
        )
    with transaction.atomic():
        # Lock both rows in id order so two opposite merges cannot deadlock.
        rows = {
            i.pk: i
            for i in Issue.objects.select_for_update(of=("self",))
            .select_related("compound")
            .filter(pk__in=[issue.pk, into.pk])
            .order_by("pk")
        }
        locked, target = rows[issue.pk], rows[into.pk]
        person = _require(
            actor, "issues.manage_issue", locked, gettext("You may not merge this issue.")
        )
        old = _guard(locked, Status.MERGED)
        if target.compound_id != locked.compound_id or target.status not in Issue.OPEN_STATES:
            raise ValidationError(
                {"into": [_("Merge only into an open issue of the same compound.")]},
                code="invalid_merge",
            )
        now = timezone.now()
        explanation = note or gettext(
            "The same problem is being handled in %(number)s; follow it there."
        ) % {"number": target.tracking_number}
        locked.status = Status.MERGED
        locked.merged_into = target
        locked.paused_at = None
        locked.closed_at = now
        locked.public_explanation = explanation
        locked.last_public_update_at = now
        _refresh_next_deadline(locked)
        locked.save()
        if locked.reporter_id and locked.reporter_id != target.reporter_id:
            MeToo.objects.get_or_create(issue=target, person_id=locked.reporter_id)
        elif not locked.reporter_id and locked.reporter_phone:
            MeToo.objects.get_or_create(issue=target, phone=locked.reporter_phone)
        _event(
            locked,
            actor=person,
            verb="merge",
            from_state=old,
            to_state=Status.MERGED,
            note=explanation,
            public=True,
        )
        _event(
            target,
            actor=person,
            verb="merged_in",
            note=gettext("%(number)s was merged into this issue.")
            % {"number": locked.tracking_number},
            public=False,
        )
        _notify_reporter(
            locked,
            subject=gettext("Your issue %(number)s was merged")
            % {"number": locked.tracking_number},
            body=explanation,
        )
    return _sync(issue, locked)


def issue_change_tier(*, actor, issue: Issue, tier: str, reason: str) -> Issue:
    """三事分流: re-tier with a reason (seed: 协同联动 第一条—第五条).

    Big (第三条): joint investigation convened by the compound party organization
    and the RC's 环境和物业管理委员会 with the PMC and the property company (each
    referred to investigate), proposal to the residents' committee, and a
    proposed agenda topic for the next joint meeting (``AGENDA_HOOK``).
    Big, hard and legacy matters need a solution plan within 7 days; legacy
    matters get a periodic explanation clock instead of the 7-working-day one.
    """
    reason = _text(reason, field_name="reason")
    if tier not in Tier.values:
        raise ValidationError({"tier": [_("Choose a tier.")]}, code="invalid_tier")
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor, "issues.manage_issue", locked, gettext("You may not re-tier this issue.")
        )
        _require_open(locked)
        if locked.tier == tier:
            raise ValidationError(
                {"tier": [_("The issue already has this tier.")]}, code="same_tier"
            )
        old_tier = locked.tier
        now = timezone.now()
        clocks = clocks_for(clock_policy_for(locked.compound))
        locked.tier = tier
        if tier != Tier.SMALL:
            _make_complex(locked, clocks, now)
        if Tier.LEGACY in (tier, old_tier):
            locked.feedback_due = workdays.deadline(now, _feedback_policy(locked, clocks))
        locked.last_public_update_at = now
        _refresh_next_deadline(locked)
        locked.save()
        referrals: list[Referral] = []
        if tier == Tier.BIG:
            ack_due = workdays.deadline(now, clocks.response)
            referrals += _ensure_referrals(
                locked,
                actor=person,
                kinds=INVESTIGATE_KINDS,
                purpose=Referral.Purpose.INVESTIGATE,
                ack_due=ack_due,
                note=reason,
            )
            referrals += _ensure_referrals(
                locked,
                actor=person,
                kinds=(Kind.RESIDENTS_COMMITTEE,),
                purpose=Referral.Purpose.DECIDE,
                ack_due=ack_due,
                note=reason,
            )
        _event(
            locked,
            actor=person,
            verb="tier",
            note=gettext("Tier changed from “%(old)s” to “%(new)s”: %(reason)s")
            % {
                "old": Tier(old_tier).label,
                "new": Tier(tier).label,
                "reason": reason,
            },
            public=True,
        )
        for referral in referrals:
            notify_organization(
                referral.organization,
                subject=gettext("Issue %(number)s: %(purpose)s")
                % {"number": locked.tracking_number, "purpose": referral.get_purpose_display()},
                body=reason,
                link=staff_link(locked),
            )
        if tier == Tier.BIG:
            hooked = locked

            def _propose_agenda() -> None:
                for hook in list(AGENDA_HOOK):
                    try:
                        hook(issue=hooked, actor=person, reason=reason)
                    except Exception:  # one broken hook must not hide the others
                        logger.exception("agenda hook %r failed for %s", hook, hooked)

            transaction.on_commit(_propose_agenda)
    return _sync(issue, locked)


def issue_record_consultation(*, actor, issue: Issue, result: str) -> Issue:
    """三方协商落实意见, shown on the public board (公示承诺制度 第一条)."""
    result = _text(result, field_name="result")
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor, "issues.manage_issue", locked, gettext("You may not record a consultation.")
        )
        if locked.status == Status.MERGED:
            _require_open(locked)
        now = timezone.now()
        locked.consultation_result = result
        locked.last_public_update_at = now
        if locked.status in Issue.OPEN_STATES:
            clocks = clocks_for(clock_policy_for(locked.compound))
            locked.feedback_due = workdays.deadline(now, _feedback_policy(locked, clocks))
        _refresh_next_deadline(locked)
        locked.save()
        _event(locked, actor=person, verb="consultation", note=result, public=True)
        _notify_reporter(
            locked,
            subject=gettext("The three parties agreed on your issue %(number)s")
            % {"number": locked.tracking_number},
            body=result,
        )
    return _sync(issue, locked)


def issue_set_hazard(*, actor, issue: Issue, is_hazard: bool, reason: str) -> Issue:
    """Flag a filed issue as a safety hazard (or withdraw a wrong flag), with a public reason.

    seed: 小区党组织服务承诺 第7条 (安全隐患“零容忍”: 发现问题限期3日内整改，重大隐患即时上报并
    全程跟踪). The 3-day clock starts when the hazard is flagged (while the clocks are
    paused, from the pause: it moves with them on resume); withdrawing the flag stops it.
    A hazard flag is reported at once to the responsible party and the supervisors.
    """
    reason = _text(reason, field_name="reason")
    is_hazard = bool(is_hazard)
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor,
            "issues.manage_issue",
            locked,
            gettext("You may not change the safety-hazard flag of this issue."),
        )
        _require_open(locked)
        if locked.is_hazard == is_hazard:
            message = (
                _("The issue is already flagged as a safety hazard.")
                if is_hazard
                else _("The issue is not flagged as a safety hazard.")
            )
            raise ValidationError({"is_hazard": [message]}, code="unchanged")
        now = timezone.now()
        clocks = clocks_for(clock_policy_for(locked.compound))
        locked.is_hazard = is_hazard
        locked.hazard_due = (
            workdays.deadline(locked.paused_at or now, clocks.hazard) if is_hazard else None
        )
        locked.last_public_update_at = now
        _refresh_next_deadline(locked)
        locked.save()
        if is_hazard:
            note = gettext("Flagged as a safety hazard, to be fixed by %(due)s: %(reason)s") % {
                "due": workdays.format_deadline(locked.hazard_due),
                "reason": reason,
            }
        else:
            note = gettext("No longer treated as a safety hazard: %(reason)s") % {"reason": reason}
        _event(locked, actor=person, verb="hazard", note=note, public=True)
        if is_hazard:
            subject = gettext("[Safety hazard] %(subject)s") % {
                "subject": gettext("Issue %(number)s is a safety hazard")
                % {"number": locked.tracking_number}
            }
            targets = _responsible_orgs(locked)
            targets += [
                o for o in _orgs_of_kinds(locked.compound, SUPERVISOR_KINDS) if o not in targets
            ]
            for org in targets:
                notify_organization(org, subject=subject, body=note, link=staff_link(locked))
    return _sync(issue, locked)


def referral_acknowledge(*, actor, referral: Referral) -> Referral:
    """The referred organization confirms it has the matter (its own acknowledgement time)."""
    with transaction.atomic():
        locked = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("organization", "issue")
            .get(pk=referral.pk)
        )
        person = _require(
            actor,
            "issues.view_queue",
            locked.organization,
            gettext("Only members of the referred organization can acknowledge."),
        )
        if locked.acknowledged_at is not None:
            raise IssueStateError(
                _("This referral was already acknowledged."), code="already_acknowledged"
            )
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = person
        locked.save(update_fields=["acknowledged_at", "acknowledged_by"])
        _event(
            locked.issue,
            actor=person,
            verb="referral_ack",
            note=gettext("%(org)s acknowledged (%(purpose)s).")
            % {"org": locked.organization.name, "purpose": locked.get_purpose_display()},
            public=False,
            organization=locked.organization,
        )
    referral.acknowledged_at = locked.acknowledged_at
    referral.acknowledged_by = person
    return locked


# --- whistles and supervision -------------------------------------------------------


def whistle_blow(
    *,
    actor,
    issue: Issue,
    level: str,
    organizations: Iterable[Organization] = (),
    persons: Iterable[Person] = (),
    reason: str,
    report_due: dt.datetime | None = None,
) -> Whistle:
    """社区吹哨、党员报到 (协同联动 第三条) / 街道吹哨、部门报到 (第四条).

    Each summoned organization and person must report in (报到) by
    ``report_due`` (default: the compound's response time, 48 h).
    """
    reason = _text(reason, field_name="reason")
    if level not in Whistle.Level.values:
        raise ValidationError({"level": [_("Choose a whistle level.")]}, code="invalid_level")
    organizations = list(dict.fromkeys(o for o in organizations or () if o is not None))
    persons = list(dict.fromkeys(p for p in persons or () if p is not None))
    if not organizations and not persons:
        raise ValidationError(
            {"organizations": [_("Summon at least one organization or person.")]},
            code="required",
        )
    inactive = [p for p in persons if not p.is_active]
    if inactive:
        raise ValidationError(
            {"persons": [_("Only active people can be summoned.")]}, code="invalid_person"
        )
    perm = (
        "issues.blow_street_whistle"
        if level == Whistle.Level.STREET
        else "issues.blow_community_whistle"
    )
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(actor, perm, locked, gettext("You may not blow this whistle."))
        _require_open(locked)
        for org in organizations:
            _covering_org(locked.compound, org, "organizations")
        now = timezone.now()
        clocks = clocks_for(clock_policy_for(locked.compound))
        report_due = report_due or workdays.deadline(now, clocks.response)
        if report_due <= now:
            raise ValidationError(
                {"report_due": [_("The report-in deadline must be in the future.")]},
                code="past_due",
            )
        whistle = Whistle.objects.create(
            issue=locked,
            level=level,
            blown_by=person,
            blown_at=now,
            report_due=report_due,
            reason=reason,
        )
        summonses = [WhistleSummons(whistle=whistle, organization=o) for o in organizations]
        summonses += [WhistleSummons(whistle=whistle, person=p) for p in persons]
        WhistleSummons.objects.bulk_create(summonses)
        if locked.tier in (Tier.SMALL, Tier.BIG):
            old_tier = locked.tier
            locked.tier = Tier.HARD
            _event(
                locked,
                actor=person,
                verb="tier",
                note=gettext("Tier changed from “%(old)s” to “%(new)s”: %(reason)s")
                % {"old": Tier(old_tier).label, "new": Tier.HARD.label, "reason": reason},
                public=True,
            )
        _make_complex(locked, clocks, now)
        locked.last_public_update_at = now
        _refresh_next_deadline(locked)
        locked.save()
        names = [o.name for o in organizations]
        if persons:
            names.append(gettext("%(count)d party members") % {"count": len(persons)})
        _event(
            locked,
            actor=person,
            verb=f"whistle_{level}",
            note=gettext("%(level)s: %(names)s summoned. %(reason)s")
            % {"level": whistle.get_level_display(), "names": "、".join(names), "reason": reason},
            public=True,
        )
        subject = gettext("You are summoned (%(level)s) on issue %(number)s") % {
            "level": whistle.get_level_display(),
            "number": locked.tracking_number,
        }
        body = gettext("%(reason)s\nReport in by %(due)s.") % {
            "reason": reason,
            "due": workdays.format_deadline(report_due),
        }
        for org in organizations:
            notify_organization(org, subject=subject, body=body, link=staff_link(locked))
        for p in persons:
            _notify_person(p, subject=subject, body=body, link=staff_link(locked))
    _sync(issue, locked)
    return whistle


def whistle_report_in(*, actor, summons: WhistleSummons, contribution: str) -> WhistleSummons:
    """报到: the summoned party acknowledges and says what it will contribute."""
    contribution = _text(contribution, field_name="contribution")
    with transaction.atomic():
        locked = (
            WhistleSummons.objects.select_for_update(of=("self",))
            .select_related("whistle__issue", "whistle__blown_by", "organization", "person")
            .get(pk=summons.pk)
        )
        person = _require(
            actor, "issues.report_in", locked, gettext("You were not summoned by this whistle.")
        )
        if locked.reported_at is not None:
            raise IssueStateError(_("This party has already reported in."), code="reported")
        locked.reported_at = timezone.now()
        locked.reported_by = person
        locked.contribution = contribution
        locked.save(update_fields=["reported_at", "reported_by", "contribution"])
        issue = locked.whistle.issue
        _event(
            issue,
            actor=person,
            verb="report_in",
            note=gettext("%(who)s reported in: %(contribution)s")
            % {"who": _summons_label(locked), "contribution": contribution},
            public=True,
            organization=locked.organization,
        )
        _notify_person(
            locked.whistle.blown_by,
            subject=gettext("%(who)s reported in on %(number)s")
            % {"who": _summons_label(locked), "number": issue.tracking_number},
            body=contribution,
            link=staff_link(issue),
        )
    summons.reported_at, summons.reported_by = locked.reported_at, person
    summons.contribution = contribution
    return locked


def whistle_rate(*, actor, summons: WhistleSummons, rating: int) -> WhistleSummons:
    """The summoner rates each party's response (1–5)."""
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": [_("Give a rating from 1 to 5.")]}, code="invalid")
    with transaction.atomic():
        locked = (
            WhistleSummons.objects.select_for_update(of=("self",))
            .select_related("whistle__issue", "organization", "person")
            .get(pk=summons.pk)
        )
        person = _require(
            actor, "issues.rate_summons", locked, gettext("You may not rate this response.")
        )
        if locked.reported_at is None:
            raise IssueStateError(
                _("A party can be rated only after it has reported in."), code="not_reported"
            )
        locked.rating = rating
        locked.save(update_fields=["rating"])
        _event(
            locked.whistle.issue,
            actor=person,
            verb="summons_rated",
            note=f"{_summons_label(locked)}: {rating}/5",
            public=False,
            organization=locked.organization,
        )
    summons.rating = rating
    return locked


def supervision_order_issue(
    *, actor, issue: Issue, organization: Organization, due: dt.datetime, instruction: str
) -> SupervisionOrder:
    """督办 (协同联动 第二条: 由小区党组织和社区环境和物业管理委员会进行督办)."""
    instruction = _text(instruction, field_name="instruction")
    if organization is None:
        raise ValidationError({"organization": [_("Choose an organization.")]}, code="required")
    if not isinstance(due, dt.datetime) or timezone.is_naive(due):
        raise ValidationError({"due": [_("Enter a date and time.")]}, code="invalid")
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor, "issues.supervise", locked, gettext("You may not supervise this issue.")
        )
        _require_open(locked)
        _covering_org(locked.compound, organization, "organization")
        now = timezone.now()
        if due <= now:
            raise ValidationError(
                {"due": [_("The deadline must be in the future.")]}, code="past_due"
            )
        order = SupervisionOrder.objects.create(
            issue=locked,
            issued_by=person,
            organization=organization,
            issued_at=now,
            due=due,
            instruction=instruction,
        )
        _event(
            locked,
            actor=person,
            verb="supervision_order",
            note=gettext("Supervision order to %(org)s, due %(due)s: %(instruction)s")
            % {
                "org": organization.name,
                "due": workdays.format_deadline(due),
                "instruction": instruction,
            },
            public=True,
            organization=organization,
        )
        notify_organization(
            organization,
            subject=gettext("Supervision order (督办) on issue %(number)s")
            % {"number": locked.tracking_number},
            body=instruction,
            link=staff_link(locked),
        )
    return order


# --- satisfaction ---------------------------------------------------------------


def satisfaction_record(
    *,
    actor,
    issue: Issue,
    contacted: bool,
    solved: bool,
    rating: str,
    comment: str = "",
    tracking_code: str | None = None,
) -> Satisfaction:
    """The reporter's three answers (issue 3 §6; 评议监督考核制度 第四条 uses them).

    After a reopen and a new resolution the reporter answers again; the row is
    replaced (the events keep the first answer).
    """
    if rating not in Satisfaction.Rating.values:
        raise ValidationError(
            {"rating": [_("Choose satisfied, basically satisfied or unsatisfied.")]},
            code="invalid",
        )
    comment = _text(comment, field_name="comment", max_length=1000, required=False)
    with transaction.atomic():
        locked = _locked(issue)
        person = _require_reporter(
            actor, locked, tracking_code, gettext("Only the reporter can rate this issue.")
        )
        if locked.status not in (Status.RESOLVED, Status.CLOSED):
            raise IssueStateError(
                _("An issue can be rated once it is resolved."), code="not_resolved"
            )
        existing = Satisfaction.objects.select_for_update().filter(issue=locked).first()
        if existing is not None and (
            locked.resolved_at is None or existing.created_at >= locked.resolved_at
        ):
            raise IssueStateError(_("You have already rated this issue."), code="rated")
        values = {
            "contacted": bool(contacted),
            "solved": bool(solved),
            "rating": rating,
            "comment": comment,
            "created_at": timezone.now(),
        }
        if existing is None:
            satisfaction = Satisfaction.objects.create(issue=locked, **values)
        else:
            for key, value in values.items():
                setattr(existing, key, value)
            existing.save()
            satisfaction = existing
        _event(
            locked,
            actor=person,
            verb="rate",
            note=gettext("The reporter rated the result: %(rating)s")
            % {"rating": satisfaction.get_rating_display()},
            public=True,
        )
        if not satisfaction.solved or rating == Satisfaction.Rating.UNSATISFIED:
            _notify_responsible(
                locked,
                subject=gettext("The reporter is not satisfied with %(number)s")
                % {"number": locked.tracking_number},
                body=comment or satisfaction.get_rating_display(),
            )
    return satisfaction


# --- scans (Celery beat and the issues_scan_deadlines command) -----------------------

#: Due items claimed, notified and recorded per transaction (bench analysis 2026-11-28).
SCAN_BATCH_SIZE = 1000
#: Issue bookmarks set per UPDATE (after their batches committed).
SCAN_BOOKMARKS_PER_UPDATE = 10 * SCAN_BATCH_SIZE


@dataclass
class _Due:
    issue: Issue
    clock: str
    due: dt.datetime
    stage: str
    organizations: list[Organization] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)


def _stage(due: dt.datetime, now: dt.datetime, warn: dt.timedelta) -> str | None:
    if due <= now:
        return Stage.BREACH
    if due - warn <= now:
        return Stage.WARNING
    return None


def issue_alarm_bookmarks_reset(*, compound) -> int:
    """Forget the scan's bookmarks of a compound's complaints (after its warning window changed).

    ``alarm_recheck_at`` was computed with the old ``ClockPolicy.warn_before_hours``;
    cleared, the next scan recomputes it (alarms already raised stay unique).
    Returns the number of complaints touched.
    """
    return Issue.objects.filter(compound=compound, alarm_recheck_at__isnull=False).update(
        alarm_recheck_at=None
    )


def _alarm_recheck_at(
    clocks: Iterable[tuple[str, dt.datetime]], *, now: dt.datetime, warn: dt.timedelta
) -> dt.datetime:
    """When the scan next has something to do for these clocks: the next warning or breach."""
    upcoming = []
    for _clock, due in clocks:
        if now < due - warn:
            upcoming.append(due - warn)
        elif now < due:
            upcoming.append(due)
    return min(upcoming, default=ALARMS_SETTLED)


LEGACY_CLOCK_LABEL = _("Periodic explanation to residents (legacy matter)")
PUBLIC_CLOCKS = frozenset({Clock.RESPONSE, Clock.FEEDBACK, Clock.PLAN, Clock.HAZARD})

_CLAIM_ALARMS_SQL = f"""
INSERT INTO {IssueAlarm._meta.db_table} (issue_id, clock, stage, due, created_at)
SELECT * FROM unnest(%s::bigint[], %s::varchar[], %s::varchar[], %s::timestamptz[],
                     %s::timestamptz[])
ON CONFLICT ON CONSTRAINT issue_alarm_once DO NOTHING
RETURNING issue_id, clock, stage, due
"""
# Optimistic: only rows not changed since the scan read them (same ``xmin``) get the
# bookmark; a row a service changed meanwhile keeps its cleared bookmark for the next run.
_SET_RECHECK_SQL = f"""
UPDATE {Issue._meta.db_table} AS issue SET alarm_recheck_at = bookmark.at
FROM unnest(%s::bigint[], %s::timestamptz[], %s::text[]) AS bookmark(id, at, version)
WHERE issue.id = bookmark.id AND issue.xmin::text = bookmark.version
"""
_INSERT_EVENTS_SQL = f"""
INSERT INTO {IssueEvent._meta.db_table}
    (issue_id, actor_id, organization_id, at, verb, from_state, to_state, note, public)
SELECT i, NULL, NULL, %s, %s, '', '', n, p
FROM unnest(%s::bigint[], %s::text[], %s::boolean[]) AS e(i, n, p)
"""


def _set_based() -> bool:
    """PostgreSQL: the scan's set-based statements (arrays, ``xmin``, ``ON CONSTRAINT``).

    Anything else (SQLite under ``make run``) takes the portable row-by-row path with
    the same outcome: alarms claimed once through the unique constraint, bookmarks
    written only on rows whose clocks did not move since the scan read them.
    """
    return connection.vendor == "postgresql"


_LINK_PROBE = "HS-0000-PROBE"
# What running_clocks() and the messages read: model instances stay small.
_SCAN_ISSUE_FIELDS = (
    "tracking_number",
    "compound__community_id",
    "compound__slug",
    "compound__name",
    "tier",
    "status",
    "accepted_at",
    "paused_at",
    "response_due",
    "feedback_due",
    "is_complex",
    "plan_given_at",
    "plan_due",
    "is_hazard",
    "hazard_due",
    "assigned_org__name",
    "assigned_org__kind",
    "assigned_org__webhook_url",
)
_SCAN_TEXTS = {
    **{clock.value: clock.label for clock in Clock},
    "legacy": LEGACY_CLOCK_LABEL,
    "warning_subject": _("Due soon: %(clock)s for %(number)s"),
    "warning_body": _("The deadline is %(due)s."),
    "breach_subject": _("Deadline missed: %(clock)s for %(number)s"),
    "breach_body": _("The deadline was %(due)s. Responsible: %(who)s."),
    "breach_note": _("Deadline missed: %(clock)s (%(due)s)."),
}


@dataclass
class _Scan:
    """One scan's clock, report and caches (per organization / compound, not per alarm)."""

    now: dt.datetime
    warn_hours: dict[int, int]
    report: ScanReport = field(default_factory=ScanReport)
    members: dict[int, list[Person]] = field(default_factory=dict)
    supervisors: dict[int, list[Organization]] = field(default_factory=dict)
    intake: dict[int, list[Organization]] = field(default_factory=dict)
    link_pattern: str = ""
    texts: dict[str, str] = field(default_factory=dict)
    deadline_texts: dict[dt.datetime, str] = field(default_factory=dict)

    def text(self, name: str) -> str:
        """A message of :data:`_SCAN_TEXTS`, translated once per scan, not once per alarm."""
        if name not in self.texts:
            self.texts[name] = str(_SCAN_TEXTS[name])
        return self.texts[name]

    def deadline_text(self, due: dt.datetime) -> str:
        if due not in self.deadline_texts:
            self.deadline_texts[due] = workdays.format_deadline(due)
        return self.deadline_texts[due]

    def staff_link(self, issue: Issue) -> str:
        # One reverse() per scan, not per alarm (tracking numbers are URL-safe).
        if not self.link_pattern:
            try:
                probe = reverse("issues:staff_detail", args=[_LINK_PROBE])
            except NoReverseMatch:
                probe = f"/issues/{_LINK_PROBE}/manage/"
            self.link_pattern = probe.replace(_LINK_PROBE, "{}")
        return self.link_pattern.format(issue.tracking_number)

    def warn_for(self, compound_id: int) -> dt.timedelta:
        return dt.timedelta(hours=self.warn_hours.get(compound_id, DEFAULT_WARN_HOURS))

    def add(self, found: dict, issue: Issue, clock: str, due: dt.datetime, org=None, person=None):
        stage = _stage(due, self.now, self.warn_for(issue.compound_id))
        if stage is None:
            return
        key = (issue.pk, str(clock), str(stage), due)
        item = found.setdefault(key, _Due(issue=issue, clock=key[1], due=due, stage=key[2]))
        if org is not None and org not in item.organizations:
            item.organizations.append(org)
        if person is not None and person not in item.persons:
            item.persons.append(person)


def issue_scan_deadlines(*, now: dt.datetime | None = None) -> ScanReport:
    """Warn before a deadline, tell supervisors on breach, record the breach — once.

    seed: 协同联动 第二条 (督办 by the compound party organization and the RC's
    环境和物业管理委员会); 小区党组织服务承诺 第3条, 第7条; 物业管理委员会服务承诺 第3条.

    Set-based (STYLE.md "Time"; healthchecks' ``sendalerts``), in batches of
    :data:`SCAN_BATCH_SIZE`, one transaction each:

    * the issues' own clocks: due issues whose bookmark ``alarm_recheck_at`` is
      unset or reached are locked (``SKIP LOCKED``), their alarms claimed, and the
      bookmark moved to the next warning or breach (``ALARMS_SETTLED`` when all
      are breached). ``_refresh_next_deadline`` clears it whenever the clocks
      change, so an idle rerun is one indexed query that returns nothing;
    * referrals, whistle report-ins and supervision orders: rows with no alarm yet
      at their current stage (``NOT EXISTS`` on the alarm's unique key).

    Alarms are claimed with one ``INSERT … ON CONFLICT ON CONSTRAINT
    issue_alarm_once DO NOTHING RETURNING``: only returned rows notify, so a scan
    run twice, or rerun after its worker was killed mid-way, notifies once.
    Events and notifications of a batch are bulk-inserted in the same transaction;
    webhook / e-mail delivery happens after commit (the outbox sweep covers failures).
    """
    now = now or timezone.now()
    warn_hours = dict(ClockPolicy.objects.values_list("compound_id", "warn_before_hours"))
    scan = _Scan(now=now, warn_hours=warn_hours)
    horizon = now + dt.timedelta(hours=max([DEFAULT_WARN_HOURS, *warn_hours.values()]))
    open_states = list(Issue.OPEN_STATES)

    due_issues = (
        Issue.objects.filter(
            status__in=open_states, paused_at__isnull=True, next_deadline__lte=horizon
        )
        .filter(Q(alarm_recheck_at__isnull=True) | Q(alarm_recheck_at__lte=now))
        .select_related("compound", "assigned_org")
        .only(*_SCAN_ISSUE_FIELDS)
        .annotate(
            row_version=RawSQL(f'"{Issue._meta.db_table}".xmin::text', ())
            if _set_based()
            else F("next_deadline")
        )
        .order_by("next_deadline", "pk")
    )
    # Bookmarks are written after the alarms they cover committed, many batches per
    # statement: a kill in between leaves them unset, and the rerun re-claims nothing.
    bookmarks: tuple[list, list, list] = ([], [], [])
    rows = due_issues.iterator(chunk_size=SCAN_BATCH_SIZE)
    while batch := list(islice(rows, SCAN_BATCH_SIZE)):
        found: dict[tuple, _Due] = {}
        for issue in batch:
            clocks = running_clocks(issue)
            for clock, due in clocks:
                scan.add(found, issue, clock, due)
            warn = scan.warn_for(issue.compound_id)
            bookmarks[0].append(issue.pk)
            bookmarks[1].append(_alarm_recheck_at(clocks, now=now, warn=warn))
            bookmarks[2].append(issue.row_version)
        with transaction.atomic():
            _raise_alarms(scan, list(found.values()))
        if len(bookmarks[0]) >= SCAN_BOOKMARKS_PER_UPDATE:
            _set_bookmarks(bookmarks)
    _set_bookmarks(bookmarks)

    found = {}

    def not_alarmed(clock: str, issue_ref: str, due_ref: str) -> Exists:
        return ~Exists(
            IssueAlarm.objects.filter(
                issue=OuterRef(issue_ref),
                clock=clock,
                due=OuterRef(due_ref),
                stage=Case(
                    When(due__lte=now, then=Value(Stage.BREACH)), default=Value(Stage.WARNING)
                ),
            )
        )

    referrals = (
        Referral.objects.filter(
            acknowledged_at__isnull=True,
            ack_due__lte=horizon,
            issue__status__in=open_states,
            issue__paused_at__isnull=True,
        )
        .filter(not_alarmed(Clock.REFERRAL, "issue", "ack_due"))
        .select_related("issue__compound", "issue__assigned_org", "organization")
    )
    for referral in referrals.iterator(chunk_size=SCAN_BATCH_SIZE):
        scan.add(found, referral.issue, Clock.REFERRAL, referral.ack_due, org=referral.organization)
    summonses = (
        WhistleSummons.objects.filter(
            reported_at__isnull=True,
            whistle__report_due__lte=horizon,
            whistle__issue__status__in=open_states,
        )
        .filter(not_alarmed(Clock.WHISTLE, "whistle__issue", "whistle__report_due"))
        .select_related(
            "whistle__issue__compound", "whistle__issue__assigned_org", "organization", "person"
        )
    )
    for summons in summonses.iterator(chunk_size=SCAN_BATCH_SIZE):
        scan.add(
            found,
            summons.whistle.issue,
            Clock.WHISTLE,
            summons.whistle.report_due,
            org=summons.organization,
            person=summons.person,
        )
    orders = (
        SupervisionOrder.objects.filter(
            fulfilled_at__isnull=True, due__lte=horizon, issue__status__in=open_states
        )
        .filter(not_alarmed(Clock.SUPERVISION, "issue", "due"))
        .select_related("issue__compound", "issue__assigned_org", "organization")
    )
    for order in orders.iterator(chunk_size=SCAN_BATCH_SIZE):
        scan.add(found, order.issue, Clock.SUPERVISION, order.due, org=order.organization)
    items = list(found.values())
    for start in range(0, len(items), SCAN_BATCH_SIZE):
        with transaction.atomic():
            _raise_alarms(scan, items[start : start + SCAN_BATCH_SIZE])
    return scan.report


def _set_bookmarks(bookmarks: tuple[list, list, list]) -> None:
    if bookmarks[0]:
        # In primary-key order: the rows are visited in the table's physical order.
        rows = sorted(zip(*bookmarks, strict=True))
        if _set_based():
            with connection.cursor() as cursor:
                cursor.execute(
                    _SET_RECHECK_SQL, [list(column) for column in zip(*rows, strict=True)]
                )
        else:  # the row's clocks are its version: moved clocks keep the cleared bookmark
            for pk, at, next_deadline in rows:
                Issue.objects.filter(pk=pk, next_deadline=next_deadline).update(alarm_recheck_at=at)
        for column in bookmarks:
            column.clear()


def _raise_alarms(scan: _Scan, items: list[_Due]) -> None:
    """Claim the items' alarms in one statement; notify and record only the claimed ones.

    Runs inside the caller's transaction: a rollback takes claims, events and
    notifications back together.
    """
    if not items:
        return
    items.sort(key=lambda item: (item.due, item.issue.pk, item.clock, item.stage))
    if _set_based():
        with connection.cursor() as cursor:
            cursor.execute(
                _CLAIM_ALARMS_SQL,
                [
                    [item.issue.pk for item in items],
                    [item.clock for item in items],
                    [item.stage for item in items],
                    [item.due for item in items],
                    [scan.now] * len(items),
                ],
            )
            claimed = {(row[0], row[1], row[2], row[3]) for row in cursor.fetchall()}
    else:
        claimed = set()
        for item in items:
            try:
                with transaction.atomic():
                    IssueAlarm.objects.create(
                        issue_id=item.issue.pk,
                        clock=item.clock,
                        stage=item.stage,
                        due=item.due,
                        created_at=scan.now,
                    )
            except IntegrityError:  # claimed by an earlier or a concurrent run
                continue
            claimed.add((item.issue.pk, item.clock, item.stage, item.due))
    messages: list[OutboxMessage] = []
    events: list[tuple[int, str, bool]] = []  # breach events: (issue, note, public)
    for item in items:
        if (item.issue.pk, item.clock, item.stage, item.due) not in claimed:
            continue
        event = _alarm_messages(scan, item, messages)
        if event is not None:
            events.append(event)
        line = f"{item.issue.tracking_number} {item.clock} {item.due.isoformat()}"
        (scan.report.breached if item.stage == Stage.BREACH else scan.report.warned).append(line)
    notifications_create_bulk(messages)
    if events and not _set_based():
        IssueEvent.objects.bulk_create(
            IssueEvent(issue_id=pk, at=scan.now, verb="deadline_breached", note=note, public=public)
            for pk, note, public in events
        )
    elif events:
        with connection.cursor() as cursor:
            cursor.execute(
                _INSERT_EVENTS_SQL,
                [
                    scan.now,
                    "deadline_breached",
                    *(list(column) for column in zip(*events, strict=True)),
                ],
            )


def _org_messages(
    scan: _Scan, org: Organization, *, subject: str, body: str, link: str
) -> list[OutboxMessage]:
    """What :func:`notify_organization` writes, as rows for one bulk INSERT."""
    rows = [
        OutboxMessage(channel="inbox", recipient=person, subject=subject, body=body, link=link)
        for person in _org_recipients(org, scan.members)
    ]
    if org.webhook_url:
        rows.append(
            OutboxMessage(
                channel="webhook", organization=org, subject=subject, body=body, link=link
            )
        )
    return rows


def _alarm_messages(
    scan: _Scan, item: _Due, messages: list[OutboxMessage]
) -> tuple[int, str, bool] | None:
    """Append the alarm's notifications to ``messages``; the breach event's row, if a breach."""
    issue = item.issue
    clock_label = scan.text(item.clock)
    if item.clock == Clock.FEEDBACK and issue.tier == Tier.LEGACY:
        # 历史遗留: the feedback clock is the periodic explanation (协同联动 第五条).
        clock_label = scan.text("legacy")
    due_text = scan.deadline_text(item.due)
    if item.organizations:
        targets = item.organizations
    elif issue.assigned_org_id:
        targets = [issue.assigned_org]
    else:
        if issue.compound_id not in scan.intake:
            scan.intake[issue.compound_id] = _intake_orgs(issue.compound)
        targets = scan.intake[issue.compound_id]
    link = scan.staff_link(issue)
    if item.stage == Stage.WARNING:
        subject = scan.text("warning_subject") % {
            "clock": clock_label,
            "number": issue.tracking_number,
        }
        body = scan.text("warning_body") % {"due": due_text}
        notified = targets
    else:
        subject = scan.text("breach_subject") % {
            "clock": clock_label,
            "number": issue.tracking_number,
        }
        body = scan.text("breach_body") % {
            "due": due_text,
            "who": "、".join([o.name for o in targets] + [mask_name(p.name) for p in item.persons]),
        }
        if issue.compound_id not in scan.supervisors:
            scan.supervisors[issue.compound_id] = _orgs_of_kinds(issue.compound, SUPERVISOR_KINDS)
        supervisors = scan.supervisors[issue.compound_id]
        notified = supervisors + [o for o in targets if o not in supervisors]
    for org in notified:
        messages.extend(_org_messages(scan, org, subject=subject, body=body, link=link))
    for person in item.persons:
        if person.is_active:
            messages.append(
                OutboxMessage(
                    channel="inbox", recipient=person, subject=subject, body=body, link=link
                )
            )
    if item.stage == Stage.WARNING:
        return None
    note = scan.text("breach_note") % {"clock": clock_label, "due": due_text}
    return (issue.pk, note, item.clock in PUBLIC_CLOCKS)


def issue_auto_close_scan(*, now: dt.datetime | None = None) -> list[str]:
    """Close resolved issues after ``auto_close_days`` without objection; returns numbers."""
    now = now or timezone.now()
    days = [p.auto_close_days for p in ClockPolicy.objects.all()]
    shortest = min([ClockPolicy._meta.get_field("auto_close_days").default, *days])
    candidates = Issue.objects.filter(
        status=Status.RESOLVED, resolved_at__lte=now - dt.timedelta(days=shortest)
    ).order_by("resolved_at", "pk")
    closed = []
    for issue in candidates.iterator(chunk_size=200):
        if issue_close_auto(issue=issue, now=now) is not None:
            closed.append(issue.tracking_number)
    return closed
