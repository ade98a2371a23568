"""Work summaries (seed: 联席会议议事规则 第六条): generate → edit → approve → submit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dashboard.models import CompoundSnapshot, WorkSummary
from dashboard.services import (
    NARRATIVE_MAX,
    WorkSummaryStateError,
    snapshots_refresh_all,
    work_summary_approve,
    work_summary_edit,
    work_summary_generate,
    work_summary_reopen,
    work_summary_submit,
)
from huashan.notify.models import Notification
from meetings.models import ActionItem, Meeting
from tests.factories.issues import IssueFactory
from tests.factories.meetings import ActionItemFactory, AgendaTopicFactory, MeetingFactory

from .conftest import TZ

pytestmark = pytest.mark.django_db


def _h1_records(compound, orgs):
    """Records of the first half of 2026 plus some just outside it."""
    jan = dt.datetime(2026, 1, 28, 15, tzinfo=TZ)
    feb = dt.datetime(2026, 2, 25, 15, tzinfo=TZ)
    m1 = MeetingFactory(compound=compound, start=jan)
    MeetingFactory(compound=compound, start=feb)
    MeetingFactory(compound=compound, start=feb, kind=Meeting.Kind.RESIDENTS_FORUM)
    MeetingFactory(compound=compound, start=feb, status=Meeting.Status.CANCELLED)
    MeetingFactory(compound=compound, start=dt.datetime(2025, 12, 29, tzinfo=TZ))  # 2025
    AgendaTopicFactory(meeting=m1)
    AgendaTopicFactory(meeting=m1)
    done_at = dt.datetime(2026, 2, 10, tzinfo=TZ)
    ActionItemFactory(
        meeting=m1,
        responsible_organization=orgs.pmc,
        due_at=dt.datetime(2026, 2, 15, tzinfo=TZ),
        due_date=dt.date(2026, 2, 15),
        status=ActionItem.Status.DONE,
        completed_at=done_at,
    )
    ActionItemFactory(
        meeting=m1,
        responsible_organization=orgs.property_company,
        due_at=dt.datetime(2026, 3, 1, tzinfo=TZ),
        due_date=dt.date(2026, 3, 1),
    )
    for tier, status in [("small", "closed"), ("small", "closed"), ("big", "in_progress")]:
        IssueFactory(compound=compound, tier=tier, status=status, created_at=feb)
    # Filed at 24:00 of 30 June (= 1 July 00:00): second half, not counted.
    IssueFactory(compound=compound, created_at=dt.datetime(2026, 7, 1, 0, 0, tzinfo=TZ))
    IssueFactory(
        compound=compound, tier="hard", created_at=dt.datetime(2026, 6, 30, 23, 59, tzinfo=TZ)
    )


def test_generate_counts_the_period_records(world, frozen):
    _h1_records(world.compound, world.orgs)
    summary = work_summary_generate(
        actor=world.people.joint_meeting_office, compound=world.compound, period="2026H1"
    )
    f = summary.figures
    assert summary.kind == WorkSummary.Kind.HALF_YEAR
    assert (summary.period_start, summary.period_end) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert f["meetings"]["joint"] == 2
    assert f["meetings"]["residents_forum"] == 1
    assert f["topics"]["total"] == 2
    assert f["action_items"]["total"] == 2
    assert f["action_items"]["done_on_time"] == 1
    assert f["action_items"]["open_overdue"] == 1
    assert f["complaints"]["filed"] == 4
    assert f["complaints"]["by_tier"]["small"] == {"closed": 2}
    assert f["complaints"]["by_tier"]["big"] == {"in_progress": 1}
    assert f["complaints"]["by_tier"]["hard"] == {"submitted": 1}
    assert summary.generated_at is not None
    assert [e.verb for e in summary.events.all()] == ["created", "generated"]


def test_full_flow_edit_approve_submit_notifies_community_party(world, frozen):
    office = world.people.joint_meeting_office
    secretary = world.people.compound_party
    summary = work_summary_generate(actor=office, compound=world.compound, period="2026")
    assert summary.kind == WorkSummary.Kind.YEAR
    with pytest.raises(ValidationError) as err:
        work_summary_approve(actor=secretary, summary=summary)
    assert set(err.value.message_dict) == {"narrative", "suggestions"}
    summary = work_summary_edit(
        actor=office, summary=summary, narrative="  三方联动运转良好。 ", suggestions="加强公示。"
    )
    assert summary.narrative == "三方联动运转良好。"
    summary = work_summary_approve(actor=secretary, summary=summary)
    assert summary.state == WorkSummary.State.APPROVED
    with pytest.raises(WorkSummaryStateError):
        work_summary_edit(actor=office, summary=summary, narrative="x", suggestions="y")
    with pytest.raises(WorkSummaryStateError):
        work_summary_generate(actor=office, compound=world.compound, period="2026")
    summary = work_summary_submit(actor=secretary, summary=summary)
    assert summary.state == WorkSummary.State.SUBMITTED
    assert summary.submitted_to == world.orgs.community_party
    assert Notification.objects.filter(recipient=world.people.community_party).exists()
    with pytest.raises(WorkSummaryStateError):
        work_summary_reopen(actor=secretary, summary=summary, reason="改")
    verbs = list(summary.events.values_list("verb", flat=True))
    assert verbs == ["created", "generated", "edited", "approved", "submitted"]


def test_reopen_needs_reason_and_returns_to_draft(world, frozen):
    office, secretary = world.people.joint_meeting_office, world.people.compound_party
    summary = work_summary_generate(actor=office, compound=world.compound, period="2026H1")
    summary = work_summary_edit(actor=office, summary=summary, narrative="n", suggestions="s")
    summary = work_summary_approve(actor=secretary, summary=summary)
    with pytest.raises(ValidationError) as err:
        work_summary_reopen(actor=secretary, summary=summary, reason="   ")
    assert "reason" in err.value.message_dict
    summary = work_summary_reopen(actor=secretary, summary=summary, reason="数据需更新")
    assert summary.state == WorkSummary.State.DRAFT
    assert summary.approved_at is None


def test_permissions_and_bad_input(world, other_world, frozen):
    office = world.people.joint_meeting_office
    with pytest.raises(PermissionDenied):
        work_summary_generate(actor=world.resident, compound=world.compound, period="2026H1")
    with pytest.raises(PermissionDenied):
        work_summary_generate(actor=office, compound=other_world.compound, period="2026H1")
    for bad in ("2026H3", "", "'; DROP TABLE x; --", "9" * 500):
        with pytest.raises(ValidationError) as err:
            work_summary_generate(actor=office, compound=world.compound, period=bad)
        assert "period" in err.value.message_dict
    summary = work_summary_generate(actor=office, compound=world.compound, period="2026H1")
    with pytest.raises(ValidationError) as err:
        work_summary_edit(
            actor=office, summary=summary, narrative="长" * (NARRATIVE_MAX + 1), suggestions=""
        )
    assert "narrative" in err.value.message_dict
    summary.refresh_from_db()
    assert summary.narrative == ""
    with pytest.raises(PermissionDenied):
        work_summary_approve(actor=office, summary=summary)  # office drafts, convenor approves
    with pytest.raises(PermissionDenied):
        work_summary_edit(actor=world.people.pmc, summary=summary, narrative="x", suggestions="")


def test_generate_twice_keeps_one_row_and_the_narrative(world, frozen):
    office = world.people.joint_meeting_office
    summary = work_summary_generate(actor=office, compound=world.compound, period="2026H1")
    work_summary_edit(actor=office, summary=summary, narrative="已写的内容", suggestions="")
    again = work_summary_generate(actor=office, compound=world.compound, period="2026h1")
    assert again.pk == summary.pk
    assert again.narrative == "已写的内容"
    assert WorkSummary.objects.count() == 1


def test_snapshots_refresh_all_backfills_once(world, other_world, frozen):
    written = snapshots_refresh_all(backfill_months=3)
    assert written == 2 * 3
    assert CompoundSnapshot.objects.count() == 6
    assert snapshots_refresh_all(backfill_months=3) == 2  # only this month again
    current = CompoundSnapshot.objects.get(compound=world.compound, month=dt.date(2026, 3, 1))
    assert current.figures["current"]["complaints_open"] == 0
    past = CompoundSnapshot.objects.get(compound=world.compound, month=dt.date(2026, 1, 1))
    assert "current" not in past.figures


# --- Task dispatch lives in the services, never in a view (issue 15 item 7) ----------


def test_pdf_request_queues_the_render_and_marks_it_pending(world):
    """seed: 联席会议议事规则 第六条 (the summary reported as a PDF), rendered by the worker."""
    from unittest import mock

    from django.core.cache import cache

    from dashboard import services

    summary = work_summary_generate(actor=None, compound=world.compound, period="2026H1")
    with mock.patch("dashboard.tasks.work_summary_render_pdf_task.apply_async") as queued:
        services.work_summary_pdf_request(actor=world.people.joint_meeting_office, summary=summary)
    queued.assert_called_once_with(args=(summary.pk,), retry=False)
    assert cache.get(services.pdf_request_key(summary)) is not None


def test_pdf_request_with_the_broker_down_is_a_clear_error_and_not_pending(world):
    from unittest import mock

    from django.core.cache import cache

    from dashboard import services

    summary = work_summary_generate(actor=None, compound=world.compound, period="2026H1")
    with (
        mock.patch(
            "dashboard.tasks.work_summary_render_pdf_task.apply_async",
            side_effect=ConnectionError("broker down"),
        ),
        pytest.raises(ValidationError) as refused,
    ):
        services.work_summary_pdf_request(actor=world.people.compound_party, summary=summary)
    assert refused.value.messages  # "the background worker cannot be reached", in Chinese
    assert cache.get(services.pdf_request_key(summary)) is None


def test_pdf_request_is_for_the_office_and_the_convenors_only(world):
    from unittest import mock

    from dashboard import services

    summary = work_summary_generate(actor=None, compound=world.compound, period="2026H1")
    with mock.patch("dashboard.tasks.work_summary_render_pdf_task.apply_async") as queued:
        for person in (world.resident, world.people.street_office, None):
            with pytest.raises(PermissionDenied):
                services.work_summary_pdf_request(actor=person, summary=summary)
    queued.assert_not_called()


def test_pdf_request_before_the_figures_is_refused(world):
    from dashboard import services

    summary = WorkSummary.objects.create(
        compound=world.compound,
        period="2026H1",
        kind=WorkSummary.Kind.HALF_YEAR,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 7, 1),
    )
    with pytest.raises(ValidationError):
        services.work_summary_pdf_request(actor=world.people.joint_meeting_office, summary=summary)


def test_snapshot_refresh_is_queued_at_most_once_per_throttle_window():
    from unittest import mock

    from dashboard import services

    with mock.patch("dashboard.tasks.snapshots_refresh.apply_async") as queued:
        services.snapshots_refresh_queue()
        services.snapshots_refresh_queue()
    queued.assert_called_once()
    from django.core.cache import cache

    cache.clear()
    with mock.patch(
        "dashboard.tasks.snapshots_refresh.apply_async", side_effect=ConnectionError("down")
    ) as down:
        services.snapshots_refresh_queue()  # broker down: no error, beat will refresh
    down.assert_called_once()


def test_dashboard_views_never_dispatch_tasks_themselves():
    """Views call services; services dispatch (issue 15 item 7; DESIGN.md §6)."""
    from pathlib import Path

    from django.conf import settings

    source = (Path(settings.BASE_DIR) / "dashboard" / "views.py").read_text(encoding="utf-8")
    assert "apply_async" not in source
    assert ".delay(" not in source
