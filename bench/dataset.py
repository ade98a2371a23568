"""Build the benchmark data set in PostgreSQL (bench only; run by ``bench/run.py``).

Run as ``python -m bench.dataset base`` (DATABASE_URL names the database, which
``bench/run.py`` has just dropped and created) or ``python -m bench.dataset
clocks --count N`` (adds N open complaints with running clocks to a copy of the
base database, for the deadline scan and the 1 M dashboard).

The base: the demo compound from the real ``seed_demo`` (meetings, disclosures,
pledges, evaluations for a year and more), 19 more compounds in 4 communities
of the same street (10,000 households in all, staff for each compound), then
200,000 complaints over two years in every state, with their event rows and
satisfaction answers, written by set-based SQL (``INSERT … SELECT
generate_series``). The demo compound's 2026 Q3 property-fee ledger is grown to
1,000 lines for the quarterly PDF. A marker table records the build version so
``bench/run.py`` reuses a database built by the same version.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from decimal import Decimal

BUILD_VERSION = "bench-data-v4"
COMPOUNDS = 20
COMMUNITIES = 4
BUILDINGS = 10
UNITS = 2
FLOORS = 25
COMPLAINTS = 200_000
LEDGER_LINES = 1_000
STAFF_PER_COMPANY = 2
# Tracking numbers of generated complaints have 7 digits (the app writes 6),
# so they never collide with numbers the portal allocates during the load.
GENERATED_NUMBER_BASE = 3_000_000
CLOCK_NUMBER_BASE = 5_000_000


def log(message: str) -> None:
    sys.stderr.write(f"[dataset] {message}\n")
    sys.stderr.flush()


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def build_base() -> None:
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    log(f"migrated in {time.monotonic() - started:.0f} s")
    call_command("seed_demo", verbosity=0)
    log(f"seed_demo (directory, issues, meetings, disclosures, pledges) at {_t(started)}")
    _scale_directory()
    log(f"directory scaled at {_t(started)}")
    _complaints(COMPLAINTS)
    log(f"{COMPLAINTS} complaints with events at {_t(started)}")
    _ledger(LEDGER_LINES)
    log(f"ledger of {LEDGER_LINES} lines at {_t(started)}")
    refresh_snapshots(backfill_months=12)
    log(f"dashboard roll-ups (12 months x {COMPOUNDS} compounds) at {_t(started)}")
    _analyze()
    _mark(BUILD_VERSION)
    log(f"base data set ready in {_t(started)}")


def _t(started: float) -> str:
    return f"{time.monotonic() - started:.0f} s"


def _scale_directory() -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from huashan.directory.management.commands.seed_demo import DEMO_PASSWORD, TERM_START
    from huashan.directory.models import (
        Building,
        Community,
        Compound,
        Household,
        Membership,
        Organization,
        Person,
        Street,
    )

    kind = Organization.Kind
    street = Street.objects.get(slug="jiangxia-kfq")
    puan = Community.objects.get(slug="puan")
    password = make_password(DEMO_PASSWORD)
    with transaction.atomic():
        communities = [puan]
        for index in range(1, COMMUNITIES):
            community = Community.objects.create(
                street=street, name=f"压测社区{index}", slug=f"bench-community-{index}"
            )
            communities.append(community)
            for org_kind, label in (
                (kind.COMMUNITY_PARTY, "社区党支部"),
                (kind.RESIDENTS_COMMITTEE, "社区居民委员会"),
                (kind.RC_PROPERTY_COMMITTEE, "社区居委会环境和物业管理委员会"),
            ):
                Organization.objects.create(
                    kind=org_kind, name=f"{community.name}{label}", community=community
                )
        per_community = COMPOUNDS // COMMUNITIES
        people: list[Person] = []
        memberships: list[tuple[int, int]] = []
        for index in range(1, COMPOUNDS):
            community = communities[index // per_community]
            compound = Compound.objects.create(
                community=community,
                name=f"压测花园{index:02d}期",
                slug=f"bench-compound-{index:02d}",
                address=f"{community.name}压测路{index}号",
            )
            orgs = {}
            for org_kind, label in (
                (kind.COMPOUND_PARTY, "小区党支部"),
                (kind.PMC, "小区物业管理委员会"),
                (kind.PROPERTY_COMPANY, "物业服务中心"),
                (kind.JOINT_MEETING_OFFICE, "联席会议办公室"),
            ):
                orgs[org_kind] = Organization.objects.create(
                    kind=org_kind, name=f"{compound.name}{label}", compound=compound
                )
            buildings = Building.objects.bulk_create(
                Building(compound=compound, number=f"{b}栋", sort_key=b)
                for b in range(1, BUILDINGS + 1)
            )
            Household.objects.bulk_create(
                Household(
                    building=building,
                    unit=f"{unit}单元",
                    room=f"{floor}{unit:02d}",
                    area=Decimal("89.50") + unit * 10,
                )
                for building in buildings
                for unit in range(1, UNITS + 1)
                for floor in range(1, FLOORS + 1)
            )
            for n in range(STAFF_PER_COMPANY):
                person = Person(
                    mobile=f"1390{index:03d}{n:04d}",
                    name=f"压测员工{index}-{n}",
                    password=password,
                )
                people.append(person)
                memberships.append((len(people) - 1, orgs[kind.PROPERTY_COMPANY].pk))
        Person.objects.bulk_create(people)
        Membership.objects.bulk_create(
            Membership(
                person=people[i],
                organization_id=org_id,
                role=Membership.Role.STAFF,
                start=TERM_START,
            )
            for i, org_id in memberships
        )


COMPOUND_TABLE_SQL = """
DROP TABLE IF EXISTS bench_compound;
CREATE UNLOGGED TABLE bench_compound AS
SELECT row_number() OVER (ORDER BY c.id) - 1 AS idx,
       c.id AS compound_id,
       (SELECT array_agg(b.id ORDER BY b.sort_key) FROM directory_building b
         WHERE b.compound_id = c.id) AS buildings,
       (SELECT min(o.id) FROM directory_organization o
         WHERE o.compound_id = c.id AND o.kind = 'property_company') AS company_id,
       (SELECT min(o.id) FROM directory_organization o
         WHERE o.compound_id = c.id AND o.kind = 'pmc') AS pmc_id
