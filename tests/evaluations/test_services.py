"""Campaign state machine, criteria freeze, ballots, paper entry, objections."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from evaluations import services
from evaluations.models import (
    Ballot,
    Campaign,
    CampaignEvent,
    Criterion,
    Evaluator,
    ImmutableRowError,
    PaperEntry,
    Score,
    TokenUse,
)
from huashan.notify.models import Notification
from tests.evaluations.ballots import flush, recorded
from tests.factories.directory import MembershipFactory
from tests.factories.evaluations import advance_to, full_scores, roster

State = Campaign.State
pytestmark = pytest.mark.django_db


def test_create_makes_default_template_and_three_targets(world):
    campaign = world.campaign
    assert campaign.state == State.SETUP
    groups = list(campaign.groups.values_list("name", flat=True))
    assert len(groups) == 4  # 第四条: four areas
    assert "居民反映投诉问题受理及解决情况" in groups
    total = sum(
        Criterion.objects.filter(group__campaign=campaign).values_list("max_score", flat=True)
    )
    assert total == 100
    kinds = {t.organization.kind for t in campaign.targets.all()}
    assert kinds == {"residents_committee", "pmc", "property_company"}
    assert campaign.events.get().verb == "create"


def test_create_refused_for_resident_and_for_duplicate_year(world):
    with pytest.raises(PermissionDenied):
        services.campaign_create(actor=world.resident, compound=world.compound, year=2026)
    with pytest.raises(ValidationError):
        services.campaign_create(
            actor=world.community_secretary, compound=world.compound, year=2025
        )
    with pytest.raises(ValidationError):
        services.campaign_create(
            actor=world.community_secretary, compound=world.compound, year=1900
        )


def test_campaign_moves_through_every_state_with_events(world):
    roster(world, 1)
    advance_to(world, State.CLOSED)
    verbs = list(
        CampaignEvent.objects.filter(campaign=world.campaign, verb="advance").values_list(
            "to_state", "actor_id"
        )
    )
    assert [s for s, _a in verbs] == [s.value for s in Campaign.ORDER[1:]]
    approved_actor = dict(verbs)[State.APPROVED]
    assert approved_actor == world.street_officer.pk
    assert all(actor is not None for _s, actor in verbs)


def test_only_street_approves_and_organizer_cannot(world):
    advance_to(world, State.PUBLICITY)
    Campaign.objects.filter(pk=world.campaign.pk).update(publicity_end=timezone.now())
    with pytest.raises(PermissionDenied):
        services.campaign_advance(
            actor=world.community_secretary, campaign=world.campaign, to_state=State.APPROVED
        )
    services.campaign_advance(
        actor=world.street_officer, campaign=world.campaign, to_state=State.APPROVED
    )


def test_street_cannot_run_the_campaign_steps(world):
    with pytest.raises(PermissionDenied):
        services.campaign_advance(
            actor=world.street_officer, campaign=world.campaign, to_state=State.MATERIALS
        )


def test_skipping_a_state_is_refused(world):
    with pytest.raises(services.CampaignStateError):
        services.campaign_advance(
            actor=world.community_secretary, campaign=world.campaign, to_state=State.SCORING
        )
    with pytest.raises(services.CampaignStateError):
        services.campaign_advance(
            actor=world.community_secretary, campaign=world.campaign, to_state="bogus"
        )


def test_approval_waits_for_window_and_answers(world):
    advance_to(world, State.PUBLICITY)
    campaign = world.campaign
    with pytest.raises(services.CampaignStateError):
        services.campaign_advance(
            actor=world.street_officer, campaign=campaign, to_state=State.APPROVED
        )
    objection = services.objection_file(
        actor=world.resident, campaign=campaign, text="物业得分偏高，与实际不符"
    )
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        with pytest.raises(services.CampaignStateError):
            services.campaign_advance(
                actor=world.street_officer, campaign=campaign, to_state=State.APPROVED
            )
        services.objection_answer(
            actor=world.community_secretary,
            objection=objection,
            answer="已复核原始测评票，结果无误。",
            resolution="dismissed",
        )
        services.campaign_advance(
            actor=world.street_officer, campaign=campaign, to_state=State.APPROVED
        )
    assert Notification.objects.filter(recipient=world.resident).exists()


TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize(
    ("at", "open_"),
    [
        (dt.datetime(2026, 12, 14, 23, 59, tzinfo=TZ), True),  # the 7th day, before 24:00
        (dt.datetime(2026, 12, 15, 0, 0, 1, tzinfo=TZ), False),  # just after 24:00
    ],
)
def test_seed_ev5_objection_window_counts_days_like_every_deadline(world, at, open_):
    """评议监督考核制度 第五条 "评议考核初步结果在社区公示且无异议后，经街道党工委审定": the
    publicity window of ``objection_days`` (7) goes through the working-day clock — counted
    from the next day, ending at 24:00 of the last day (Civil Code arts. 201–203) — not
    "now + 7 × 24 h" (issue 15 item 6)."""
    with time_machine.travel(dt.datetime(2026, 12, 7, 10, tzinfo=TZ), tick=False):  # a Monday
        advance_to(world, State.PUBLICITY)
    world.campaign.refresh_from_db()
    assert world.campaign.publicity_end == dt.datetime(2026, 12, 15, 0, tzinfo=TZ)
    with time_machine.travel(at, tick=False):
        if open_:
            services.objection_file(
                actor=world.resident, campaign=world.campaign, text="我有异议啊"
            )
        else:
            with pytest.raises(services.CampaignStateError):
                services.objection_file(
                    actor=world.resident, campaign=world.campaign, text="我有异议啊"
                )


def test_objection_before_publicity_or_by_outsider_or_empty_refused(world, person):
    with pytest.raises(services.CampaignStateError):
        services.objection_file(actor=world.resident, campaign=world.campaign, text="我有异议啊")
    advance_to(world, State.PUBLICITY)
    with pytest.raises(PermissionDenied):
        services.objection_file(actor=person, campaign=world.campaign, text="我有异议啊")
    with pytest.raises(ValidationError):
        services.objection_file(actor=world.resident, campaign=world.campaign, text="  ")
    with pytest.raises(ValidationError):
        services.objection_file(actor=world.resident, campaign=world.campaign, text="长" * 2001)


def test_criteria_editable_until_scoring_then_frozen(world):
    criterion = services.criterion_add(
        actor=world.community_secretary,
        campaign=world.campaign,
        group_name="小区秩序及安全管理服务情况",
        name="电动车充电管理",
        max_score=5,
    )
    assert criterion.weight == Decimal(5)
    services.criterion_remove(actor=world.community_secretary, criterion=criterion)
    advance_to(world, State.SCORING)
    with pytest.raises(services.CampaignStateError):
        services.criterion_add(
            actor=world.community_secretary,
            campaign=world.campaign,
            group_name="x",
            name="y",
            max_score=5,
        )
    with pytest.raises(services.CampaignStateError):
        services.criterion_remove(
            actor=world.community_secretary,
            criterion=Criterion.objects.filter(group__campaign=world.campaign).first(),
        )


def test_criterion_bad_input_refused(world):
    with pytest.raises(ValidationError):
        services.criterion_add(
            actor=world.community_secretary,
            campaign=world.campaign,
            group_name="g",
            name="c",
            max_score=0,
        )
    with pytest.raises(ValidationError):
        services.criterion_add(
            actor=world.community_secretary,
            campaign=world.campaign,
            group_name=" ",
            name="c",
            max_score=5,
        )
    with pytest.raises(PermissionDenied):
        services.criterion_add(
            actor=world.resident, campaign=world.campaign, group_name="g", name="c", max_score=5
        )


def test_tokens_are_stored_hashed(world):
    [(evaluator, token)] = roster(world, 1)
    evaluator.refresh_from_db()
    assert token not in evaluator.token_hash
    assert evaluator.token_hash == services.token_hash(token)
    assert len(token) >= 24


def test_ballot_once_per_evaluator_per_target(world):
    [(evaluator, token), _other] = roster(world, 2)
    advance_to(world, State.SCORING)
    scores = full_scores(world.campaign)
    targets = world.campaign.targets.count()
    assert targets == 4  # the three parties and each PMC member (物业管理委员会服务承诺 第4条)
    assert services.ballot_submit(token=token, scores=scores) == targets
    assert recorded() == targets
    assert TokenUse.objects.filter(evaluator=evaluator).count() == targets
    with pytest.raises(services.BallotRefused):
        services.ballot_submit(token=token, scores=scores)
    assert recorded() == targets


def test_guessed_or_empty_token_refused(world):
    roster(world, 1)
    advance_to(world, State.SCORING)
    scores = full_scores(world.campaign)
    for token in ("", "x" * 24, "' OR 1=1 --", "a" * 5000):
        with pytest.raises(services.BallotRefused):
            services.ballot_submit(token=token, scores=scores)


def test_reissued_token_kills_the_old_one(world):
    [(_e, old)] = roster(world, 1)
    [new] = services.tokens_issue(actor=world.community_secretary, campaign=world.campaign)
    advance_to(world, State.SCORING)
    with pytest.raises(services.BallotRefused):
        services.ballot_submit(token=old, scores=full_scores(world.campaign))
    services.ballot_submit(token=new.token, scores=full_scores(world.campaign))


def test_ballot_before_scoring_refused(world):
    [(_e, token)] = roster(world, 1)
    with pytest.raises(services.BallotRefused):
        services.ballot_submit(token=token, scores=full_scores(world.campaign))


@pytest.mark.parametrize("bad", ["11", "-1", "abc", "NaN", "Infinity", "7.3", ""])
def test_score_out_of_range_or_garbage_refused(world, bad):
    [(_e, token)] = roster(world, 1)
    advance_to(world, State.SCORING)
    scores = full_scores(world.campaign, lambda t, c: 5)
    first_target = next(iter(scores))
    first_criterion = next(
        c for c in scores[first_target] if Criterion.objects.get(pk=c).max_score == 10
    )
    scores[first_target][first_criterion] = bad
    with pytest.raises(ValidationError) as info:
        services.ballot_submit(token=token, scores=scores)
    assert f"score_{first_target}_{first_criterion}" in info.value.message_dict
    assert recorded() == 0
    assert TokenUse.objects.count() == 0


def test_missing_criterion_refused(world):
    [(_e, token)] = roster(world, 1)
    advance_to(world, State.SCORING)
    scores = full_scores(world.campaign)
    target = next(iter(scores))
    scores[target].pop(next(iter(scores[target])))
    with pytest.raises(ValidationError):
        services.ballot_submit(token=token, scores=scores)
    assert recorded() == 0


def test_ballot_and_score_rows_are_immutable(world):
    [(_e, token)] = roster(world, 1)
    advance_to(world, State.SCORING)
    services.ballot_submit(token=token, scores=full_scores(world.campaign))
    flush(world.campaign)
    ballot = Ballot.objects.first()
    with pytest.raises(ImmutableRowError):
        ballot.save()
    with pytest.raises(ImmutableRowError):
        ballot.delete()
    score = Score.objects.first()
    score.value = 0
    with pytest.raises(ImmutableRowError):
        score.save()


def test_ballot_has_no_link_to_a_person():
    ballot_fields = {f.name for f in Ballot._meta.get_fields()}
    score_fields = {f.name for f in Score._meta.get_fields()}
    for forbidden in ("evaluator", "person", "author", "created_at", "token", "token_use"):
        assert forbidden not in ballot_fields
        assert forbidden not in score_fields
    # The "token used" mark has no time and no ballot.
    assert {f.name for f in TokenUse._meta.get_fields()} == {"id", "evaluator", "target"}
    assert Ballot._meta.pk.get_internal_type() == "UUIDField"


def test_paper_ballot_needs_a_second_clerk(world):
    [(_evaluator, token)] = roster(world, 1)
    second = MembershipFactory(organization=world.orgs.joint_meeting_office, role="staff").person
    advance_to(world, State.SCORING)
    entry = services.paper_entry_create(
        actor=world.meeting_clerk,
        campaign=world.campaign,
        slip_code=token,
        scores=full_scores(world.campaign),
    )
    assert recorded() == 0
    with pytest.raises(PermissionDenied):
        services.paper_entry_confirm(actor=world.meeting_clerk, entry=entry)
    with pytest.raises(PermissionDenied):
        services.paper_entry_confirm(actor=world.resident, entry=entry)
    services.paper_entry_confirm(actor=second, entry=entry)
    entry.refresh_from_db()
    assert entry.state == PaperEntry.State.CONFIRMED
    assert entry.scores == {}  # the link between the slip and its scores is gone
    assert recorded("paper") == world.campaign.targets.count()
    with pytest.raises(services.CampaignStateError):
        services.paper_entry_confirm(actor=second, entry=entry)
    # The slip cannot then be used online either.
    with pytest.raises(services.BallotRefused):
        services.ballot_submit(token=token, scores=full_scores(world.campaign))


def test_same_paper_ballot_entered_twice_refused(world):
    [(_e, token)] = roster(world, 1)
    advance_to(world, State.SCORING)
    services.paper_entry_create(
        actor=world.meeting_clerk,
        campaign=world.campaign,
        slip_code=token,
        scores=full_scores(world.campaign),
    )
    with pytest.raises(ValidationError) as info:
        services.paper_entry_create(
            actor=world.community_secretary,
            campaign=world.campaign,
            slip_code=token,
            scores=full_scores(world.campaign),
        )
    assert "slip_code" in info.value.message_dict
    # Nor online while the paper entry waits.
    with pytest.raises(services.BallotRefused):
        services.ballot_submit(token=token, scores=full_scores(world.campaign))


def test_rejected_paper_entry_frees_the_slip(world):
    [(_e, token)] = roster(world, 1)
    advance_to(world, State.SCORING)
    entry = services.paper_entry_create(
        actor=world.meeting_clerk,
        campaign=world.campaign,
        slip_code=token,
        scores=full_scores(world.campaign),
    )
    services.paper_entry_reject(actor=world.community_secretary, entry=entry)
    again = services.paper_entry_create(
        actor=world.meeting_clerk,
        campaign=world.campaign,
        slip_code=token,
        scores=full_scores(world.campaign),
    )
    assert again.state == PaperEntry.State.PENDING


def test_paper_slip_already_used_online_refused(world):
    [(_e, token)] = roster(world, 1)
    advance_to(world, State.SCORING)
    services.ballot_submit(token=token, scores=full_scores(world.campaign))
    with pytest.raises(ValidationError):
        services.paper_entry_create(
            actor=world.meeting_clerk,
            campaign=world.campaign,
            slip_code=token,
            scores=full_scores(world.campaign),
        )


def test_unknown_slip_code_refused(world):
    advance_to(world, State.SCORING)
    with pytest.raises(ValidationError):
        services.paper_entry_create(
            actor=world.meeting_clerk,
            campaign=world.campaign,
            slip_code="nope",
            scores=full_scores(world.campaign),
        )


def test_roster_bad_input(world):
    with pytest.raises(ValidationError):
        services.evaluator_add(
            actor=world.community_secretary, campaign=world.campaign, name="", category="owner"
        )
    with pytest.raises(ValidationError):
        services.evaluator_add(
            actor=world.community_secretary, campaign=world.campaign, name="李四", category="alien"
        )
    with pytest.raises(PermissionDenied):
        services.evaluator_add(
            actor=world.resident, campaign=world.campaign, name="李四", category="owner"
        )
    services.evaluator_add(
        actor=world.community_secretary,
        campaign=world.campaign,
        name="",
        category="owner",
        person=world.resident,
    )
    with pytest.raises(ValidationError):
        services.evaluator_add(
            actor=world.community_secretary,
            campaign=world.campaign,
            name="",
            category="owner",
            person=world.resident,
        )
    assert Evaluator.objects.get().name == world.resident.name


def test_report_text_and_pdf(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    target = world.campaign.targets.get(organization__kind="property_company")
    services.target_report_submit(
        actor=world.people.property_company, target=target, text="本年度物业服务述职报告"
    )
    pdf = SimpleUploadedFile("r.pdf", b"%PDF-1.4 fake", content_type="application/pdf")
    services.target_report_submit(actor=world.people.property_company, target=target, pdf=pdf)
    target.refresh_from_db()
    assert target.report_pdf.name.endswith(".pdf")
    with pytest.raises(ValidationError):
        services.target_report_submit(
            actor=world.people.property_company,
            target=target,
            pdf=SimpleUploadedFile("r.pdf", b"MZ evil", content_type="application/pdf"),
        )
    with pytest.raises(PermissionDenied):
        services.target_report_submit(actor=world.resident, target=target, text="冒名述职报告")
    rc_target = world.campaign.targets.get(organization__kind="residents_committee")
    with pytest.raises(PermissionDenied):
        services.target_report_submit(
            actor=world.people.property_company, target=rc_target, text="替别人述职"
        )
