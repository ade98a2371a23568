"""A complaint under random sequences of service calls by random roles (issue 13 item 2).

Hypothesis drives ``issues/services.py`` with any of the people of a compound (each
organization's staff, the reporter, a neighbour, nobody) through filing, 受理
(accept), 转办 (transfer), 签收 (the referral's acknowledgement), starting work,
progress, resolving, the reporter's confirmation, reopening, rating, re-tiering
(三事分流), the hazard flag, 吹哨 and 报到 (whistle and report-in) and 督办
(supervision). Whatever the order, a call may only be refused with the project's
validation or permission errors, and after every step:

* one event per transition: a step that changed the state wrote exactly one event
  from the old state to the new one; a step that did not, none; a refused step
  wrote nothing and changed nothing;
* the clocks match the state (小区党组织服务承诺 第3条: 48 小时内响应, 7 个工作日内反馈;
  第7条: 安全隐患 3 日内整改): a closed, rejected or merged complaint has no running
  clock and no next deadline; an open one's next deadline is its earliest running
  clock; a complaint waiting for its reporter has its clocks paused; a hazard that
  is still open has its 3-day clock;
* a resolved, closed or rejected complaint has its public explanation.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from issues import services
from issues.models import Category, Issue, IssueEvent, Referral, WhistleSummons
from tests.factories.world import compound_world
from tests.state.machine import SavepointMachine

# Setup-heavy: each run builds a world per example of a stateful search; left out of
# the quick loop (-m "not slow"), run by make test.
pytestmark = pytest.mark.slow

S = Issue.Status
#: What a refused call may raise: django's errors and the project's subclasses of them
#: (IssueStateError, RateLimited are ValidationErrors).
REFUSALS = (ValidationError, PermissionDenied)
ACTORS = (
    "street_office",
    "department",
    "community_party",
    "residents_committee",
    "rc_property_committee",
    "compound_party",
    "joint_meeting_office",
    "pmc",
    "property_company",
    "resident",
    "neighbour",
    "nobody",
)
SETTINGS = settings(
    max_examples=30,
    stateful_step_count=20,
    deadline=None,
    database=None,
    derandomize=True,  # the same runs on every CI build: a failure is reproducible
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
actors = st.sampled_from(ACTORS)


def likely(*roles):
    """The roles a rule is for: wrong actors and wrong states are the ``chaos`` rule's."""
    return st.sampled_from(roles)


OPEN = Issue.OPEN_STATES


def when(*states):
    """Enable a rule in these states only (the ``chaos`` rule calls any rule in any state)."""
    return precondition(lambda self: self.issue is not None and self.issue.status in states)


#: Rule -> its parameters other than ``who``, for the chaos rule (any call in any state).
CHAOS = {
    "accept": {},
    "transfer": {"to": "property_company"},
    "sign": {},
    "start": {},
    "progress": {},
    "ask_reporter": {},
    "reporter_reply": {},
    "resolve": {},
    "confirm": {"with_code": True},
    "reopen": {"with_code": True},
    "reject": {},
    "rate": {"rating": "unsatisfied"},
    "change_tier": {"tier": "big"},
    "hazard": {"hazard": True},
    "whistle": {"level": "community"},
    "report_in": {},
    "supervise": {},
}


#: The way through: 受理, 转办 to the company, 签收, work, progress, resolution, the
#: reporter's confirmation and rating.
HAPPY_PATH = [
    ("accept", {"who": "joint_meeting_office"}),
    ("transfer", {"who": "joint_meeting_office", "to": "property_company"}),
    ("sign", {"who": "property_company"}),
    ("start", {"who": "property_company"}),
    ("progress", {"who": "property_company"}),
    ("resolve", {"who": "property_company"}),
    ("confirm", {"who": "reporter", "with_code": True}),
    ("rate", {"who": "reporter", "rating": "satisfied"}),
]


