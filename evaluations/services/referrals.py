"""The quarterly beat and the year-end referral to the authority (小区党组织服务承诺 第10条)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

from huashan import periods
from huashan.core.services import require_perm
from huashan.core.state import lock, record_event
from huashan.directory.models import Compound, Organization
from huashan.directory.selectors import organization_of_kind

from ..models import (
    BlackListAlarm,
    QuarterRating,
    YearEndReferral,
    YearEndReferralEvent,
)
from .base import CampaignStateError, Kind, _notify_org
from .redlist import PASS_FROM, quarter_rate

# --- quarterly beat and the year-end referral (小区党组织服务承诺 第10条) ----------------------


def quarters_rate_previous(*, today: dt.date | None = None) -> list[QuarterRating]:
    """Beat: rate the previous quarter for every compound with a property company.

    seed: 小区党组织服务承诺 第10条 (红黑榜季度考评机制). Idempotent: a quarter already
    rated (verdict not pending) is left alone, so running twice rates nothing new;
    the black-list alarm is unique per streak anyway. System actor (``actor=None``).
    """
    last = periods.containing(periods.QUARTER, today or timezone.localdate()).previous()
    year, quarter = last.year, last.index
    compounds = Compound.objects.filter(organizations__kind=Kind.PROPERTY_COMPANY).distinct()
    rated_companies = set(
        QuarterRating.objects.filter(year=year, quarter=quarter)
        .exclude(verdict=QuarterRating.Verdict.PENDING)
        .values_list("company_id", flat=True)
    )
    rated = []
    for compound in compounds.order_by("pk"):
        company = organization_of_kind(compound=compound, kind=Kind.PROPERTY_COMPANY)
        if company is None or company.pk in rated_companies:
            continue
        rated.append(quarter_rate(actor=None, compound=compound, year=year, quarter=quarter))
        rated_companies.add(company.pk)
    return rated


def referral_failing_quarters(*, company: Organization, year: int) -> list[QuarterRating]:
    """The company's black quarters of ``year`` when it failed two in a row ending that year.

    A streak counts for the year of its second failing quarter (the alarm's
    quarter); its first quarter may lie in December of the year before.
    """
    alarms = list(
        BlackListAlarm.objects.filter(company=company, rating__year=year).values_list(
            "streak_start_id", flat=True
        )
    )
    if not alarms:
        return []
    return list(
        QuarterRating.objects.filter(company=company, verdict=QuarterRating.Verdict.BLACK)
        .filter(Q(year=year) | Q(pk__in=alarms))
        .annotate(responses_count=Count("responses"))
        .order_by("year", "quarter")
    )


def referral_authorities(*, compound: Compound):
    """Street-level bodies a report can be addressed to (街道党工委、街道物业专委会、职能部门)."""
    from huashan.directory.selectors import compound_organizations

    return compound_organizations(compound=compound).filter(kind__in=Organization.STREET_KINDS)


def _referral_texts(
    compound: Compound, company: Organization, year: int, quarters: list[dict], authority
) -> tuple[str, str]:
    """The report to the authority and the suggestion to the owners' assembly (document wording)."""
    party = organization_of_kind(compound=compound, kind=Kind.COMPOUND_PARTY)
    lines = [
        f"{q['year']}年第{q['quarter']}季度：综合得分{q['total']}分"
        f"（投诉处理{q['complaint'] or '—'}，承诺履行{q['pledge'] or '—'}，"
        f"居民测评{q['survey'] or '—'}，{q['responses']}份问卷），列入黑榜"
        for q in quarters
    ]
    report = (
        f"{authority.name if authority else '主管部门'}：\n"
        f"根据《小区党组织服务承诺》第10条“建立物业服务‘红黑榜’季度考评机制，对连续不达标企业，"
        f"在年底上报主管部门进行考评”，现将{compound.name}物业服务企业{company.name}"
        f"{year}年度季度考评情况报告如下：\n"
        + "\n".join(f"{n}. {line}" for n, line in enumerate(lines, 1))
        + f"\n上述季度考评均不达标（低于{PASS_FROM}分），该企业属连续不达标企业，"
        "特此上报，请予考评。\n"
        f"{party.name if party else compound.name + '党组织'}"
    )
    suggestion = (
        f"鉴于{company.name}在{year}年度物业服务“红黑榜”季度考评中连续不达标，"
        f"依据《小区党组织服务承诺》第10条，建议业主大会启动解聘该物业服务企业的程序。"
        f"选聘和解聘物业服务企业属《中华人民共和国民法典》第二百七十八条第一款第（四）项事项，"
        f"应由专有部分面积占比三分之二以上且人数占比三分之二以上的业主参与表决，"
        f"经参与表决专有部分面积过半数且参与表决人数过半数的业主同意。"
    )
    return report, suggestion


