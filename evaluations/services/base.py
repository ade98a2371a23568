"""Shared pieces of the evaluation services: constants, errors, permissions, helpers."""

from __future__ import annotations

import hashlib
import logging
from decimal import Decimal
from typing import Any

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext

from huashan.core.services import acting_person
from huashan.core.state import lock, record_event
from huashan.directory.models import Compound, Organization, Person
from huashan.directory.selectors import organization_recipients
from huashan.notify.services import notify_organization

from .. import rules as perms
from ..models import (
    Campaign,
    CampaignEvent,
)

State = Campaign.State
Kind = Organization.Kind
logger = logging.getLogger("evaluations.services")  # one name for the package

TOKEN_BYTES = 18
TEXT_MAX = 2000
REPORT_TEXT_MAX = 20000
REPORT_PDF_MAX = 10 * 1024 * 1024
#: How many cast ballots *per target* stay in the holding area while the sweep writes the
#: rest (a pool mix): every ballot written is a random one of at least this many waiting
#: ones of its target — a written ballot shows its target, so only those hide it — and
#: neither its row nor its transaction follows the order people voted in. Per target, so
#: the PMC members evaluated one by one (物业管理委员会服务承诺 第4条) do not thin the pool.
#: Everything is written when scoring closes (评议监督考核制度 第五条 初步结果).
BALLOT_POOL = 10
#: 物业管理委员会服务承诺 第4条: "满意度低于60%的委员主动辞职".
PMC_MEMBER_SATISFACTION_MIN = Decimal("60")

#: seed: 评议监督考核制度 第四条 — the four areas, with the street's default points (total 100).
DEFAULT_TEMPLATE: list[tuple[str, list[tuple[str, int]]]] = [
    (
        "落实“三方联动”机制情况",
        [("参加联席会议、落实议定事项", 10), ("信息互通、协同处置小区事务", 10)],
    ),
    (
        "履行服务承诺、履行职责（服务合同）情况",
        [("年度服务承诺兑现情况", 15), ("履行职责（服务合同）情况", 15)],
    ),
    (
        "居民反映投诉问题受理及解决情况",
        [("问题受理及时（48小时响应）", 10), ("问题解决及居民满意度", 15)],
    ),
    (
        "小区秩序及安全管理服务情况",
        [("环境卫生与公共秩序", 10), ("消防、电梯等安全隐患排查整改", 15)],
    ),
]

#: Per-transition permission (seed: 第五条 — only the street approves).
TRANSITION_PERMISSION = {
    State.APPROVED: "approve",
    State.CIRCULATED: "approve",
}


class CampaignStateError(ValidationError):
    """The campaign is not in a state that allows this step."""


class BallotRefused(ValidationError):
    """The token is unknown, already used, or the campaign is not scoring."""


# --- permissions (predicates in evaluations/rules.py) ------------------------------
#
# The ``may_*`` names stay for views, templates and other apps; each is the
# rule itself. Services check with ``require_perm`` (or ``_require_rule`` where a
# superuser must not pass by default: objections and the survey are residents'
# voice), exactly as the other apps do.

RESULTS_STATES = perms.RESULTS_STATES
RESULTS_PUBLIC_STATES = perms.RESULTS_PUBLIC_STATES
_scope = perms.scope_compounds
is_target_member = perms.is_target_member.test
may_organize = perms.can_organize.test
may_approve = perms.can_approve.test
may_enter_paper = perms.can_enter_paper.test
may_view_staff = perms.can_view_staff.test
may_view_results = perms.can_view_results.test
may_submit_report = perms.can_submit_report.test
may_object = perms.can_object.test
may_rate_quarter = perms.can_rate_quarter.test


def may_prepare_referral(user: Any, compound: Compound) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(
        "evaluations.prepare_referral", compound
    )


def may_view_referral(user: Any, compound: Compound) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(
        "evaluations.view_referral", compound
    )


def _denied() -> str:
    return gettext("You may not do this.")


def _require_rule(actor, name: str, obj, message: str) -> None:
    """Like ``require_perm`` but without the superuser pass of ``has_perm``."""
    if acting_person(actor) is None or not rules.test_rule(name, actor, obj):
        raise PermissionDenied(message)


def _lock(campaign: Campaign) -> Campaign:
    return lock(campaign)


def _event(campaign: Campaign, *, actor, verb: str, from_state="", to_state="", note="") -> None:
    record_event(
        CampaignEvent,
        campaign=campaign,
        actor=actor,
        verb=verb,
        from_state=from_state,
        to_state=to_state,
        note=note,
    )


def _officers(organization: Organization) -> list[Person]:
    """Who hears the organization's business: the one rule in docs/roles.md "Who is told"."""
    return organization_recipients(organization=organization)


def _notify_org(organization: Organization | None, *, subject: str, body: str, link="") -> None:
    notify_organization(organization=organization, subject=subject, body=body, link=link)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()
