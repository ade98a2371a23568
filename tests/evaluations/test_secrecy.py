"""The secret ballot (issue 14 items 1 and 2).

seed: 评议监督考核制度 第一条 (民主测评), 第三条 (量化测评), 第五条 (初步结果公示 — results
exist only from the preliminary stage on). Nothing any staff role can open moves while
scoring runs except a turnout count; the evaluated bodies see nothing before publicity;
and nothing stored (PostgreSQL ``xmin``, keys, physical row order, times) links a ballot to
the evaluator who cast it.

The item-2 tests commit for real (``xmin`` is only meaningful across transactions), so they
use ``serialized_rollback``: the flush at their end would otherwise delete the reference rows
of the data migrations (disclosure categories) that later tests rely on.
"""

from __future__ import annotations

import io
import math
import re
import threading
import uuid

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from evaluations import services
from evaluations.models import Ballot, Campaign, PendingBallot, Score, TokenUse
from evaluations.results import campaign_criteria
from huashan.directory.models import Membership
from huashan.directory.rules import OFFICER_ROLES
from tests.evaluations.ballots import recorded
from tests.factories.directory import MembershipFactory, PersonFactory
from tests.factories.evaluations import advance_to, evaluation_world, full_scores, roster

State = Campaign.State

#: Every staff role that could open the campaign (the brief's list), by world attribute.
STAFF_ROLES = {
    "clerk": lambda w: w.people.joint_meeting_office,
    "compound_party_secretary": lambda w: w.people.compound_party,
    "community_secretary": lambda w: w.people.community_party,
    "street": lambda w: w.people.street_office,
    "pmc_chair": lambda w: w.people.pmc,
    "property_manager": lambda w: w.people.property_company,
    "superuser": lambda w: PersonFactory(is_superuser=True, is_staff=True),
}

CSRF = re.compile(
    r'(name="csrfmiddlewaretoken" value=")[^"]*(")|(csrf[_-]?token["\']?\s*[:=]\s*["\'])[^"\']*'
)
TURNOUT = re.compile(r'(<p data-testid="turnout">).*?(</p>)', re.S)


def _normalise(body: str) -> str:
    body = CSRF.sub(lambda m: (m.group(1) or m.group(3) or "") + "…" + (m.group(2) or ""), body)
    return TURNOUT.sub(r"\1…\2", body)


def _turnout(body: str) -> str:
    found = TURNOUT.search(body)
    return re.sub(r"\s+", " ", found.group(0)) if found else ""


def _snapshot(client, campaign) -> dict:
    """What the user can get: manage page, results page, .xlsx cells, API results."""
    seen = {}
    for name, url in (
        ("manage", reverse("evaluations:manage", args=[campaign.pk])),
        ("results", reverse("evaluations:results", args=[campaign.pk])),
        ("xlsx", reverse("evaluations:results_xlsx", args=[campaign.pk])),
        ("api", f"/api/evaluations/campaigns/{campaign.pk}/results/"),
    ):
        response = client.get(url)
        if response.status_code == 200 and name == "xlsx":
            book = load_workbook(io.BytesIO(response.content))
            content = [[list(r) for r in s.iter_rows(values_only=True)] for s in book.worksheets]
        elif response.status_code in (301, 302):
            content = response["Location"]
        else:
            content = _normalise(response.content.decode())
        seen[name] = (response.status_code, content)
    return seen


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(STAFF_ROLES))
def test_nothing_but_turnout_moves_while_scoring_评议监督考核制度_第一条_第五条(client, role):
    """评议监督考核制度 第一条/第五条: while scoring runs, a ballot changes nothing any staff
    role can see — manage page, results page, .xlsx, API — except the turnout count."""
    world = evaluation_world()
    user = STAFF_ROLES[role](world)
    [(_e1, token), *_rest] = roster(world, 3)
    advance_to(world, State.SCORING)
    client.force_login(user)
    manage = reverse("evaluations:manage", args=[world.campaign.pk])
    before_turnout = _turnout(client.get(manage).content.decode())
    before = _snapshot(client, world.campaign)

    services.ballot_submit(token=token, scores=full_scores(world.campaign))

    after_turnout = _turnout(client.get(manage).content.decode())
    after = _snapshot(client, world.campaign)
    for name in before:
        assert before[name] == after[name], f"{role} sees {name} move during scoring"
    # No results exist yet, in any format, for anyone.
    for name in ("results", "xlsx", "api"):
        assert after[name][0] == 404, (role, name)
    if before["manage"][0] == 200:
        # The one thing that moves: 0 → 1 of 3 slips used; no per-person status.
        assert re.search(r"\b0\b", before_turnout)
        assert re.search(r"\b1\b", after_turnout)
        assert re.search(r"\b3\b", after_turnout)
        assert "评议人0" in after["manage"][1]  # the roster is there …
        assert not re.search(
            r"<td>\d+/3</td>", after["manage"][1]
        )  # … without a per-person "scored n/3"