FROM directory_compound c;
"""

# One row per complaint; r1..r8 are independent uniform draws (setseed makes
# them the same on every build).
COMPLAINTS_SQL = """
WITH cats AS (
  SELECT array_agg(id ORDER BY id) AS ids,
         array_agg(safety_related ORDER BY id) AS safety
  FROM issues_category
), ncomp AS (SELECT count(*) AS n FROM bench_compound),
draws AS (
  SELECT g, random() r1, random() r2, random() r3, random() r4, random() r5,
         random() r6, random() r7, random() r8
  FROM generate_series(1, %(count)s) g
), shaped AS (
  SELECT d.*, c.compound_id, c.buildings, c.company_id, c.pmc_id, cats.ids, cats.safety,
         now() - d.r1 * interval '730 days' AS created,
         d.r1 * 730 AS age_days,
         1 + floor(d.r6 * array_length(cats.ids, 1))::int AS cat_idx
  FROM draws d
  CROSS JOIN cats CROSS JOIN ncomp
  JOIN bench_compound c ON c.idx = d.g %% ncomp.n
), stated AS (
  SELECT s.*,
    CASE WHEN s.r2 < (CASE WHEN s.age_days < 30 THEN 0.6 WHEN s.age_days < 90 THEN 0.15
                           ELSE 0.03 END)
      THEN (CASE WHEN s.r3 < 0.15 THEN 'submitted' WHEN s.r3 < 0.35 THEN 'accepted'
                 WHEN s.r3 < 0.5 THEN 'transferred' WHEN s.r3 < 0.9 THEN 'in_progress'
                 ELSE 'waiting_reporter' END)
      ELSE (CASE WHEN s.r3 < 0.93 THEN (CASE WHEN s.age_days < 14 THEN 'resolved'
                                              ELSE 'closed' END)
                 ELSE 'rejected' END)
    END AS st
  FROM shaped s
)
INSERT INTO issues_issue (
  tracking_number, unit, location_text, description, is_public, is_hazard, is_complex,
  tier, status, reporter_name, reporter_phone, share_identity, tracking_code_hash,
  hotline_number, consultation_result, public_explanation, created_at, accepted_at,
  resolved_at, closed_at, paused_at, last_public_update_at, reopen_count, response_due,
  feedback_due, plan_due, hazard_due, plan_given_at, next_deadline, assigned_org_id,
  building_id, category_id, compound_id, merged_into_id, reporter_id)
