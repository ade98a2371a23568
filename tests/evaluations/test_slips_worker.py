"""Ballot slips are printed by the worker, not in the request (issue 15 item 5).

seed: 评议监督考核制度 第三条 "采取召开评议会议，听取述职，查阅资料，民主测评等方式" — the
slips of the democratic scoring carry one-time codes, so the stored file is fetched only
by those who may print slips, replaced when slips are printed again and deleted when
scoring closes.
"""

from __future__ import annotations

import subprocess

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse

from evaluations import services, slipcodes, tasks
from evaluations.models import Campaign, CampaignEvent, EvaluationDocument
from tests.factories.evaluations import advance_to

State = Campaign.State
SLIPS = EvaluationDocument.Kind.SLIPS
pytestmark = pytest.mark.django_db


def _evaluators(world, count=2):
    for n in range(count):
        services.evaluator_add(
            actor=world.community_secretary,
            campaign=world.campaign,
            name=f"评议人{n}",
            category="owner",
        )


def _codes(data: bytes, tmp_path) -> list[str]:
    path = tmp_path / "slips.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [
        "".join(line.split("测评编码：")[1].split())
        for line in text.splitlines()
        if "测评编码：" in line
    ]


def _print(client, world, monkeypatch, django_capture_on_commit_callbacks):
    """POST the slips as the page does; the worker's task is run here, outside the request."""
    dispatched = []
    monkeypatch.setattr(
        tasks.render_document, "apply_async", lambda args, **kw: dispatched.append(*args)
    )
    url = reverse("evaluations:slips", args=[world.campaign.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == url
    with django_capture_on_commit_callbacks(execute=True):
        for document_id in dispatched:
            assert tasks.render_document(document_id) == "ready"
    return dispatched


def test_the_request_only_asks_and_the_task_issues_and_renders(
    client, world, monkeypatch, django_capture_on_commit_callbacks, tmp_path
):
    _evaluators(world)
    client.force_login(world.community_secretary)
    url = reverse("evaluations:slips", args=[world.campaign.pk])
    dispatched = []
    monkeypatch.setattr(
        tasks.render_document, "apply_async", lambda args, **kw: dispatched.append(*args)
    )

    def not_here(*args, **kwargs):
        raise AssertionError("rendered inside the web request")

    with monkeypatch.context() as request_only:
        request_only.setattr("huashan.pdf.render_pdf", not_here)
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url).status_code == 302
            assert client.post(url).status_code == 302  # the printing being prepared is reused
        waiting = client.get(url)
    assert waiting.status_code == 202
    assert 'http-equiv="refresh"' in waiting.content.decode()
    document = EvaluationDocument.objects.get(kind=SLIPS)
    assert dispatched == [document.pk]  # the broker carries the row's id, never a token
    assert not world.campaign.evaluators.exclude(token_hash="").exists()  # nothing issued yet

    assert tasks.render_document(document.pk) == "ready"
    assert tasks.render_document(document.pk) == "ready"  # a redelivery keeps the tokens
    served = client.get(url)
    assert served.status_code == 200
    assert served["Content-Disposition"].startswith("attachment;")
    assert served["Cache-Control"] == "no-store"
    codes = _codes(b"".join(served.streaming_content), tmp_path)
    assert len(codes) == 2
    assert all(slipcodes.is_valid(c) for c in codes)
    assert {services.evaluator_for_token(c).name for c in codes} == {"评议人0", "评议人1"}
    event = CampaignEvent.objects.get(campaign=world.campaign, verb="tokens_issue")
    assert event.actor_id == world.community_secretary.pk
    manage = client.get(reverse("evaluations:manage", args=[world.campaign.pk]))
    assert url in manage.content.decode()


def test_only_those_who_may_print_slips_fetch_them(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    _evaluators(world, 1)
    client.force_login(world.community_secretary)
    _print(client, world, monkeypatch, django_capture_on_commit_callbacks)
    url = reverse("evaluations:slips", args=[world.campaign.pk])
    assert client.get(url).status_code == 200
    # The joint-meeting office types paper ballots in (it sees the manage page) but does not
    # print slips: neither the file nor a new printing.
    assert world.meeting_clerk.has_perm("evaluations.view_staff", world.campaign)
    client.force_login(world.meeting_clerk)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert EvaluationDocument.objects.filter(kind=SLIPS).count() == 1
    # Nor is the stored file served by its name.
    name = EvaluationDocument.objects.get(kind=SLIPS).file.name
    client.force_login(world.community_secretary)
    assert client.get(f"/{settings.MEDIA_URL}{name}").status_code == 404


def test_printing_again_replaces_the_file_and_kills_the_old_codes(
    client, world, monkeypatch, django_capture_on_commit_callbacks, tmp_path
):
    _evaluators(world, 1)
    client.force_login(world.community_secretary)
    url = reverse("evaluations:slips", args=[world.campaign.pk])
    _print(client, world, monkeypatch, django_capture_on_commit_callbacks)
    first = EvaluationDocument.objects.get(kind=SLIPS)
    [old_code] = _codes(b"".join(client.get(url).streaming_content), tmp_path)

    _print(client, world, monkeypatch, django_capture_on_commit_callbacks)
    second = EvaluationDocument.objects.get(kind=SLIPS)
    assert second.pk != first.pk
    assert not default_storage.exists(first.file.name)
    assert default_storage.exists(second.file.name)
    [new_code] = _codes(b"".join(client.get(url).streaming_content), tmp_path)
    assert new_code != old_code
    assert services.evaluator_for_token(old_code) is None
    assert services.evaluator_for_token(new_code) is not None


def test_a_failed_render_keeps_the_printed_codes(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    _evaluators(world, 1)
    client.force_login(world.community_secretary)
    _print(client, world, monkeypatch, django_capture_on_commit_callbacks)
    before = list(world.campaign.evaluators.values_list("token_hash", flat=True))

    def broken(*args, **kwargs):
        raise RuntimeError("font missing")

    monkeypatch.setattr("huashan.pdf.render_pdf", broken)
    document = services.slips_request(actor=world.community_secretary, campaign=world.campaign)
    assert tasks.render_document(document.pk) == "failed"
    assert list(world.campaign.evaluators.values_list("token_hash", flat=True)) == before
    assert client.get(reverse("evaluations:slips", args=[world.campaign.pk])).status_code == 503


def test_the_slips_are_deleted_when_scoring_closes(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    _evaluators(world, 1)
    client.force_login(world.community_secretary)
    _print(client, world, monkeypatch, django_capture_on_commit_callbacks)
    advance_to(world, State.SCORING)
    _print(client, world, monkeypatch, django_capture_on_commit_callbacks)  # slips while scoring
    name = EvaluationDocument.objects.get(kind=SLIPS).file.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        advance_to(world, State.PRELIMINARY)
    assert not EvaluationDocument.objects.filter(kind=SLIPS).exists()
    assert not default_storage.exists(name)
    url = reverse("evaluations:slips", args=[world.campaign.pk])
    gone = client.get(url)  # nothing to download: back to the campaign's page
    assert gone.status_code == 302
    assert gone["Location"] == reverse("evaluations:manage", args=[world.campaign.pk])
    assert client.post(url).status_code == 302  # refused with a message: scoring is over
    assert not EvaluationDocument.objects.filter(kind=SLIPS).exists()
