"""The state-change kit in huashan/core/state.py (issue 15 item 3)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from huashan.core import state
from issues.models import Issue, IssueEvent
from tests.factories.directory import PersonFactory
from tests.factories.issues import IssueFactory


class StepError(ValidationError):
    pass


MOVES = {"draft": {"open"}, "open": {"closed"}}


def test_guard_returns_the_current_state_when_the_move_is_allowed():
    row = SimpleNamespace(state="draft")
    assert state.guard(row, "open", transitions=MOVES, message="no") == "draft"


def test_guard_raises_the_apps_error_with_its_message_and_params():
    row = SimpleNamespace(status="open")
    with pytest.raises(StepError) as caught:
        state.guard(
            row,
            "open",
            state_attr="status",
            transitions=MOVES,
            error=StepError,
            message="now “%(s)s”",
            params={"s": "进行中"},
        )
    assert caught.value.messages == ["now “进行中”"]
    assert caught.value.code == "invalid_transition"


def test_guard_allowed_from_narrows_the_moves():
    row = SimpleNamespace(state="open")
    assert state.guard(row, "closed", transitions=MOVES, message="no") == "open"
    with pytest.raises(ValidationError):
        state.guard(row, "closed", transitions=MOVES, allowed_from={"draft"}, message="no")


def test_guard_reads_the_models_transitions_by_default():
    row = Issue(status=Issue.Status.SUBMITTED)
    target = next(iter(Issue.TRANSITIONS[Issue.Status.SUBMITTED]))
    assert state.guard(row, target, state_attr="status", message="no") == "submitted"
    with pytest.raises(ValidationError):
        state.guard(row, "no-such-state", state_attr="status", message="no")


@pytest.mark.parametrize(
    ("value", "expected"), [("  你好 ", "你好"), (None, ""), (12, "12"), ("", "")]
)
def test_clean_text_strips(value, expected):
    assert state.clean_text(value, field="f", max_length=10, required=False) == expected


@translation.override("en")
def test_clean_text_required_min_and_max_messages():
    with pytest.raises(ValidationError) as caught:
        state.clean_text("   ", field="note", max_length=5)
    assert caught.value.message_dict == {"note": ["This field is required."]}
    assert caught.value.error_dict["note"][0].code == "required"
    with pytest.raises(ValidationError) as caught:
        state.clean_text("ab", field="note", max_length=5, min_length=3)
    assert caught.value.message_dict == {"note": ["Please write at least 3 characters."]}
    with pytest.raises(ValidationError) as caught:
        state.clean_text("abcdef", field="note", max_length=5)
    assert caught.value.message_dict == {"note": ["At most 5 characters, please (you wrote 6)."]}
    assert state.clean_text("abcde", field="note", max_length=5) == "abcde"


@pytest.mark.django_db
def test_lock_refetches_with_select_for_update_and_joins():
    issue = IssueFactory()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        locked = state.lock(issue, related=("compound",))
        assert locked.compound.pk == issue.compound_id  # joined, no second query
        again = state.lock(Issue, issue.pk)
    sql = [q["sql"] for q in queries.captured_queries]
    assert len(sql) == 2
    assert "FOR UPDATE OF" in sql[0]
    assert "FOR UPDATE" in sql[1]
    assert locked is not issue
    assert again.pk == issue.pk


@pytest.mark.django_db
def test_sync_copies_the_saved_row_onto_the_callers_instance():
    issue = IssueFactory()
    fresh = Issue.objects.select_related("compound").get(pk=issue.pk)
    fresh.status = Issue.Status.ACCEPTED
    assert state.sync(issue, fresh) is issue
    assert issue.status == Issue.Status.ACCEPTED


@pytest.mark.django_db
def test_record_event_writes_actor_verb_states_and_note():
    issue = IssueFactory()
    person = PersonFactory()
    event = state.record_event(
        IssueEvent,
        issue=issue,
        actor=person,
        verb="accepted",
        from_state="submitted",
        to_state="accepted",
        note="已受理",
        public=True,
    )
    event.refresh_from_db()
    assert (event.issue_id, event.actor_id, event.verb) == (issue.pk, person.pk, "accepted")
    assert (event.from_state, event.to_state, event.note, event.public) == (
        "submitted",
        "accepted",
        "已受理",
        True,
    )


@pytest.mark.django_db
def test_record_event_an_unsaved_actor_is_nobody():
    from django.contrib.auth.models import AnonymousUser

    event = state.record_event(IssueEvent, issue=IssueFactory(), actor=AnonymousUser(), verb="x")
    assert event.actor_id is None
    assert event.note == ""
