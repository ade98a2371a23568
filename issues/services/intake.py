"""Filing a complaint (居民反映问题), the idempotent replay, and 'me too' (附议)."""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan import workdays
from huashan.core.photos import SanitizedPhoto, photos_sanitize
from huashan.core.services import acting_person as _person
from huashan.directory.models import (
    Compound,
    Person,
    mobile_validator,
)
from huashan.notify.services import notifications_create_bulk, organization_messages

from ..models import (
    Category,
    Issue,
    IssuePhoto,
    MeToo,
)
from ._common import (
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    HOTLINE_RE,
    IDEMPOTENCY_KEY_BYTES,
    IDEMPOTENCY_KEY_RE,
    Status,
    _event,
    _locked,
    _require_open,
    staff_link,
)
from .clocks import _refresh_next_deadline, clock_policy_for, clocks_for
from .notifications import _intake_orgs
from .rate_limit import _rate_limit_hit, rate_limit_check
from .tracking import tracking_code_hash, tracking_code_new, tracking_numbers_allocate


@dataclass(frozen=True)
class SubmitResult:
    issue: Issue
    #: Shown once to an anonymous reporter; only its hash is stored. None when logged in
    #: and when ``replayed``.
    tracking_code: str | None
    #: True when the idempotency key had already filed ``issue``: nothing new was written.
    replayed: bool = False


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
    existing = _issue_by_key(idempotency_key)
    if existing is not None:
        return _submit_replay(existing, person)
    rate_limit_check(client_key)
    cleaned = _submit_clean(
        person=person,
        compound=compound,
        category=category,
        description=description,
        building=building,
        unit=unit,
        location_text=location_text,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        hotline_number=hotline_number,
        no_contact=no_contact,
        share_identity=share_identity,
    )  # refused on its text: no photo is looked at, nothing is counted
    result = _submit_new(
        person=person,
        compound=compound,
        category=category,
        cleaned=cleaned,
        building=building,
        is_public=is_public,
        is_hazard=is_hazard,
        photos=_photos_clean(photos, client_key),
        idempotency_key=idempotency_key,
    )
    if not result.replayed:
        # Counted once the issue is written (or refused for its photos, above): rejected
        # text never locks anyone out.
        _rate_limit_hit(client_key)
    return result


def _submit_new(
    *, person, compound, category, cleaned, building, is_public, is_hazard, photos, idempotency_key
) -> SubmitResult:
    """Number the checked complaint, start its clocks and write it; a concurrent submission
    with the same idempotency key that won the race is replayed instead."""
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
            photos=photos,
            now=now,
            idempotency_key=idempotency_key,
            fields={
                **cleaned,
                "building": building,
                "is_public": bool(is_public),
                "reporter_name": cleaned["reporter_name"] or (person.name if person else ""),
                "reporter_phone": cleaned["reporter_phone"] or (person.mobile if person else ""),
                "share_identity": bool(cleaned["share_identity"]),
            },
        )
    except IntegrityError:
        # A concurrent submission with the same key won the unique constraint.
        existing = _issue_by_key(idempotency_key)
        if existing is None:
            raise
        return _submit_replay(existing, person)
    return SubmitResult(issue=issue, tracking_code=tracking_code)


def _issue_by_key(idempotency_key: str) -> Issue | None:
    """The complaint this idempotency key already filed, if any."""
    if not idempotency_key:
        return None
    return Issue.objects.filter(idempotency_key=idempotency_key).first()


def _photos_clean(photos, client_key: str) -> list[SanitizedPhoto]:
    """The photos, stripped of metadata and checked (``photos_sanitize``)."""
    try:
        return photos_sanitize(photos)
    except ValidationError as exc:
        # A filing refused for its photos counts in the filing limit: reading (and, before
        # a late refusal, decoding) photos costs the server, and a refusal must not be
        # repeatable for free (issue 14 item 5). Text errors still count nothing.
        _rate_limit_hit(client_key)
        raise ValidationError(dict(exc.error_dict)) from exc


def _submit_clean(
    *,
    person,
    compound,
    category,
    description,
    building,
    unit,
    location_text,
    reporter_name,
    reporter_phone,
    hotline_number,
    no_contact,
    share_identity,
) -> dict[str, Any]:
    """The field checks of :func:`issue_submit` (the API and Open311 have no Django form):
    every error at once, keyed by field, as one ``ValidationError``; else the cleaned values."""
    errors: dict[str, list] = defaultdict(list)
    description = _clean_description(description, errors)
    if not isinstance(category, Category) or not category.active:
        errors["category"].append(
            ValidationError(_("Please choose a category."), code="invalid_category")
        )
    unit, location_text = _clean_place(compound, building, unit, location_text, errors)
    reporter_name, reporter_phone, share_identity = _clean_contact(
        person, reporter_name, reporter_phone, no_contact, share_identity, errors
    )
    hotline_number = _clean_hotline(hotline_number, errors)
    if errors:
        raise ValidationError(dict(errors))
    return {
        "description": description,
        "unit": unit,
        "location_text": location_text,
        "reporter_name": reporter_name,
        "reporter_phone": reporter_phone,
        "share_identity": share_identity,
        "hotline_number": hotline_number,
    }


def _clean_description(description, errors: dict[str, list]) -> str:
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
    return description


def _clean_place(compound, building, unit, location_text, errors: dict[str, list]):
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
    return unit, location_text


def _clean_contact(person, reporter_name, reporter_phone, no_contact, share_identity, errors):
    """A mobile number to call back, or (``no_contact``, anonymous only) nothing at all."""
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
    return reporter_name, reporter_phone, share_identity


def _clean_hotline(hotline_number, errors: dict[str, list]) -> str:
    hotline_number = (hotline_number or "").strip()
    if len(hotline_number) > 40 or not HOTLINE_RE.match(hotline_number):
        errors["hotline_number"].append(
            ValidationError(
                _("A 12345 work-order number has only letters, digits and dashes."),
                code="invalid_hotline",
            )
        )
    return hotline_number


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
        _save_report_photos(issue, photos)
        _event(issue, actor=person, verb="submit", to_state=Status.SUBMITTED, public=True, at=now)
        subject = gettext("New issue %(number)s: %(category)s") % {
            "number": number,
            "category": category.name,
        }
        if hazard:
            subject = gettext("[Safety hazard] %(subject)s") % {"subject": subject}
        # One INSERT for every person and robot told, however many the bodies have.
        notifications_create_bulk(
            message
            for org in _intake_orgs(compound)
            for message in organization_messages(
                organization=org, subject=subject, body=description[:500], link=staff_link(issue)
            )
        )
    return issue


def _save_report_photos(issue: Issue, photos: list[SanitizedPhoto]) -> None:
    """The filing's photos: each file written, then one INSERT for all their rows."""
    rows = []
    for photo in photos:
        row = IssuePhoto(
            issue=issue,
            stage=IssuePhoto.Stage.REPORT,
            token=secrets.token_hex(16),
            width=photo.width,
            height=photo.height,
        )
        row.image.save(photo.name, photo, save=False)
        rows.append(row)
    IssuePhoto.objects.bulk_create(rows)


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