SELECT
  'HS-' || to_char(created AT TIME ZONE 'Asia/Shanghai', 'YYYY') || '-'
    || lpad((%(base)s + g)::text, 7, '0'),
  (1 + floor(r7 * 2)::int) || '单元',
  '',
  (ARRAY['楼道灯不亮，晚上回家看不见路','电梯运行时有异响，担心安全','垃圾桶满了没有及时清运',
         '地下车库有积水','绿化带杂草很久没人修剪','小区门禁刷卡经常失灵',
         '楼上装修噪音太大，中午也在施工','消防通道被车辆堵住','公共区域水管漏水',
         '充电桩不够用，电动车在楼道充电','物业费公示不清楚，希望公开明细',
         '夜间巡逻不到位，单元门常开'])[1 + floor(r4 * 12)::int]
    || '。位置：' || (1 + floor(r5 * 10)::int) || '栋，编号' || g || '。',
  r8 < 0.85,
  safety[cat_idx] AND r7 < 0.5,
  r8 > 0.9,
  CASE WHEN r5 < 0.8 THEN 'small' WHEN r5 < 0.92 THEN 'big' WHEN r5 < 0.97 THEN 'hard'
       ELSE 'legacy' END,
  st,
  '压测居民', '139' || lpad((g %% 100000000)::text, 8, '0'), false, '', '',
  CASE WHEN r5 >= 0.8 AND st IN ('resolved','closed')
       THEN '三方协商：由物业先行处置，费用按规定公示。' ELSE '' END,
  CASE WHEN st IN ('resolved','closed') THEN '已安排人员处理完毕，现场复核合格。'
       WHEN st = 'rejected' THEN '经核实属业主自行维修范围，物业可提供有偿上门服务。'
       ELSE '' END,
  created,
  CASE WHEN st <> 'submitted' THEN created + interval '3 hours' END,
  CASE WHEN st IN ('resolved','closed') THEN created + (1 + r6 * 9) * interval '1 day' END,
  CASE WHEN st = 'closed' THEN created + (8 + r6 * 9) * interval '1 day' END,
  CASE WHEN st = 'waiting_reporter' THEN created + interval '1 day' END,
  CASE WHEN st IN ('resolved','closed') THEN created + (1 + r6 * 9) * interval '1 day'
       ELSE created + interval '3 hours' END,
  0,
  created + interval '48 hours',
  created + interval '9 days',
  NULL, NULL, NULL,
  -- Open clocks run into the future: the scan benchmark controls what is due.
  CASE WHEN st IN ('submitted','accepted','transferred','in_progress','waiting_reporter')
       THEN now() + (1 + r7 * 9) * interval '1 day' END,
  CASE WHEN r2 < 0.8 THEN company_id ELSE pmc_id END,
  buildings[1 + floor(r5 * 10)::int],
  ids[cat_idx],
  compound_id,
  NULL, NULL
FROM stated
"""

EVENTS_SQL = """
INSERT INTO issues_issueevent (at, verb, from_state, to_state, note, public, actor_id,
                               issue_id, organization_id)
SELECT created_at, 'submit', '', 'submitted', '', true, NULL::bigint, id, NULL::bigint
  FROM issues_issue WHERE id > %(after)s
UNION ALL
SELECT accepted_at, 'accept', 'submitted', 'accepted', '', true, NULL, id, assigned_org_id
  FROM issues_issue WHERE id > %(after)s AND accepted_at IS NOT NULL
UNION ALL
SELECT accepted_at + interval '1 hour', 'start', 'accepted', 'in_progress', '', true, NULL,
       id, assigned_org_id
  FROM issues_issue WHERE id > %(after)s
   AND status IN ('in_progress','waiting_reporter','resolved','closed')
UNION ALL
SELECT accepted_at + interval '1 day', 'progress', '', '', '已与相关住户沟通，正在协调。',
       true, NULL, id, assigned_org_id
  FROM issues_issue WHERE id > %(after)s AND status IN ('in_progress','resolved','closed')
UNION ALL
SELECT resolved_at, 'resolve', 'in_progress', 'resolved', public_explanation, true, NULL, id,
       assigned_org_id
  FROM issues_issue WHERE id > %(after)s AND resolved_at IS NOT NULL
