"""A disclosure's life: draft, publish, correct (a new version), archive, delete, expire.

seed: 公示承诺制度 第一—三条 (posting windows, 第三条 at least 30 days)."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.core.services import require_perm as _require
from huashan.directory.models import Compound, Organization

from ..ledger import (
    LedgerImportError,
    LedgerInput,
    ledger_check,
    ledger_from_model,
    ledger_write,
)
from ..models import (
    Category,
    Disclosure,
    DisclosureAttachment,
    DisclosureEvent,
    Ledger,
    PeriodType,
)
from ..rules import LEDGER_REQUIRED_CATEGORIES
from ..sanitize import BODY_MAX_CHARS, markdown_to_safe_html
from .common import (
    ANSWER_MAX_CHARS,
    REASON_MIN_CHARS,
    TITLE_MAX,
    DisclosureStateError,
    State,
    _clean_channels,
    _clean_period,
    _event,
    _guard,
    _locked,
    _posting_window,
    _sync,
    _text,
    organization_covers,
)

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


def _check_ledger_against_period(disclosure: Disclosure, *, require: bool = True) -> None:
    """A 明细 / 台账 category needs its ledger (公示承诺制度 第二条 "公共收益收支明细";
    物业管理委员会服务承诺 第2条 "维修资金使用台账"); any ledger must fit the period.

    ``require=False`` only for the correction of a version posted before the rule held
    (it had no ledger to carry over); every first publication needs one."""
    try:
        ledger = disclosure.ledger
    except Ledger.DoesNotExist:
        if require and disclosure.category.code in LEDGER_REQUIRED_CATEGORIES:
            raise ValidationError(
                {
                    "ledger": [
                        ValidationError(
                            _(
                                "“%(category)s” is an income and expense detail: add its "
                                "ledger (enter the lines or import a spreadsheet) before "
                                "publishing."
                            ),
                            params={"category": disclosure.category.name},
                            code="ledger_required",
                        )
                    ]
                }
            ) from None
        return
    errors = ledger_check(
        ledger_from_model(ledger),
        period_start=disclosure.period_start,
        period_end=disclosure.period_end,
    )
    if errors:
        raise LedgerImportError(errors)


def _publish_locked(
    locked: Disclosure, *, today: dt.date, now: dt.datetime, require_ledger: bool = True
) -> str:
    old = _guard(locked, State.PUBLISHED)
    posting_start = locked.posting_start or today
    locked.long_term, locked.posting_end = _posting_window(
        category=locked.category,
        long_term=locked.long_term,
        posting_start=posting_start,
        posting_end=locked.posting_end,
        today=today,
    )
    _check_ledger_against_period(locked, require=require_ledger)
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


def _new_version(
    old: Disclosure,
    *,
    person,
    reason: str,
    today: dt.date,
    changes: dict[str, Any],
    posting_end: Any,
    long_term: bool | None,
) -> Disclosure:
    """The unsaved next version of ``old`` with ``changes`` applied; a posting end left
    unchanged that is shorter than the category minimum gives way to a full window."""
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
    return new


def _carry_over(old: Disclosure, new: Disclosure, *, ledger: LedgerInput | None) -> None:
    """Attachments carry over to the new version; so does the ledger unless replaced."""
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
        new = _new_version(
            old,
            person=person,
            reason=reason,
            today=today,
            changes=changes,
            posting_end=posting_end,
            long_term=long_term,
        )
        old.state = State.SUPERSEDED
        old.save(update_fields=["state", "updated_at"])
        new.save()
        had_ledger = Ledger.objects.filter(disclosure=old).exists()
        _carry_over(old, new, ledger=ledger)
        _publish_locked(new, today=today, now=now, require_ledger=had_ledger or ledger is not None)
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


def _first_posted(disclosure: Disclosure) -> dt.date | None:
    """The day the first version of this disclosure went up (a correction continues it)."""
    if not disclosure.root_id:
        return disclosure.posting_start
    first = (
        Disclosure.objects.filter(pk=disclosure.root_id)
        .values_list("posting_start", flat=True)
        .first()
    )
    return first or disclosure.posting_start


def _check_minimum_posting(disclosure: Disclosure, *, today: dt.date) -> None:
    """公示承诺制度 第三条 "公示时间不得少于30日" holds until the last day, not only at
    publishing: a report with a minimum may not be taken down before it has been up that
    many days (counted as at publishing: posting start + minimum)."""
    minimum = disclosure.category.min_posting_days or 0
    started = _first_posted(disclosure)
    if not minimum or disclosure.state != State.PUBLISHED or started is None:
        return
    until = started + dt.timedelta(days=minimum)
    if today < until:
        raise DisclosureStateError(
            _(
                "“%(category)s” must stay posted for at least %(days)d days: it can be "
                "taken down from %(until)s."
            ),
            params={"category": disclosure.category.name, "days": minimum, "until": until},
            code="posting_minimum",
        )


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
        _check_minimum_posting(locked, today=timezone.localdate())
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
