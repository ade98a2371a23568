"""Who may run, see and act on the evaluation and the red/black list (`rules` permissions).

Services check these with ``huashan.core.services.require_perm`` (superusers
pass ``has_perm``; every predicate here that a superuser should pass says so)
or, where a superuser must *not* pass by default, with ``rules.test_rule``:
the results while scoring runs (issue 14 item 1), objections and the survey
(residents' voice). Objects passed are a :class:`Campaign`, a :class:`Target`,
a :class:`Community`, a :class:`Compound` or a :class:`QuarterRating`, as noted.

* ``evaluations.organize`` (campaign, community or compound): community party
  officers (评议监督考核制度 第一条 "由社区党组织具体负责")
* ``evaluations.print_slips`` (campaign): the organizers — issue the ballot tokens and
  fetch the stored slips (see ``evaluations.services.slips``)
* ``evaluations.approve`` (campaign): street office officers (第五条 "经街道党工委审定")
* ``evaluations.enter_paper`` (campaign): the organizers and the joint-meeting office
  (clerks of the review meeting, 第三条)
* ``evaluations.view_staff`` (campaign): the above plus staff covering a compound
* ``evaluations.view_results`` (campaign): see :func:`can_view_results`
* ``evaluations.submit_report`` (target): the target's own officers/staff, or the
  organizers (第三条 述职)
* ``evaluations.object`` (campaign): residents and staff of a covered compound (第五条 公示)
* ``evaluations.rate_quarter`` (compound): organizers and the joint-meeting office
  (小区党组织服务承诺 第10条 红黑榜)
* ``evaluations.answer_survey`` (quarter rating): residents of its compound
* ``evaluations.prepare_referral`` (compound): compound party officers
  (小区党组织服务承诺 第10条: the compound party organization reports to the
  authority and makes the suggestion)
* ``evaluations.view_referral`` (compound): staff covering the compound (incl. street bodies)
* ``evaluations.give_supervisor_opinion`` (compound): the 义务质量总监 of its property company
  (决策报告制度 第四条)
"""

from __future__ import annotations

from typing import Any

import rules

from huashan.directory.models import Community, Compound, Membership, Organization
from huashan.directory.rules import (
    OFFICER_ROLES,
    can_approve_evaluation,
    can_organize_evaluation,
    can_run_meeting_office,
    has_role_in_kind,
    is_active_person,
    is_quality_supervisor,
    is_resident_of_compound,
    is_staff_of_compound,
    is_superuser,
)

from .models import Campaign

Kind = Organization.Kind
State = Campaign.State

#: seed: 评议监督考核制度 第五条 — results exist from the preliminary results (初步结果) on.
RESULTS_STATES = frozenset(Campaign.ORDER[Campaign.ORDER.index(State.PRELIMINARY) :])
#: From publicity (公示) on, everyone sees them.
RESULTS_PUBLIC_STATES = frozenset(Campaign.ORDER[Campaign.ORDER.index(State.PUBLICITY) :])

#: Seats that make a person speak for a target body (not residents with a voice).
_VOICE_ROLES = ("party_member", "owner_representative", "resident_group_leader")


def scope_compounds(obj: Any) -> list[Compound]:
    """The compounds a campaign, community or compound stands for (permission scope)."""
    if isinstance(obj, Campaign):
        return obj.compounds
    if isinstance(obj, Community):
        return list(obj.compounds.order_by("pk"))
    return [obj]


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _in_any(predicate, user: Any, obj: Any) -> bool:
    """The predicate holds for one of the compounds (a community campaign covers several)."""
    return any(predicate.test(user, compound) for compound in scope_compounds(obj))


@rules.predicate
def can_organize(user: Any, obj: Any) -> bool:
    return _in_any(can_organize_evaluation, user, obj)


#: Printing ballot slips issues every evaluator's one-time token, and the stored slips
#: hold those tokens in plaintext: the organizers only (评议监督考核制度 第一条, 第三条).
can_print_slips = can_organize


@rules.predicate
def can_approve(user: Any, campaign: Campaign) -> bool:
    return _in_any(can_approve_evaluation, user, campaign)


