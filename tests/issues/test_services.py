"""Services of issues/services.py: intake, the state machine, tiers, whistles, satisfaction.

seed: 协同联动解决小区事务流程 第一—五条; 小区党组织服务承诺 第3条, 第7条;
物业管理委员会服务承诺 第3条.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from huashan.core.photos import MAX_PHOTO_BYTES, photo_sanitize
from huashan.notify.models import Notification
from issues import services
from issues.models import (
    Category,
    Issue,
    IssueEvent,
    MeToo,
    Referral,
    SupervisionOrder,
    Whistle,
)
from issues.services import IssueStateError, RateLimited
from tests.factories.directory import BuildingFactory, MembershipFactory, PersonFactory
from tests.factories.world import compound_world

CN = ZoneInfo("Asia/Shanghai")
S = Issue.Status


@pytest.fixture
def world(db):
    return compound_world()


@pytest.fixture
def category(db):
    return Category.objects.get(code="environment")


def key() -> str:
    return f"test-{uuid.uuid4()}"


def submit(world, actor="resident", **kwargs):
    person = getattr(world, actor) if isinstance(actor, str) else actor
    kwargs.setdefault("category", Category.objects.get(code="environment"))
    kwargs.setdefault("description", "3栋1单元楼道灯坏了一周，晚上很黑")
    kwargs.setdefault("building", world.building)
    kwargs.setdefault("client_key", key())
    return services.issue_submit(actor=person, compound=world.compound, **kwargs)


def jpeg_bytes(size=(64, 48), *, gps=True) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    if gps:
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps_ifd[ExifTags.GPS.GPSLatitudeRef] = "N"
        gps_ifd[ExifTags.GPS.GPSLatitude] = (30.0, 21.0, 15.5)
        gps_ifd[ExifTags.GPS.GPSLongitudeRef] = "E"
        gps_ifd[ExifTags.GPS.GPSLongitude] = (114.0, 19.0, 1.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


# --- intake -----------------------------------------------------------------------


def test_submit_logged_in_numbers_clocks_event_and_intake_notice(world):
    """seed: 小区党组织服务承诺 第3条 — the 48 h and 7 working day clocks start on filing."""
    result = submit(world)
    issue = result.issue
    assert result.tracking_code is None
    assert issue.tracking_number.startswith(f"HS-{issue.created_at.astimezone(CN).year}-")
    assert len(issue.tracking_number.split("-")[2]) == 6
    assert issue.response_due == issue.created_at + dt.timedelta(hours=48)
    assert issue.feedback_due > issue.response_due
    assert issue.next_deadline == issue.response_due
    assert issue.reporter == world.resident
    assert issue.events.get().verb == "submit"
    office_person = world.people.joint_meeting_office
    assert Notification.objects.filter(recipient=office_person).count() == 1
    second = submit(world)
    assert int(second.issue.tracking_number[-6:]) == int(issue.tracking_number[-6:]) + 1


def test_submit_anonymous_needs_phone_and_gets_code_stored_only_as_hash(world):
    with pytest.raises(ValidationError) as exc:
        submit(world, actor=None)
    assert "reporter_phone" in exc.value.message_dict
    result = submit(world, actor=None, reporter_phone="13912345678")
    assert result.tracking_code
    assert len(result.tracking_code) == 10
    issue = Issue.objects.get(pk=result.issue.pk)
    assert result.tracking_code not in issue.tracking_code_hash
    assert services.tracking_code_matches(issue.tracking_code_hash, result.tracking_code)
    assert not services.tracking_code_matches(issue.tracking_code_hash, "WRONGCODE2")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": ""}, "description"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 2001}, "description"),
        ({"description": "灯"}, "description"),
        ({"category": None}, "category"),
        ({"reporter_phone": "12345"}, "reporter_phone"),
        ({"hotline_number": "<script>alert(1)</script>"}, "hotline_number"),
        ({"building": None, "location_text": ""}, "location_text"),
        ({"location_text": "x" * 201}, "location_text"),
    ],
)
def test_submit_rejects_bad_input_per_field(world, overrides, field):
    with pytest.raises(ValidationError) as exc:
        submit(world, **overrides)
    assert field in exc.value.message_dict
    assert Issue.objects.count() == 0


def test_submit_rejects_forged_building_from_another_compound(world):
    foreign = BuildingFactory()
    with pytest.raises(ValidationError) as exc:
        submit(world, building=foreign)
    assert "building" in exc.value.message_dict


def test_submit_keeps_html_verbatim_for_templates_to_escape(world):
    issue = submit(world, description="<script>alert('x')</script> 楼道堆物").issue
    assert issue.description.startswith("<script>")


def test_safety_category_flags_hazard_with_3_day_clock(world):
    """seed: 小区党组织服务承诺 第7条 — 发现问题限期3日内整改."""
    elevator = Category.objects.get(code="elevator")
    with time_machine.travel(dt.datetime(2025, 9, 30, 10, 0, tzinfo=CN), tick=False):
        issue = submit(world, category=elevator).issue
    assert issue.is_hazard
    # Calendar days, never moved past 国庆: 10-03 24:00.
    assert issue.hazard_due == dt.datetime(2025, 10, 4, 0, 0, tzinfo=CN)


def test_deadline_across_national_day_2025(world):
    """seed: 小区党组织服务承诺 第3条 — 7 working days skip 国庆 and count the 10-11 make-up day."""
    with time_machine.travel(dt.datetime(2025, 9, 30, 10, 0, tzinfo=CN), tick=False):
        issue = submit(world).issue
    assert issue.response_due == dt.datetime(2025, 10, 2, 10, 0, tzinfo=CN)
    # 10-09, 10-10, 10-11 (调休), 10-13, 10-14, 10-15, 10-16 → 24:00 of 10-16.
    assert issue.feedback_due == dt.datetime(2025, 10, 17, 0, 0, tzinfo=CN)


def test_clock_policy_of_the_compound_changes_the_amount(world):
    policy = services.clock_policy_for(world.compound)
    policy.response_hours = 24
    policy.save()
    issue = submit(world).issue
    assert issue.response_due == issue.created_at + dt.timedelta(hours=24)


def test_rate_limit_five_per_ten_minutes_per_client(world):
    client = key()
    for _ in range(services.RATE_LIMIT):
        submit(world, client_key=client)
    with pytest.raises(RateLimited) as exc:
        submit(world, client_key=client)
    assert "提交过于频繁" in exc.value.messages[0]
    submit(world, client_key=key())  # another client is not affected
    assert Issue.objects.count() == services.RATE_LIMIT + 1


def test_rate_limit_does_not_count_rejected_input(world):
    client = key()
    for _ in range(services.RATE_LIMIT + 2):
        with pytest.raises(ValidationError):
            submit(world, client_key=client, description="")
    submit(world, client_key=client)


# --- photos ---------------------------------------------------------------------


def test_photo_sanitize_strips_gps_exif():
    """DESIGN.md §4 Privacy: EXIF (GPS) stripped on upload."""
    raw = jpeg_bytes()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    clean = photo_sanitize(SimpleUploadedFile("p.jpg", raw, content_type="image/jpeg"))
    image = Image.open(io.BytesIO(clean.read()))
    assert image.format == "JPEG"
    exif = image.getexif()
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert ExifTags.Base.Make not in exif
    assert (clean.width, clean.height) == (64, 48)


def test_photo_png_with_alpha_becomes_jpeg():
    image = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    clean = photo_sanitize(SimpleUploadedFile("a.png", out.getvalue()))
    assert Image.open(io.BytesIO(clean.read())).format == "JPEG"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "photo_empty"),
        (b"%PDF-1.4 not an image", "photo_invalid"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "photo_heic"),
        (jpeg_bytes()[:200], "photo_invalid"),
    ],
)
def test_photo_sanitize_refuses_hostile_files(content, code):
    with pytest.raises(ValidationError) as exc:
        photo_sanitize(SimpleUploadedFile("x.jpg", content))
    assert exc.value.code == code


def test_photo_sanitize_refuses_oversized_file():
    big = SimpleUploadedFile("big.jpg", b"\xff" * (MAX_PHOTO_BYTES + 1))
    with pytest.raises(ValidationError) as exc:
        photo_sanitize(big)
    assert exc.value.code == "photo_too_large"


def test_photo_sanitize_refuses_decompression_bomb():
    # 10 000 × 10 000 pixels of one colour: a tiny PNG that would need 300 MB decoded.
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")
    assert len(out.getvalue()) < MAX_PHOTO_BYTES
    with pytest.raises(ValidationError) as exc:
        photo_sanitize(SimpleUploadedFile("bomb.png", out.getvalue()))
    assert exc.value.code == "photo_too_many_pixels"


def test_submit_with_photos_stores_clean_jpegs_and_limits_count(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = SimpleUploadedFile("IMG_0001.jpg", jpeg_bytes())
    issue = submit(world, photos=[photo]).issue
    stored = issue.photos.get()
    assert stored.image.name.endswith(f"{stored.token}.jpg")
    assert "IMG_0001" not in stored.image.name
    with stored.image.open("rb") as fh:
        assert not Image.open(fh).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    too_many = [SimpleUploadedFile(f"{i}.jpg", jpeg_bytes()) for i in range(7)]
    with pytest.raises(ValidationError) as exc:
        submit(world, photos=too_many)
    assert "photos" in exc.value.message_dict


# --- the state machine ------------------------------------------------------------

ALL_STATES = [s.value for s in S]


def advance(world, state: str) -> Issue:
    """An issue brought to ``state`` through the services."""
    office = world.people.joint_meeting_office
    company = world.people.property_company
    issue = submit(world).issue
    if state == S.SUBMITTED:
        return issue
    if state == S.REJECTED:
        return services.issue_reject(
            actor=office, issue=issue, explanation="重复提交且已在另一条中处理，请关注原问题的进展"
        )
    if state == S.MERGED:
        other = submit(world).issue
        return services.issue_merge(actor=office, issue=issue, into=other)
    if state == S.WAITING_REPORTER:
        return services.issue_wait_for_reporter(
            actor=office, issue=issue, question="具体是哪一层？"
        )
    services.issue_accept(actor=office, issue=issue)
    if state == S.ACCEPTED:
        return issue
    services.issue_transfer(actor=office, issue=issue, organization=world.orgs.property_company)
    if state == S.TRANSFERRED:
        return issue
    services.issue_start(actor=company, issue=issue)
    if state == S.IN_PROGRESS:
        return issue
    services.issue_resolve(
        actor=company, issue=issue, explanation="已更换楼道灯泡并检查线路，恢复照明"
    )
    if state == S.RESOLVED:
        return issue
    assert state == S.CLOSED
    return services.issue_confirm(actor=world.resident, issue=issue)


def do_accept(world, issue):
    return services.issue_accept(actor=world.people.joint_meeting_office, issue=issue)


def do_transfer(world, issue):
    target = world.orgs.pmc if issue.assigned_org_id else world.orgs.property_company
    return services.issue_transfer(
        actor=world.people.joint_meeting_office, issue=issue, organization=target
    )


def do_start(world, issue):
    return services.issue_start(actor=world.people.joint_meeting_office, issue=issue)


def do_wait(world, issue):
    return services.issue_wait_for_reporter(
        actor=world.people.joint_meeting_office, issue=issue, question="请问是几楼？"
    )


def do_reply(world, issue):
    return services.issue_reporter_reply(actor=world.resident, issue=issue, note="12楼")


def do_resolve(world, issue):
    return services.issue_resolve(
        actor=world.people.joint_meeting_office,
        issue=issue,
        explanation="物业已更换灯泡并检查线路，恢复照明",
    )


def do_confirm(world, issue):
    return services.issue_confirm(actor=world.resident, issue=issue)


def do_reopen(world, issue):
    return services.issue_reopen(actor=world.resident, issue=issue, reason="灯又不亮了")


def do_reject(world, issue):
    return services.issue_reject(
        actor=world.people.joint_meeting_office,
        issue=issue,
        explanation="该路灯属市政管理，已转告12345，请关注市政回复",
    )


def do_merge(world, issue):
    other = submit(world).issue
    return services.issue_merge(actor=world.people.joint_meeting_office, issue=issue, into=other)


def do_progress(world, issue):
    return services.issue_post_progress(
        actor=world.people.joint_meeting_office, issue=issue, note="已联系维修"
    )


# service -> (states it may run from, resulting state or None for "unchanged")
MACHINE = {
    do_accept: ({S.SUBMITTED}, S.ACCEPTED),
    do_transfer: ({S.ACCEPTED, S.TRANSFERRED, S.IN_PROGRESS}, S.TRANSFERRED),
    do_start: ({S.ACCEPTED, S.TRANSFERRED, S.WAITING_REPORTER}, S.IN_PROGRESS),
    do_wait: ({S.SUBMITTED, S.ACCEPTED, S.TRANSFERRED, S.IN_PROGRESS}, S.WAITING_REPORTER),
    do_reply: ({S.WAITING_REPORTER}, S.IN_PROGRESS),
    do_resolve: ({S.ACCEPTED, S.TRANSFERRED, S.IN_PROGRESS, S.WAITING_REPORTER}, S.RESOLVED),
    do_confirm: ({S.RESOLVED}, S.CLOSED),
    do_reopen: ({S.RESOLVED, S.CLOSED}, S.IN_PROGRESS),
    do_reject: ({S.SUBMITTED, S.ACCEPTED, S.WAITING_REPORTER}, S.REJECTED),
    do_merge: ({S.SUBMITTED, S.ACCEPTED}, S.MERGED),
    do_progress: (set(Issue.OPEN_STATES), None),
}
CASES = [
    pytest.param(fn, state, id=f"{fn.__name__}-from-{state}")
    for fn in MACHINE
    for state in ALL_STATES
]


@pytest.mark.parametrize(("service", "state"), CASES)
def test_every_transition_valid_and_invalid(world, service, state):
    """seed: 协同联动 第一条 — every step is one service; a wrong state is refused, unchanged."""
    allowed, target = MACHINE[service]
    issue = advance(world, state)
    events_before = IssueEvent.objects.filter(issue=issue).count()
    if state in allowed:
        service(world, issue)
        issue.refresh_from_db()
        assert issue.status == (target or state)
        assert IssueEvent.objects.filter(issue=issue).count() == events_before + 1
    else:
        with pytest.raises(IssueStateError):
            service(world, issue)
        issue.refresh_from_db()
        assert issue.status == state
        assert IssueEvent.objects.filter(issue=issue).count() == events_before


def test_accept_stops_response_clock_and_needs_permission(world):
    issue = submit(world).issue
    with pytest.raises(PermissionDenied):
        services.issue_accept(actor=world.people.property_company, issue=issue)
    with pytest.raises(PermissionDenied):
        services.issue_accept(actor=world.neighbour, issue=issue)
    services.issue_accept(actor=world.people.compound_party, issue=issue)
    assert issue.accepted_at is not None
    assert issue.next_deadline == issue.feedback_due
    assert Notification.objects.filter(recipient=world.resident).exists()


def test_small_transfer_records_fix_supervise_and_file_referrals(world):
    """seed: 协同联动 第二条 — 转办, 督办 by 小区党组织 + 环境和物业管理委员会, 备档 with 社区."""
    issue = advance(world, S.ACCEPTED)
    services.issue_transfer(
        actor=world.people.joint_meeting_office,
        issue=issue,
        organization=world.orgs.property_company,
        note="请尽快处理",
    )
    purposes = {(r.organization.kind, r.purpose) for r in issue.referrals.all()}
    assert purposes == {
        ("property_company", Referral.Purpose.FIX),
        ("compound_party", Referral.Purpose.SUPERVISE),
        ("rc_property_committee", Referral.Purpose.SUPERVISE),
        ("community_party", Referral.Purpose.FILE),
        ("residents_committee", Referral.Purpose.FILE),
    }
    fix = issue.referrals.get(purpose=Referral.Purpose.FIX)
    assert fix.ack_due == fix.created_at + dt.timedelta(hours=48)
    assert Notification.objects.filter(recipient=world.people.property_company).exists()


def test_transfer_refuses_organization_of_another_compound(world):
    issue = advance(world, S.ACCEPTED)
    stranger = compound_world().orgs.property_company
    with pytest.raises(ValidationError) as exc:
        services.issue_transfer(
            actor=world.people.joint_meeting_office, issue=issue, organization=stranger
        )
    assert "organization" in exc.value.message_dict


def test_start_by_assigned_company_acknowledges_its_referral(world):
    issue = advance(world, S.TRANSFERRED)
    services.issue_start(actor=world.people.property_company, issue=issue)
    assert issue.referrals.get(purpose=Referral.Purpose.FIX).acknowledged_at is not None


def test_pmc_cannot_work_an_issue_not_transferred_to_it(world):
    issue = advance(world, S.TRANSFERRED)
    with pytest.raises(PermissionDenied):
        services.issue_start(actor=world.people.pmc, issue=issue)


def test_public_progress_restarts_feedback_clock(world):
    """seed: 小区党组织服务承诺 第3条 — 7 working days feedback, repeating while open."""
    with time_machine.travel(dt.datetime(2025, 11, 3, 9, 0, tzinfo=CN), tick=False):
        issue = advance(world, S.IN_PROGRESS)
    assert issue.feedback_due == dt.datetime(2025, 11, 13, 0, 0, tzinfo=CN)
    with time_machine.travel(dt.datetime(2025, 11, 10, 9, 0, tzinfo=CN), tick=False):
        services.issue_post_progress(
            actor=world.people.property_company, issue=issue, note="已订购配件"
        )
    assert issue.feedback_due == dt.datetime(2025, 11, 20, 0, 0, tzinfo=CN)
    internal = services.issue_post_progress(
        actor=world.people.property_company, issue=issue, note="内部备注", public=False
    )
    assert internal.public is False
    assert issue.feedback_due == dt.datetime(2025, 11, 20, 0, 0, tzinfo=CN)


def test_waiting_for_reporter_pauses_and_resume_shifts_deadlines(world):
    """The clocks pause while staff wait for the reporter (issue 3 §2) — all but the
    safety hazard's: 小区党组织服务承诺 第7条 "发现问题限期3日内整改" never pauses (issue 18)."""
    start = dt.datetime(2025, 11, 3, 9, 0, tzinfo=CN)
    elevator = Category.objects.get(code="elevator")
    with time_machine.travel(start, tick=False):
        issue = submit(world, category=elevator).issue
        services.issue_accept(actor=world.people.joint_meeting_office, issue=issue)
    feedback, hazard = issue.feedback_due, issue.hazard_due
    with time_machine.travel(start + dt.timedelta(days=1), tick=False):
        services.issue_wait_for_reporter(
            actor=world.people.joint_meeting_office, issue=issue, question="哪部电梯？"
        )
    assert issue.paused_at is not None
    with time_machine.travel(start + dt.timedelta(days=3, hours=5), tick=False):
        services.issue_reporter_reply(actor=world.resident, issue=issue, note="2号梯")
    paused = dt.timedelta(days=2, hours=5)
    assert issue.paused_at is None
    assert issue.status == S.IN_PROGRESS
    assert issue.feedback_due == feedback + paused
    assert issue.hazard_due == hazard
    assert issue.next_deadline == min(issue.feedback_due, issue.hazard_due)


