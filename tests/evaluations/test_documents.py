"""Results and evidence PDFs are rendered by Celery, not in the request (DESIGN.md §4 "PDF")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from evaluations import services, tasks
from evaluations.models import Campaign, EvaluationDocument
from tests.factories.evaluations import advance_to

State = Campaign.State
pytestmark = pytest.mark.django_db


def test_request_queues_once_per_version_and_renders_in_the_task(
    client, world, django_capture_on_commit_callbacks, monkeypatch
):
    dispatched = []
    monkeypatch.setattr(
        tasks.render_document, "apply_async", lambda args, **kw: dispatched.append(*args)
    )
    advance_to(world, State.PRELIMINARY)  # results exist from 初步结果 on (第五条)
    client.force_login(world.community_secretary)
    url = reverse("evaluations:results_pdf", args=[world.campaign.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(url).status_code == 202
        assert client.get(url).status_code == 202  # the same pending row, nothing new queued
    document = EvaluationDocument.objects.get()
    assert dispatched == [document.pk]
    assert tasks.render_document(document.pk) == "ready"
    assert tasks.render_document(document.pk) == "ready"  # idempotent
    document.refresh_from_db()
    assert document.file.read(5) == b"%PDF-"
    assert client.get(url).status_code == 200
    # A change of the campaign is a new version: a new PDF is prepared.
    services.campaign_advance(
        actor=world.community_secretary, campaign=world.campaign, to_state="publicity"
    )
    assert client.get(url).status_code == 202
    assert EvaluationDocument.objects.count() == 2


def test_sweep_renders_what_a_dead_worker_left_pending(world, time_machine):
    document = services.document_current(campaign=world.campaign, kind="results")
    assert document.status == EvaluationDocument.Status.PENDING
    assert tasks.sweep_documents()["rendered"] == 0  # too young: the worker may be on it
    time_machine.move_to(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=5))
    assert tasks.sweep_documents()["rendered"] == 1
    document.refresh_from_db()
    assert document.status == EvaluationDocument.Status.READY
    assert tasks.sweep_documents()["rendered"] == 0


def test_render_failure_is_recorded_not_raised(world, monkeypatch):
    document = services.document_current(campaign=world.campaign, kind="results")

    def broken(*args, **kwargs):
        raise RuntimeError("font missing")

    monkeypatch.setattr("huashan.pdf.render_pdf", broken)
    assert tasks.render_document(document.pk) == "failed"
    document.refresh_from_db()
    assert "font missing" in document.error
    assert tasks.render_document(999999) == "missing"


def test_outsiders_get_no_document_and_queue_nothing(client, world):
    url = reverse("evaluations:results_pdf", args=[world.campaign.pk])
    assert client.get(url).status_code == 404  # results not public in setup
    assert not EvaluationDocument.objects.exists()


def test_ballot_slips_are_printed_by_the_worker_and_downloaded(client, world):
    """The slips carry one-time codes: the request only asks, the worker prints (issue 15
    item 5); the clerk then downloads the stored PDF."""
    from tests.evaluations.slips import printed_slips

    client.force_login(world.community_secretary)
    services.evaluator_add(
        actor=world.community_secretary, campaign=world.campaign, name="甲", category="owner"
    )
    pdf = printed_slips(client, world.campaign)
    assert pdf.startswith(b"%PDF")
    assert EvaluationDocument.objects.filter(kind=EvaluationDocument.Kind.SLIPS).count() == 1


def _referral(world):
    """A year-end report on a company black-listed two quarters running (第10条)."""
    from evaluations.models import YearEndReferral
    from tests.evaluations.test_referrals import two_black

    two_black(world)
    tasks.year_end_referrals(2026)
    return YearEndReferral.objects.get()


def test_year_end_referral_pdf_is_rendered_by_the_worker_not_in_the_request(
    client, world, django_capture_on_commit_callbacks, monkeypatch
):
    """小区党组织服务承诺 第10条 "年底上报": the report PDF is prepared by the worker
    (DESIGN.md §4 "PDF", issue 15 item 5); the page waits like the results PDF."""
    from django.core.files.storage import default_storage

    from evaluations.services.documents import referral_pdf_path

    referral = _referral(world)
    client.force_login(world.people.compound_party)
    url = reverse("evaluations:referral_pdf", args=[referral.pk])
    dispatched = []
    monkeypatch.setattr(
        tasks.render_referral, "apply_async", lambda args, **kw: dispatched.append(*args)
    )

    def not_here(*args, **kwargs):
        raise AssertionError("rendered inside the web request")

    with monkeypatch.context() as request_only:
        request_only.setattr("huashan.pdf.render_pdf", not_here)
        with django_capture_on_commit_callbacks(execute=True):
            waiting = client.get(url)
            assert client.get(url).status_code == 202  # still waiting, nothing new queued
    assert waiting.status_code == 202
    assert 'http-equiv="refresh"' in waiting.content.decode()
    assert dispatched == [referral.pk]

    assert tasks.render_referral(referral.pk) == "ready"
    assert tasks.render_referral(referral.pk) == "ready"  # idempotent
    served = client.get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content).startswith(b"%PDF-")

    # Submitting changes what the PDF prints: a new version, the old file removed.
    old = referral_pdf_path(referral)
    services.year_end_referral_submit(
        actor=world.people.compound_party, referral=referral, authority=world.orgs.department
    )
    referral.refresh_from_db()
    assert referral_pdf_path(referral) != old
    assert client.get(url).status_code == 202
    assert tasks.render_referral(referral.pk) == "ready"
    assert not default_storage.exists(old)
    assert client.get(url).status_code == 200
    assert tasks.render_referral(10**9) == "missing"


def test_year_end_referral_pdf_waits_for_a_live_render_and_shows_a_failure(
    client, world, django_capture_on_commit_callbacks, monkeypatch
):
    from evaluations.services.documents import REFERRAL_LEASE
    from huashan.core.documents import work_lease

    referral = _referral(world)
    client.force_login(world.people.compound_party)
    url = reverse("evaluations:referral_pdf", args=[referral.pk])
    dispatched = []
    monkeypatch.setattr(
        tasks.render_referral, "apply_async", lambda args, **kw: dispatched.append(*args)
    )
    with (
        work_lease(REFERRAL_LEASE, referral.pk, every=3600),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert client.get(url).status_code == 202
    assert dispatched == []  # a live worker holds it: nothing queued twice

    def broken(*args, **kwargs):
        raise RuntimeError("font missing")

    monkeypatch.setattr("huashan.pdf.render_pdf", broken)
    assert tasks.render_referral(referral.pk) == "failed"
    failed = client.get(url)
    assert failed.status_code == 503
    assert 'http-equiv="refresh"' not in failed.content.decode()
