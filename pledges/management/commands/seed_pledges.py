"""Seed the two pledge letters of the seed and a year of evidence for 江南花山郡.

seed: 小区党组织服务承诺, 物业管理委员会服务承诺 (set up from the obligation templates by
``provisioning.services.provision_compound``, as for any compound), 公示承诺制度 第四条
(三诺), 决策报告制度 第四条 (patrols).

The letters are published through the services (so they reach the disclosure
board when it exists); the evidence history (activities, inspections,
findings) is written in bulk with past dates, because every service stamps
``timezone.now()``. Then the engine runs once. The data is chosen so that,
evaluated in late November, most items are met, 第9条 of the party letter
(≥ 4 neighbourhood activities a year; three so far) is at risk, and the
third-quarter safety inspection of 第7条 is missed.

Deterministic and idempotent: letters are unique per organization and year,
and evidence is written only when the compound has none for the year yet.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from huashan.directory.models import Compound, Membership, Organization, Person
from huashan.directory.selectors import organization_of_kind
from pledges import services
from pledges.engine import evaluate
from pledges.models import (
    AccountabilityCase,
    Activity,
    Attestation,
    CandidatePledge,
    Election,
    Finding,
    Inspection,
    PledgeEvent,
    PledgeLetter,
)
from provisioning.services import provision_compound

COMPOUND_SLUG = "jiangnan-huashan"
MARKER = "seed_pledges"
Role = Membership.Role


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


class Command(BaseCommand):
    help = "Load the two pledge letters and a year of pledge evidence for the demo compound."

    def handle(self, *args, **options):
        compound = Compound.objects.filter(slug=COMPOUND_SLUG).first()
        if compound is None:
            raise CommandError("Run seed_demo first: the demo compound does not exist.")
        today = timezone.localdate()
        year = today.year
        # The letters and their measured items come from the obligation templates, as for
        # any compound (provisioning); this command adds only invented evidence.
        provision_compound(compound=compound, year=year)
        letters = [self._letter(compound, kind, year) for kind in ("compound_party", "pmc")]
        if PledgeEvent.objects.filter(compound=compound, verb=MARKER, note=str(year)).exists():
            self.stdout.write("seed_pledges: evidence already present, nothing to do")
        else:
            with transaction.atomic():
                self._evidence(compound, letters, year, today)
                PledgeEvent.objects.create(compound=compound, verb=MARKER, note=str(year))
        report = evaluate()
        counts: dict[str, int] = {}
        for row in report.rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        self.stdout.write(f"seed_pledges: {len(letters)} letters; period results {counts}")

    # --- letters ---------------------------------------------------------------------

    def _secretary(self, organization: Organization) -> Person | None:
        membership = (
            Membership.objects.current()
            .filter(organization=organization, role__in=(Role.SECRETARY, Role.CHAIR))
            .select_related("person")
            .first()
        )
        return membership.person if membership else None

    def _letter(self, compound: Compound, kind: str, year: int) -> PledgeLetter:
        """The letter provisioning made from the templates, published by its secretary."""
        organization = organization_of_kind(compound=compound, kind=kind)
        if organization is None:
            raise CommandError(f"The demo compound has no {kind} body.")
        letter = PledgeLetter.objects.get(organization=organization, year=year)
        if letter.published:
            return letter
        actor = self._secretary(organization)
        if actor is not None:
            try:
                services.letter_publish(actor=actor, letter=letter)
            except Exception as exc:  # the board is optional; the letter still stands
                self.stderr.write(f"seed_pledges: letter not posted to the board: {exc}")
                PledgeLetter.objects.filter(pk=letter.pk).update(
                    published=True, published_at=timezone.now()
                )
        letter.refresh_from_db()
        return letter

    # --- evidence --------------------------------------------------------------------

    def _evidence(self, compound: Compound, letters, year: int, today: dt.date) -> None:
        party = letters[0].organization
        pmc = letters[1].organization
        company = organization_of_kind(compound=compound, kind="property_company")
        members = list(
            Person.objects.filter(
                memberships__in=Membership.objects.current().filter(organization=party)
            ).distinct()
        )
        reps = list(
            Person.objects.filter(
                memberships__in=Membership.objects.current().filter(role=Role.OWNER_REPRESENTATIVE),
                memberships__organization__compound=compound,
            ).distinct()
        )
        supervisor = Person.objects.filter(
            memberships__role=Role.QUALITY_SUPERVISOR,
            memberships__organization__compound=compound,
        ).first()
        clerk = self._secretary(pmc)
        months = [m for m in range(1, 13) if dt.date(year, m, 1) <= today]
        self._activities(compound, party, pmc, members, clerk, months, year, today)
        self._inspections(compound, pmc, company, reps, supervisor, clerk, months, year, today)
        reviewer = self._secretary(party)
        self._attestations(letters, reviewer, year, today)
        pmc_members = self._candidate_pledges(compound, pmc, year)
        if pmc_members and reviewer is not None:
            self._case(compound, pmc, pmc_members[-1], reviewer, year)

    def _activities(self, compound, party, pmc, members, clerk, months, year, today) -> None:
        """Studies, volunteer days, trainings, neighbourhood and cultural activities."""
        activities: list[tuple[Activity, list[Person]]] = []
        for month in months:
            day = dt.date(year, month, 12)
            if day <= today:
                activities.append(
                    (
                        Activity(
                            kind=Activity.Kind.STUDY,
                            title=f"{month}月党员政策法规及物业管理知识学习",
                            held_on=day,
                            organization=party,
                        ),
                        members,
                    )
                )
        for month in (2, 5, 8, 11):
            day = dt.date(year, month, 20)
            if day <= today:
                activities.append(
                    (
                        Activity(
                            kind=Activity.Kind.VOLUNTEER,
                            title=f"{month}月党员志愿服务：环境整治",
                            held_on=day,
                            organization=party,
                        ),
                        members,
                    )
                )
        for day, title in (
            (dt.date(year, 4, 18), "物业管理委员会与物业专题培训（一）"),
            (dt.date(year, 10, 17), "物业管理委员会与物业专题培训（二）"),
        ):
            if day <= today:
                activities.append(
                    (
                        Activity(
                            kind=Activity.Kind.TRAINING,
                            title=title,
                            held_on=day,
                            organization=party,
                        ),
                        [],
                    )
                )
        # Three neighbourhood activities so far: ≥ 4 a year is at risk near year end.
        for day, title in (
            (dt.date(year, 2, 10), "元宵节邻里联欢"),
            (dt.date(year, 6, 15), "社区律师法律咨询日"),
            (dt.date(year, 9, 25), "中秋节邻里联欢"),
        ):
            if day <= today:
                activities.append(
                    (
                        Activity(
                            kind=Activity.Kind.NEIGHBOURHOOD,
                            title=title,
                            held_on=day,
                            organization=party,
                        ),
                        [],
                    )
                )
        for day, title in (
            (dt.date(year, 5, 1), "公益市集"),
            (dt.date(year, 9, 10), "便民服务日"),
        ):
            if day <= today:
                activities.append(
                    (
                        Activity(
                            kind=Activity.Kind.CULTURAL, title=title, held_on=day, organization=pmc
                        ),
                        [],
                    )
                )
        self._save_activities(compound, clerk, activities)

    def _save_activities(self, compound, clerk, activities) -> None:
        """Write the planned activities and who took part in each."""
        for activity, _people in activities:
            activity.compound = compound
            activity.participant_count = max(len(_people), 20)
            activity.created_by = clerk
        Activity.objects.bulk_create([a for a, _p in activities])
        through = Activity.participants.through
        through.objects.bulk_create(
            [through(activity_id=a.pk, person_id=p.pk) for a, people in activities for p in people]
        )

    def _inspections(
        self, compound, pmc, company, reps, supervisor, clerk, months, year, today
    ) -> None:
        """Monthly service inspections, quarterly safety checks, supervisor patrols."""
        inspections: list[tuple[Inspection, list[tuple[str, bool, bool]]]] = []
        for month in months:
            day = dt.date(year, month, 25)
            if day > today:
                continue
            # One in ten monthly findings stays unfixed: 90 % rectified.
            findings = [("楼道保洁不到位", False, True), ("单元门禁失灵", False, month != 6)]
            inspections.append(
                (
                    Inspection(
                        kind=Inspection.Kind.MONTHLY_SERVICE,
                        inspected_on=day,
                        organization=pmc,
                        areas=["保洁", "安保", "设施维护"],
                        inspector=clerk,
                        summary="联合业主代表检查物业保洁、安保、设施维护情况",
                    ),
                    findings,
                )
            )
        # Quarterly safety inspections — the third quarter's was not done (missed).
        for day in (dt.date(year, 3, 20), dt.date(year, 6, 19), dt.date(year, 12, 10)):
            if day <= today:
                inspections.append(
                    (
                        Inspection(
                            kind=Inspection.Kind.QUARTERLY_SAFETY,
                            inspected_on=day,
                            organization=company or pmc,
                            areas=["消防", "电梯"],
                            inspector=clerk,
                            summary="消防、电梯等设施全面排查",
                        ),
                        [("3号楼消防通道堆放杂物", True, True)],
                    )
                )
        for month in (3, 7, 10):
            day = dt.date(year, month, 8)
            if day <= today and supervisor is not None:
                inspections.append(
                    (
                        Inspection(
                            kind=Inspection.Kind.SUPERVISOR_PATROL,
                            inspected_on=day,
                            organization=company or pmc,
                            areas=["物业服务合同履行"],
                            inspector=supervisor,
                            summary="义务质量总监巡查",
                        ),
                        [("绿化养护不及时", False, True)],
                    )
                )
        for inspection, _f in inspections:
            inspection.compound = compound
            inspection.created_by = inspection.inspector
        Inspection.objects.bulk_create([i for i, _f in inspections])
        rep_through = Inspection.owner_representatives.through
        rep_through.objects.bulk_create(
            [
                rep_through(inspection_id=i.pk, person_id=p.pk)
                for i, _f in inspections
                if i.kind == Inspection.Kind.MONTHLY_SERVICE
                for p in reps
            ]
        )
        self._findings(inspections)

    def _findings(self, inspections) -> None:
        """The findings of each inspection, fixed two days later unless planned otherwise."""
        finding_rows = []
        for inspection, findings in inspections:
            for description, is_safety, fixed in findings:
                due = services._finding_due(inspection.inspected_on, is_safety=is_safety)
                finding_rows.append(
                    Finding(
                        inspection=inspection,
                        description=description,
                        is_safety=is_safety,
                        rectify_due=due,
                        fixed_at=_noon(inspection.inspected_on + dt.timedelta(days=2))
                        if fixed
                        else None,
                        fix_proof="已整改，附整改前后照片" if fixed else "",
                        created_at=_noon(inspection.inspected_on),
                    )
                )
        # An unfixed finding must not become a complaint in the demo: mark it as handled.
        for row in finding_rows:
            if row.fixed_at is None:
                row.escalated_at = row.rectify_due
        Finding.objects.bulk_create(finding_rows)

    def _attestations(self, letters, reviewer, year: int, today: dt.date) -> None:
        """The red/black list reviewed each past quarter (party letter 第10条)."""
        red_black = letters[0].items.filter(number=10).first()
        if red_black is not None:
            Attestation.objects.bulk_create(
                [
                    Attestation(
                        item=red_black,
                        period_start=dt.date(year, month, 1),
                        judgement=Attestation.Judgement.MET,
                        evidence="季度红黑榜考评已完成并公示",
                        reviewer=reviewer,
                    )
                    for month in (1, 4, 7)
                    if dt.date(year, month + 2, 28) < today
                ],
                ignore_conflicts=True,
            )

    def _candidate_pledges(self, compound: Compound, pmc, year: int) -> list[Person]:
        """三诺 of the PMC members elected this year (公示承诺制度 第四条)."""
        pmc_members = list(
            Person.objects.filter(
                memberships__in=Membership.objects.current().filter(
                    organization=pmc, role__in=(Role.CHAIR, Role.MEMBER)
                )
            ).distinct()
        )
        election = Election.objects.create(
            compound=compound, title=f"{year}年物业管理委员会换届选举", held_on=dt.date(year, 1, 8)
        )
        texts = {
            CandidatePledge.Kind.ELECTION_DISCIPLINE: "本人遵守选举纪律，不拉票贿选，不弄虚作假。",
            CandidatePledge.Kind.SERVICE: "本人当选后为业主办实事，按时公开公共收益和维修资金。",
            CandidatePledge.Kind.RESIGNATION: "本人如不认真履职，或满意度低于60%，主动辞职。",
        }
        published = _noon(dt.date(year, 1, 5))
        CandidatePledge.objects.bulk_create(
            [
                CandidatePledge(
                    election=election,
                    candidate=person,
                    kind=kind,
                    text=text,
                    signed_on=dt.date(year, 1, 3),
                    published_at=published,
                )
                for person in pmc_members
                for kind, text in texts.items()
            ]
        )
        return pmc_members

    def _case(self, compound: Compound, pmc, person: Person, reviewer, year: int) -> None:
        """One hand-opened case, decided, so the accountability page shows a timeline."""
        case = AccountabilityCase.objects.create(
            compound=compound,
            organization=pmc,
            person=person,
            trigger=AccountabilityCase.Trigger.COLLECTIVE_COMPLAINT,
            details="5号楼业主集体投诉电梯维修资金使用未按时公开，经核查属实。",
            opened_by=reviewer,
            opened_at=_noon(dt.date(year, 7, 3)),
            status=AccountabilityCase.Status.DECIDED,
            outcome=AccountabilityCase.Outcome.WARNED,
            reasons="已补充公开并向业主说明，予以警示，限期整改。",
            decided_by=reviewer,
            decided_at=_noon(dt.date(year, 7, 20)),
        )
        PledgeEvent.objects.bulk_create(
            [
                PledgeEvent(
                    compound=compound,
                    case=case,
                    actor=reviewer,
                    verb="case_open",
                    to_state="open",
                    note=case.details,
                    at=case.opened_at,
                ),
                PledgeEvent(
                    compound=compound,
                    case=case,
                    actor=reviewer,
                    verb="case_decide",
                    from_state="open",
                    to_state="warned",
                    note=case.reasons,
                    at=case.decided_at,
                ),
            ]
        )