def test_question_before_acceptance_counts_as_response(world):
    issue = submit(world).issue
    services.issue_wait_for_reporter(
        actor=world.people.joint_meeting_office, issue=issue, question="请补充照片"
    )
    assert issue.accepted_at is not None


def test_reporter_reply_with_tracking_code_when_anonymous(world):
    result = submit(world, actor=None, reporter_phone="13912345678")
    issue = result.issue
    services.issue_wait_for_reporter(
        actor=world.people.joint_meeting_office, issue=issue, question="几号楼？"
    )
    with pytest.raises(PermissionDenied):
        services.issue_reporter_reply(actor=None, issue=issue, note="3栋", tracking_code="BADCODE")
    with pytest.raises(PermissionDenied):
        services.issue_reporter_reply(actor=world.neighbour, issue=issue, note="3栋")
    services.issue_reporter_reply(
        actor=None, issue=issue, note="3栋", tracking_code=result.tracking_code.lower()
    )
    assert issue.status == S.IN_PROGRESS


@pytest.mark.parametrize(
    "explanation",
    ["", "   ", "不归我们管", "Not our responsibility.", "不是我们的责任！！", "已处理"],
)
def test_closing_requires_a_real_public_explanation(world, explanation):
    """seed: 公示承诺制度 第一条; 协同联动 第五条 — 不得相互推诿."""
    issue = advance(world, S.IN_PROGRESS)
    with pytest.raises(ValidationError) as exc:
        services.issue_resolve(
            actor=world.people.property_company, issue=issue, explanation=explanation
        )
    assert "explanation" in exc.value.message_dict
    submitted = submit(world).issue
    with pytest.raises(ValidationError):
        services.issue_reject(
            actor=world.people.joint_meeting_office, issue=submitted, explanation=explanation
        )


