"""Services of the meetings app: schedule, notice, agenda, minutes, summary, agreed items,
decision reports, owners' assembly motions and forum opinions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from huashan.directory.models import Membership
from huashan.notify.models import Notification
from issues.models import Issue
from issues.services import AGENDA_HOOK
from meetings import services
from meetings.models import (
    ActionItem,
    AgendaTopic,
    Attendance,
    DecisionReport,
    ForumOpinion,
    Meeting,
    MeetingEvent,
    MeetingMember,
    Minutes,
    MinutesVersion,
    MotionVote,
    OwnersAssemblyMotion,
    Summary,
    SummarySignature,
)
from meetings.services import motions as motion_services
from tests.factories.directory import (
    BuildingFactory,
    CompoundFactory,
    HouseholdFactory,
    MembershipFactory,
    ResidencyFactory,
)
from tests.factories.issues import CategoryFactory, IssueFactory
from tests.meetings.conftest import CN, MEETING_START, hold


def _errors(exc: ValidationError) -> dict:
    return exc.message_dict


# --- scheduling -----------------------------------------------------------------


def test_create_derives_members_and_observers(joint_meeting, world):
    members = {m.person_id: m.role for m in joint_meeting.members.all()}
    assert members[world.people.community_party.pk] == MeetingMember.Role.MEMBER
    assert members[world.people.pmc.pk] == MeetingMember.Role.MEMBER
    assert members[world.company_chair.pk] == MeetingMember.Role.MEMBER
    assert members[world.grid_worker.pk] == MeetingMember.Role.OBSERVER
    assert members[world.owner_representative.pk] == MeetingMember.Role.OBSERVER
    # Property company staff attend as observers (第三条 物业服务企业工作人员).
    assert members[world.people.property_company.pk] == MeetingMember.Role.OBSERVER
    assert world.people.street_office.pk not in members
    assert joint_meeting.chair == world.people.community_party
    assert MeetingEvent.objects.filter(meeting=joint_meeting, verb="create").count() == 1


def test_dr4_the_quality_supervisor_attends_the_joint_meeting_as_an_observer(joint_meeting, world):
    """决策报告制度 第四条 "积极参与街道和社区党组织牵头建立的……联席会议": the company's
    current volunteer quality supervisor is derived as an observer; a former one is not."""
    supervisor = MembershipFactory(
        organization=world.orgs.property_company, role=Membership.Role.QUALITY_SUPERVISOR
    ).person
    former = MembershipFactory(
        organization=world.orgs.property_company,
        role=Membership.Role.QUALITY_SUPERVISOR,
        start=dt.date(2024, 1, 1),
        end=dt.date(2025, 12, 31),
    ).person
    services.meeting_members_derive(meeting=joint_meeting)
    members = {m.person_id: m.role for m in joint_meeting.members.all()}
    assert members[supervisor.pk] == MeetingMember.Role.OBSERVER
    assert former.pk not in members


def test_jm3_sent_down_cadres_attend_the_joint_meeting_as_observers(joint_meeting, world):
    """联席会议议事规则 第三条 "可列席会议的人员包括……下沉党员干部": a cadre sent down to the
    community (or to the compound) is derived as an observer; a former one is not, nor one
    sent down to another community."""
    from tests.factories.meetings import meeting_world

    to_community = MembershipFactory(
        organization=world.orgs.community_party, role=Membership.Role.SENT_DOWN_CADRE
    ).person
    to_compound = MembershipFactory(
        organization=world.orgs.compound_party, role=Membership.Role.SENT_DOWN_CADRE
    ).person
    former = MembershipFactory(
        organization=world.orgs.community_party,
        role=Membership.Role.SENT_DOWN_CADRE,
        start=dt.date(2025, 1, 1),
        end=dt.date(2026, 3, 24),  # the day before the meeting
    ).person
    elsewhere = MembershipFactory(
        organization=meeting_world().orgs.community_party, role=Membership.Role.SENT_DOWN_CADRE
    ).person
    services.meeting_members_derive(meeting=joint_meeting)
    members = {m.person_id: m.role for m in joint_meeting.members.all()}
    assert members[to_community.pk] == MeetingMember.Role.OBSERVER
    assert members[to_compound.pk] == MeetingMember.Role.OBSERVER
    assert former.pk not in members
    assert elsewhere.pk not in members


def test_meeting_in_the_past_is_refused(world, clock):
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            actor=world.meeting_clerk,
            compound=world.compound,
            kind="joint",
            title="补开会议",
            start=dt.datetime(2026, 2, 25, 15, 0, tzinfo=CN),
            end=dt.datetime(2026, 2, 25, 17, 0, tzinfo=CN),
            place="会议室",
        )
    assert "start" in _errors(exc.value)


def test_end_before_start_is_refused(world, clock):
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            actor=world.meeting_clerk,
            compound=world.compound,
            kind="joint",
            title="会议",
            start=MEETING_START,
            end=MEETING_START - dt.timedelta(hours=1),
            place="会议室",
        )
    assert "end" in _errors(exc.value)


def test_overlapping_meeting_in_the_same_room_is_refused(joint_meeting, world):
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            actor=world.people.residents_committee,
            compound=world.compound,
            kind="residents_forum",
            title="民情恳谈会",
            start=MEETING_START + dt.timedelta(hours=1),
            end=MEETING_START + dt.timedelta(hours=3),
            place="小区党群服务中心会议室",
        )
    assert "place" in _errors(exc.value)


def test_joint_meeting_outside_last_week_needs_ad_hoc_reason(world, clock):
    kwargs = dict(
        actor=world.meeting_clerk,
        compound=world.compound,
        kind="joint",
        title="临时联席会议",
        start=dt.datetime(2026, 3, 12, 15, 0, tzinfo=CN),
        end=dt.datetime(2026, 3, 12, 16, 0, tzinfo=CN),
        place="会议室",
    )
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(**kwargs)
    assert "is_ad_hoc" in _errors(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(**kwargs, is_ad_hoc=True)
    assert "ad_hoc_reason" in _errors(exc.value)
    meeting = services.meeting_create(**kwargs, is_ad_hoc=True, ad_hoc_reason="电梯停运需紧急协调")
    assert meeting.is_ad_hoc


def test_chair_must_be_a_party_head(world, clock):
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            actor=world.meeting_clerk,
            compound=world.compound,
            kind="joint",
            title="会议",
            start=MEETING_START,
            end=MEETING_START + dt.timedelta(hours=1),
            place="会议室",
            chair=world.people.property_company,
        )
    assert "chair" in _errors(exc.value)


def test_resident_cannot_schedule(world, clock):
    with pytest.raises(PermissionDenied):
        services.meeting_create(
            actor=world.resident,
            compound=world.compound,
            kind="joint",
            title="会议",
            start=MEETING_START,
            end=MEETING_START + dt.timedelta(hours=1),
            place="会议室",
        )


# --- notice -----------------------------------------------------------------------


def test_notice_numbers_are_sequential_per_compound_and_year(joint_meeting, world, clock):
    second = services.meeting_create(
        actor=world.meeting_clerk,
        compound=world.compound,
        kind="joint",
        title="临时会议",
        start=dt.datetime(2026, 3, 20, 9, 0, tzinfo=CN),
        end=dt.datetime(2026, 3, 20, 10, 0, tzinfo=CN),
        place="会议室二",
        is_ad_hoc=True,
        ad_hoc_reason="消防通道整治",
    )
    n1 = services.meeting_send_notice(actor=world.meeting_clerk, meeting=joint_meeting)
    n2 = services.meeting_send_notice(actor=world.meeting_clerk, meeting=second)
    assert n1.document_number == "花山联〔2026〕1号"
    assert n2.document_number == "花山联〔2026〕2号"
    other = services.notice_number_allocate(compound=CompoundFactory(), year=2026)
    assert other == 1


def test_notice_goes_to_four_bodies_and_copies(joint_meeting, world):
    notice = services.meeting_send_notice(actor=world.meeting_clerk, meeting=joint_meeting)
    main = {r.organization.kind for r in notice.receipts.filter(line="main")}
    copies = {r.organization.kind for r in notice.receipts.filter(line="copy")}
    assert main == {"community_party", "residents_committee", "pmc", "property_company"}
    assert copies == {"compound_party", "rc_property_committee"}
    assert "主送" in notice.body
    assert "抄送" in notice.body
    assert Notification.objects.filter(recipient=world.company_chair).exists()
    joint_meeting.refresh_from_db()
    assert joint_meeting.status == Meeting.Status.NOTICE_SENT


def test_notice_cannot_be_sent_twice(joint_meeting, world):
    services.meeting_send_notice(actor=world.meeting_clerk, meeting=joint_meeting)
    with pytest.raises(services.MeetingStateError):
        services.meeting_send_notice(actor=world.meeting_clerk, meeting=joint_meeting)


def test_notice_receipt_signed_only_by_the_body(joint_meeting, world):
    notice = services.meeting_send_notice(actor=world.meeting_clerk, meeting=joint_meeting)
    receipt = notice.receipts.get(organization=world.orgs.pmc)
    with pytest.raises(PermissionDenied):
        services.notice_sign(actor=world.people.property_company, receipt=receipt)
    signed = services.notice_sign(actor=world.people.pmc, receipt=receipt)
    first = signed.signed_at
    assert signed.signed_by == world.people.pmc
    again = services.notice_sign(actor=world.pmc_members[0], receipt=receipt)
    assert again.signed_at == first  # idempotent


# --- state guards ---------------------------------------------------------------------


def test_cannot_hold_a_joint_meeting_without_notice(joint_meeting, world, clock):
    clock.move_to(MEETING_START + dt.timedelta(minutes=1))
    with pytest.raises(services.MeetingStateError):
        services.meeting_mark_held(actor=world.meeting_clerk, meeting=joint_meeting)


def test_cannot_hold_before_start_or_record_attendance_early(joint_meeting, world):
    services.meeting_send_notice(actor=world.meeting_clerk, meeting=joint_meeting)
    with pytest.raises(services.MeetingStateError):
        services.meeting_mark_held(actor=world.meeting_clerk, meeting=joint_meeting)
    with pytest.raises(services.MeetingStateError):
        services.attendance_record(
            actor=world.meeting_clerk,
            meeting=joint_meeting,
            person=world.people.pmc,
            status="present",
        )


def test_cancelled_meeting_cannot_be_held_and_topics_return(joint_meeting, world, clock):
    topic = services.topic_propose(
        actor=world.people.pmc, compound=world.compound, title="电梯维保", meeting=joint_meeting
    )
    services.meeting_cancel(actor=world.meeting_clerk, meeting=joint_meeting, reason="主持人出差")
    topic.refresh_from_db()
    assert topic.meeting is None
    assert topic.status == AgendaTopic.Status.PROPOSED
    clock.move_to(MEETING_START + dt.timedelta(minutes=1))
    with pytest.raises(services.MeetingStateError):
        services.meeting_mark_held(actor=world.meeting_clerk, meeting=joint_meeting)
    with pytest.raises(ValidationError):
        services.meeting_cancel(actor=world.meeting_clerk, meeting=joint_meeting, reason="")


def test_attendance_delegate_needs_a_name_and_only_listed_people(joint_meeting, world, clock):
    hold(joint_meeting, world, clock)
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(
            actor=world.meeting_clerk,
            meeting=joint_meeting,
            person=world.people.pmc,
            status="delegate",
        )
    assert "delegate_name" in _errors(exc.value)
    with pytest.raises(ValidationError):
        services.attendance_record(
            actor=world.meeting_clerk,
            meeting=joint_meeting,
            person=world.resident,
            status="present",
        )
    a = services.attendance_record(
        actor=world.meeting_clerk,
        meeting=joint_meeting,
        person=world.people.pmc,
        status="unexcused",
    )
    a = services.attendance_record(
        actor=world.meeting_clerk, meeting=joint_meeting, person=world.people.pmc, status="excused"
    )
    assert Attendance.objects.get(pk=a.pk).status == "excused"


# --- agenda ----------------------------------------------------------------------------


def test_topic_lifecycle_accept_merge_defer_reject(joint_meeting, world):
    office = world.meeting_clerk
    t1 = services.topic_propose(actor=world.people.pmc, compound=world.compound, title="停车难")
    assert t1.meeting == joint_meeting  # waits for the next joint meeting
    t2 = services.topic_propose(
        actor=world.people.residents_committee, compound=world.compound, title="停车位分配"
    )
    t3 = services.topic_propose(
        actor=world.people.property_company, compound=world.compound, title="绿化"
    )
    t4 = services.topic_propose(
        actor=world.people.property_company, compound=world.compound, title="广告"
    )
    services.topic_accept(actor=office, topic=t1)
    services.topic_merge(actor=office, topic=t2, into=t1, reason="同一事项")
    services.topic_defer(actor=office, topic=t3, reason="等待报价")
    with pytest.raises(ValidationError):
        services.topic_reject(actor=office, topic=t4, reason="  ")
    services.topic_reject(actor=office, topic=t4, reason="不属于联席会议职责")
    t3.refresh_from_db()
    assert t3.meeting is None
    assert t3.status == "deferred"
    with pytest.raises(services.MeetingStateError):
        services.topic_accept(actor=office, topic=t4, meeting=joint_meeting)
    with pytest.raises(PermissionDenied):
        services.topic_accept(actor=world.people.pmc, topic=t3, meeting=joint_meeting)


def test_topic_reorder_requires_exactly_the_accepted_topics(joint_meeting, world):
    a = services.topic_propose(actor=world.people.pmc, compound=world.compound, title="甲")
    b = services.topic_propose(actor=world.people.pmc, compound=world.compound, title="乙")
    services.topic_accept(actor=world.meeting_clerk, topic=a)
    services.topic_accept(actor=world.meeting_clerk, topic=b)
    with pytest.raises(ValidationError):
        services.topic_reorder(actor=world.meeting_clerk, meeting=joint_meeting, topic_ids=[a.pk])
    with pytest.raises(ValidationError):
        services.topic_reorder(
            actor=world.meeting_clerk, meeting=joint_meeting, topic_ids=["x", a.pk]
        )
    services.topic_reorder(actor=world.meeting_clerk, meeting=joint_meeting, topic_ids=[b.pk, a.pk])
    from meetings.selectors import meeting_agenda

    assert [t.title for t in meeting_agenda(meeting=joint_meeting)] == ["乙", "甲"]


def test_big_complaint_proposes_a_topic_once(joint_meeting, world):
    assert services.agenda_hook in AGENDA_HOOK
    issue = IssueFactory(compound=world.compound, description="地下车库长期积水")
    topic = services.topic_propose_from_issue(
        issue=issue, actor=world.meeting_clerk, reason="大事联办"
    )
    assert topic.source == AgendaTopic.Source.COMPLAINT
    assert topic.meeting == joint_meeting
    assert "地下车库长期积水" in topic.title
    assert services.topic_propose_from_issue(issue=issue, actor=world.meeting_clerk) is None
    assert AgendaTopic.objects.filter(issue=issue).count() == 1


def test_issue_change_tier_to_big_runs_the_hook(
    joint_meeting, world, django_capture_on_commit_callbacks
):
    from issues.services import issue_change_tier

    issue = IssueFactory(compound=world.compound, status=Issue.Status.ACCEPTED)
    with django_capture_on_commit_callbacks(execute=True):
        issue_change_tier(
            actor=world.people.compound_party, issue=issue, tier="big", reason="涉及全体业主"
        )
    assert AgendaTopic.objects.filter(issue=issue, source="complaint").exists()


# --- minutes and summary -------------------------------------------------------------


def _approved_meeting(joint_meeting, world, clock):
    topic = services.topic_propose(actor=world.people.pmc, compound=world.compound, title="停车难")
    services.topic_accept(actor=world.meeting_clerk, topic=topic)
    hold(joint_meeting, world, clock)
    services.minutes_save_draft(
        actor=world.meeting_clerk,
        meeting=joint_meeting,
        topic=topic,
        discussion="讨论",
        outcome="同意",
    )
    summary = services.summary_draft(actor=world.meeting_clerk, meeting=joint_meeting)
    summary = services.summary_submit_for_countersign(actor=world.meeting_clerk, summary=summary)
    for kind in ("community_party", "residents_committee", "pmc", "property_company"):
        services.summary_countersign(
            actor=getattr(world.people, kind),
            summary=summary,
            organization=getattr(world.orgs, kind),
        )
    summary = services.summary_approve(actor=world.community_secretary, summary=summary)
    return topic, summary


def test_minutes_autosave_is_idempotent(joint_meeting, world, clock, django_assert_max_num_queries):
    hold(joint_meeting, world, clock)
    m1 = services.minutes_save_draft(
        actor=world.meeting_clerk, meeting=joint_meeting, discussion="开始"
    )
    m2 = services.minutes_save_draft(
        actor=world.meeting_clerk, meeting=joint_meeting, discussion="开始记录", outcome="待定"
    )
    assert m1.pk == m2.pk
    assert Minutes.objects.get(pk=m1.pk).discussion == "开始记录"
    before = Minutes.objects.get(pk=m1.pk).updated_at
    clock.shift(dt.timedelta(seconds=5))
    services.minutes_save_draft(
        actor=world.meeting_clerk, meeting=joint_meeting, discussion="开始记录"
    )
    assert Minutes.objects.get(pk=m1.pk).updated_at == before  # nothing written
    with pytest.raises(ValidationError):
        services.minutes_save_draft(actor=world.meeting_clerk, meeting=joint_meeting, bogus="x")
    with pytest.raises(ValidationError):
        services.minutes_save_draft(
            actor=world.meeting_clerk, meeting=joint_meeting, discussion="长" * 20001
        )
    assert Minutes.objects.get(pk=m1.pk).version == 1


def test_summary_needs_all_countersignatures_before_approval(joint_meeting, world, clock):
    hold(joint_meeting, world, clock)
    services.minutes_save_draft(actor=world.meeting_clerk, meeting=joint_meeting, discussion="记录")
    summary = services.summary_draft(actor=world.meeting_clerk, meeting=joint_meeting)
    assert "记录" in summary.body
    summary = services.summary_submit_for_countersign(actor=world.meeting_clerk, summary=summary)
    services.summary_countersign(
        actor=world.people.pmc, summary=summary, organization=world.orgs.pmc
    )
    with pytest.raises(services.MeetingStateError) as exc:
        services.summary_approve(actor=world.community_secretary, summary=summary)
    assert exc.value.code == "countersign_missing"
    with pytest.raises(PermissionDenied):
        services.summary_countersign(
            actor=world.people.pmc, summary=summary, organization=world.orgs.property_company
        )


def test_only_the_chair_approves(joint_meeting, world, clock):
    _topic, summary = _approved_meeting(joint_meeting, world, clock)
    assert summary.status == Summary.Status.APPROVED
    joint_meeting.refresh_from_db()
    assert joint_meeting.status == Meeting.Status.MINUTES_APPROVED


def test_clerk_cannot_approve(joint_meeting, world, clock):
    hold(joint_meeting, world, clock)
    summary = services.summary_draft(
        actor=world.meeting_clerk, meeting=joint_meeting, body="纪要正文"
    )
    with pytest.raises(PermissionDenied):
        services.summary_approve(actor=world.meeting_clerk, summary=summary)


def test_minutes_after_approval_need_a_new_version_with_reason(joint_meeting, world, clock):
    topic, _summary = _approved_meeting(joint_meeting, world, clock)
    with pytest.raises(services.MinutesLockedError):
        services.minutes_save_draft(
            actor=world.meeting_clerk, meeting=joint_meeting, topic=topic, discussion="改"
        )
    minutes = Minutes.objects.get(meeting=joint_meeting, topic=topic)
    with pytest.raises(ValidationError):
        services.minutes_revise(
            actor=world.meeting_clerk, minutes=minutes, reason="", discussion="改"
        )
    revised = services.minutes_revise(
        actor=world.meeting_clerk, minutes=minutes, reason="更正发言人", discussion="讨论（更正）"
    )
    assert revised.version == 2
    old = MinutesVersion.objects.get(minutes=minutes)
    assert old.version == 1
    assert old.discussion == "讨论"
    assert old.reason == "更正发言人"


def test_distribution_creates_receipts_and_closes(joint_meeting, world, clock):
    _topic, summary = _approved_meeting(joint_meeting, world, clock)
    summary = services.summary_distribute(actor=world.meeting_clerk, summary=summary)
    receipts = summary.signatures.filter(kind=SummarySignature.Kind.RECEIPT)
    assert receipts.count() == 4
    services.summary_sign_receipt(
        actor=world.people.pmc, signature=receipts.get(organization=world.orgs.pmc)
    )
    joint_meeting.refresh_from_db()
    assert joint_meeting.status == Meeting.Status.CLOSED
    assert summary.public_disclosure_id is None  # not marked public


# --- agreed items ---------------------------------------------------------------------


def test_action_item_without_owner_is_refused(joint_meeting, world, clock):
    hold(joint_meeting, world, clock)
    with pytest.raises(ValidationError) as exc:
        services.action_item_create(
            actor=world.meeting_clerk,
            meeting=joint_meeting,
            title="修复路灯",
            responsible_organization=None,
            due_date=dt.date(2026, 4, 10),
        )
    assert "responsible_organization" in _errors(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.action_item_create(
            actor=world.meeting_clerk,
            meeting=joint_meeting,
            title="修复路灯",
            responsible_organization=world.orgs.property_company,
            responsible_person=world.people.pmc,
            due_date=dt.date(2026, 3, 1),
        )
    assert {"responsible_person", "due_date"} <= set(_errors(exc.value))


def test_action_item_before_meeting_is_held_is_refused(joint_meeting, world):
    with pytest.raises(ValidationError):
        services.action_item_create(
            actor=world.meeting_clerk,
            meeting=joint_meeting,
            title="修复路灯",
            responsible_organization=world.orgs.property_company,
            due_date=dt.date(2026, 4, 10),
        )


def test_closing_needs_evidence_and_acceptance_not_the_owners_word(joint_meeting, world, clock):
    hold(joint_meeting, world, clock)
    item = services.action_item_create(
        actor=world.meeting_clerk,
        meeting=joint_meeting,
        title="修复3栋路灯",
        responsible_organization=world.orgs.property_company,
        responsible_person=world.company_chair,
        raised_by=world.orgs.pmc,
        due_date=dt.date(2026, 4, 10),
    )
    with pytest.raises(PermissionDenied):
        services.action_item_post_progress(actor=world.resident, item=item, note="好了")
    services.action_item_post_progress(actor=world.company_chair, item=item, note="已采购灯具")
    with pytest.raises(ValidationError) as exc:
        services.action_item_submit_done(actor=world.company_chair, item=item, note="修好了")
    assert "evidence_text" in _errors(exc.value)
    services.action_item_submit_done(
        actor=world.company_chair,
        item=item,
        note="修好了",
        evidence_text="维修单 No.123，照片见附件",
    )
    with pytest.raises(PermissionDenied):
        services.action_item_accept(actor=world.company_chair, item=item)
    services.action_item_reject_completion(actor=world.people.pmc, item=item, reason="仍有一盏不亮")
    item.refresh_from_db()
    assert item.status == ActionItem.Status.IN_PROGRESS
    services.action_item_submit_done(
        actor=world.company_chair, item=item, note="全部修好", evidence_text="复查照片"
    )
    accepted = services.action_item_accept(
        actor=world.meeting_clerk, item=item, note="现场验收合格"
    )
    assert accepted.status == ActionItem.Status.DONE
    assert accepted.accepted_by == world.meeting_clerk
    verbs = list(item.events.values_list("verb", flat=True))
    assert verbs == [
        "create",
        "progress",
        "submit_done",
        "reject_completion",
        "submit_done",
        "accept",
    ]


# --- decision reports (决策报告制度 第二条; 协同联动 第七条) -----------------------------


def _report(world, matter):
    report = services.decision_report_create(
        actor=world.people.pmc,
        compound=world.compound,
        matter=matter,
        title="3栋外墙维修使用维修资金",
        body="预计使用维修资金约 35 万元",
        amount=Decimal("350000"),
    )
    return services.decision_report_file(actor=world.people.pmc, report=report)


def test_report_goes_to_the_listed_recipients(world, clock):
    report = _report(world, DecisionReport.Matter.FACILITY_REPAIR)
    kinds = {r.organization.kind for r in report.recipients.all()}
    assert kinds == {
        "street_office",
        "community_party",
        "compound_party",
        "residents_committee",
        "joint_meeting_office",
    }
    recipient = report.recipients.get(organization=world.orgs.street_office)
    with pytest.raises(PermissionDenied):
        services.decision_report_acknowledge(actor=world.people.pmc, recipient=recipient)
    answered = services.decision_report_acknowledge(
        actor=world.people.street_office, recipient=recipient, answer="请先公示方案"
    )
    assert answered.acknowledged_at
    assert answered.answer == "请先公示方案"
    # 决策报告制度 第二条: every listed recipient acknowledges before the matter proceeds.
    with pytest.raises(services.EarlyInterventionRequired):
        services.decision_report_proceed(actor=world.people.pmc, report=report)
    _acknowledge_all(world, report)
    # Not an early-intervention matter nor one the owners decide: may proceed now.
    assert services.decision_report_proceed(actor=world.people.pmc, report=report).status == (
        "proceeding"
    )


def _acknowledge_all(world, report):
    people = {o.kind: getattr(world.people, o.kind) for o in vars(world.orgs).values()}
    for recipient in report.recipients.select_related("organization"):
        if recipient.acknowledged_at is None:
            services.decision_report_acknowledge(
                actor=people[recipient.organization.kind], recipient=recipient
            )


@pytest.mark.parametrize("matter", ["maintenance_fund", "company_selection", "fee_adjustment"])
def test_early_intervention_gate(world, clock, matter):
    report = _report(world, matter)
    with pytest.raises(services.EarlyInterventionRequired):
        services.decision_report_proceed(actor=world.people.pmc, report=report)
    with pytest.raises(PermissionDenied):  # the office invites, not the PMC
        services.decision_report_invite_intervention(actor=world.people.pmc, report=report)
    invited = services.decision_report_invite_intervention(actor=world.meeting_clerk, report=report)
    assert {i.organization.kind for i in invited} == {"street_office", "community_party"}
    assert (
        services.decision_report_invite_intervention(actor=world.meeting_clerk, report=report) == []
    )
    _acknowledge_all(world, report)
    with pytest.raises(services.EarlyInterventionRequired):  # invited is not answered
        services.decision_report_proceed(actor=world.people.pmc, report=report)
    for invitation in report.interventions.select_related("organization"):
        services.early_intervention_respond(
            actor=getattr(world.people, invitation.organization.kind),
            intervention=invitation,
            answer="agree",
            response="",
        )
    if matter == "fee_adjustment":
        done = services.decision_report_proceed(actor=world.people.pmc, report=report)
        assert done.status == DecisionReport.Status.PROCEEDING
    else:  # 民法典第二百七十八条 reserves it to the owners: a passed motion first
        with pytest.raises(services.EarlyInterventionRequired) as exc:
            services.decision_report_proceed(actor=world.people.pmc, report=report)
        assert exc.value.code == "motion_required"


def test_draft_report_cannot_proceed_and_bad_amount_is_refused(world, clock):
    with pytest.raises(ValidationError) as exc:
        services.decision_report_create(
            actor=world.people.pmc,
            compound=world.compound,
            matter="maintenance_fund",
            title="x",
            body="y",
            amount="abc",
        )
    assert "amount" in _errors(exc.value)
    report = services.decision_report_create(
        actor=world.people.pmc,
        compound=world.compound,
        matter="pmc_members",
        title="增补委员",
        body="增补1名委员",
    )
    with pytest.raises(services.MeetingStateError):
        services.decision_report_proceed(actor=world.people.pmc, report=report)
    with pytest.raises(PermissionDenied):
        services.decision_report_create(
            actor=world.people.property_company,
            compound=world.compound,
            matter="pmc_members",
            title="x",
            body="y",
        )


# --- owners' assembly motion (协同联动 第二条; 民法典 第二百七十八条) ------------------------


@pytest.fixture
def voting_motion(world, clock):
    # world has 2 households of 98.50 m²; add 7 more → 9 owners.
    for _ in range(7):
        HouseholdFactory(building=world.building, area=Decimal("100.00"))
    motion = services.motion_propose(
        actor=world.people.pmc,
        compound=world.compound,
        title="选聘新物业服务企业",
        body="工作小组提议公开招标选聘",
        matter="other",
        working_group="选聘工作小组",
    )
    services.motion_pmc_deliberate(actor=world.people.pmc, motion=motion, resolution="全体委员同意")
    with pytest.raises(PermissionDenied):
        services.motion_party_review(
            actor=world.people.pmc, motion=motion, level="compound", opinion="同意"
        )
    services.motion_party_review(
        actor=world.people.compound_party, motion=motion, level="compound", opinion="同意"
    )
    motion.refresh_from_db()
    assert motion.stage == OwnersAssemblyMotion.Stage.PMC_DELIBERATION  # community still to review
    services.motion_party_review(
        actor=world.people.community_party, motion=motion, level="community", opinion="同意"
    )
    return services.motion_open_vote(
        actor=world.people.pmc, motion=motion, closes_at=dt.datetime(2026, 4, 10, tzinfo=CN)
    )


def test_motion_vote_guards(world, voting_motion):
    household = world.resident.households.first()
    services.motion_vote_cast(
        actor=world.resident, motion=voting_motion, household=household, choice="yes"
    )
    with pytest.raises(ValidationError) as exc:
        services.motion_vote_cast(
            actor=world.resident, motion=voting_motion, household=household, choice="no"
        )
    assert exc.value.message_dict["household"]
    foreign = HouseholdFactory(building=BuildingFactory())
    ResidencyFactory(person=world.resident, household=foreign)  # owns a unit elsewhere too
    with pytest.raises(ValidationError):
        services.motion_vote_cast(
            actor=world.resident, motion=voting_motion, household=foreign, choice="yes"
        )
    neighbour_home = world.neighbour.households.first()
    with pytest.raises(PermissionDenied):  # not the owner of that household
        services.motion_vote_cast(
            actor=world.resident, motion=voting_motion, household=neighbour_home, choice="yes"
        )
    tenant = ResidencyFactory(household=neighbour_home, relation="tenant").person
    with pytest.raises(PermissionDenied):
        services.motion_vote_cast(
            actor=tenant, motion=voting_motion, household=neighbour_home, choice="yes"
        )
    with pytest.raises(ValidationError):
        services.motion_vote_cast(
            actor=world.neighbour, motion=voting_motion, household=neighbour_home, choice="maybe"
        )
    assert MotionVote.objects.filter(motion=voting_motion).count() == 1


def test_motion_open_vote_refuses_areas_that_do_not_add_up(world, clock):
    motion = OwnersAssemblyMotion.objects.create(
        compound=world.compound, title="x", body="y", matter="other", stage="party_review"
    )
    with pytest.raises(ValidationError) as exc:
        services.motion_open_vote(
            actor=world.people.pmc,
            motion=motion,
            closes_at=dt.datetime(2026, 4, 1, tzinfo=CN),
            declared_total_area=Decimal("1000"),
        )
    assert "declared_total_area" in _errors(exc.value)


def test_motion_tally_is_stored_with_reasons(world, voting_motion, clock):
    from huashan.directory.models import Household

    homes = list(Household.objects.filter(building=world.building).order_by("pk"))
    for index, home in enumerate(homes[:7]):
        vote = motion_services.motion_paper_enter(
            actor=world.people.pmc,
            motion=voting_motion,
            household=home,
            choice="yes" if index < 5 else "no",
        )
        motion_services.motion_paper_confirm(actor=world.meeting_clerk, vote=vote)
    clock.move_to(voting_motion.vote_closes_at)
    decided = services.motion_close_vote(actor=world.people.pmc, motion=voting_motion)
    assert decided.stage == OwnersAssemblyMotion.Stage.DECIDED
    assert decided.passed is True  # 7/9 take part (≥ 2/3), 5/7 agree (> 1/2)
    assert decided.tally["participating_owners"] == 7
    assert len(decided.tally["reasons"]) == 4
    with pytest.raises(services.MeetingStateError):
        motion_services.motion_paper_enter(
            actor=world.people.pmc, motion=voting_motion, household=homes[8], choice="yes"
        )
    published = services.motion_publish_result(
        actor=world.people.pmc, motion=decided, result_text="已与新物业签订合同"
    )
    assert published.stage == OwnersAssemblyMotion.Stage.RESULT_PUBLISHED


def test_motion_cannot_skip_party_review(world, clock):
    motion = services.motion_propose(
        actor=world.people.pmc,
        compound=world.compound,
        title="修订管理规约",
        body="增加文明养犬条款",
        matter="management_statute",
    )
    with pytest.raises(services.MeetingStateError):
        services.motion_open_vote(
            actor=world.people.pmc, motion=motion, closes_at=dt.datetime(2026, 4, 1, tzinfo=CN)
        )


# --- forums and hearings (协同联动 第六条) -------------------------------------------------


def test_forum_opinion_turned_into_complaint_starts_the_clocks(world, clock):
    forum = services.meeting_create(
        actor=world.people.residents_committee,
        compound=world.compound,
        kind="residents_forum",
        title="民情恳谈会",
        start=dt.datetime(2026, 3, 12, 19, 0, tzinfo=CN),
        end=dt.datetime(2026, 3, 12, 21, 0, tzinfo=CN),
        place="小区广场",
    )
    clock.move_to(dt.datetime(2026, 3, 12, 19, 30, tzinfo=CN))
    services.meeting_mark_held(actor=world.people.residents_committee, meeting=forum)
    op1 = services.forum_opinion_record(
        actor=world.people.residents_committee,
        meeting=forum,
        raised_by_name="王阿姨",
        content="5栋电梯经常停运",
    )
    op2 = services.forum_opinion_record(
        actor=world.people.residents_committee,
        meeting=forum,
        raised_by_name="李先生",
        content="建议增设快递柜",
    )
    with pytest.raises(ValidationError):
        services.forum_opinion_dispose(
            actor=world.people.residents_committee, opinion=op1, disposition="complaint"
        )
    done = services.forum_opinion_dispose(
        actor=world.people.residents_committee,
        opinion=op1,
        disposition="complaint",
        category=CategoryFactory(code="elevator"),
    )
    assert done.issue is not None
    assert done.issue.response_due is not None
    assert done.issue.description == "5栋电梯经常停运"
    with pytest.raises(ValidationError):
        services.meeting_publish_feedback(
            actor=world.people.residents_committee, meeting=forum, report="反馈"
        )
    services.forum_opinion_dispose(
        actor=world.people.residents_committee, opinion=op2, disposition="agenda_topic"
    )
    assert AgendaTopic.objects.filter(source="forum", title="建议增设快递柜").exists()
    services.meeting_publish_feedback(
        actor=world.people.residents_committee, meeting=forum, report="两条意见均已处理"
    )
    forum.refresh_from_db()
    assert forum.feedback_published_at is not None
    assert ForumOpinion.objects.filter(meeting=forum, disposition="pending").count() == 0


def test_opinions_only_at_forums(joint_meeting, world):
    with pytest.raises(ValidationError):
        services.forum_opinion_record(
            actor=world.meeting_clerk, meeting=joint_meeting, raised_by_name="某", content="意见"
        )
