"""Documents fit to print, and ledgers that say when they do not add up over time
(issue 19 item 5).

seed: 公示承诺制度 第二条 (公共收益收支明细、维修资金使用情况 公开); 物业管理委员会服务承诺 2
("每月公示小区公共收益收支明细，每季度公开维修资金使用台账"). A month's ledger must start
where the previous one ended; one that does not, or that ends below zero, is flagged at
import and at publishing, and the publisher must explain it in a note that is printed.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from disclosures.ledger import ledger_flags, ledger_publish_check
from disclosures.models import Disclosure, Ledger, PeriodType
from disclosures.pdf import report_pdf
from tests.disclosures.test_pdf import pdf_text
from tests.disclosures.test_views import GOOD_ROWS, csv_file, draft
from tests.factories.disclosures import DisclosureFactory, category, ledger_input, with_ledger

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
JULY = dt.date(2026, 7, 1)
#: GOOD_ROWS: income 2000.50, expense 500.25.
INCOME, EXPENSE = Decimal("2000.50"), Decimal("500.25")


def july_published(world, *, opening=Decimal("1000.00")) -> Ledger:
    """A published July ledger: opening 1000.00 + 100.50 income = closing 1100.50."""
    july = DisclosureFactory(
        organization=world.pmc,
        category=category("public_revenue"),
        title="2026年7月公共收益收支明细",
        period_type=PeriodType.MONTH,
        period_start=JULY,
        period_end=dt.date(2026, 7, 31),
    )
    with_ledger(july, ledger_input(start=JULY, lines=1, opening=opening))
    return july.ledger


def august_draft(world) -> Disclosure:
    return draft(
        world,
        title="2026年8月公共收益收支明细",
        period_start=dt.date(2026, 8, 1),
        period_end=dt.date(2026, 8, 31),
    )


def august_rows():
    return [row if i == 0 else [row[0].replace("-07-", "-08-"), *row[1:]] for i, row in
            enumerate(GOOD_ROWS)]  # fmt: skip


def import_august(client, world, opening: Decimal) -> Disclosure:
    august = august_draft(world)
    client.force_login(world.pmc_chair)
    closing = opening + INCOME - EXPENSE
    response = client.post(
        reverse("disclosures:ledger_import", args=[august.pk]),
        {
            "file": csv_file(august_rows()),
            "opening_balance": str(opening),
            "stated_income": str(INCOME),
            "stated_expense": str(EXPENSE),
            "stated_closing_balance": str(closing),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return august


def messages_after(client, disclosure) -> str:
    return client.get(reverse("disclosures:edit", args=[disclosure.pk])).content.decode()


# --- continuity and negative balance at import -------------------------------------------


def test_import_continuing_the_previous_month_is_not_flagged(client, world):
    july = july_published(world)
    august = import_august(client, world, opening=july.closing_balance)
    assert ledger_flags(august) == []
    assert "与上一期" not in messages_after(client, august)


def test_import_one_cent_off_the_previous_closing_is_flagged(client, world):
    july = july_published(world)
    august = import_august(client, world, opening=july.closing_balance + Decimal("0.01"))
    flags = ledger_flags(august)
    assert len(flags) == 1
    page = messages_after(client, august)
    assert "与上一期" in page
    assert str(july.closing_balance) in page


def test_the_first_period_has_nothing_to_continue(client, world):
    august = import_august(client, world, opening=Decimal("5.00"))
    assert ledger_flags(august) == []


@pytest.mark.parametrize(
    ("opening", "negative"),
    [(Decimal("-1500.26"), True), (Decimal("-1500.25"), False)],  # closing -0.01 / 0.00
)
def test_a_ledger_ending_below_zero_is_flagged_at_import(client, world, opening, negative):
    august = import_august(client, world, opening=opening)
    page = messages_after(client, august)
    assert ("期末余额为负数" in page) is negative
    assert bool(ledger_flags(august)) is negative


# --- at publishing: the publisher's note ----------------------------------------------------


def test_publishing_a_flagged_ledger_needs_a_note_then_keeps_it(client, world):
    july = july_published(world)
    august = import_august(client, world, opening=july.closing_balance + Decimal("100"))
    url = reverse("disclosures:publish", args=[august.pk])
    refused = client.post(url, {})
    assert refused.status_code == 400
    assert "与上一期" in refused.content.decode()
    august.refresh_from_db()
    assert august.state == Disclosure.State.DRAFT
    blank = client.post(url, {"ledger_note": "   "})
    assert blank.status_code == 400
    note = "7月末一笔退款8月初到账，已与银行流水核对。<script>alert(1)</script>"
    done = client.post(url, {"ledger_note": note})
    assert done.status_code == 302
    august.refresh_from_db()
    assert august.state == Disclosure.State.PUBLISHED
    assert august.ledger.check_note == note


def test_publishing_a_continuing_ledger_needs_no_note(client, world):
    july = july_published(world)
    august = import_august(client, world, opening=july.closing_balance)
    response = client.post(reverse("disclosures:publish", args=[august.pk]), {})
    assert response.status_code == 302
    august.refresh_from_db()
    assert august.state == Disclosure.State.PUBLISHED


def test_an_oversized_note_is_refused_with_a_message_not_cut(client, world):
    august = import_august(client, world, opening=Decimal("-5000.00"))
    response = client.post(
        reverse("disclosures:publish", args=[august.pk]), {"ledger_note": "长" * 1001}
    )
    assert response.status_code == 400
    august.refresh_from_db()
    assert august.state == Disclosure.State.DRAFT
    assert august.ledger.check_note == ""


def test_publish_check_without_flags_changes_nothing(world):
    july = july_published(world)
    assert ledger_publish_check(july.disclosure, note="") == []


# --- the printed report ---------------------------------------------------------------------


def _report(world, tmp_path, **settings_kwargs) -> str:
    with time_machine.travel(dt.datetime(2026, 10, 20, 10, tzinfo=TZ), tick=False):
        return pdf_text(report_pdf(compound=world.compound, period="2026Q3"), tmp_path)


def test_report_prints_the_flag_and_the_note_and_the_category_once(client, world, tmp_path):
    july = july_published(world)
    august = import_august(client, world, opening=july.closing_balance + Decimal("100"))
    client.post(reverse("disclosures:publish", args=[august.pk]), {"ledger_note": "银行利息补记。"})
    text = _report(world, tmp_path)
    assert "期初余额" in text
    assert "与上一期" in text
    assert "公示人说明：银行利息补记。" in text
    # July: one category for all lines, printed once above them, not on every row.
    assert text.count("公共收益") >= 1
    july_lines = ledger_input(start=JULY, lines=1).lines
    assert july_lines[0].category == "公共收益"
    assert "类别：公共收益" in text
    assert "摘要" in text  # the ledger's item column, not 承诺事项


def test_printed_board_link_uses_site_url_never_the_request_host(settings, world, tmp_path):
    settings.SITE_URL = "https://huashan.example.cn"
    july_published(world)
    text = _report(world, tmp_path)
    assert re.search(r"https://huashan\.example\.cn/disclosures/\S*", text), text[:1500]
    assert "127.0.0.1" not in text
    assert "testserver" not in text


def test_pledge_letter_items_each_start_their_own_line(world, tmp_path):
    """公示承诺制度 第一条: the letter's numbered items print as numbered lines."""
    from pledges.models import PledgeItem
    from pledges.services.letters import letter_text
    from tests.factories.pledges import PledgeItemFactory, PledgeLetterFactory

    letter = PledgeLetterFactory(
        organization=world.party, compound=world.compound, year=2026, title="2026年服务承诺"
    )
    headings = ["带头遵规守约", "每月召开联席会议", "每季度公开台账"]
    for n, heading in enumerate(headings, start=1):
        PledgeItemFactory(letter=letter, number=n, heading=heading, text=f"承诺内容第{n}项。")
    assert PledgeItem.objects.filter(letter=letter).count() == 3
    with time_machine.travel(dt.datetime(2026, 8, 5, 10, tzinfo=TZ), tick=False):
        DisclosureFactory(
            organization=world.party,
            category=category("pledges"),
            title="2026年服务承诺",
            body_markdown=letter_text(letter),
            body_html="<p>run together</p>",
            long_term=True,
        )
    text = _report(world, tmp_path)
    lines = [line.strip() for line in text.splitlines()]
    for n, heading in enumerate(headings, start=1):
        assert any(line.startswith(f"{n}.{heading}") for line in lines), (n, text[-3000:])
        assert any(line.startswith(f"承诺内容第{n}项。") for line in lines)


def test_short_status_cells_never_break_inside_a_word(world, tmp_path):
    """ "未到期" and its kind are printed whole (no "未到/期")."""
    july_published(world)
    text = _report(world, tmp_path)
    assert "未到/期" not in text
    for line in text.splitlines():
        assert not line.rstrip().endswith(("未到", "按期公", "逾期未公")), line