def test_dismissive_phrase_with_a_real_pointer_is_accepted(world):
    issue = submit(world).issue
    services.issue_reject(
        actor=world.people.joint_meeting_office,
        issue=issue,
        explanation="不归物业管：小区外市政路灯，请拨打12345或联系市政所 027-8888",
    )
    assert issue.status == S.REJECTED
    assert issue.public_explanation.startswith("不归物业管")


def test_resolve_sets_public_explanation_and_fulfils_supervision(world):
    issue = advance(world, S.IN_PROGRESS)
    order = services.supervision_order_issue(
        actor=world.people.compound_party,
        issue=issue,
        organization=world.orgs.property_company,
        due=issue.created_at + dt.timedelta(days=3),
        instruction="三日内修复",
    )
    services.issue_resolve(
        actor=world.people.property_company, issue=issue, explanation="已修复并拍照留存，请查看"
    )
    order.refresh_from_db()
    assert order.fulfilled_at is not None
    assert issue.public_explanation == "已修复并拍照留存，请查看"
    assert issue.next_deadline is None


# --- tiers, whistles, supervision --------------------------------------------------


def test_big_tier_creates_investigation_referrals_plan_clock_and_agenda_topic(
    world, django_capture_on_commit_callbacks
):
    """seed: 协同联动 第三条 — 深入调查, 报社区居民委员会处理; the joint meeting gets a topic."""
    calls = []
    services.AGENDA_HOOK.append(lambda **kw: calls.append(kw))
    try:
        issue = advance(world, S.ACCEPTED)
        with pytest.raises(ValidationError):
            services.issue_change_tier(
                actor=world.people.joint_meeting_office, issue=issue, tier="big", reason=""
            )
        with django_capture_on_commit_callbacks(execute=True):
            services.issue_change_tier(
                actor=world.people.joint_meeting_office,
                issue=issue,
                tier="big",
                reason="涉及全体业主停车规划",
            )
    finally:
        services.AGENDA_HOOK.pop()
    assert issue.tier == "big"
    assert issue.is_complex
    assert issue.plan_due is not None
    purposes = {(r.organization.kind, r.purpose) for r in issue.referrals.all()}
    assert ("compound_party", "investigate") in purposes
    assert ("rc_property_committee", "investigate") in purposes
    assert ("residents_committee", "decide") in purposes
    assert len(calls) == 1
    assert calls[0]["issue"].pk == issue.pk
    assert issue.events.filter(verb="tier", public=True).exists()