@pytest.mark.django_db
def test_preliminary_results_for_organizers_not_for_the_evaluated_第五条(client):
    """第五条 初步结果公示: the organizers and the street see preliminary results; the
    evaluated bodies (PMC, property company, residents' committee) see them only when they
    are publicised, like everyone."""
    world = evaluation_world()
    [(_e, token)] = roster(world, 1)
    advance_to(world, State.SCORING)
    services.ballot_submit(token=token, scores=full_scores(world.campaign))
    advance_to(world, State.PRELIMINARY)
    urls = [
        reverse("evaluations:results", args=[world.campaign.pk]),
        reverse("evaluations:results_xlsx", args=[world.campaign.pk]),
        f"/api/evaluations/campaigns/{world.campaign.pk}/results/",
    ]
    for person in (world.community_secretary, world.street_officer):
        client.force_login(person)
        assert [client.get(u).status_code for u in urls] == [200, 200, 200]
        assert (
            'data-testid="results"'
            in client.get(reverse("evaluations:manage", args=[world.campaign.pk])).content.decode()
        )
    for person in (
        world.people.pmc,
        world.people.property_company,
        world.people.residents_committee,
    ):
        client.force_login(person)
        assert [client.get(u).status_code for u in urls] == [404, 404, 404]
        assert (
            'data-testid="results"'
            not in client.get(
                reverse("evaluations:manage", args=[world.campaign.pk])
            ).content.decode()
        )
    advance_to(world, State.PUBLICITY)
    assert [client.get(u).status_code for u in urls] == [200, 200, 200]


# --- item 2: nothing stored links a ballot to its evaluator -------------------------------

N = 12


def _pattern(n: int):
    """Evaluator n's ballot: the first criterion (max 10) scores n/2, the rest the maximum."""

    def value_for(target, criterion):
        return n / 2 if criterion.pk == first_pk else criterion.max_score

    first_pk = None

    def bind(campaign):
        nonlocal first_pk
        first_pk = campaign_criteria(campaign)[0].pk
        return value_for

    return bind


def _truth(first_pk) -> dict[str, int]:
    """ballot id → evaluator index, from the known score patterns."""
    return {
        str(b): int(v * 2)
        for b, v in Score.objects.filter(criterion_id=first_pk).values_list("ballot_id", "value")
    }


def _chance_bar(mean: int, odds: float = 1e-6) -> int:
    """The least k with P(Poisson(mean) ≥ k) < odds: what chance matching stays below."""
    k, below = 0, 0.0  # below = P(X < k)
    while 1 - below >= odds:
        below += math.exp(-mean) * mean**k / math.factorial(k)
        k += 1
    return k