UNION ALL
SELECT closed_at, 'auto_close', 'resolved', 'closed', '处理完毕后7日内无异议，系统自动关闭。',
       true, NULL, id, NULL
  FROM issues_issue WHERE id > %(after)s AND closed_at IS NOT NULL
UNION ALL
SELECT accepted_at + interval '1 day', 'reject', 'accepted', 'rejected', public_explanation,
       true, NULL, id, assigned_org_id
  FROM issues_issue WHERE id > %(after)s AND status = 'rejected'
"""

SATISFACTION_SQL = """
INSERT INTO issues_satisfaction (contacted, solved, rating, comment, created_at, issue_id)
SELECT true, (id %% 10) < 8,
       CASE WHEN id %% 10 < 6 THEN 'satisfied' WHEN id %% 10 < 9 THEN 'basic'
            ELSE 'unsatisfied' END,
       '', closed_at, id
FROM issues_issue WHERE id > %(after)s AND status = 'closed' AND id %% 2 = 0
"""


#: Database-side defaults for NOT NULL columns the set-based INSERTs below do not name
#: (a column added by a later migration with only a Python default), by column type.
_TYPE_DEFAULTS = {
    "boolean": "false",
    "integer": "0",
    "smallint": "0",
    "bigint": "0",
    "numeric": "0",
    "text": "''",
    "character varying": "''",
    "jsonb": "'{}'::jsonb",
}
_GENERATED_TABLES = ("issues_issue", "issues_issueevent", "issues_satisfaction")


def _default_unnamed_columns(cursor) -> None:
    """Give each NOT NULL column without a database default one, so the bench's raw
    INSERTs keep working when the models grow a field (bench only)."""
    cursor.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_name = ANY(%s) AND is_nullable = 'NO' AND column_default IS NULL "
        "AND is_identity = 'NO'",
        [list(_GENERATED_TABLES)],
    )
    for table, column, data_type in cursor.fetchall():
        default = _TYPE_DEFAULTS.get(data_type)
        if default is not None:
            cursor.execute(f'ALTER TABLE {table} ALTER COLUMN "{column}" SET DEFAULT {default}')


def _complaints(count: int) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        _default_unnamed_columns(cursor)
        cursor.execute(COMPOUND_TABLE_SQL)
        cursor.execute("SELECT coalesce(max(id), 0) FROM issues_issue")
        after = cursor.fetchone()[0]
        cursor.execute("SELECT setseed(0.2026)")
        cursor.execute(COMPLAINTS_SQL, {"count": count, "base": GENERATED_NUMBER_BASE})
        cursor.execute(EVENTS_SQL, {"after": after})
        cursor.execute(SATISFACTION_SQL, {"after": after})


def _ledger(lines: int) -> None:
    """Grow the demo compound's 2026 Q3 quarterly ledger to ``lines`` lines."""
    import datetime as dt

    from django.db import transaction

    from disclosures.models import Ledger, LedgerLine

    ledger = (
        Ledger.objects.filter(
            disclosure__compound__slug="jiangnan-huashan",
            disclosure__period_start=dt.date(2026, 7, 1),
            disclosure__period_end=dt.date(2026, 9, 30),
        )
        .order_by("pk")
        .first()
    )
    if ledger is None:
        raise SystemExit("no 2026 Q3 ledger in the demo data: seed_disclosures changed")
    items = [
        "物业费收入",
        "停车费收入",
        "广告位收入",
        "保洁耗材",
        "绿化养护",
        "电梯维保",
        "公共照明电费",
    ]
    with transaction.atomic():
        ledger.lines.all().delete()
        rows = []
        income = expense = Decimal("0.00")
        for n in range(1, lines + 1):
            direction = "income" if n % 3 else "expense"
            amount = Decimal(100 + (n * 37) % 5000) + Decimal("0.50")
            if direction == "income":
                income += amount
            else:
                expense += amount
            rows.append(
                LedgerLine(
                    ledger=ledger,
                    line_no=n,
                    date=dt.date(2026, 7, 1) + dt.timedelta(days=n % 92),
                    item=f"{items[n % len(items)]}（第{n}笔）",
                    counterparty=f"{(n % 10) + 1}栋住户" if direction == "income" else "服务商",
                    amount=amount,
                    direction=direction,
                    category="收入" if direction == "income" else "支出",
                )
            )
        LedgerLine.objects.bulk_create(rows, batch_size=1000)
        closing = ledger.opening_balance + income - expense
        Ledger.objects.filter(pk=ledger.pk).update(
            stated_income=income,
            stated_expense=expense,
            stated_closing_balance=closing,
            income_total=income,
            expense_total=expense,
            closing_balance=closing,
            line_count=lines,
        )


