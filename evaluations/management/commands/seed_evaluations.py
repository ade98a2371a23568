"""Seed the demo evaluations for 江南花山郡: a finished 2025 campaign and an open 2026 one.

Deterministic (``random.Random(2025)``) and idempotent (a year that already has
a campaign is left alone). Runs through the services, acting as the demo
community party secretary (13800000201) and the street office secretary
(13800000101) when they exist, else the superuser, so every step has its
event row. Also seeds three rated quarters of the red/black list (2026 Q2 and Q3
black) and the draft year-end report they lead to.
Run ``seed_demo`` first.
"""

from __future__ import annotations

import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from evaluations import services
from evaluations.models import Campaign, Evaluator
from evaluations.results import campaign_criteria
from huashan.directory.models import Compound, Person, Residency

State = Campaign.State
EVALUATORS = 30
CATEGORIES = [
    Evaluator.Category.PARTY_MEMBER,
    Evaluator.Category.OWNER,
    Evaluator.Category.OWNER,
    Evaluator.Category.RESIDENT_REP,
    Evaluator.Category.UNIT_REP,
]


def _person(mobile: str) -> Person | None:
    return (
        Person.objects.filter(mobile=mobile, is_active=True).first()
        or Person.objects.filter(is_superuser=True, is_active=True).first()
    )


class Command(BaseCommand):
    help = "Seed a finished 2025 evaluation campaign, an open 2026 one, and the red/black list."

    def add_arguments(self, parser):
        parser.add_argument("--compound", default=settings.HUASHAN_DEFAULT_COMPOUND)

    def handle(self, *args, **options):
        compound = Compound.objects.filter(slug=options["compound"]).first()
        if compound is None:
            raise CommandError("Run seed_demo first: the compound does not exist.")
        organizer = _person("13800000201")
        approver = _person("13800000101")
        if organizer is None or approver is None:
            raise CommandError("No organizer: run seed_demo first.")
        rng = random.Random(2025)
        with transaction.atomic():
            done = self._campaign(compound, 2025, organizer, approver, rng, finish=True)
            opened = self._campaign(compound, 2026, organizer, approver, rng, finish=False)
            self._redblack(compound, organizer, rng)
        self.stdout.write(f"seed_evaluations: 2025 {done}, 2026 {opened}")

    def _campaign(self, compound, year, organizer, approver, rng, *, finish: bool) -> str:
        if Campaign.objects.filter(compound=compound, year=year).exists():
            return "exists"
        campaign = services.campaign_create(actor=organizer, compound=compound, year=year)
        for target in campaign.targets.select_related("organization"):
            target.report_text = f"{target.organization.name}{year}年度述职报告（演示数据）。"
            target.save(update_fields=["report_text"])
        residents = list(
            Person.objects.filter(
                residencies__household__building__compound=compound,
                residencies__status=Residency.Status.VERIFIED,
            )
            .distinct()
            .order_by("pk")[:EVALUATORS]
        )
        for n in range(EVALUATORS):
            person = residents[n] if n < len(residents) else None
            services.evaluator_add(
                actor=organizer,
                campaign=campaign,
                name="" if person else f"单位代表{n + 1}",
                category=CATEGORIES[n % len(CATEGORIES)] if person else Evaluator.Category.UNIT_REP,
                person=person,
            )
        issued = services.tokens_issue(actor=organizer, campaign=campaign)
        for state in (State.MATERIALS, State.EVALUATION_MEETING, State.SCORING):
            services.campaign_advance(actor=organizer, campaign=campaign, to_state=state)
        criteria = campaign_criteria(campaign)
        targets = list(campaign.targets.all())
        # 2026 is open: half of the roster has scored so far — more than the pool the
        # sweep keeps back for each target, so some ballots are already written.
        voters = issued if finish else issued[: len(issued) // 2]
        for item in voters:
            scores = {
                t.pk: {
                    c.pk: max(
                        0, min(c.max_score, round(c.max_score * rng.uniform(0.55, 1.0) * 2) / 2)
                    )
                    for c in criteria
                }
                for t in targets
            }
            services.ballot_submit(token=item.token, scores=scores)
        # What the sweep does while scoring runs: all but a pool of waiting ballots written.
        services.ballots_flush(campaign=campaign)
        if not finish:
            return "scoring"
        for state in (State.PRELIMINARY, State.PUBLICITY):
            services.campaign_advance(actor=organizer, campaign=campaign, to_state=state)
        # History: the objection window has passed without objections.
        Campaign.objects.filter(pk=campaign.pk).update(publicity_end=campaign.publicity_start)
        for state, actor in (
            (State.APPROVED, approver),
            (State.CIRCULATED, approver),
            (State.CLOSED, organizer),
        ):
            services.campaign_advance(actor=actor, campaign=campaign, to_state=state)
        return "closed"

    def _redblack(self, compound, organizer, rng) -> None:
        residents = list(
            Person.objects.filter(
                residencies__household__building__compound=compound,
                residencies__status=Residency.Status.VERIFIED,
            )
            .distinct()
            .order_by("pk")[:12]
        )
        # Q1 passes; Q2 and Q3 fail (residents very unhappy): two black quarters in a row,
        # so the year-end report to the authority is drafted (小区党组织服务承诺 第10条).
        for quarter, low, high in ((1, 3, 5), (2, 1, 1), (3, 1, 1)):
            rating = services.quarter_rating_get(compound=compound, year=2026, quarter=quarter)
            if rating is None or rating.responses.exists():
                continue
            for person in residents:
                services.survey_submit(
                    actor=person,
                    rating=rating,
                    cleanliness=rng.randint(low, high),
                    security=rng.randint(low, high),
                    responsiveness=rng.randint(max(1, low - 1), high),
                )
            services.quarter_rate(actor=None, compound=compound, year=2026, quarter=quarter)
        services.year_end_referrals_scan(year=2026)
