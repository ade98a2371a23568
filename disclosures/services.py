"""Every state change of disclosures, objections, schedules and reports.

seed: 公示承诺制度 第一—四条; 小区党组织服务承诺 2; 物业管理委员会服务承诺 1、2.

Shape (STYLE.md "State machines"): keyword-only arguments, ``actor`` first;
each service checks the ``rules`` permission, locks the row, guards the old
state against ``Disclosure.TRANSITIONS``, writes the change and one event row,
and creates notifications in the same transaction (delivered after commit).

Decisions (also in docs/disclosures.md):

* A published disclosure is never edited: :func:`disclosure_correct` publishes
  a new version (``version + 1``, ``previous`` → old) and marks the old one
  ``superseded``. Attachments and the ledger carry over unless replaced. The
  correction gets its own full posting window (at least the category minimum
  counted from the day it is posted).
* Posting windows: long-term categories (personnel, pledges, 第四条) are
  always long-term; otherwise the end date defaults to start + the category
  minimum (or :data:`DEFAULT_POSTING_DAYS`), and a shorter window than the
  minimum (≥ 30 days for the service reports, 第三条) is refused.
* Objections are accepted only while a disclosure is *posted* (published).
  After the posting window (expired / archived) an owner uses the complaint
  channel (issues); for a superseded version they object to the current one.
  Reason: the publisher's duty to answer (第三条) attaches to what is posted;
  an expired notice may be years old and its publisher gone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan import workdays
from huashan.core.documents import work_lease, work_leases_lost
from huashan.core.services import require_perm as _require
from huashan.directory.models import Compound, Membership, Organization, Person
from huashan.directory.rules import STAFF_ROLES
from huashan.directory.selectors import organization_of_kind
from huashan.notify.services import notification_create

from .ledger import (
    LedgerImportError,
    LedgerInput,
    ledger_check,
    ledger_from_model,
    ledger_parse_file,
    ledger_write,
)
from .models import (
    CADENCE_PERIOD_TYPE,
    Cadence,
    Category,
    Channel,
    Disclosure,
    DisclosureAttachment,
    DisclosureEvent,
    Ledger,
    Objection,
    ObjectionEvent,
    PeriodType,
    Report,
    Schedule,
    ScheduleAlarm,
    period_due,
    periods_overlapping,
)
from .sanitize import BODY_MAX_CHARS, markdown_to_safe_html

logger = logging.getLogger(__name__)

State = Disclosure.State
Kind = Organization.Kind

TITLE_MAX = Disclosure._meta.get_field("title").max_length
DEFAULT_POSTING_DAYS = 30
REASON_MIN_CHARS = 4
OBJECTION_MIN_CHARS = 5
OBJECTION_MAX_CHARS = 2000
ANSWER_MIN_CHARS = 4
ANSWER_MAX_CHARS = 4000
#: Objections one owner may file against one disclosure (flood guard).
OBJECTIONS_PER_OWNER = 5
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENTS_MAX = 10
#: How far back the schedule scan looks for missed periods.
MISSED_LOOKBACK_DAYS = 400

#: extension → (kind, content type, magic-byte test)
ATTACHMENT_TYPES: dict[str, tuple[str, str, Any]] = {
    ".pdf": ("pdf", "application/pdf", lambda h: h.startswith(b"%PDF-")),
    ".png": ("image", "image/png", lambda h: h.startswith(b"\x89PNG\r\n\x1a\n")),
    ".jpg": ("image", "image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("image", "image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff")),
    ".gif": ("image", "image/gif", lambda h: h[:6] in (b"GIF87a", b"GIF89a")),
    ".webp": ("image", "image/webp", lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP"),
}

#: The obligations the rules set (seed), as (organization kind, category, cadence, article).
SCHEDULE_RULES: tuple[tuple[str, str, str, str], ...] = (
    (Kind.PMC, "public_revenue", Cadence.MONTHLY, "物管会服务承诺 2"),
    (Kind.PMC, "public_revenue", Cadence.HALF_YEARLY, "公示承诺制度 第二条；小区党组织服务承诺 2"),
    (Kind.PMC, "maintenance_fund", Cadence.QUARTERLY, "物管会服务承诺 2"),
    (Kind.PMC, "pmc_work_affairs", Cadence.QUARTERLY, "公示承诺制度 第二条"),
    (Kind.PMC, "pmc_performance", Cadence.YEARLY, "公示承诺制度 第二条"),
    (Kind.PMC, "owners_assembly", Cadence.HALF_YEARLY, "物管会服务承诺 1"),
    (Kind.PROPERTY_COMPANY, "company_service_progress", Cadence.MONTHLY, "小区党组织服务承诺 2"),
    (Kind.PROPERTY_COMPANY, "service_report_quarterly", Cadence.QUARTERLY, "公示承诺制度 第三条"),
    (Kind.PROPERTY_COMPANY, "service_report_annual", Cadence.YEARLY, "公示承诺制度 第三条"),
    (Kind.COMPOUND_PARTY, "personnel", Cadence.YEARLY, "公示承诺制度 第一条、第四条"),
    (Kind.COMPOUND_PARTY, "pledges", Cadence.YEARLY, "公示承诺制度 第一条、第四条"),
)


class DisclosureStateError(ValidationError):
    """The disclosure is not in a state that allows this step."""


# --- helpers --------------------------------------------------------------------


def _text(value, *, field_name: str, max_length: int, min_length: int = 1) -> str:
    text = (value or "").strip()
    if len(text) < min_length:
        if not text:
            raise ValidationError({field_name: [_("This field is required.")]}, code="required")
        raise ValidationError(
            {
                field_name: [
                    ValidationError(
                        _("Please write at least %(min)d characters."),
                        params={"min": min_length},
                        code="min_length",
                    )
                ]
            }
        )
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


def _event(disclosure: Disclosure, *, actor, verb: str, from_state="", to_state="", note=""):
    return DisclosureEvent.objects.create(
        disclosure=disclosure,
        actor=actor,
        verb=verb,
        from_state=from_state,
        to_state=to_state,
        note=note,
    )


def _locked(disclosure: Disclosure) -> Disclosure:
    return (
        Disclosure.objects.select_for_update(of=("self",))
        .select_related("category", "compound", "organization")
        .get(pk=disclosure.pk)
    )


def _sync(target: Disclosure, source: Disclosure) -> Disclosure:
    for f in Disclosure._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    return source


def _guard(disclosure: Disclosure, target: str) -> str:
    old = disclosure.state
    if target not in Disclosure.TRANSITIONS.get(old, set()):
        raise DisclosureStateError(
            _(
                "This disclosure is now “%(state)s”, so this step is not possible. "
                "Reload the page to see its current state."
            ),
            params={"state": disclosure.get_state_display()},
            code="invalid_transition",
        )
    return old


def disclosure_link(disclosure: Disclosure) -> str:
    try:
        return reverse("disclosures:detail", kwargs={"pk": disclosure.pk})
    except NoReverseMatch:
        return f"/disclosures/item/{disclosure.pk}/"


def _org_recipients(organization: Organization) -> list[Person]:
    return list(
        Person.objects.filter(
            is_active=True,
            memberships__in=Membership.objects.current().filter(
                organization=organization, role__in=STAFF_ROLES
            ),
        ).distinct()
    )


def _notify_org(organization: Organization | None, *, subject: str, body: str, link: str = ""):
    if organization is None:
        return
    for person in _org_recipients(organization):
        notification_create(
            recipient=person, channel="inbox", subject=subject, body=body, link=link
        )
    if organization.webhook_url:
        notification_create(
            organization=organization, channel="webhook", subject=subject, body=body, link=link
        )


def _party_org(compound: Compound) -> Organization | None:
    """The compound party organization, which leads disclosure work (第一条)."""
    return organization_of_kind(compound=compound, kind=Kind.COMPOUND_PARTY)


def organization_covers(organization: Organization, compound: Compound) -> bool:
    if organization.compound_id is not None:
        return organization.compound_id == compound.pk
    if organization.community_id is not None:
        return organization.community_id == compound.community_id
    return organization.street_id == compound.community.street_id


def _clean_channels(channels) -> list[str]:
    if channels is None:
        return [Channel.BOARD.value, Channel.ONLINE.value]
    values = [str(c) for c in channels]
    bad = [c for c in values if c not in Channel.values]
    if bad:
        raise ValidationError(
            {"channels": [_("Unknown channel: %(value)s") % {"value": ", ".join(bad)[:60]}]}
        )
    if not values:
        raise ValidationError({"channels": [_("Choose at least one channel.")]})
    return list(dict.fromkeys(values))


def _clean_period(period_type: str, start: dt.date | None, end: dt.date | None) -> None:
    if period_type not in PeriodType.values:
        raise ValidationError({"period_type": [_("Choose a period type.")]})
    if period_type == PeriodType.NONE:
        return
    if start is None or end is None:
        raise ValidationError(
            {"period_start": [_("Give the first and last day of the period covered.")]}
        )
    if end < start:
        raise ValidationError({"period_end": [_("The period ends before it starts.")]})


def _posting_window(
    *,
    category: Category,
    long_term: bool,
    posting_start: dt.date,
    posting_end: dt.date | None,
    today: dt.date,
) -> tuple[bool, dt.date | None]:
    """Apply 第三条 (≥ 30 days for service reports) and 第四条 (long-term for personnel)."""
    if category.long_term or long_term:
        return True, None
    minimum = category.min_posting_days or 0
    if posting_end is None:
        posting_end = posting_start + timedelta(days=max(minimum, DEFAULT_POSTING_DAYS))
    if posting_end < posting_start:
        raise ValidationError({"posting_end": [_("The posting ends before it starts.")]})
    if minimum and (posting_end - posting_start).days < minimum:
        raise ValidationError(
            {
                "posting_end": [
                    ValidationError(
                        _(
                            "“%(category)s” must stay posted for at least %(days)d days "
                            "(until %(until)s or later)."
                        ),
                        params={
                            "category": category.name,
                            "days": minimum,
                            "until": posting_start + timedelta(days=minimum),
                        },
                        code="posting_too_short",
                    )
                ]
            }
        )
    if posting_end < today:
        raise ValidationError({"posting_end": [_("This posting period has already ended.")]})
    return False, posting_end


# --- disclosures ------------------------------------------------------------------

DRAFT_FIELDS = (
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


def _clean_draft_fields(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    if "title" in cleaned:
        cleaned["title"] = _text(cleaned["title"], field_name="title", max_length=TITLE_MAX)
    if "body_markdown" in cleaned:
        body = (cleaned["body_markdown"] or "").strip()
        if len(body) > BODY_MAX_CHARS:
            raise ValidationError(
                {
                    "body_markdown": [
                        ValidationError(
                            _("At most %(limit)d characters, please (you wrote %(count)d)."),
                            params={"limit": BODY_MAX_CHARS, "count": len(body)},
                            code="max_length",
                        )
                    ]
                }
            )
        cleaned["body_markdown"] = body
        cleaned["body_html"] = markdown_to_safe_html(body)
    if "channels" in cleaned:
        cleaned["channels"] = _clean_channels(cleaned["channels"])
    if "source_url" in cleaned:
        cleaned["source_url"] = (cleaned["source_url"] or "").strip()
        if cleaned["source_url"] and not re.match(r"^https?://", cleaned["source_url"]):
            raise ValidationError({"source_url": [_("Give an http(s) link.")]})
    return cleaned


def disclosure_create_draft(
    *,
    actor,
    compound: Compound,
    organization: Organization,
    category: Category,
    title: str,
    body_markdown: str = "",
    period_type: str = PeriodType.NONE,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    posting_start: dt.date | None = None,
    posting_end: dt.date | None = None,
    long_term: bool | None = None,
    channels: list[str] | None = None,
    source_url: str = "",
) -> Disclosure:
    """Start a disclosure in the name of ``organization`` (seed: 公示承诺制度 第一—三条)."""
    person = _require(
        actor,
        "disclosures.publish_for_organization",
        organization,
        _("You may not publish in the name of this organization."),
    )
    if not organization_covers(organization, compound):
        raise ValidationError(
            {"organization": [_("This organization does not serve this compound.")]}
        )
    values = _clean_draft_fields(
        {
            "title": title,
            "body_markdown": body_markdown,
            "channels": channels,
            "source_url": source_url,
        }
    )
    _clean_period(period_type, period_start, period_end)
    if posting_start and posting_end and posting_end < posting_start:
        raise ValidationError({"posting_end": [_("The posting ends before it starts.")]})
    with transaction.atomic():
        disclosure = Disclosure.objects.create(
            compound=compound,
            organization=organization,
            category=category,
            period_type=period_type,
            period_start=period_start if period_type != PeriodType.NONE else None,
            period_end=period_end if period_type != PeriodType.NONE else None,
            posting_start=posting_start,
            posting_end=posting_end,
            long_term=category.long_term if long_term is None else bool(long_term),
            created_by=person,
            **values,
        )
        _event(disclosure, actor=person, verb="created", to_state=State.DRAFT)
    return disclosure


def disclosure_update_draft(*, actor, disclosure: Disclosure, **fields: Any) -> Disclosure:
    """Edit a draft. A published disclosure is never edited in place (DESIGN.md §4 Events):
    use :func:`disclosure_correct`."""
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    person = _require(
        actor,
        "disclosures.change_disclosure",
        disclosure,
        _("You may not edit this disclosure."),
    )
    cleaned = _clean_draft_fields(fields)
    with transaction.atomic():
        locked = _locked(disclosure)
        if locked.state != State.DRAFT:
            raise DisclosureStateError(
                _(
                    "A published disclosure cannot be edited. Publish a correction "
                    "instead: it becomes a new version and the old one stays visible."
                ),
                code="published_is_immutable",
            )
        for name, value in cleaned.items():
            setattr(locked, name, value)
        _clean_period(locked.period_type, locked.period_start, locked.period_end)
        if locked.period_type == PeriodType.NONE:
            locked.period_start = locked.period_end = None
        if "category" in fields and "long_term" not in fields:
            locked.long_term = locked.category.long_term
        locked.save()
        _event(locked, actor=person, verb="edited", note=", ".join(sorted(fields)))
    return _sync(disclosure, locked)


def _check_ledger_against_period(disclosure: Disclosure) -> None:
    try:
        ledger = disclosure.ledger
    except Ledger.DoesNotExist:
        return
    errors = ledger_check(
        ledger_from_model(ledger),
        period_start=disclosure.period_start,
        period_end=disclosure.period_end,
    )
    if errors:
        raise LedgerImportError(errors)


def _publish_locked(locked: Disclosure, *, today: dt.date, now: dt.datetime) -> str:
    old = _guard(locked, State.PUBLISHED)
    posting_start = locked.posting_start or today
    locked.long_term, locked.posting_end = _posting_window(
        category=locked.category,
        long_term=locked.long_term,
        posting_start=posting_start,
        posting_end=locked.posting_end,
        today=today,
    )
    _check_ledger_against_period(locked)
    locked.posting_start = posting_start
    locked.state = State.PUBLISHED
    locked.published_at = now
    locked.save(
        update_fields=[
            "state",
            "published_at",
            "posting_start",
            "posting_end",
            "long_term",
            "updated_at",
        ]
    )
    return old


def disclosure_publish(*, actor, disclosure: Disclosure) -> Disclosure:
    """Post a draft (seed: 公示承诺制度 第四条: board, screen, WeChat group, online)."""
    person = _require(
        actor,
        "disclosures.change_disclosure",
        disclosure,
        _("You may not publish this disclosure."),
    )
    now = timezone.now()
    with transaction.atomic():
        locked = _locked(disclosure)
        old = _publish_locked(locked, today=timezone.localdate(), now=now)
        _event(locked, actor=person, verb="published", from_state=old, to_state=State.PUBLISHED)
    return _sync(disclosure, locked)


_UNCHANGED: Any = object()


def disclosure_correct(
    *,
    actor,
    disclosure: Disclosure,
    reason: str,
    title: str | None = None,
    body_markdown: str | None = None,
    posting_end: Any = _UNCHANGED,
    long_term: bool | None = None,
    channels: list[str] | None = None,
    ledger: LedgerInput | None = None,
) -> Disclosure:
    """Publish a corrected version; the old version stays public as ``superseded``.

    DESIGN.md §4 "Nothing is silently edited: a corrected disclosure is a new version."
    """
    person = _require(
        actor,
        "disclosures.change_disclosure",
        disclosure,
        _("You may not correct this disclosure."),
    )
    reason = _text(
        reason, field_name="reason", max_length=ANSWER_MAX_CHARS, min_length=REASON_MIN_CHARS
    )
    changes = _clean_draft_fields(
        {
            k: v
            for k, v in (
                ("title", title),
                ("body_markdown", body_markdown),
                ("channels", channels),
            )
            if v is not None
        }
    )
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        old = _locked(disclosure)
        if old.state not in (State.PUBLISHED, State.EXPIRED):
            raise DisclosureStateError(
                _("Only the current published version can be corrected."),
                code="not_correctable",
            )
        old_state = _guard(old, State.SUPERSEDED)
        new = Disclosure(
            compound=old.compound,
            organization=old.organization,
            category=old.category,
            period_type=old.period_type,
            period_start=old.period_start,
            period_end=old.period_end,
            title=old.title,
            body_markdown=old.body_markdown,
            body_html=old.body_html,
            channels=old.channels,
            posting_start=today,
            long_term=old.long_term if long_term is None else bool(long_term),
            version=old.version + 1,
            previous=old,
            root_id=old.root_id or old.pk,
            correction_reason=reason,
            source_url=old.source_url,
            created_by=person,
            state=State.DRAFT,
        )
        for name, value in changes.items():
            setattr(new, name, value)
        new.posting_end = old.posting_end if posting_end is _UNCHANGED else posting_end
        minimum = old.category.min_posting_days or 0
        if (
            posting_end is _UNCHANGED
            and new.posting_end is not None
            and (new.posting_end - today).days < max(minimum, 1)
        ):
            new.posting_end = None  # the correction gets its own full window
        old.state = State.SUPERSEDED
        old.save(update_fields=["state", "updated_at"])
        new.save()
        for attachment in old.attachments.all():
            DisclosureAttachment.objects.create(
                disclosure=new,
                file=attachment.file.name,
                original_name=attachment.original_name,
                kind=attachment.kind,
                content_type=attachment.content_type,
                size=attachment.size,
            )
        if ledger is not None:
            errors = ledger_check(ledger, period_start=new.period_start, period_end=new.period_end)
            if errors:
                raise LedgerImportError(errors)
            ledger_write(new, ledger)
        else:
            with contextlib.suppress(Ledger.DoesNotExist):
                ledger_write(new, ledger_from_model(old.ledger))
        _publish_locked(new, today=today, now=now)
        _event(
            old,
            actor=person,
            verb="superseded",
            from_state=old_state,
            to_state=State.SUPERSEDED,
            note=reason,
        )
        _event(
            new,
            actor=person,
            verb="corrected",
            from_state="",
            to_state=State.PUBLISHED,
            note=reason,
        )
    return new


def disclosure_archive(*, actor, disclosure: Disclosure, note: str = "") -> Disclosure:
    """Take a disclosure off the current board; it stays in the public archive."""
    person = _require(
        actor,
        "disclosures.change_disclosure",
        disclosure,
        _("You may not archive this disclosure."),
    )
    note = (note or "").strip()[:ANSWER_MAX_CHARS]
    with transaction.atomic():
        locked = _locked(disclosure)
        old = _guard(locked, State.ARCHIVED)
        locked.state = State.ARCHIVED
        locked.save(update_fields=["state", "updated_at"])
        _event(locked, actor=person, verb="archived", from_state=old, to_state=State.ARCHIVED)
    return _sync(disclosure, locked)


def disclosure_delete_draft(*, actor, disclosure: Disclosure) -> None:
    """Delete a draft that was never published (published ones are permanent)."""
    _require(
        actor,
        "disclosures.change_disclosure",
        disclosure,
        _("You may not delete this disclosure."),
    )
    with transaction.atomic():
        locked = _locked(disclosure)
        if locked.state != State.DRAFT:
            raise DisclosureStateError(
                _("Only drafts can be deleted; published disclosures are permanent."),
                code="not_draft",
            )
        locked.attachments.all().delete()
        Ledger.objects.filter(disclosure=locked).delete()
        locked.delete()


def disclosures_expire_due(*, today: dt.date | None = None) -> int:
    """Expire posts whose posting window ended (system; safe to run twice)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        ids = list(
            Disclosure.objects.select_for_update(skip_locked=True)
            .filter(state=State.PUBLISHED, long_term=False, posting_end__lt=today)
            .values_list("pk", flat=True)[:5000]
        )
        if not ids:
            return 0
        changed = Disclosure.objects.filter(pk__in=ids, state=State.PUBLISHED).update(
            state=State.EXPIRED, updated_at=timezone.now()
        )
        DisclosureEvent.objects.bulk_create(
            [
                DisclosureEvent(
                    disclosure_id=pk,
                    actor=None,
                    verb="expired",
                    from_state=State.PUBLISHED,
                    to_state=State.EXPIRED,
                )
                for pk in ids
            ]
        )
    return changed