OPEN_CLOCKS_SQL = """
WITH ncomp AS (SELECT count(*) AS n FROM bench_compound),
draws AS (
  SELECT g, random() r1, random() r2, random() r3 FROM generate_series(1, %(count)s) g
), shaped AS (
  SELECT d.*, c.compound_id, c.buildings, c.company_id,
         -- %(due_share)s of the clocks fall due (past, or inside the 12 h warning window).
         CASE WHEN d.r1 < %(due_share)s THEN now() - interval '2 days' + d.r2 * interval '60 hours'
              ELSE now() + interval '1 day' + d.r2 * interval '60 days' END AS deadline,
         now() - d.r3 * interval '60 days' AS created
  FROM draws d CROSS JOIN ncomp JOIN bench_compound c ON c.idx = d.g %% ncomp.n
)
INSERT INTO issues_issue (
  tracking_number, unit, location_text, description, is_public, is_hazard, is_complex,
  tier, status, reporter_name, reporter_phone, share_identity, tracking_code_hash,
  hotline_number, consultation_result, public_explanation, created_at, accepted_at,
  resolved_at, closed_at, paused_at, last_public_update_at, reopen_count, response_due,
  feedback_due, plan_due, hazard_due, plan_given_at, next_deadline, assigned_org_id,
  building_id, category_id, compound_id, merged_into_id, reporter_id)
SELECT 'HS-2026-' || lpad((%(base)s + g)::text, 7, '0'), '1单元', '',
       '压测：公共区域水管漏水，编号' || g || '。', true, false, false, 'small',
       CASE WHEN r3 < 0.3 THEN 'accepted' ELSE 'in_progress' END,
       '压测居民', '13700000000', false, '', '', '', '', created, created + interval '3 hours',
       NULL, NULL, NULL, created, 0, created + interval '48 hours', deadline, NULL, NULL, NULL,
       deadline, company_id, buildings[1 + (g %% 10)::int], (SELECT min(id) FROM issues_category),
       compound_id, NULL, NULL
FROM shaped
"""


def add_open_clocks(count: int, due_share: float) -> None:
    from django.db import connection, transaction

    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(COMPOUND_TABLE_SQL)
        cursor.execute("SELECT coalesce(max(id), 0) FROM issues_issue")
        after = cursor.fetchone()[0]
        cursor.execute("SELECT setseed(0.311)")
        cursor.execute(
            OPEN_CLOCKS_SQL, {"count": count, "base": CLOCK_NUMBER_BASE, "due_share": due_share}
        )
        cursor.execute(
            "INSERT INTO issues_issueevent (at, verb, from_state, to_state, note, public,"
            " actor_id, issue_id, organization_id)"
            " SELECT created_at, 'submit', '', 'submitted', '', true, NULL, id, NULL"
            " FROM issues_issue WHERE id > %s",
            [after],
        )
    log(f"{count} open clocks in {_t(started)}")
    _analyze()
    refresh_snapshots(backfill_months=0)
    _mark(f"{BUILD_VERSION}+clocks-{count}-{due_share}")


def refresh_snapshots(*, backfill_months: int) -> float:
    """The dashboard's monthly roll-ups (what beat refreshes), if the dashboard app has them."""
    try:
        from dashboard.services import snapshots_refresh_all
    except ImportError:
        return 0.0
    started = time.monotonic()
    snapshots_refresh_all(backfill_months=backfill_months)
    return time.monotonic() - started


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _mark(version: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_marker (version text, built_at timestamptz)"
        )
        cursor.execute("DELETE FROM bench_marker")
        cursor.execute("INSERT INTO bench_marker VALUES (%s, now())", [version])


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="step", required=True)
    sub.add_parser("base")
    clocks = sub.add_parser("clocks")
    clocks.add_argument("--count", type=int, required=True)
    clocks.add_argument("--due-share", type=float, default=0.01)
    args = parser.parse_args()
    _setup()
    if args.step == "base":
        build_base()
    else:
        add_open_clocks(args.count, args.due_share)


if __name__ == "__main__":
    main()
