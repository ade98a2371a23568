"""The quarterly red/black list of the property company (小区党组织服务承诺 第10条 红黑榜)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from huashan import periods
from huashan.core.services import require_perm
from huashan.core.state import lock
from huashan.directory.models import Compound
from huashan.directory.selectors import organization_of_kind

from .. import evidence
from ..models import (
    BlackListAlarm,
    QuarterRating,
    SurveyResponse,
)
from .base import Kind, _denied, _notify_org, _require_rule

# --- 红黑榜 (seed: 小区党组织服务承诺 第10条) ------------------------------------------------

RED_FROM = Decimal("85")
PASS_FROM = Decimal("60")
#: Weights of the three evidence parts; a missing part is left out and the rest reweighed.
RATING_WEIGHTS = {"complaint": Decimal("0.4"), "pledge": Decimal("0.3"), "survey": Decimal("0.3")}


def quarter_bounds(year: int, quarter: int) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the quarter in China time (huashan.periods)."""
    period = periods.Period(periods.QUARTER, year, quarter)
    return period.start_dt, period.end_dt


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    period = periods.Period(periods.QUARTER, year, quarter).previous()
    return period.year, period.index


def quarter_rating_get(*, compound: Compound, year: int, quarter: int) -> QuarterRating | None:
    company = organization_of_kind(compound=compound, kind=Kind.PROPERTY_COMPANY)
    if company is None:
        return None
    rating, _created = QuarterRating.objects.get_or_create(
        company=company, year=year, quarter=quarter, defaults={"compound": compound}
    )
    return rating


@transaction.atomic
def survey_submit(
    *, actor, rating: QuarterRating, cleanliness: int, security: int, responsiveness: int
) -> SurveyResponse:
    """A resident answers the quarter's three-question survey once."""
    _require_rule(
        actor,
        "evaluations.answer_survey",
        rating,
        gettext("Only residents of the compound can answer the survey."),
    )
    if rating.verdict != QuarterRating.Verdict.PENDING:
        raise ValidationError(gettext("This quarter is already rated."))
    values = {"cleanliness": cleanliness, "security": security, "responsiveness": responsiveness}
    for key, value in values.items():
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise ValidationError({key: gettext("Choose 1 to 5.")})
    if SurveyResponse.objects.filter(rating=rating, respondent=actor).exists():
        raise ValidationError(gettext("You already answered this quarter's survey."))
    return SurveyResponse.objects.create(rating=rating, respondent=actor, **values)


def _survey_score(rating: QuarterRating) -> Decimal | None:
    rows = list(rating.responses.values_list("cleanliness", "security", "responsiveness"))
    if not rows:
        return None
    mean = sum(sum(r) for r in rows) / (3 * len(rows))
    return evidence_pct((mean - 1) / 4)


def evidence_pct(share: float | None) -> Decimal | None:
    return None if share is None else (Decimal(str(share)) * 100).quantize(Decimal("0.01"))


@transaction.atomic
def quarter_rate(*, actor, compound: Compound, year: int, quarter: int) -> QuarterRating:
    """Rate the property company for a quarter and raise the black-list alarm on a 2nd failure.

    Red ≥ 85, passed ≥ 60, black < 60 (of 100). Two consecutive black quarters
    flag the company to the compound party organization, once per streak
    (unique :class:`BlackListAlarm`; safe to run twice). ``actor`` None = beat.
    """
    if actor is not None:
        require_perm(actor, "evaluations.rate_quarter", compound, _denied())
    if not 1 <= quarter <= 4:
        raise ValidationError(gettext("A quarter is 1 to 4."))
    rating = quarter_rating_get(compound=compound, year=year, quarter=quarter)
    if rating is None:
        raise ValidationError(gettext("The compound has no property company."))
    rating = lock(rating)
    start, end = quarter_bounds(year, quarter)
    rating.complaint_score = evidence_pct(
        evidence.complaint_score(
            compound=compound, organization=rating.company, start=start, end=end
        )
    )
    rating.pledge_score = evidence_pct(
        evidence.pledge_score(compound=compound, organization=rating.company, year=year)
    )
    rating.survey_score = _survey_score(rating)
    parts = {
        "complaint": rating.complaint_score,
        "pledge": rating.pledge_score,
        "survey": rating.survey_score,
    }
    present = {k: v for k, v in parts.items() if v is not None}
    if present:
        weight = sum(RATING_WEIGHTS[k] for k in present)
        rating.total = (sum(RATING_WEIGHTS[k] * v for k, v in present.items()) / weight).quantize(
            Decimal("0.01")
        )
        if rating.total >= RED_FROM:
            rating.verdict = QuarterRating.Verdict.RED
        elif rating.total >= PASS_FROM:
            rating.verdict = QuarterRating.Verdict.NEUTRAL
        else:
            rating.verdict = QuarterRating.Verdict.BLACK
    else:
        rating.total = None
        rating.verdict = QuarterRating.Verdict.PENDING
    rating.rated_at = timezone.now()
    rating.save()
    if rating.failing:
        _black_list_alarm(rating)
    return rating


def _black_list_alarm(rating: QuarterRating) -> BlackListAlarm | None:
    prev_year, prev_q = previous_quarter(rating.year, rating.quarter)
    previous = QuarterRating.objects.filter(
        company=rating.company, year=prev_year, quarter=prev_q
    ).first()
    if previous is None or not previous.failing:
        return None
    # Walk back to the first failing quarter of the streak: one alarm per streak.
    start = previous
    while True:
        y, q = previous_quarter(start.year, start.quarter)
        earlier = QuarterRating.objects.filter(company=rating.company, year=y, quarter=q).first()
        if earlier is None or not earlier.failing:
            break
        start = earlier
    alarm, created = BlackListAlarm.objects.get_or_create(
        company=rating.company, streak_start=start, defaults={"rating": rating}
    )
    if created:
        party = organization_of_kind(compound=rating.compound, kind=Kind.COMPOUND_PARTY)
        _notify_org(
            party,
            subject=gettext("Red/black list: %(company)s failed two quarters in a row")
            % {"company": rating.company.name},
            body=gettext(
                "Report to the authorities at year end and suggest the owners' assembly "
                "start the dismissal procedure (小区党组织服务承诺 第10条)."
            ),
            link="/evaluations/redblack/",
        )
    return alarm