def test_give_plan_stops_plan_clock(world):
    """seed: 物业管理委员会服务承诺 第3条 — 复杂问题7日内明确解决方案."""
    issue = advance(world, S.TRANSFERRED)
    services.issue_change_tier(
        actor=world.people.compound_party, issue=issue, tier="legacy", reason="开发商遗留"
    )
    assert issue.next_deadline == min(issue.plan_due, issue.feedback_due)
    services.issue_give_plan(
        actor=world.people.property_company, issue=issue, plan="分三期整改，年底前完成"
    )
    assert issue.plan_given_at is not None
    assert issue.next_deadline == issue.feedback_due


def test_community_whistle_summons_notifies_and_blocks_resolution_until_all_report(world):
    """seed: 协同联动 第三条 — 社区吹哨、党员报到: each summoned party must report in.

    Decision (docs/issues.md): the issue cannot be resolved while one has not.
    """
    issue = advance(world, S.TRANSFERRED)
    member = PersonFactory(is_party_member=True)
    with pytest.raises(PermissionDenied):
        services.whistle_blow(
            actor=world.people.property_company,
            issue=issue,
            level="community",
            organizations=[world.orgs.pmc],
            reason="x",
        )
    whistle = services.whistle_blow(
        actor=world.people.community_party,
        issue=issue,
        level="community",
        organizations=[world.orgs.pmc, world.orgs.department],
        persons=[member],
        reason="业主与物业分歧大，需要多方协调",
    )
    assert issue.tier == "hard"
    assert Notification.objects.filter(recipient=world.people.pmc).exists()
    assert Notification.objects.filter(recipient=world.people.department).exists()
    assert Notification.objects.filter(recipient=member).exists()
    summonses = {s.organization_id or s.person_id: s for s in whistle.summonses.all()}
    with pytest.raises(IssueStateError) as exc:
        services.issue_resolve(
            actor=world.people.property_company, issue=issue, explanation="协调完毕，问题已经解决"
        )
    assert world.orgs.pmc.name in exc.value.messages[0]
    with pytest.raises(PermissionDenied):
        services.whistle_report_in(
            actor=world.people.property_company,
            summons=summonses[world.orgs.pmc.pk],
            contribution="x",
        )
    services.whistle_report_in(
        actor=world.people.pmc, summons=summonses[world.orgs.pmc.pk], contribution="派委员参加"
    )
    with pytest.raises(IssueStateError):
        services.whistle_report_in(
            actor=world.people.pmc, summons=summonses[world.orgs.pmc.pk], contribution="再报"
        )
    services.whistle_report_in(
        actor=world.people.department,
        summons=summonses[world.orgs.department.pk],
        contribution="派执法人员现场查看",
    )
    with pytest.raises(IssueStateError):
        services.issue_resolve(
            actor=world.people.property_company, issue=issue, explanation="协调完毕，问题已经解决"
        )
    services.whistle_report_in(
        actor=member, summons=summonses[member.pk], contribution="我负责入户沟通"
    )
    services.issue_resolve(
        actor=world.people.property_company, issue=issue, explanation="协调完毕，问题已经解决"
    )
    assert issue.status == S.RESOLVED
    assert issue.events.filter(verb="report_in").count() == 3