# --- attachments -----------------------------------------------------------------


def attachment_check(uploaded_file) -> tuple[str, str, bytes]:
    """(kind, content type, bytes) of an allowed upload, else ValidationError.

    The extension must be one we accept and the first bytes must match it: a
    renamed executable or HTML page is refused.
    """
    name = getattr(uploaded_file, "name", "") or ""
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(
            {"file": [_("Attach a PDF or a picture (PNG, JPEG, GIF, WebP).")]},
            code="attachment_type",
        )
    size = getattr(uploaded_file, "size", None)
    too_large = ValidationError(
        {
            "file": [
                ValidationError(
                    _("The file is larger than %(mb)d MB."),
                    params={"mb": ATTACHMENT_MAX_BYTES // (1024 * 1024)},
                    code="attachment_too_large",
                )
            ]
        }
    )
    if size is not None and size > ATTACHMENT_MAX_BYTES:
        raise too_large
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(ATTACHMENT_MAX_BYTES + 1)
    if len(data) > ATTACHMENT_MAX_BYTES:
        raise too_large
    if not data:
        raise ValidationError({"file": [_("The file is empty.")]}, code="attachment_empty")
    kind, content_type, matches = ATTACHMENT_TYPES[extension]
    if not matches(data[:16]):
        raise ValidationError(
            {
                "file": [
                    ValidationError(
                        _(
                            "“%(name)s” is not really a %(ext)s file (its content does "
                            "not match its extension)."
                        ),
                        params={"name": name[:80], "ext": extension.lstrip(".").upper()},
                        code="attachment_mismatch",
                    )
                ]
            }
        )
    return kind, content_type, data


def disclosure_attachment_add(
    *, actor, disclosure: Disclosure, uploaded_file
) -> DisclosureAttachment:
    """Attach a PDF or picture to a draft. Pictures are re-encoded without EXIF (PIPL)."""
    person = _require(
        actor,
        "disclosures.change_disclosure",
        disclosure,
        _("You may not change this disclosure."),
    )
    kind, content_type, data = attachment_check(uploaded_file)
    original_name = (getattr(uploaded_file, "name", "") or "file")[-200:]
    if kind == "image":
        from issues.photos import photo_sanitize

        try:
            clean = photo_sanitize(ContentFile(data, name=original_name))
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        data, content_type = clean.read(), "image/jpeg"
        stored_name = clean.name
    else:
        import secrets

        stored_name = f"{secrets.token_hex(16)}.pdf"
    with transaction.atomic():
        locked = _locked(disclosure)
        if locked.state != State.DRAFT:
            raise DisclosureStateError(
                _(
                    "Attachments can only be added to a draft; publish a correction "
                    "to change a published disclosure."
                ),
                code="published_is_immutable",
            )
        if locked.attachments.count() >= ATTACHMENTS_MAX:
            raise ValidationError(
                {"file": [_("At most %(max)d attachments.") % {"max": ATTACHMENTS_MAX}]}
            )
        attachment = DisclosureAttachment(
            disclosure=locked,
            original_name=original_name,
            kind=kind,
            content_type=content_type,
            size=len(data),
        )
        attachment.file.save(stored_name, ContentFile(data), save=False)
        attachment.save()
        _event(locked, actor=person, verb="attachment_added", note=original_name)
    return attachment


def disclosure_attachment_remove(*, actor, attachment: DisclosureAttachment) -> None:
    """Remove an attachment from a draft."""
    disclosure = attachment.disclosure
    person = _require(
        actor,
        "disclosures.change_disclosure",
        disclosure,
        _("You may not change this disclosure."),
    )
    with transaction.atomic():
        locked = _locked(disclosure)
        if locked.state != State.DRAFT:
            raise DisclosureStateError(
                _("Attachments of a published disclosure cannot be removed."),
                code="published_is_immutable",
            )
        attachment.delete()
        _event(locked, actor=person, verb="attachment_removed", note=attachment.original_name)


# --- ledgers -----------------------------------------------------------------------


def disclosure_ledger_set(*, actor, disclosure: Disclosure, ledger: LedgerInput) -> Ledger:
    """Attach a checked ledger to a draft (seed: 公示承诺制度 第二条; 物管会服务承诺 2).

    Raises :class:`LedgerImportError` listing every problem; nothing is saved then.
    """
    person = _require(
        actor,
        "disclosures.change_disclosure",
        disclosure,
        _("You may not change this disclosure."),
    )
    with transaction.atomic():
        locked = _locked(disclosure)
        if locked.state != State.DRAFT:
            raise DisclosureStateError(
                _(
                    "The ledger of a published disclosure cannot be changed; publish a "
                    "correction instead."
                ),
                code="published_is_immutable",
            )
        errors = ledger_check(
            ledger, period_start=locked.period_start, period_end=locked.period_end
        )
        if errors:
            raise LedgerImportError(errors)
        saved = ledger_write(locked, ledger)
        _event(locked, actor=person, verb="ledger_set", note=f"{saved.line_count}")
    return saved


def disclosure_ledger_import(
    *,
    actor,
    disclosure: Disclosure,
    uploaded_file,
    opening_balance,
    stated_income,
    stated_expense,
    stated_closing_balance,
) -> Ledger:
    """Import a ledger from ``.xlsx``/``.csv``: all rows or none, row numbers in every error."""
    from .ledger import RowError, parse_money

    _require(
        actor,
        "disclosures.change_disclosure",
        disclosure,
        _("You may not change this disclosure."),
    )
    totals = {}
    total_errors = []
    for name, value in (
        ("opening_balance", opening_balance),
        ("stated_income", stated_income),
        ("stated_expense", stated_expense),
        ("stated_closing_balance", stated_closing_balance),
    ):
        try:
            totals[name] = parse_money(value, allow_negative=name.endswith("balance"))
        except ValueError as exc:
            total_errors.append(RowError(None, name, f"{name}: {exc}"))
    lines, errors = ledger_parse_file(uploaded_file)
    errors = total_errors + errors
    if errors:
        raise LedgerImportError(errors)
    return disclosure_ledger_set(
        actor=actor, disclosure=disclosure, ledger=LedgerInput(lines=lines, **totals)
    )


# --- external publishing (meetings, pledges) ---------------------------------------------


def disclosure_publish_external(
    *,
    actor,
    compound: Compound,
    organization: Organization,
    category_code: str,
    title: str,
    body: str,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    source_url: str = "",
) -> Disclosure:
    """Create and publish in one step, for other apps (a meeting summary, a pledge letter).

    The actor must be allowed to publish for ``organization``. ``body`` is Markdown.
    """
    category = Category.objects.filter(code=category_code).first()
    if category is None:
        raise ValidationError(
            {"category": [_("Unknown disclosure category “%(code)s”.") % {"code": category_code}]}
        )
    period_type = PeriodType.NONE
    if period_start and period_end:
        period_type = _guess_period_type(period_start, period_end)
    elif period_start or period_end:
        period_start = period_end = None
    with transaction.atomic():
        disclosure = disclosure_create_draft(
            actor=actor,
            compound=compound,
            organization=organization,
            category=category,
            title=title,
            body_markdown=body,
            period_type=period_type,
            period_start=period_start,
            period_end=period_end,
            source_url=source_url,
        )
        disclosure_publish(actor=actor, disclosure=disclosure)
    return disclosure


def _guess_period_type(start: dt.date, end: dt.date) -> str:
    days = (end - start).days + 1
    if days <= 31:
        return PeriodType.MONTH
    if days <= 92:
        return PeriodType.QUARTER
    if days <= 184:
        return PeriodType.HALF_YEAR
    return PeriodType.YEAR


# --- objections ---------------------------------------------------------------------


def objection_policy() -> workdays.DeadlinePolicy:
    """Deadline policy for answering an objection (default 7 working days; setting
    ``HUASHAN_OBJECTION_ANSWER_POLICY`` names another ``huashan.workdays`` policy code)."""
    code = getattr(settings, "HUASHAN_OBJECTION_ANSWER_POLICY", "feedback_7_working_days")
    return workdays.policy_by_code(code)


def objection_file(*, actor, disclosure: Disclosure, body: str) -> Objection:
    """A verified owner objects to a posted disclosure (seed: 公示承诺制度 第三条).

    Accepted only while the disclosure is posted (see module docstring).
    """
    person = _require(
        actor,
        "disclosures.file_objection",
        disclosure,
        _("Only verified owners of this compound can object to its disclosures."),
    )
    body = _text(
        body,
        field_name="body",
        max_length=OBJECTION_MAX_CHARS,
        min_length=OBJECTION_MIN_CHARS,
    )
    now = timezone.now()
    with transaction.atomic():
        locked = _locked(disclosure)
        if locked.state == State.SUPERSEDED:
            raise DisclosureStateError(
                _("This version was replaced by a correction; object to the current version."),
                code="superseded",
            )
        if locked.state != State.PUBLISHED:
            raise DisclosureStateError(
                _(
                    "This disclosure is no longer posted, so objections are closed. "
                    "If the matter still concerns you, please report it as a complaint."
                ),
                code="not_posted",
            )
        if (
            Objection.objects.filter(disclosure=locked, objector=person).count()
            >= OBJECTIONS_PER_OWNER
        ):
            raise ValidationError(
                {
                    "body": [
                        _("You have already filed %(max)d objections to this disclosure.")
                        % {"max": OBJECTIONS_PER_OWNER}
                    ]
                }
            )
        objection = Objection.objects.create(
            disclosure=locked,
            objector=person,
            body=body,
            created_at=now,
            answer_due=workdays.deadline(now, objection_policy()),
        )
        ObjectionEvent.objects.create(
            objection=objection, actor=person, verb="filed", to_state=Objection.State.OPEN
        )
        _notify_org(
            locked.organization,
            subject=gettext("New objection to “%(title)s”") % {"title": locked.title},
            body=gettext("Please answer by %(due)s.")
            % {"due": workdays.format_deadline(objection.answer_due)},
            link=disclosure_link(locked),
        )
    return objection


def objection_answer(*, actor, objection: Objection, answer: str) -> Objection:
    """The publisher answers an objection; the answer is public (第三条 "应当答复")."""
    person = _require(
        actor,
        "disclosures.answer_objection",
        objection,
        _("You may not answer objections to this disclosure."),
    )
    answer = _text(
        answer, field_name="answer", max_length=ANSWER_MAX_CHARS, min_length=ANSWER_MIN_CHARS
    )
    with transaction.atomic():
        locked = (
            Objection.objects.select_for_update(of=("self",))
            .select_related("disclosure", "objector")
            .get(pk=objection.pk)
        )
        if locked.state != Objection.State.OPEN:
            raise ValidationError(
                _("This objection has already been answered."), code="already_answered"
            )
        locked.state = Objection.State.ANSWERED
        locked.answer = answer
        locked.answered_by = person
        locked.answered_at = timezone.now()
        locked.save(update_fields=["state", "answer", "answered_by", "answered_at"])
        ObjectionEvent.objects.create(
            objection=locked,
            actor=person,
            verb="answered",
            from_state=Objection.State.OPEN,
            to_state=Objection.State.ANSWERED,
        )
        if locked.objector.is_active:
            notification_create(
                recipient=locked.objector,
                channel="inbox",
                subject=gettext("Your objection to “%(title)s” was answered")
                % {"title": locked.disclosure.title},
                body=answer[:500],
                link=disclosure_link(locked.disclosure),
            )
    for f in Objection._meta.concrete_fields:
        setattr(objection, f.attname, getattr(locked, f.attname))
    return objection


def objections_scan_overdue(*, now: dt.datetime | None = None) -> int:
    """Tell the compound party organization about unanswered objections past their deadline.

    Once per objection: compare-and-set on ``overdue_notified_at`` (STYLE.md, healthchecks).
    """
    now = now or timezone.now()
    candidates = list(
        Objection.objects.filter(
            state=Objection.State.OPEN, answer_due__lt=now, overdue_notified_at__isnull=True
        )
        .select_related("disclosure__compound", "disclosure__organization")
        .order_by("answer_due")[:500]
    )
    done = 0
    for objection in candidates:
        with transaction.atomic():
            claimed = Objection.objects.filter(
                pk=objection.pk, state=Objection.State.OPEN, overdue_notified_at__isnull=True
            ).update(overdue_notified_at=now)
            if claimed != 1:
                continue
            ObjectionEvent.objects.create(objection=objection, actor=None, verb="overdue")
            disclosure = objection.disclosure
            _notify_org(
                _party_org(disclosure.compound),
                subject=gettext("Objection not answered in time: “%(title)s”")
                % {"title": disclosure.title},
                body=gettext("%(org)s has not answered an objection due %(due)s.")
                % {
                    "org": disclosure.organization.name,
                    "due": workdays.format_deadline(objection.answer_due),
                },
                link=disclosure_link(disclosure),
            )
            done += 1
    return done


# --- schedules ------------------------------------------------------------------------


def schedules_seed_for_compound(*, compound: Compound) -> list[Schedule]:
    """Create the obligations the rules set for each party of the compound (idempotent).

    seed: 公示承诺制度 第二条 (PMC: quarterly work affairs, half-yearly public revenue,
    yearly performance), 第三条 (quarterly / annual service reports), 第四条 (personnel,
    pledges); 物管会服务承诺 1、2 (monthly public revenue, quarterly maintenance fund,
    half-yearly resolutions); 小区党组织服务承诺 2 (company's monthly service progress).
    """
    categories = {c.code: c for c in Category.objects.all()}
    schedules = []
    for kind, code, cadence, article in SCHEDULE_RULES:
        organization = organization_of_kind(compound=compound, kind=kind)
        if organization is None or code not in categories:
            continue
        schedule, _created = Schedule.objects.get_or_create(
            organization=organization,
            category=categories[code],
            cadence=cadence,
            defaults={"compound": compound, "seed_article": article},
        )
        schedules.append(schedule)
    return schedules


@dataclass
class ScheduleScanResult:
    reminders: int = 0
    missed: int = 0
    details: list[str] = field(default_factory=list)


def schedules_scan(*, today: dt.date | None = None) -> ScheduleScanResult:
    """Remind publishers before a due date and report missed ones, once each.

    seed: 公示承诺制度 第二、三条 and both pledge letters' disclosure items. A reminder
    goes to the publishing organization ``remind_days_before`` the due date when the
    period is not yet published; a missed period (due passed, nothing published)
    goes to the compound party organization. :class:`ScheduleAlarm`'s unique
    constraint makes a second run do nothing.
    """
    today = today or timezone.localdate()
    result = ScheduleScanResult()
    schedules = list(
        Schedule.objects.filter(active=True).select_related("organization", "category", "compound")
    )
    candidates: list[tuple[Schedule, dt.date, dt.date, str]] = []
    for schedule in schedules:
        lookback = max(schedule.starts_on, today - timedelta(days=MISSED_LOOKBACK_DAYS))
        for start, end in periods_overlapping(schedule.cadence, lookback, today):
            if start < schedule.starts_on:
                continue
            due = period_due(end, schedule.due_day)
            if due < today:
                candidates.append((schedule, start, due, ScheduleAlarm.Kind.MISSED))
            elif end < today and (due - today).days <= schedule.remind_days_before:
                candidates.append((schedule, start, due, ScheduleAlarm.Kind.REMINDER))
    if not candidates:
        return result
    existing = set(
        ScheduleAlarm.objects.filter(schedule__in=schedules).values_list(
            "schedule_id", "period_start", "kind"
        )
    )
    candidates = [c for c in candidates if (c[0].pk, c[1], c[3]) not in existing]
    if not candidates:
        return result
    published = set(
        Disclosure.objects.filter(
            state__in=Disclosure.PUBLIC_STATES,
            organization_id__in={c[0].organization_id for c in candidates},
            period_start__in={c[1] for c in candidates},
        ).values_list("organization_id", "category_id", "period_type", "period_start")
    )
    for schedule, start, due, kind in candidates:
        key = (
            schedule.organization_id,
            schedule.category_id,
            CADENCE_PERIOD_TYPE[schedule.cadence],
            start,
        )
        if key in published:
            continue
        try:
            with transaction.atomic():
                ScheduleAlarm.objects.create(
                    schedule=schedule, period_start=start, kind=kind, due=due
                )
                _alarm_notify(schedule, start=start, due=due, kind=kind)
        except IntegrityError:
            continue  # another scan got there first
        if kind == ScheduleAlarm.Kind.REMINDER:
            result.reminders += 1
        else:
            result.missed += 1
        result.details.append(f"{schedule.pk}:{start}:{kind}")
    return result


def _alarm_notify(schedule: Schedule, *, start: dt.date, due: dt.date, kind: str) -> None:
    from .models import period_label

    label = period_label(CADENCE_PERIOD_TYPE[schedule.cadence], start)
    params = {"category": schedule.category.name, "period": label, "due": due.isoformat()}
    if kind == ScheduleAlarm.Kind.REMINDER:
        _notify_org(
            schedule.organization,
            subject=gettext("Disclosure due: %(category)s %(period)s") % params,
            body=gettext("Please publish “%(category)s” for %(period)s by %(due)s.") % params,
        )
    else:
        params["org"] = schedule.organization.name
        _notify_org(
            _party_org(schedule.compound),
            subject=gettext("Disclosure missed: %(category)s %(period)s") % params,
            body=gettext("%(org)s did not publish “%(category)s” for %(period)s, due %(due)s.")
            % params,
        )


# --- reports ---------------------------------------------------------------------------


def report_request(*, actor, compound: Compound, period: str) -> Report:
    """Queue a quarterly (``2026Q3``) or annual (``2026``) report (rendered by Celery)."""
    from .selectors import period_bounds

    person = _require(
        actor,
        "disclosures.request_report",
        compound,
        _("You may not generate reports for this compound."),
    )
    try:
        period_bounds(period)
    except ValueError as exc:
        raise ValidationError({"period": [str(exc)]}) from exc
    with transaction.atomic():
        report = Report.objects.create(compound=compound, period=period, requested_by=person)
        transaction.on_commit(lambda: _dispatch_report(report.pk))
    return report


def _dispatch_report(report_id: int) -> None:
    from .tasks import disclosure_report_generate

    try:
        disclosure_report_generate.apply_async(args=[report_id], retry=False)
    except Exception:  # broker down: reports_resume_pending re-dispatches
        logger.warning("could not queue disclosure report %s", report_id, exc_info=True)


REPORT_LEASE = "disclosures.report"


def report_generate(*, report_id: int, takeover: bool = False) -> Report:
    """Render the report PDF and store it (idempotent: a done report is left alone).

    ``takeover`` is set when the broker redelivered the task because the worker
    that was rendering died: its report is still "running" and must be claimed
    again, or it would stay running forever.
    """
    # The lease is taken before the claim, so a sweep never sees the report running
    # without one; a killed worker's lease goes stale within a minute (core.documents).
    with work_lease(REPORT_LEASE, report_id):
        return _report_render(report_id=report_id, takeover=takeover)


def _report_render(*, report_id: int, takeover: bool) -> Report:
    from .pdf import report_pdf

    claimable = [Report.Status.PENDING, Report.Status.FAILED]
    if takeover:
        claimable.append(Report.Status.RUNNING)
    claimed = Report.objects.filter(pk=report_id, status__in=claimable).update(
        status=Report.Status.RUNNING, progress=5, error=""
    )
    report = Report.objects.select_related("compound").get(pk=report_id)
    if not claimed:
        return report

    def progress(percent: int) -> None:
        Report.objects.filter(pk=report_id).update(progress=max(5, min(99, percent)))

    try:
        data = report_pdf(compound=report.compound, period=report.period, progress=progress)
    except Exception as exc:
        logger.exception("disclosure report %s failed", report_id)
        Report.objects.filter(pk=report_id).update(
            status=Report.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        report.refresh_from_db()
        return report
    report.file.save(
        f"disclosures-{report.compound.slug}-{report.period}.pdf", ContentFile(data), save=False
    )
    report.status = Report.Status.DONE
    report.progress = 100
    report.finished_at = timezone.now()
    report.save(update_fields=["file", "status", "progress", "finished_at"])
    return report


def reports_resume_pending(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Re-dispatch reports still pending (broker was down), or stuck running for long."""
    now = timezone.now()
    ids = list(
        Report.objects.filter(
            status=Report.Status.PENDING, created_at__lt=now - older_than
        ).values_list("pk", flat=True)[:50]
    )
    # A report "running" whose worker no longer stamps its lease lost that worker
    # (killed, out of memory): render it again within about a minute; after six hours
    # of such retries, give up and say so.
    running = Report.objects.filter(status=Report.Status.RUNNING)
    given_up = running.filter(created_at__lt=now - timedelta(hours=6)).update(
        status=Report.Status.FAILED, error="timed out"
    )
    orphaned = work_leases_lost(REPORT_LEASE, running.values_list("pk", flat=True)[:50])
    Report.objects.filter(pk__in=orphaned, status=Report.Status.RUNNING).update(
        status=Report.Status.PENDING, progress=0
    )
    for pk in [*ids, *orphaned]:
        _dispatch_report(pk)
    return len(ids) + len(orphaned) + given_up