class IssueMachine(SavepointMachine):
    world = None  # set by the test: one compound for every example
    reached: set = set()  # every state some run reached (checked by the test)

    def __init__(self):
        super().__init__()
        self.issue = None
        self.refused = 0

    def person(self, role):
        if role == "reporter":  # the resident, or nobody (the code) for an anonymous filing
            return self.issue.reporter
        if role == "nobody":
            return None
        if role in ("resident", "neighbour"):
            return getattr(self.world, role)
        return getattr(self.world.people, role)

    # --- the step wrapper: every call is checked the same way ------------------------

    def call(self, function, **kwargs):
        issue = self.issue
        issue.refresh_from_db()
        before = issue.status
        seen = set(IssueEvent.objects.filter(issue=issue).values_list("pk", flat=True))
        try:
            function(issue=issue, **kwargs)
        except REFUSALS:
            self.refused += 1
            issue.refresh_from_db()
            assert issue.status == before, f"{function.__name__} was refused but moved the state"
            assert not IssueEvent.objects.filter(issue=issue).exclude(pk__in=seen).exists(), (
                f"{function.__name__} was refused but wrote an event"
            )
            return False
        issue.refresh_from_db()
        type(self).reached.add(issue.status)
        new = IssueEvent.objects.filter(issue=issue).exclude(pk__in=seen)
        moves = [(e.from_state, e.to_state) for e in new if e.to_state not in ("", e.from_state)]
        if issue.status != before:
            assert moves == [(before, issue.status)], (
                f"{function.__name__}: {before} -> {issue.status} recorded as {moves}"
            )
        else:
            assert moves == [], f"{function.__name__} kept {before} but recorded {moves}"
        return True

    # --- rules ----------------------------------------------------------------------

    @initialize(
        hazard=st.booleans(),
        public=st.booleans(),
        anonymous=st.booleans(),
        depth=st.integers(0, len(HAPPY_PATH)),
    )
    def file(self, hazard, public, anonymous, depth):
        """File the complaint (logged in, or anonymously with a phone and a tracking code)
        and walk the first ``depth`` steps of the happy path, so the random steps start
        from every state (a random walk from the start rarely gets far)."""
        result = services.issue_submit(
            actor=None if anonymous else self.world.resident,
            compound=self.world.compound,
            category=Category.objects.get(code="environment"),
            description="3栋1单元楼道灯坏了一周，晚上很黑",
            building=self.world.building,
            is_public=public,
            is_hazard=hazard or None,
            reporter_name="匿名居民" if anonymous else "",
            reporter_phone="13700001234" if anonymous else "",
        )
        self.issue = result.issue
        self.code = result.tracking_code
        moves = list(self.issue.events.values_list("from_state", "to_state"))
        assert moves == [("", S.SUBMITTED)], f"filing recorded {moves}"
        for name, kwargs in HAPPY_PATH[:depth]:
            getattr(self, name)(**kwargs)

    def _ready(self):
        return self.issue is not None

    @when(S.SUBMITTED)
    @rule(who=likely("joint_meeting_office", "compound_party"))
    def accept(self, who):
        if self._ready():
            self.call(services.issue_accept, actor=self.person(who), note="已受理")

    @when(S.ACCEPTED, S.TRANSFERRED, S.IN_PROGRESS)
    @rule(
        who=likely("joint_meeting_office", "compound_party"),
        to=st.sampled_from(["property_company", "pmc", "residents_committee"]),
    )
    def transfer(self, who, to):
        if self._ready():
            org = getattr(self.world.orgs, to)
            self.call(
                services.issue_transfer, actor=self.person(who), organization=org, note="请处理"
            )

    @when(*OPEN)
    @rule(who=likely("property_company", "pmc", "residents_committee"))
    def sign(self, who):
        """签收: the referred organization acknowledges the referral."""
        if not self._ready():
            return
        referral = Referral.objects.filter(issue=self.issue, acknowledged_at=None).first()
        if referral is not None:
            self.call(
                lambda issue, **kw: services.referral_acknowledge(referral=referral, **kw),
                actor=self.person(who),
            )

    @when(S.ACCEPTED, S.TRANSFERRED, S.WAITING_REPORTER)
    @rule(who=likely("property_company"))
    def start(self, who):
        if self._ready():
            self.call(services.issue_start, actor=self.person(who), note="开始处理")

    @when(*OPEN)
    @rule(who=likely("property_company"))
    def progress(self, who):
        if self._ready():
            self.call(services.issue_post_progress, actor=self.person(who), note="已派维修工")

    @when(S.SUBMITTED, S.ACCEPTED, S.TRANSFERRED, S.IN_PROGRESS)
    @rule(who=likely("joint_meeting_office", "property_company"))
    def ask_reporter(self, who):
        if self._ready():
            self.call(
                services.issue_wait_for_reporter, actor=self.person(who), question="是哪一层？"
            )

    @when(S.WAITING_REPORTER)
    @rule(who=likely("reporter"))
    def reporter_reply(self, who):
        if self._ready():
            self.call(
                services.issue_reporter_reply,
                actor=self.person(who),
                note="是5楼",
                tracking_code=self.code,
            )

    @when(S.ACCEPTED, S.TRANSFERRED, S.IN_PROGRESS, S.WAITING_REPORTER)
    @rule(who=likely("property_company", "joint_meeting_office"))
    def resolve(self, who):
        if self._ready():
            self.call(
                services.issue_resolve,
                actor=self.person(who),
                explanation="已更换楼道灯泡并检查线路，恢复照明",
            )

    @when(S.RESOLVED)
    @rule(who=likely("reporter"), with_code=st.booleans())
    def confirm(self, who, with_code):
        if self._ready():
            self.call(
                services.issue_confirm,
                actor=self.person(who),
                tracking_code=self.code if with_code else None,
            )

    @when(S.RESOLVED, S.CLOSED)
    @rule(who=likely("reporter"), with_code=st.booleans())
    def reopen(self, who, with_code):
        if self._ready():
            self.call(
                services.issue_reopen,
                actor=self.person(who),
                reason="灯又不亮了",
                tracking_code=self.code if with_code else None,
            )

    @when(S.SUBMITTED, S.ACCEPTED, S.WAITING_REPORTER)
    @rule(who=likely("joint_meeting_office"))
    def reject(self, who):
        if self._ready():
            self.call(
                services.issue_reject,
                actor=self.person(who),
                explanation="该问题不属于小区公共事务，请联系供电公司处理，电话95598",
            )

    @when(S.RESOLVED, S.CLOSED)
    @rule(
        who=likely("reporter"),
        rating=st.sampled_from(["satisfied", "basic", "unsatisfied"]),
    )
    def rate(self, who, rating):
        if self._ready():
            self.call(
                services.satisfaction_record,
                actor=self.person(who),
                contacted=True,
                solved=rating != "unsatisfied",
                rating=rating,
                tracking_code=self.code,
            )

    @when(*OPEN)
    @rule(
        who=likely("compound_party", "joint_meeting_office"),
        tier=st.sampled_from(Issue.Tier.values),
    )
    def change_tier(self, who, tier):
        if self._ready():
            self.call(
                services.issue_change_tier, actor=self.person(who), tier=tier, reason="重新分流"
            )

    @when(*OPEN)
    @rule(who=likely("compound_party", "joint_meeting_office"), hazard=st.booleans())
    def hazard(self, who, hazard):
        if self._ready():
            self.call(
                services.issue_set_hazard,
                actor=self.person(who),
                is_hazard=hazard,
                reason="电线裸露，有触电危险",
            )

    @when(*OPEN)
    @rule(
        who=likely("community_party", "compound_party"),
        level=st.sampled_from(["community", "street"]),
    )
    def whistle(self, who, level):
        if self._ready():
            self.call(
                services.whistle_blow,
                actor=self.person(who),
                level=level,
                organizations=[self.world.orgs.pmc, self.world.orgs.department],
                reason="业主与物业分歧大，需要多方协调",
            )

    @when(*OPEN)
    @rule(who=likely("pmc", "department"))
    def report_in(self, who):
        if not self._ready():
            return
        summons = WhistleSummons.objects.filter(whistle__issue=self.issue, reported_at=None).first()
        if summons is not None:
            self.call(
                lambda issue, **kw: services.whistle_report_in(summons=summons, **kw),
                actor=self.person(who),
                contribution="派人到场协调",
            )

    @when(*OPEN)
    @rule(who=likely("compound_party", "rc_property_committee"))
    def supervise(self, who):
        if self._ready():
            self.call(
                services.supervision_order_issue,
                actor=self.person(who),
                organization=self.world.orgs.property_company,
                due=timezone.now() + dt.timedelta(days=3),
                instruction="请三日内处理完毕并报告",
            )

    @rule(name=st.sampled_from(sorted(CHAOS)), who=actors)
    def chaos(self, name, who):
        """Any call, by anyone, whatever the state: refused cleanly or done right."""
        if self._ready():
            getattr(self, name)(who=who, **CHAOS[name])

    # --- invariants -----------------------------------------------------------------

    @invariant()
    def clocks_match_the_state(self):
        if self.issue is None:
            return
        issue = Issue.objects.get(pk=self.issue.pk)
        running = services.running_clocks(issue)
        # 第3条: the 48-hour response and 7-working-day feedback clocks start at filing.
        assert issue.response_due is not None, "no response deadline"
        assert issue.feedback_due is not None, "no feedback deadline"
        if issue.status == S.ACCEPTED:
            assert issue.accepted_at is not None, "accepted without its acceptance time"
        if issue.status not in Issue.OPEN_STATES:
            assert running == [], f"{issue.status}: clocks still running {running}"
            assert issue.next_deadline is None, f"{issue.status}: next {issue.next_deadline}"
        if issue.status == S.WAITING_REPORTER:
            assert issue.paused_at is not None, "waiting for the reporter, clocks not paused"
        elif issue.status in Issue.OPEN_STATES:
            assert issue.paused_at is None, f"{issue.status} with paused clocks"
            dues = [due for _clock, due in running]
            assert issue.next_deadline == (min(dues) if dues else None), (
                f"{issue.status}: next deadline {issue.next_deadline}, running {running}"
            )
            if issue.is_hazard:
                assert issue.hazard_due is not None, "an open hazard without its 3-day clock"
        if issue.status == S.CLOSED:
            assert issue.closed_at is not None
        if issue.status == S.RESOLVED:
            assert issue.resolved_at is not None

    @invariant()
    def closed_has_explanation(self):
        if self.issue is None:
            return
        issue = Issue.objects.get(pk=self.issue.pk)
        if issue.status in (S.RESOLVED, S.CLOSED, S.REJECTED):
            assert issue.public_explanation.strip(), f"{issue.status} without an explanation"


@pytest.mark.django_db
def test_issue_machine():
    IssueMachine.world = compound_world()
    run_state_machine_as_test(IssueMachine, settings=SETTINGS)
    # The runs went somewhere: the machine is not refusing everything.
    deep = {S.ACCEPTED, S.TRANSFERRED, S.IN_PROGRESS, S.RESOLVED, S.CLOSED}
    assert deep <= IssueMachine.reached, IssueMachine.reached
