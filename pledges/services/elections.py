"""三诺: elections and the candidates' pledges.

seed: 公示承诺制度 第四条 (候选人"三诺"线上线下公示)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.core.services import require_perm as _require
from huashan.directory.models import Compound, Person
from huashan.directory.selectors import organization_of_kind

from .. import evidence
from ..models import (
    CandidatePledge,
    Election,
)
from .common import TITLE_MAX, _event, _text

# --- 三诺 -----------------------------------------------------------------------


def election_create(*, actor, compound: Compound, title: str, held_on: dt.date) -> Election:
    person = _require(
        actor, "pledges.manage_candidates", compound, _("You may not manage elections here.")
    )
    title = _text(title, field="title", max_length=TITLE_MAX)
    if not isinstance(held_on, dt.date):
        raise ValidationError({"held_on": _("Enter a date like 2026-01-01.")})
    with transaction.atomic():
        election = Election.objects.create(compound=compound, title=title, held_on=held_on)
        _event(compound=compound, actor=person, verb="election_create", note=title)
    return election


def candidate_pledge_record(
    *,
    actor,
    election: Election,
    candidate: Person,
    kind: str,
    text: str,
    signed_on: dt.date,
) -> CandidatePledge:
    """Record one of a candidate's 三诺 (公示承诺制度 第四条: 遵守选举纪律的参选承诺、
    为群众办实事的服务承诺、不认真履职的辞职承诺)."""
    compound = election.compound
    person = _require(
        actor, "pledges.manage_candidates", compound, _("You may not manage elections here.")
    )
    errors: dict[str, Any] = {}
    if kind not in CandidatePledge.Kind.values:
        errors["kind"] = [_("Choose which of the three pledges this is.")]
    try:
        text = _text(text, field="text")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not isinstance(signed_on, dt.date):
        errors["signed_on"] = [_("Enter a date like 2026-01-01.")]
    elif signed_on > timezone.localdate():
        errors["signed_on"] = [_("The date cannot be in the future.")]
    if not isinstance(candidate, Person):
        errors["candidate"] = [_("Choose the candidate.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            pledge = CandidatePledge.objects.create(
                election=election, candidate=candidate, kind=kind, text=text, signed_on=signed_on
            )
            _event(
                compound=compound,
                actor=person,
                verb="candidate_pledge",
                note=f"{candidate.name} {kind}",
            )
    except IntegrityError:
        raise ValidationError({"kind": _("This candidate has already made this pledge.")}) from None
    return pledge


def candidate_pledges_publish(*, actor, election: Election) -> int:
    """Publish the candidates' 三诺 online (and post them to the disclosure board)."""
    compound = election.compound
    person = _require(
        actor, "pledges.manage_candidates", compound, _("You may not manage elections here.")
    )
    with transaction.atomic():
        pending = list(
            election.pledges.select_for_update()
            .filter(published_at__isnull=True)
            .select_related("candidate")
        )
        if not pending:
            raise ValidationError(_("There is nothing new to publish."))
        now = timezone.now()
        CandidatePledge.objects.filter(pk__in=[p.pk for p in pending]).update(published_at=now)
        party = organization_of_kind(compound=compound, kind="compound_party")
        if party is not None:
            body = "\n\n".join(
                f"{p.candidate.name}（{p.get_kind_display()}）\n{p.text}" for p in pending
            )
            evidence.publish_external(
                actor=person,
                compound=compound,
                organization=party,
                category_code="candidate_pledges",
                title=gettext("Candidates' three pledges: %(title)s") % {"title": election.title},
                body=body,
            )
        _event(
            compound=compound,
            actor=person,
            verb="candidate_pledges_publish",
            note=f"{election.title}: {len(pending)}",
            public=True,
        )
    return len(pending)