def test_whistle_rating_by_summoner_after_report_in(world):
    issue = advance(world, S.TRANSFERRED)
    whistle = services.whistle_blow(
        actor=world.people.community_party,
        issue=issue,
        level="community",
        organizations=[world.orgs.pmc],
        reason="多方协调",
    )
    summons = whistle.summonses.get()
    with pytest.raises(IssueStateError):
        services.whistle_rate(actor=world.people.community_party, summons=summons, rating=5)
    services.whistle_report_in(actor=world.people.pmc, summons=summons, contribution="参加")
    with pytest.raises(PermissionDenied):
        services.whistle_rate(actor=world.people.pmc, summons=summons, rating=5)
    with pytest.raises(ValidationError):
        services.whistle_rate(actor=world.people.community_party, summons=summons, rating=9)
    services.whistle_rate(actor=world.people.community_party, summons=summons, rating=4)
    summons.refresh_from_db()
    assert summons.rating == 4


def test_street_whistle_only_by_community_party_or_street(world):
    """seed: 协同联动 第四条 — 小区联席会议应研究并提出建议，报社区党组织。社区党组织应及时
    提请街道运用"街道吹哨、部门报到": the street whistle is blown by that request
    (tests/meetings/test_street_whistle.py), never on its own."""
    issue = advance(world, S.TRANSFERRED)
    with pytest.raises(PermissionDenied):
        services.whistle_blow(
            actor=world.people.compound_party,
            issue=issue,
            level="street",
            organizations=[world.orgs.department],
            reason="超出社区职责",
        )
    for actor in (world.people.community_party, world.people.street_office):
        with pytest.raises(ValidationError) as exc:
            services.whistle_blow(
                actor=actor,
                issue=issue,
                level="street",
                organizations=[world.orgs.department],
                reason="超出社区职责",
            )
        assert exc.value.error_dict["level"][0].code == "street_via_referral"
    assert not issue.whistles.exists()
    whistle = services.whistle_blow(
        actor=world.people.community_party,
        issue=issue,
        level="community",
        organizations=[world.orgs.department],
        reason="超出社区职责",
    )
    assert whistle.level == Whistle.Level.COMMUNITY


