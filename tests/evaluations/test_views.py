"""Pages: phone ballot, paper entry, management, results, objections, PDFs, xlsx, 红黑榜."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from evaluations.models import Campaign, Objection, PaperEntry, QuarterRating
from tests.evaluations.ballots import recorded
from tests.factories.directory import MembershipFactory
from tests.factories.evaluations import advance_to, full_scores, roster

State = Campaign.State
pytestmark = pytest.mark.django_db


def post_scores(campaign, value=None):
    return {
        f"score_{t}_{c}": v
        for t, per in full_scores(
            campaign, (lambda t, c: value) if value is not None else None
        ).items()
        for c, v in per.items()
    }


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def worker_pdf(client, url) -> bytes:
    """Results/evidence PDFs are rendered by the worker: 202 while pending, then the file."""
    from evaluations import tasks
    from evaluations.models import EvaluationDocument

    waiting = client.get(url)
    assert waiting.status_code == 202
    document = EvaluationDocument.objects.order_by("-pk").first()
    assert tasks.render_document(document.pk) == "ready"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def test_ballot_phone_flow(client, world):
    [(_e, token)] = roster(world, 1)
    advance_to(world, State.SCORING)
    url = reverse("evaluations:ballot", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"  # the token never leaves the site
    # One party per screen, each criterion a row of five answers (issue 19 item 4).
    assert page.content.decode().count('data-testid="ballot-progress"') == 1
    response = client.post(url, post_scores(world.campaign))
    assert response.status_code == 302
    done = client.get(url)
    assert b'data-testid="ballot-done"' in done.content
    again = client.post(url, post_scores(world.campaign))
    assert again.status_code == 200
    assert b'data-testid="ballot-done"' in again.content
    assert recorded() == world.campaign.targets.count()


def test_ballot_bad_score_keeps_input(client, world):
    [(_e, token)] = roster(world, 1)
    advance_to(world, State.SCORING)
    data = post_scores(world.campaign, 5)
    first = next(iter(data))
    data[first] = "999"
    response = client.post(reverse("evaluations:ballot", args=[token]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="999"' in body
    assert "field-error" in body
    assert recorded() == 0


@pytest.mark.parametrize("token", ["guess", "A" * 24, "%3Cscript%3E", "x" * 300])
def test_ballot_unknown_token_is_404(client, world, token):
    roster(world, 1)
    advance_to(world, State.SCORING)
    assert client.get(f"/evaluations/ballot/{token}/").status_code == 404
    assert client.post(f"/evaluations/ballot/{token}/", {}).status_code == 404


def test_ballot_before_scoring_shows_closed(client, world):
    [(_e, token)] = roster(world, 1)
    response = client.get(reverse("evaluations:ballot", args=[token]))
    assert response.status_code == 200
    assert b'data-testid="ballot-form"' not in response.content


def test_paper_entry_and_confirmation_pages(client, world):
    [(_e, token)] = roster(world, 1)
    second = MembershipFactory(organization=world.orgs.joint_meeting_office, role="staff").person
    advance_to(world, State.SCORING)
    url = reverse("evaluations:paper", args=[world.campaign.pk])
    client.force_login(world.meeting_clerk)
    response = client.post(url, {"slip_code": token, **post_scores(world.campaign)})
    assert response.status_code == 302
    entry = PaperEntry.objects.get()
    twice = client.post(url, {"slip_code": token, **post_scores(world.campaign)})
    assert twice.status_code == 400
    assert token in twice.content.decode()  # what was typed stays
    own = client.post(
        reverse("evaluations:paper_check", args=[world.campaign.pk, entry.pk, "confirm"])
    )
    assert own.status_code == 302
    entry.refresh_from_db()
    assert entry.state == PaperEntry.State.PENDING
    client.force_login(second)
    client.post(reverse("evaluations:paper_check", args=[world.campaign.pk, entry.pk, "confirm"]))
    entry.refresh_from_db()
    assert entry.state == PaperEntry.State.CONFIRMED
    assert recorded("paper") == world.campaign.targets.count()


def test_paper_page_refused_to_resident(client, world):
    advance_to(world, State.SCORING)
    client.force_login(world.resident)
    assert client.get(reverse("evaluations:paper", args=[world.campaign.pk])).status_code == 403
    assert client.get(reverse("evaluations:manage", args=[world.campaign.pk])).status_code == 403


def test_manage_page_and_actions(client, world):
    client.force_login(world.community_secretary)
    url = reverse("evaluations:manage", args=[world.campaign.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "居民反映投诉问题受理及解决情况" in page.content.decode()
    action = lambda name: reverse("evaluations:action", args=[world.campaign.pk, name])  # noqa: E731
    bad = client.post(
        action("criterion-add"), {"group_name": "安全", "name": "消防通道", "max_score": "abc"}
    )
    assert bad.status_code == 400
    assert 'value="消防通道"' in bad.content.decode()
    ok = client.post(
        action("criterion-add"), {"group_name": "安全", "name": "消防通道", "max_score": "5"}
    )
    assert ok.status_code == 302
    assert (
        client.post(action("evaluator-add"), {"name": "", "category": "owner"}).status_code == 400
    )
    assert (
        client.post(action("evaluator-add"), {"name": "王大妈", "category": "owner"}).status_code
        == 302
    )
    assert client.post(action("nope"), {}).status_code == 404
    assert client.post(action("advance"), {"to_state": "closed"}).status_code == 400
    assert client.post(action("advance"), {"to_state": "materials"}).status_code == 302
    world.campaign.refresh_from_db()
    assert world.campaign.state == State.MATERIALS


def test_slips_pdf_has_qr_and_chinese(client, world, tmp_path):
    roster(world, 2)
    client.force_login(world.community_secretary)
    from tests.evaluations.slips import printed_slips

    text = pdf_text(printed_slips(client, world.campaign), tmp_path)
    assert "评议人0" in text
    assert "测评编码" in text
    images = subprocess.run(
        ["pdfimages", "-list", str(tmp_path / "doc.pdf")], capture_output=True, text=True
    ).stdout
    assert len(images.strip().splitlines()) >= 4  # header lines + 2 QR codes


def test_results_public_only_after_approval(client, world):
    [(_e, token)] = roster(world, 1)
    advance_to(world, State.SCORING)
    client.post(reverse("evaluations:ballot", args=[token]), post_scores(world.campaign))
    url = reverse("evaluations:results", args=[world.campaign.pk])
    assert client.get(url).status_code == 404
    advance_to(world, State.PRELIMINARY)
    assert client.get(url).status_code == 404
    client.force_login(world.community_secretary)
    assert client.get(url).status_code == 200  # staff see preliminary results
    client.logout()
    advance_to(world, State.APPROVED)
    page = client.get(url)
    assert page.status_code == 200
    assert "评议人0" not in page.content.decode()


def test_objection_window_via_page(client, world):
    advance_to(world, State.PUBLICITY)
    url = reverse("evaluations:results", args=[world.campaign.pk])
    client.force_login(world.resident)
    assert client.post(url, {"text": "短"}).status_code == 400
    assert client.post(url, {"text": "物业评分与实际情况不符", "target": "abc"}).status_code == 302
    assert Objection.objects.count() == 1
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        late = client.post(url, {"text": "超过期限的异议内容"})
        assert late.status_code == 400
        assert "超过期限的异议内容" in late.content.decode()
    assert Objection.objects.count() == 1


def test_results_pdf_and_xlsx_have_no_identities(client, world, tmp_path):
    tokens = roster(world, 3)
    advance_to(world, State.SCORING)
    for _e, token in tokens:
        client.post(reverse("evaluations:ballot", args=[token]), post_scores(world.campaign))
    advance_to(world, State.APPROVED)
    pdf = worker_pdf(client, reverse("evaluations:results_pdf", args=[world.campaign.pk]))
    text = pdf_text(pdf, tmp_path)
    assert "经街道党工委审定" in text
    xlsx = client.get(reverse("evaluations:results_xlsx", args=[world.campaign.pk]))
    workbook = load_workbook(io.BytesIO(xlsx.content))
    cells = " ".join(
        str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row
    )
    assert " 3 3 100 100 " in cells  # 3 ballots, all at the maximum
    for evaluator, token in tokens:
        assert evaluator.name not in cells
        assert evaluator.name not in text
        assert token not in cells


def test_evidence_page_and_pdf(client, world, tmp_path):
    target = world.campaign.targets.get(organization__kind="property_company")
    client.force_login(world.community_secretary)
    page = client.get(reverse("evaluations:evidence", args=[world.campaign.pk, target.pk]))
    assert page.status_code == 200
    pdf = worker_pdf(
        client, reverse("evaluations:evidence_pdf", args=[world.campaign.pk, target.pk])
    )
    assert "考核资料汇编" in pdf_text(pdf, tmp_path)
    client.logout()
    assert (
        client.get(reverse("evaluations:evidence", args=[world.campaign.pk, target.pk])).status_code
        == 404
    )


def test_report_page(client, world):
    target = world.campaign.targets.get(organization__kind="property_company")
    url = reverse("evaluations:report", args=[world.campaign.pk, target.pk])
    client.force_login(world.resident)
    assert client.get(url).status_code == 403
    client.force_login(world.people.property_company)
    assert client.post(url, {"text": ""}).status_code == 400
    assert client.post(url, {"text": "物业年度述职：完成整改86项"}).status_code == 302
    target.refresh_from_db()
    assert "86" in target.report_text


def test_list_page_and_create(client, world):
    assert client.get(reverse("evaluations:list")).status_code == 200
    client.force_login(world.community_secretary)
    page = client.get(reverse("evaluations:list"))
    assert world.campaign.title in page.content.decode()
    response = client.post(
        reverse("evaluations:create"), {"compound": world.compound.pk, "year": "abc"}
    )
    assert response.status_code == 302
    assert Campaign.objects.count() == 1
    response = client.post(
        reverse("evaluations:create"), {"compound": world.compound.pk, "year": "2026"}
    )
    assert Campaign.objects.count() == 2


def test_redblack_page_survey(client, world):
    url = reverse("evaluations:redblack") + f"?compound={world.compound.slug}"
    assert client.get(url).status_code == 200
    client.force_login(world.resident)
    bad = client.post(url, {"cleanliness": "9", "security": "1", "responsiveness": "1"})
    assert bad.status_code == 400
    ok = client.post(url, {"cleanliness": "4", "security": "4", "responsiveness": "5"})
    assert ok.status_code == 302
    assert QuarterRating.objects.get().responses.count() == 1
    assert (
        client.post(url, {"cleanliness": "4", "security": "4", "responsiveness": "5"}).status_code
        == 400
    )
    assert client.get(reverse("evaluations:redblack") + "?compound=nope").status_code == 404


def test_evidence_page_links_the_uploaded_work_report_pdf(client, world):
    """评议监督考核 第三条: the evaluators read each party's 述职 report, text or PDF."""
    from django.core.files.base import ContentFile

    target = world.campaign.targets.get(organization__kind="property_company")
    target.report_pdf.save("report.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    client.force_login(world.community_secretary)
    page = client.get(reverse("evaluations:evidence", args=[world.campaign.pk, target.pk]))
    assert target.report_pdf.url in page.content.decode()
    assert client.get(target.report_pdf.url).status_code == 200