def _rows(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_stored_trace_links_a_ballot_to_its_evaluator_评议监督考核制度_第三条():
    """评议监督考核制度 第三条 民主测评 (a secret ballot): cast N=12 ballots with known score
    patterns through the real service, let the sweep and the close of scoring write them,
    then attack the stored rows — the xmin join, key order, physical (dump) order, times —
    and recover nothing beyond chance."""
    world = evaluation_world()
    issued = roster(world, N)
    advance_to(world, State.SCORING)
    evaluator_index = {}
    for n, (evaluator, token) in enumerate(issued):
        evaluator_index[evaluator.pk] = n
        value_for = _pattern(n)(world.campaign)
        services.ballot_submit(token=token, scores=full_scores(world.campaign, value_for))
    # The three parties (第二条) and each current PMC 委员 (物业管理委员会服务承诺 第4条).
    targets = world.campaign.targets.count()
    assert targets == 3 + world.campaign.targets.filter(member__isnull=False).count()
    assert Ballot.objects.count() == 0  # all waiting in the holding area
    assert PendingBallot.objects.count() == N * targets
    written = services.ballots_sweep()  # the beat: all but the pool, at random
    # The pool is kept per target (a written ballot shows its target, so only ballots of the
    # same target hide it): each target keeps BALLOT_POOL back, whatever the target count.
    assert written == (N - services.BALLOT_POOL) * targets
    for target in world.campaign.targets.all():
        assert PendingBallot.objects.filter(target=target).count() == services.BALLOT_POOL
    advance_to(world, State.PRELIMINARY)  # closing writes the rest
    assert PendingBallot.objects.count() == 0
    assert Ballot.objects.count() == N * targets

    first_pk = campaign_criteria(world.campaign)[0].pk
    truth = _truth(first_pk)
    assert sorted(truth.values()) == sorted(list(range(N)) * targets)
    everyone = set(range(N))

    # 1. The xmin join: a ballot shares its transaction with no mark, or with all of them.
    pairs = _rows(
        "SELECT b.id::text, t.evaluator_id FROM evaluations_ballot b "
        "JOIN evaluations_tokenuse t ON t.xmin = b.xmin"
    )
    linked: dict[str, set[int]] = {}
    for ballot_id, evaluator_id in pairs:
        linked.setdefault(ballot_id, set()).add(evaluator_index[evaluator_id])
    for ballot_id, who in linked.items():
        assert who == everyone, f"xmin links ballot {ballot_id} to {who}"

    # 2. Key order and physical (pg_dump) order of the ballots vs. the marks, per target.
    def recovered(order_by: str) -> int:
        ballots = _rows(f"SELECT id::text, target_id FROM evaluations_ballot ORDER BY {order_by}")
        marks = _rows(
            f"SELECT evaluator_id, target_id FROM evaluations_tokenuse ORDER BY "
            f"{'id' if order_by == 'id' else 'ctid'}"
        )
        right = 0
        for target_id in {t for _b, t in ballots}:
            b = [bid for bid, t in ballots if t == target_id]
            m = [evaluator_index[e] for e, t in marks if t == target_id]
            right += sum(1 for bid, who in zip(b, m, strict=True) if truth[bid] == who)
        return right

    # Chance recovers about one per target (the fixed points of a random order: Poisson with
    # mean ``targets``); a link would recover all N × targets. The bar is where chance
    # reaches it less than once in 10⁶ runs.
    bar = _chance_bar(targets)
    assert bar < N * targets
    assert recovered("id") < bar
    assert recovered("ctid") < bar
    assert all(uuid.UUID(str(b)).version == 4 for b in Ballot.objects.values_list("id", flat=True))
    assert all(uuid.UUID(str(s)).version == 4 for s in Score.objects.values_list("id", flat=True))

    # 3. Times: none finer than the day, on ballots, scores, the holding area or the marks.
    for model in (Ballot, Score, PendingBallot, TokenUse):
        kinds = {f.get_internal_type() for f in model._meta.concrete_fields}
        assert not kinds & {"DateTimeField", "TimeField"}, model
    assert Ballot.objects.values("submitted_on").distinct().count() == 1

    # 4. The roster no longer says which account held which slip.
    assert not world.campaign.evaluators.filter(person__isnull=False).exists()


@pytest.mark.django_db
def test_many_pmc_members_do_not_thin_the_pool_物业管理委员会服务承诺_第4条(world):
    """第4条 makes each 委员 a target, so a PMC of seven gives ten targets: a pool counted over
    all ballots would hold about one voter per target. Counted per target, every ballot the
    sweep writes is still one of BALLOT_POOL + 1 waiting ballots of its target."""
    for _n in range(6):
        MembershipFactory(organization=world.orgs.pmc, role=Membership.Role.MEMBER)
    issued = roster(world, N)  # printing the slips brings the members up to date
    advance_to(world, State.SCORING)
    members = (
        Membership.objects.current()
        .filter(organization=world.orgs.pmc, role__in=OFFICER_ROLES)
        .count()
    )
    targets = list(world.campaign.targets.all())
    assert len(targets) == 3 + members
    for _e, token in issued:
        services.ballot_submit(token=token, scores=full_scores(world.campaign))
    assert services.ballots_sweep() == (N - services.BALLOT_POOL) * len(targets)
    for target in targets:
        assert PendingBallot.objects.filter(target=target).count() == services.BALLOT_POOL
    assert services.ballots_sweep() == 0  # nothing beyond the pool: the rest waits …
    advance_to(world, State.PRELIMINARY)  # … until scoring closes
    assert PendingBallot.objects.count() == 0
    assert Ballot.objects.count() == N * len(targets)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_time_token_holds_under_concurrent_posts_评议监督考核制度_第三条():
    """第三条: one ballot per evaluator — two simultaneous submissions with one token cast
    one set of ballots; the other is refused."""
    world = evaluation_world()
    [(_e, token)] = roster(world, 1)
    advance_to(world, State.SCORING)
    scores = full_scores(world.campaign)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def vote():
        barrier.wait()
        try:
            services.ballot_submit(token=token, scores=scores)
            outcomes.append("cast")
        except services.BallotRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=vote) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["cast", "refused"]
    assert recorded() == world.campaign.targets.count()
    assert TokenUse.objects.count() == world.campaign.targets.count()