def test_whistle_needs_someone_to_summon_and_a_future_deadline(world):
    issue = advance(world, S.TRANSFERRED)
    with pytest.raises(ValidationError):
        services.whistle_blow(
            actor=world.people.community_party, issue=issue, level="community", reason="协调"
        )
    with pytest.raises(ValidationError):
        services.whistle_blow(
            actor=world.people.community_party,
            issue=issue,
            level="community",
            organizations=[world.orgs.pmc],
            reason="协调",
            report_due=issue.created_at - dt.timedelta(days=1),
        )


def test_supervision_order_by_supervisors_only(world):
    """seed: 协同联动 第二条 — 由小区党组织和社区环境和物业管理委员会进行督办."""
    issue = advance(world, S.TRANSFERRED)
    due = issue.created_at + dt.timedelta(days=5)
    with pytest.raises(PermissionDenied):
        services.supervision_order_issue(
            actor=world.people.property_company,
            issue=issue,
            organization=world.orgs.property_company,
            due=due,
            instruction="x",
        )
    order = services.supervision_order_issue(
        actor=world.people.rc_property_committee,
        issue=issue,
        organization=world.orgs.property_company,
        due=due,
        instruction="五日内给出整改结果",
    )
    assert Notification.objects.filter(
        recipient=world.people.property_company, subject__contains=issue.tracking_number
    ).exists()
    services.issue_post_progress(
        actor=world.people.property_company, issue=issue, note="已整改一半"
    )
    order.refresh_from_db()
    assert order.fulfilled_at is not None
    assert SupervisionOrder.objects.count() == 1


