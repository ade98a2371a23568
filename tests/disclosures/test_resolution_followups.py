"""物业管理委员会服务承诺 1 严格执行业主大会决议: "每半年通过线上线下渠道向全体业主汇报决议
执行情况，对未落实事项公开说明原因并制定整改计划。"

The PMC's half-yearly report on each passed resolution (``ResolutionFollowUp``): who may
record it, what each status must carry, which resolutions and half-years it covers, the
report page with its missing entries, and the page's forms under hostile input.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disclosures import selectors, services
from disclosures.models import ResolutionFollowUp, ResolutionFollowUpEvent
from huashan import periods
from meetings.models import OwnersAssemblyMotion
from tests.factories.world import compound_world

pytestmark = pytest.mark.django_db

SEED = "每半年通过线上线下渠道向全体业主汇报决议执行情况，对未落实事项公开说明原因并制定整改计划。"
TZ = dt.timezone(dt.timedelta(hours=8))
#: "Today" of these tests: 15 August 2026, in the second half of 2026.
NOW = dt.datetime(2026, 8, 15, 10, 0, tzinfo=TZ)
TODAY = NOW.date()
H1, H2 = periods.parse("2026H1"), periods.parse("2026H2")
Status = ResolutionFollowUp.Status


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world():
    return compound_world(extras=("outsider",), pmc_members=1)


def resolution(world, *, title="更换小区门禁系统", passed=True, stage="decided", decided=None):
    return OwnersAssemblyMotion.objects.create(
        compound=world.compound,
        title=title,
        body="议案内容",
        matter=OwnersAssemblyMotion.Matter.OTHER,
        stage=stage,
        passed=passed,
        decided_at=decided or dt.datetime(2026, 3, 10, 18, 0, tzinfo=TZ),
    )


def record(world, motion, **kwargs):
    values = {
        "actor": world.pmc_chair,
        "motion": motion,
        "period": "2026H2",
        "status": Status.NOT_IMPLEMENTED,
        "reason": "施工单位尚未进场",
        "plan": "九月底前完成招标，十月开工",
        "plan_due": TODAY,
    }
    values.update(kwargs)
    return services.resolution_followup_record(**values)


def field_errors(exc: ValidationError) -> set[str]:
    return set(getattr(exc, "error_dict", {}))


def test_the_seed_sentence_is_the_rule_the_model_reports_on():
    from provisioning.seed import PMC_LETTER

    texts = [item["text"] for item in PMC_LETTER["items"]]
    assert SEED in texts
    assert "物业管理委员会服务承诺 1" in services.resolutions.__doc__
    assert "整改计划" in services.resolutions.__doc__


# --- 对未落实事项说明原因并制定整改计划 ------------------------------------------------------


def test_not_implemented_with_reason_plan_and_target_date_today_is_recorded(world):
    """未落实事项公开说明原因并制定整改计划: a target date of today is still ahead."""
    row = record(world, resolution(world), plan_due=TODAY)
    assert (row.status, row.period, row.plan_due) == (Status.NOT_IMPLEMENTED, "2026H2", TODAY)
    assert row.compound == world.compound
    assert row.recorded_by == world.pmc_chair


def test_not_implemented_with_a_target_date_yesterday_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        record(world, resolution(world), plan_due=TODAY - dt.timedelta(days=1))
    assert field_errors(exc.value) == {"plan_due"}
    assert not ResolutionFollowUp.objects.exists()


@pytest.mark.parametrize(
    ("missing", "field"),
    [({"reason": "  "}, "reason"), ({"plan": ""}, "plan"), ({"plan_due": None}, "plan_due")],
)
def test_not_implemented_without_reason_plan_or_date_is_refused(world, missing, field):
    """说明原因 and 制定整改计划 are both required, and a plan carries its target date."""
    with pytest.raises(ValidationError) as exc:
        record(world, resolution(world), **missing)
    assert field in field_errors(exc.value)
    assert not ResolutionFollowUp.objects.exists()


def test_in_progress_needs_a_plan_but_no_reason(world):
    motion = resolution(world)
    with pytest.raises(ValidationError) as exc:
        record(world, motion, status=Status.IN_PROGRESS, reason="", plan="")
    assert field_errors(exc.value) == {"plan"}
    in_progress = {"status": Status.IN_PROGRESS, "reason": "", "plan_due": None}
    row = record(world, motion, plan="余下两栋楼", **in_progress)
    assert (row.status, row.reason, row.plan_due) == (Status.IN_PROGRESS, "", None)


def test_in_progress_target_date_in_the_past_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        record(world, resolution(world), status=Status.IN_PROGRESS, plan_due=dt.date(2026, 8, 14))
    assert field_errors(exc.value) == {"plan_due"}


def test_implemented_needs_nothing_more_and_drops_the_target_date(world):
    row = record(world, resolution(world), status=Status.IMPLEMENTED, reason="", plan="")
    assert (row.status, row.plan_due, row.reason, row.plan) == (Status.IMPLEMENTED, None, "", "")


def test_an_unknown_status_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        record(world, resolution(world), status="done")
    assert field_errors(exc.value) == {"status"}


# --- 业主大会决议: only passed resolutions of the compound ------------------------------------


def test_a_motion_that_failed_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        record(world, resolution(world, passed=False))
    assert exc.value.code == "not_passed"


def test_a_motion_still_being_voted_on_is_refused(world):
    with pytest.raises(ValidationError):
        record(world, resolution(world, passed=None, stage="voting"))


def test_a_passed_motion_with_its_result_published_is_reported_on(world):
    row = record(world, resolution(world, stage="result_published"), status=Status.IMPLEMENTED)
    assert row.status == Status.IMPLEMENTED


def test_a_motion_of_another_compound_is_refused(world):
    other = compound_world(community=world.community)
    with pytest.raises(PermissionDenied):
        record(world, resolution(other))
    assert not ResolutionFollowUp.objects.exists()


@pytest.mark.parametrize(
    "who", ["resident", "company_staff", "party_secretary", "meeting_clerk", "outsider"]
)
def test_a_person_without_a_pmc_seat_is_refused(world, who):
    with pytest.raises(PermissionDenied):
        record(world, resolution(world), actor=getattr(world, who))


def test_a_pmc_member_may_record(world):
    row = record(world, resolution(world), actor=world.pmc_members[0])
    assert row.recorded_by == world.pmc_members[0]


# --- 每半年: the half-years a resolution is reported for ------------------------------------


def test_the_half_year_the_vote_was_counted_is_the_first_reported(world):
    motion = resolution(world, decided=dt.datetime(2026, 6, 30, 23, 0, tzinfo=TZ))
    assert services.resolution_first_period(motion) == H1
    assert record(world, motion, period="2026H1").period == "2026H1"
    with pytest.raises(ValidationError) as exc:
        record(world, motion, period="2025H2")
    assert field_errors(exc.value) == {"period"}


def test_a_resolution_passed_on_1_july_starts_in_the_second_half(world):
    motion = resolution(world, decided=dt.datetime(2026, 7, 1, 0, 0, tzinfo=TZ))
    with pytest.raises(ValidationError):
        record(world, motion, period="2026H1")
    assert record(world, motion, period="2026H2").period == "2026H2"


def test_a_half_year_not_yet_begun_is_refused(world):
    assert services.resolution_current_period() == H2
    with pytest.raises(ValidationError) as exc:
        record(world, resolution(world), period="2027H1")
    assert field_errors(exc.value) == {"period"}


@pytest.mark.parametrize("code", ["2026Q3", "2026", "H1", "2026H3", "", "2026H1' OR 1=1"])
def test_a_period_that_is_not_a_half_year_is_refused(world, code):
    with pytest.raises(ValidationError) as exc:
        record(world, resolution(world), period=code)
    assert field_errors(exc.value) == {"period"}


# --- recording again, events, clean text -----------------------------------------------------


def test_recording_again_in_the_same_half_year_updates_it_with_an_event(world):
    motion = resolution(world)
    first = record(world, motion)
    second = record(world, motion, status=Status.IMPLEMENTED, reason="", plan="")
    assert first.pk == second.pk
    assert ResolutionFollowUp.objects.get().status == Status.IMPLEMENTED
    events = list(ResolutionFollowUpEvent.objects.filter(followup=first).order_by("pk"))
    assert [(e.verb, e.from_state, e.to_state) for e in events] == [
        ("recorded", "", Status.NOT_IMPLEMENTED),
        ("updated", Status.NOT_IMPLEMENTED, Status.IMPLEMENTED),
    ]
    assert all(e.verb in ResolutionFollowUpEvent.VERB_LABELS for e in events)
    assert events[0].actor == world.pmc_chair


def test_text_is_stripped_and_oversized_or_nul_text_refused(world):
    motion = resolution(world)
    row = record(world, motion, reason="  原因  ", plan="\n计划\n")
    assert (row.reason, row.plan) == ("原因", "计划")
    limit = services.FOLLOWUP_REASON_MAX_CHARS
    assert record(world, motion, reason="因" * limit).reason == "因" * limit
    with pytest.raises(ValidationError) as exc:
        record(world, motion, reason="因" * (limit + 1))
    assert field_errors(exc.value) == {"reason"}
    with pytest.raises(ValidationError) as exc:
        record(world, motion, plan="计划\x00")
    assert field_errors(exc.value) == {"plan"}


# --- the report: every passed resolution, missing entries, carried forward ---------------------


def test_missing_entries_are_shown_then_gone_once_recorded(world):
    passed = resolution(world, title="加装电梯")
    resolution(world, title="未通过的议案", passed=False)
    resolution(world, title="下半年才通过", decided=dt.datetime(2026, 7, 2, tzinfo=TZ))
    rows = selectors.resolution_report(compound=world.compound, period=H1)
    assert [(r.motion.title, r.missing) for r in rows] == [("加装电梯", True)]
    record(world, passed, period="2026H1", status=Status.IMPLEMENTED)
    rows = selectors.resolution_report(compound=world.compound, period=H1)
    assert [(r.motion.title, r.missing) for r in rows] == [("加装电梯", False)]


def test_an_earlier_report_carries_forward_as_last_reported(world):
    motion = resolution(world)
    h1 = record(world, motion, period="2026H1", plan_due=dt.date(2026, 12, 31))
    (row,) = selectors.resolution_report(compound=world.compound, period=H2)
    assert (row.missing, row.last, row.shown) == (True, h1, h1)
    assert h1.period_label == "2026年上半年"
    h2 = record(world, motion, period="2026H2", status=Status.IMPLEMENTED)
    (row,) = selectors.resolution_report(compound=world.compound, period=H2)
    assert (row.followup, row.last, row.shown) == (h2, h1, h2)
    (row,) = selectors.resolution_report(compound=world.compound, period=H1)
    assert (row.followup, row.last) == (h1, None)


def test_another_compounds_resolutions_are_not_in_the_report(world):
    other = compound_world(community=world.community)
    resolution(other, title="别的小区的决议")
    assert selectors.resolution_report(compound=world.compound, period=H2) == []


def _report_queries(world, n: int) -> int:
    for i in range(n):
        motion = resolution(world, title=f"决议{i}", decided=dt.datetime(2025, 3, 1, tzinfo=TZ))
        for code in ("2025H1", "2025H2", "2026H1"):
            record(world, motion, period=code, status=Status.IMPLEMENTED)
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.resolution_report(compound=world.compound, period=H2)
        assert all(r.last is not None for r in rows)
    return len(queries)


def test_the_report_query_count_is_flat_in_data_size(world):
    small = _report_queries(world, 1)
    large = _report_queries(compound_world(community=world.community), 12)
    assert small == large == 2


# --- the page: 决议执行情况, public, with the PMC officers' forms ------------------------------


def page_url(world, code: str | None = None) -> str:
    if code is None:
        return reverse("disclosures:resolutions", args=(world.compound.slug,))
    return reverse("disclosures:resolutions_period", args=(world.compound.slug, code))


def form_data(motion, **values) -> dict:
    data = {
        "status": Status.NOT_IMPLEMENTED,
        "reason": "施工单位尚未进场",
        "plan": "九月底前完成招标",
        "plan_due": TODAY.isoformat(),
    }
    data.update(values)
    return {"motion": str(motion.pk), **{f"m{motion.pk}-{k}": v for k, v in data.items()}}


def test_the_board_links_the_report(world, client):
    response = client.get(reverse("disclosures:board", args=(world.compound.slug,)))
    assert page_url(world).encode() in response.content


@pytest.mark.parametrize("who", [None, "resident"])
def test_anyone_reads_the_report_with_missing_entries_but_gets_no_form(world, client, who):
    motion = resolution(world, title="加装电梯")
    if who:
        client.force_login(getattr(world, who))
    response = client.get(page_url(world))
    html = response.content.decode()
    assert response.status_code == 200
    assert "加装电梯" in html
    assert "2026-03-10" in html
    assert 'data-testid="missing-count"' in html
    assert f'name="m{motion.pk}-status"' not in html
    assert client.post(page_url(world), form_data(motion)).status_code == 403
    assert not ResolutionFollowUp.objects.exists()


def test_a_pmc_officer_records_on_the_page_and_the_missing_entry_is_gone(world, client):
    motion = resolution(world, title="加装电梯")
    client.force_login(world.pmc_chair)
    html = client.get(page_url(world)).content.decode()
    assert f'name="m{motion.pk}-status"' in html
    response = client.post(page_url(world), form_data(motion))
    assert response.status_code == 302
    row = ResolutionFollowUp.objects.get()
    assert (row.period, row.status, row.plan_due) == ("2026H2", Status.NOT_IMPLEMENTED, TODAY)
    html = client.get(page_url(world, "2026H2")).content.decode()
    assert 'data-testid="missing-count"' not in html
    assert "施工单位尚未进场" in html
    assert "未落实" in html or str(Status.NOT_IMPLEMENTED.label) in html


def test_the_half_yearly_disclosure_is_linked_when_posted(world, client):
    from tests.factories.disclosures import DisclosureFactory, category

    resolution(world)
    disclosure = DisclosureFactory(
        organization=world.orgs.pmc,
        category=category("owners_assembly"),
        period_type="half_year",
        period_start=H2.start,
        period_end=H2.end,
        title="2026年下半年决议执行情况",
    )
    html = client.get(page_url(world)).content.decode()
    assert reverse("disclosures:detail", args=(disclosure.pk,)) in html
    assert reverse("disclosures:detail", args=(disclosure.pk,)) not in (
        client.get(page_url(world, "2026H1")).content.decode()
    )


@pytest.mark.parametrize("code", ["2027H1", "2026Q3", "x" * 500, "2026H1%00"])
def test_a_bad_or_future_half_year_is_not_found(world, client, code):
    assert client.get(page_url(world, code)).status_code == 404


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"plan_due": "2026-08-14"}, "plan_due", ""),
        ({"reason": "因" * 2001}, "reason", "2000"),
        ({"plan": "计划\x00<script>"}, "plan", "空字符"),  # Django's NUL refusal, in Chinese
        ({"status": "<script>alert(1)</script>"}, "status", ""),
        ({"plan_due": "<script>"}, "plan_due", ""),
    ],
)
def test_hostile_input_comes_back_with_a_chinese_message_and_what_was_typed(
    world, client, values, field, words
):
    motion = resolution(world)
    client.force_login(world.pmc_chair)
    data = form_data(motion, **{"reason": "原因<script>alert('x')</script>", **values})
    response = client.post(page_url(world), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert f'data-field="m{motion.pk}-{field}"' in html
    assert "<script>alert" not in html
    assert words in html
    if field != "reason":
        assert "原因&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert not ResolutionFollowUp.objects.exists()


def test_a_motion_not_on_the_page_is_refused_without_an_error_page(world, client):
    other = compound_world(community=world.community)
    failed = resolution(world, passed=False)
    client.force_login(world.pmc_chair)
    for motion_pk in (resolution(other).pk, failed.pk, "abc", "9" * 30):
        response = client.post(page_url(world), {"motion": str(motion_pk)}, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain == [(page_url(world, "2026H2"), 302)]
    assert not ResolutionFollowUp.objects.exists()


# --- the owners are told ("向全体业主汇报") ------------------------------------------------


def _notices(person):
    from huashan.notify.models import Notification

    return list(Notification.objects.filter(recipient=person, channel="inbox").order_by("pk"))


def test_the_owners_are_told_of_a_report_and_of_a_changed_status_only(world):
    motion = resolution(world, title="更换小区门禁系统")
    row = record(world, motion)
    page = page_url(world, "2026H2") + f"#resolution-{motion.pk}"
    for owner in (world.resident, world.neighbour):
        (notice,) = _notices(owner)
        assert notice.link == page
        assert "更换小区门禁系统" in notice.subject
        assert "施工单位尚未进场" in notice.body
    assert _notices(world.outsider) == []
    assert _notices(world.pmc_chair) == []  # an officer, not an owner of the compound
    record(world, motion, plan="十月开工")  # a corrected word: nobody is told again
    assert len(_notices(world.resident)) == 1
    record(world, motion, status=Status.IMPLEMENTED, reason="", plan="")
    assert len(_notices(world.resident)) == 2
    assert ResolutionFollowUpEvent.objects.filter(followup=row).count() == 3


def test_a_refused_report_tells_nobody(world):
    motion = resolution(world)
    with pytest.raises(ValidationError):
        record(world, motion, reason="")
    assert _notices(world.resident) == []


def _page_queries(world, client, n: int) -> int:
    for i in range(n):
        motion = resolution(world, title=f"决议{i}", decided=dt.datetime(2025, 3, 1, tzinfo=TZ))
        for code in ("2026H1", "2026H2"):
            record(world, motion, period=code, status=Status.IN_PROGRESS, plan="推进中")
    client.force_login(world.pmc_chair)  # with a form on every resolution
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page_url(world, "2026H2"))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="resolution"') == n
    return len(queries)


def test_the_page_query_count_is_flat_in_the_number_of_resolutions(world, client):
    small = _page_queries(world, client, 1)
    large = _page_queries(compound_world(community=world.community, pmc_members=1), client, 10)
    assert small == large


# --- the API: the same report as JSON, public ------------------------------------------------


def _api(client, **params):
    return client.get(reverse("disclosures_api:resolution-list"), params)


def test_the_api_gives_anyone_the_report_with_this_and_the_last_half_year(world, client):
    """seed: 物业管理委员会服务承诺 1 "每半年通过线上线下渠道向全体业主汇报决议执行情况" — the
    online channel includes the API: anonymous callers read what the public page shows."""
    motion = resolution(world, title="更换小区门禁系统")
    resolution(world, title="未通过的议案", passed=False)
    record(world, motion, period="2026H1", plan_due=dt.date(2026, 12, 31))
    response = _api(client, compound=world.compound.slug)
    assert response.status_code == 200, response.content
    (row,) = response.json()
    assert (row["resolution"], row["title"], row["missing"]) == (
        motion.pk,
        "更换小区门禁系统",
        True,
    )
    assert row["report"] is None
    assert row["last_report"]["period"] == "2026H1"
    assert row["last_report"]["period_label"] == "2026年上半年"
    assert row["last_report"]["status"] == "not_implemented"
    assert row["last_report"]["plan_due"] == "2026-12-31"
    record(world, motion, period="2026H2", status=Status.IMPLEMENTED)
    (row,) = _api(client, compound=world.compound.slug, period="2026H2").json()
    assert (row["missing"], row["report"]["status"]) == (False, "implemented")
    (row,) = _api(client, compound=world.compound.slug, period="2026H1").json()
    assert (row["report"]["period"], row["last_report"]) == ("2026H1", None)


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({}, 400, "compound"),
        ({"compound": "no-such-compound"}, 404, None),
        ({"compound": "<script>"}, 400, "compound"),
        ({"compound": "x" * 500}, 400, "compound"),
        ({"compound": "OURS", "period": "2027H1"}, 400, "period"),  # the future
        ({"compound": "OURS", "period": "2026Q3"}, 400, "period"),  # not a half-year
        ({"compound": "OURS", "period": "H1 OR 1=1"}, 400, "period"),
        ({"compound": "OURS", "period": "2" * 40}, 400, "period"),
    ],
)
def test_the_api_refuses_wrong_missing_oversized_and_hostile_queries(
    world, client, params, status, field
):
    """Never a 500: each wrong query is answered with the field it is about."""
    if params.get("compound") == "OURS":
        params = {**params, "compound": world.compound.slug}
    response = _api(client, **params)
    assert response.status_code == status, response.content
    if field:
        assert field in response.json()