@rules.predicate
def can_enter_paper(user: Any, campaign: Campaign) -> bool:
    """Clerks of the review meeting: the organizers and the joint-meeting office."""
    return can_organize.test(user, campaign) or _in_any(can_run_meeting_office, user, campaign)


@rules.predicate
def can_view_staff(user: Any, campaign: Campaign) -> bool:
    return (
        can_enter_paper.test(user, campaign)
        or can_approve.test(user, campaign)
        or _in_any(is_staff_of_compound, user, campaign)
    )


@rules.predicate
def is_target_member(user: Any, campaign: Campaign) -> bool:
    """The user belongs to an evaluated body, or is an evaluated PMC member (第二条)."""
    if not _authenticated(user):
        return False
    targets = campaign.targets.all()
    if targets.filter(member_id=user.pk).exists():
        return True
    return (
        Membership.objects.current()
        .filter(person_id=user.pk, organization_id__in=targets.values("organization_id"))
        .exists()
    )


@rules.predicate
def can_view_results(user: Any, campaign: Campaign) -> bool:
    """Who sees results, in any form (page, PDF, .xlsx, API, manage page) — issue 14 item 1.

    seed: 评议监督考核制度 第一条 (民主测评) and 第五条 (初步结果公示). While scoring
    runs nobody does — not the organizers, not the street, not a superuser: a
    result that moves as ballots arrive tells who scored what. The preliminary
    results are seen first by the organizers and the street (staff of the
    campaign), never by the bodies being evaluated; from publicity on by everyone.
    """
    if campaign.state in RESULTS_PUBLIC_STATES:
        return True
    if campaign.state not in RESULTS_STATES:
        return False
    return can_view_staff.test(user, campaign) and not is_target_member.test(user, campaign)


@rules.predicate
def can_submit_report(user: Any, target: Any) -> bool:
    """A target's own officers and staff (or the organizers) file its 述职 report."""
    if can_organize.test(user, target.campaign):
        return True
    if not _authenticated(user):
        return False
    if target.member_id and target.member_id == user.pk:
        return True
    return (
        Membership.objects.current()
        .filter(person_id=user.pk, organization=target.organization)
        .exclude(role__in=_VOICE_ROLES)
        .exists()
    )


@rules.predicate
def can_object(user: Any, campaign: Campaign) -> bool:
    """Residents and staff of a covered compound object during publicity (第五条)."""
    return _authenticated(user) and (
        _in_any(is_resident_of_compound, user, campaign)
        or _in_any(is_staff_of_compound, user, campaign)
    )


@rules.predicate
def can_rate_quarter(user: Any, compound: Compound) -> bool:
    return bool(can_organize_evaluation.test(user, compound)) or bool(
        can_run_meeting_office.test(user, compound)
    )


@rules.predicate
def can_answer_survey(user: Any, rating: Any) -> bool:
    """Residents of the rated compound answer its quarter survey (红黑榜 evidence)."""
    return bool(is_resident_of_compound.test(user, rating.compound))


prepare_referral = is_active_person & (
    has_role_in_kind({Kind.COMPOUND_PARTY}, OFFICER_ROLES) | is_superuser
)
view_referral = is_active_person & (is_staff_of_compound | is_superuser)

#: 决策报告制度 第四条 "结合年度考评工作，对物业服务企业提出评价意见": the person holding the
#: 义务质量总监 role in the compound's property company (obj: Compound); no superuser.
give_supervisor_opinion = is_active_person & is_quality_supervisor

PERMISSIONS = {
    "evaluations.organize": can_organize,
    "evaluations.approve": can_approve,
    "evaluations.print_slips": can_print_slips,
    "evaluations.enter_paper": can_enter_paper,
    "evaluations.view_staff": can_view_staff,
    "evaluations.view_results": can_view_results,
    "evaluations.submit_report": can_submit_report,
    "evaluations.object": can_object,
    "evaluations.rate_quarter": can_rate_quarter,
    "evaluations.answer_survey": can_answer_survey,
    "evaluations.prepare_referral": prepare_referral,
    "evaluations.view_referral": view_referral,
    "evaluations.give_supervisor_opinion": give_supervisor_opinion,
}

for _name, _pred in PERMISSIONS.items():
    rules.set_perm(_name, _pred)
    rules.set_rule(_name, _pred)