def test_referral_acknowledge_by_its_organization(world):
    issue = advance(world, S.TRANSFERRED)
    referral = issue.referrals.get(
        purpose=Referral.Purpose.SUPERVISE, organization__kind="compound_party"
    )
    with pytest.raises(PermissionDenied):
        services.referral_acknowledge(actor=world.people.property_company, referral=referral)
    services.referral_acknowledge(actor=world.people.compound_party, referral=referral)
    assert referral.acknowledged_at is not None
    with pytest.raises(IssueStateError):
        services.referral_acknowledge(actor=world.people.compound_party, referral=referral)


def test_record_consultation_is_public(world):
    """seed: 公示承诺制度 第一条 — "三方"协商落实意见 are published."""
    issue = advance(world, S.TRANSFERRED)
    services.issue_record_consultation(
        actor=world.people.residents_committee, issue=issue, result="三方商定：物业负责更换"
    )
    assert issue.consultation_result == "三方商定：物业负责更换"
    assert issue.events.filter(verb="consultation", public=True).exists()


# --- me too, merge ---------------------------------------------------------------


def test_me_too_once_per_person_and_not_by_reporter(world):
    issue = submit(world).issue
    services.issue_me_too(actor=world.neighbour, issue=issue)
    with pytest.raises(ValidationError):
        services.issue_me_too(actor=world.neighbour, issue=issue)
    with pytest.raises(ValidationError):
        services.issue_me_too(actor=world.resident, issue=issue)
    with pytest.raises(ValidationError):
        services.issue_me_too(actor=None, issue=issue)
    services.issue_me_too(actor=None, issue=issue, phone="13700001111")
    assert MeToo.objects.filter(issue=issue).count() == 2