def _quarter_snapshot(rating: QuarterRating) -> dict:
    def num(value):
        return None if value is None else str(value)

    return {
        "year": rating.year,
        "quarter": rating.quarter,
        "complaint": num(rating.complaint_score),
        "pledge": num(rating.pledge_score),
        "survey": num(rating.survey_score),
        "total": num(rating.total),
        "responses": getattr(rating, "responses_count", 0),
        "rated_at": rating.rated_at.isoformat() if rating.rated_at else "",
    }


def _referral_event(referral: YearEndReferral, *, actor, verb, from_state="", to_state="", note=""):
    record_event(
        YearEndReferralEvent,
        referral=referral,
        actor=actor,
        verb=verb,
        from_state=from_state,
        to_state=to_state,
        note=note,
    )


def _referral_build(
    *, actor, compound: Compound, company: Organization, year: int
) -> tuple[YearEndReferral | None, bool]:
    """Create the draft, or refresh a draft's snapshot; (referral, created). None: no streak."""
    ratings = referral_failing_quarters(company=company, year=year)
    if len(ratings) < 2:
        return None, False
    quarters = [_quarter_snapshot(r) for r in ratings]
    existing = YearEndReferral.objects.select_for_update().filter(company=company, year=year)
    referral = existing.first()
    if referral is not None:
        if referral.state == YearEndReferral.State.DRAFT and referral.quarters != quarters:
            referral.quarters = quarters
            referral.report_text, referral.suggestion_text = _referral_texts(
                compound, company, year, quarters, referral.authority
            )
            referral.save(update_fields=["quarters", "report_text", "suggestion_text"])
            _referral_event(referral, actor=actor, verb="refresh", note=str(len(quarters)))
        return referral, False
    authority = organization_of_kind(compound=compound, kind=Kind.STREET_OFFICE)
    report, suggestion = _referral_texts(compound, company, year, quarters, authority)
    try:
        with transaction.atomic():
            referral = YearEndReferral.objects.create(
                compound=compound,
                company=company,
                year=year,
                authority=authority,
                quarters=quarters,
                report_text=report,
                suggestion_text=suggestion,
            )
    except IntegrityError:  # a concurrent run created it first
        return YearEndReferral.objects.get(company=company, year=year), False
    _referral_event(referral, actor=actor, verb="create", to_state=referral.state)
    return referral, True


@transaction.atomic
def year_end_referral_create(*, actor, compound: Compound, year: int) -> YearEndReferral:
    """The compound party organization prepares the year's report now (button).

    seed: 小区党组织服务承诺 第10条. Refused when the company did not fail two
    quarters in a row that year, or when the report already exists.
    """
    require_perm(
        actor,
        "evaluations.prepare_referral",
        compound,
        gettext("Only the compound party organization prepares this report."),
    )
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": gettext("Enter a year between 2000 and 2100.")})
    company = organization_of_kind(compound=compound, kind=Kind.PROPERTY_COMPANY)
    if company is None:
        raise ValidationError(gettext("The compound has no property company."))
    if YearEndReferral.objects.filter(company=company, year=year).exists():
        raise ValidationError(
            gettext("The year-end report for %(year)s already exists.") % {"year": year}
        )
    referral, _created = _referral_build(actor=actor, compound=compound, company=company, year=year)
    if referral is None:
        raise ValidationError(
            gettext("The company did not fail two quarters in a row in %(year)s.") % {"year": year}
        )
    return referral


def year_end_referral_year(today: dt.date) -> int | None:
    """Which year the year-end scan covers on ``today``: December → this year, January → last."""
    if today.month == 12:
        return today.year
    if today.month == 1:
        return today.year - 1
    return None