def test_merge_makes_duplicate_reporter_a_me_too_with_explanation(world):
    first = submit(world).issue
    duplicate = submit(world, actor="neighbour").issue
    services.issue_merge(actor=world.people.joint_meeting_office, issue=duplicate, into=first)
    assert duplicate.status == S.MERGED
    assert first.tracking_number in duplicate.public_explanation
    assert MeToo.objects.filter(issue=first, person=world.neighbour).exists()
    with pytest.raises(ValidationError):
        services.issue_merge(actor=world.people.joint_meeting_office, issue=first, into=first)


# --- satisfaction and reopen -------------------------------------------------------


def test_unsatisfied_reporter_may_reopen_once(world):
    """issue 3 §6 — 不满意 or "not solved" lets the reporter reopen once."""
    issue = advance(world, S.RESOLVED)
    services.satisfaction_record(
        actor=world.resident, issue=issue, contacted=True, solved=False, rating="unsatisfied"
    )
    services.issue_reopen(actor=world.resident, issue=issue, reason="灯还是不亮")
    assert issue.status == S.IN_PROGRESS
    assert issue.reopen_count == 1
    services.issue_resolve(
        actor=world.people.property_company, issue=issue, explanation="更换了整条线路，已恢复"
    )
    services.satisfaction_record(
        actor=world.resident, issue=issue, contacted=True, solved=False, rating="unsatisfied"
    )
    with pytest.raises(IssueStateError) as exc:
        services.issue_reopen(actor=world.resident, issue=issue, reason="还是不行")
    assert exc.value.code == "reopen_refused"


def test_satisfied_reporter_cannot_reopen_and_cannot_rate_twice(world):
    issue = advance(world, S.RESOLVED)
    services.satisfaction_record(
        actor=world.resident, issue=issue, contacted=True, solved=True, rating="satisfied"
    )
    with pytest.raises(IssueStateError):
        services.satisfaction_record(
            actor=world.resident, issue=issue, contacted=True, solved=True, rating="basic"
        )
    with pytest.raises(IssueStateError):
        services.issue_reopen(actor=world.resident, issue=issue, reason="想再看看")


def test_reopen_window_passes(world):
    issue = advance(world, S.RESOLVED)
    with (
        time_machine.travel(issue.resolved_at + dt.timedelta(days=15)),
        pytest.raises(IssueStateError),
    ):
        services.issue_reopen(actor=world.resident, issue=issue, reason="又坏了")


def test_satisfaction_only_by_reporter_and_valid_rating(world):
    issue = advance(world, S.RESOLVED)
    with pytest.raises(PermissionDenied):
        services.satisfaction_record(
            actor=world.neighbour, issue=issue, contacted=True, solved=True, rating="satisfied"
        )
    with pytest.raises(ValidationError) as exc:
        services.satisfaction_record(
            actor=world.resident, issue=issue, contacted=True, solved=True, rating="great"
        )
    assert "rating" in exc.value.message_dict
    open_issue = submit(world).issue
    with pytest.raises(IssueStateError):
        services.satisfaction_record(
            actor=world.resident, issue=open_issue, contacted=True, solved=True, rating="basic"
        )


def test_unrelated_staff_member_cannot_manage(world):
    issue = submit(world).issue
    other = compound_world()
    with pytest.raises(PermissionDenied):
        services.issue_accept(actor=other.people.joint_meeting_office, issue=issue)
    party_member = MembershipFactory(
        organization=world.orgs.compound_party, role="party_member"
    ).person
    with pytest.raises(PermissionDenied):
        services.issue_accept(actor=party_member, issue=issue)