@transaction.atomic
def year_end_referrals_scan(*, year: int) -> list[YearEndReferral]:
    """Beat: a draft report for every company with a failing streak ending in ``year``.

    seed: 小区党组织服务承诺 第10条 ("在年底上报主管部门"). Safe to run twice: one
    referral per company and year (unique); a draft is refreshed, a submitted one
    is never touched. The compound party officers are told about each new draft.
    """
    created = []
    companies = (
        BlackListAlarm.objects.filter(rating__year=year)
        .values_list("company_id", "rating__compound_id")
        .distinct()
        .order_by("company_id")
    )
    for company_id, compound_id in companies:
        compound = Compound.objects.get(pk=compound_id)
        company = Organization.objects.get(pk=company_id)
        referral, was_created = _referral_build(
            actor=None, compound=compound, company=company, year=year
        )
        if was_created:
            created.append(referral)
            _notify_org(
                organization_of_kind(compound=compound, kind=Kind.COMPOUND_PARTY),
                subject=gettext("Year-end report on %(company)s is ready to check")
                % {"company": company.name},
                body=gettext(
                    "Check the report to the authority and the suggestion to the owners' "
                    "assembly, then submit them (小区党组织服务承诺 第10条)."
                ),
                link=f"/evaluations/redblack/referrals/{referral.pk}/",
            )
    return created


@transaction.atomic
def year_end_referral_submit(
    *, actor, referral: YearEndReferral, authority: Organization | None = None
) -> YearEndReferral:
    """Submit the report to the authority and the suggestion to the owners' assembly.

    seed: 小区党组织服务承诺 第10条. The authority's staff and the PMC officers (who
    put matters to the owners' assembly, 协同联动 第二条) are notified.
    """
    referral = lock(referral)
    require_perm(
        actor,
        "evaluations.prepare_referral",
        referral.compound,
        gettext("Only the compound party organization submits this report."),
    )
    if referral.state != YearEndReferral.State.DRAFT:
        raise CampaignStateError(gettext("This report was already submitted."))
    if authority is not None:
        if not referral_authorities(compound=referral.compound).filter(pk=authority.pk).exists():
            raise ValidationError({"authority": gettext("Choose a street-level authority.")})
        if authority.pk != referral.authority_id:
            referral.authority = authority
            referral.report_text, _s = _referral_texts(
                referral.compound, referral.company, referral.year, referral.quarters, authority
            )
    if referral.authority_id is None:
        raise ValidationError({"authority": gettext("Choose a street-level authority.")})
    old = referral.state
    referral.state = YearEndReferral.State.SUBMITTED
    referral.submitted_at = timezone.now()
    referral.save()
    _referral_event(
        referral,
        actor=actor,
        verb="submit",
        from_state=old,
        to_state=referral.state,
        note=referral.authority.name,
    )
    link = f"/evaluations/redblack/referrals/{referral.pk}/"
    subject = gettext("Red/black list: year-end report on %(company)s (%(year)s)") % {
        "company": referral.company.name,
        "year": referral.year,
    }
    _notify_org(
        referral.authority,
        subject=subject,
        body=referral.report_text[:500],
        link=link,
    )
    _notify_org(
        organization_of_kind(compound=referral.compound, kind=Kind.PMC),
        subject=subject,
        body=referral.suggestion_text[:500],
        link=link,
    )
    return referral


@transaction.atomic
def year_end_referral_propose_motion(*, actor, referral: YearEndReferral):
    """The PMC puts the suggestion to the owners' assembly as a draft motion, once.

    seed: 小区党组织服务承诺 第10条 (建议业主大会启动解聘程序); 民法典第278条 (四)
    (选聘和解聘物业服务企业). The motion is created by ``meetings.services.motion_propose``,
    which lets only PMC officers propose (协同联动 第二条), so the party organization's
    suggestion becomes a motion when a PMC officer adopts it here.
    """
    from meetings import services as meeting_services
    from meetings.models import OwnersAssemblyMotion

    referral = lock(referral)
    if referral.state != YearEndReferral.State.SUBMITTED:
        raise CampaignStateError(gettext("Submit the report before proposing the motion."))
    if referral.motion_id is not None:
        raise ValidationError(gettext("The motion was already proposed."))
    motion = meeting_services.motion_propose(
        actor=actor,
        compound=referral.compound,
        title=f"关于启动解聘{referral.company.name}程序的议案"[:200],
        body=referral.suggestion_text,
        matter=OwnersAssemblyMotion.Matter.COMPANY_SELECTION,
        working_group="小区党组织（红黑榜年终考评）",
    )
    referral.motion = motion
    referral.save(update_fields=["motion"])
    _referral_event(referral, actor=actor, verb="motion", note=f"#{motion.pk}")
    return motion
