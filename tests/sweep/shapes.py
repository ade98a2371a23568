"""The demo world of the sweep and the *shapes* of its objects.

The world is the access matrix's (``tests/access/world.py``: ``seed_demo`` with every
module's demo data, compound B, one row behind every URL keyword) plus the shapes
the demo lacks, created here through the services: a complaint with photos (logged
in, and anonymous with a tracking code), a whistle still waiting for a report-in and
one every summoned party reported to, a meeting of each kind, a cancelled meeting,
and campaigns in the early stages.

A *shape* is one object per group of the fields that change what a page shows.
The groups come from a query over whatever the data holds, so a new state or flag
joins the sweep by itself. Complaints have seven such fields (state, tier, hazard,
public, reporter account, photos, whistle) and about seventy groups in the demo; the
sweep takes a set of groups in which every value of every field occurs (greedy set
cover, about ten complaints), to stay fast.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
from dataclasses import dataclass
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone

from tests.access.world import build_world

#: Demo logins by role (seed_demo; password huashan2026). ``owner`` is looked up
#: through the access world, which renames owner 13800000401 to a known reporter.
ROLE_MOBILES: dict[str, str | None] = {
    "anonymous": None,
    "anonymous_with_code": None,  # an anonymous reporter whose session holds the codes
    "street": "13800000101",  # 党工委书记
    "community": "13800000201",  # 社区党支部书记
    "compound_party": "13800000301",  # 小区党支部书记, heads the joint-meeting office
    "clerk": "13800000302",  # 联席会议办公室干事
    "pmc_chair": "13800000303",  # 物业管理委员会主任
    "property_manager": "13800000305",  # 项目经理
    "property_staff": "13800000306",  # 客服主管
    "owner": "13800000401",  # 业主（已认证）
    "superuser": "13800000000",
    "party_member": "13800000309",  # 小区党支部党员 (voice only)
    "owner_rep": "13800000308",  # 业主代表 (voice only)
    "group_leader": "13800000205",  # 居民小组长 (voice only)
}
ROLES = tuple(ROLE_MOBILES)


@dataclass(frozen=True)
class Shape:
    label: str  # e.g. "status=closed,tier=big,..."
    value: object  # the URL keyword value (pk or tracking number)


def _dashboard(module: str):
    """The dashboard app's ``module``, wherever the app lives (``dashboard`` app label)."""
    from django.apps import apps

    return importlib.import_module(f"{apps.get_app_config('dashboard').name}.{module}")


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def _photo():
    from huashan.core.photos import photo_sanitize

    return photo_sanitize(SimpleUploadedFile("IMG_0001.jpg", _jpeg(), "image/jpeg"))


def _try(what: str, *calls):
    """The first call that the services accept (the demo's permissions decide who may)."""
    errors = []
    for call in calls:
        try:
            return call()
        except (ValidationError, PermissionDenied) as exc:
            errors.append(exc)
    raise AssertionError(f"the sweep could not create {what}: {errors}")


def build_sweep_world() -> SimpleNamespace:
    """The access world plus the shapes the demo lacks. Call inside a rolled-back atomic."""
    from huashan.directory.models import Organization, Person

    WorkSummary = _dashboard("models").WorkSummary
    from issues import services as issues
    from issues.models import Category, Issue

    world = build_world()
    a = world.a
    people = {
        role: Person.objects.get(mobile=mobile)
        for role, mobile in ROLE_MOBILES.items()
        if mobile is not None and role != "owner"
    }
    people["owner"] = world.people["owner_a"]
    category = Category.objects.order_by("pk").first()
    orgs = {o.kind: o for o in Organization.objects.filter(compound=a)}
    community_party = people["community"]

    # Complaints with photos: a logged-in owner's, and an anonymous one with a code.
    issues.issue_submit(
        actor=people["owner"],
        compound=a,
        category=category,
        description="地下车库入口积水，照片见附件",
        location_text="地下车库",
        is_public=True,
        photos=[_photo()],
    )
    anonymous_with_photo = issues.issue_submit(
        actor=None,
        compound=a,
        category=category,
        description="5栋楼道灯坏了，附照片",
        location_text="5栋",
        is_public=False,
        reporter_name="匿名",
        reporter_phone="13700006666",
        photos=[_photo()],
    )
    codes = {
        world.anonymous_issue.tracking_number: world.tracking_code,
        anonymous_with_photo.issue.tracking_number: anonymous_with_photo.tracking_code,
    }

    # Whistles: one still waiting for its report-in, one every summoned party reported to.
    transferred = list(
        Issue.objects.filter(compound=a, status=Issue.Status.TRANSFERRED, whistles__isnull=True)
        .order_by("pk")
        .distinct()[:2]
    )
    assert len(transferred) == 2, "the demo no longer has two transferred complaints"
    for issue in transferred:
        issues.whistle_blow(
            actor=community_party,
            issue=issue,
            level="community",
            organizations=[orgs[Organization.Kind.PMC]],
            reason="业主与物业分歧大，需要多方协调",
        )
    closed_whistle = transferred[1].whistles.get()
    for summons in closed_whistle.summonses.all():
        issues.whistle_report_in(
            actor=people["pmc_chair"], summons=summons, contribution="派委员到场协调"
        )

    world.shape_errors = []
    for make in (_meetings, _held_meetings, _street_meeting, _motion, _campaigns, _summaries):
        try:
            with transaction.atomic():  # a failure leaves the rest of the world intact
                make(a, people)
        except Exception as exc:  # a refusal, or a service whose signature changed
            # Recorded, not raised: the rest of the sweep still runs, and
            # test_every_shape_was_made fails with the cause.
            world.shape_errors.append(f"{make.__name__}: {exc!r}")

    # The access world's work summary has a generation time but no figures (a row no
    # service makes): the sweep's own pages use a generated one.
    generated = WorkSummary.objects.filter(compound=a, period="2026H1").first()
    if generated is not None:
        world.objects["summary"] = generated.pk
    world.sweep_people = people
    world.codes = codes
    return world


def _meetings(compound, people) -> None:
    """A meeting of each kind the demo lacks (draft), and a cancelled one. The street joint
    meeting is not scheduled here: the street convenes it on a referral (_street_meeting).

    A joint meeting is chaired by the community party head or, under a recorded 委托, the
    compound party head (联席会议议事规则 第三条): the access world records that delegation
    for the next thirty days, so the compound party head schedules these."""
    from meetings import services
    from meetings.models import Meeting

    present = set(Meeting.objects.filter(compound=compound).values_list("kind", flat=True))
    present.add(Meeting.Kind.STREET_JOINT)
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=20)
    for number, kind in enumerate(Meeting.Kind.values):
        if kind in present:
            continue
        when = start + dt.timedelta(days=number)

        def create(actor, kind=kind, when=when, number=number):
            return services.meeting_create(
                actor=actor,
                compound=compound,
                kind=kind,
                title=f"{Meeting.Kind(kind).label} 演示",
                start=when,
                end=when + dt.timedelta(hours=2),
                place=f"小区议事厅{number}",
            )

        _try(
            f"a {kind} meeting",
            *(lambda p=p: create(people[p]) for p in ("compound_party", "pmc_chair", "clerk")),
        )
    cancelled = services.meeting_create(
        actor=people["compound_party"],
        compound=compound,
        kind=Meeting.Kind.JOINT,
        title="临时联席会议（取消）",
        start=start + dt.timedelta(days=15),
        end=start + dt.timedelta(days=15, hours=2),
        place="小区议事厅临时",
        is_ad_hoc=True,
        ad_hoc_reason="暴雨后积水问题",
    )
    services.meeting_cancel(actor=people["compound_party"], meeting=cancelled, reason="改期")


def _held_meetings(compound, people) -> None:
    """A joint meeting recorded afterwards (补录: held), and one whose summary the four
    bodies countersigned and the chair approved (联席会议议事规则 第四条)."""
    from huashan.directory.models import Organization, Person
    from meetings import services

    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=3)
    meetings = []
    for number in range(2):
        when = start + dt.timedelta(hours=3 * number)
        meetings.append(
            services.meeting_create(
                actor=people["compound_party"],
                compound=compound,
                kind="joint",
                title=f"临时联席会议（补录{number + 1}）",
                start=when,
                end=when + dt.timedelta(hours=2),
                place=f"小区议事厅补录{number}",
                is_ad_hoc=True,
                ad_hoc_reason="暴雨后地下车库积水",
                recorded_afterwards=True,
                record_reason="紧急召开，会后补录",
            )
        )
    meeting = meetings[1]
    services.minutes_save_draft(
        actor=people["clerk"], meeting=meeting, discussion="各方讨论积水处置", outcome="同意"
    )
    summary = services.summary_draft(actor=people["clerk"], meeting=meeting)
    summary = services.summary_submit_for_countersign(actor=people["clerk"], summary=summary)
    Kind = Organization.Kind
    signers = {
        Kind.COMMUNITY_PARTY: "community",
        Kind.RESIDENTS_COMMITTEE: "13800000202",
        Kind.PMC: "pmc_chair",
        Kind.PROPERTY_COMPANY: "property_manager",
    }
    for kind, who in signers.items():
        actor = people.get(who) or Person.objects.get(mobile=who)
        organization = (
            Organization.objects.filter(kind=kind)
            .filter(Q(compound=compound) | Q(community=compound.community))
            .get()
        )
        services.summary_countersign(actor=actor, summary=summary, organization=organization)
    services.summary_approve(actor=meeting.chair or people["community"], summary=summary)


def _street_meeting(compound, people) -> None:
    """A street joint meeting the way it comes about (协同联动 第四条): a joint meeting
    that was held proposes taking an open major matter to the street, the community party
    organization asks the street (提请街道), and the street convenes the meeting."""
    from issues.models import Issue
    from meetings.models import Meeting
    from meetings.models.meetings import StreetReferral
    from meetings.services import meetings as services

    joint = (
        Meeting.objects.filter(compound=compound, kind=Meeting.Kind.JOINT, recorded_afterwards=True)
        .filter(status__in=(Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED))
        .order_by("pk")
        .first()
    )
    assert joint is not None, "no held joint meeting to propose from (_held_meetings)"
    on_the_way = StreetReferral.objects.filter(
        status__in=(
            StreetReferral.Status.PROPOSED,
            StreetReferral.Status.REQUESTED,
            StreetReferral.Status.CONVENED,
        )
    ).values("issue")
    issue = next(
        (
            i
            for i in Issue.objects.filter(compound=compound, tier__in=services.STREET_TIERS)
            .exclude(pk__in=on_the_way)
            .order_by("pk")
            if i.is_open
        ),
        None,
    )
    assert issue is not None, "the demo has no open major, difficult or legacy complaint"
    referral = services.street_referral_propose(
        actor=people["compound_party"],
        meeting=joint,
        issue=issue,
        proposal="涉及市政管网，超出小区和社区协调范围，建议提请街道协调",
    )
    referral = services.street_referral_request(
        actor=people["community"],
        referral=referral,
        request_text="请街道召集住建、城管等部门联合处置",
    )
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=40)
    services.street_joint_meeting_convene(
        actor=people["street"],
        referral=referral,
        title="街道联席会议：地下管网改造",
        start=start,
        end=start + dt.timedelta(hours=2),
        place="街道办事处三楼会议室",
    )


def _motion(compound, people) -> None:
    """An owners' assembly motion in its vote (the demo's is decided), with a ballot of
    each channel (协同联动 第二条): the owner's own online ballot (no clerk), a paper ballot
    entered and confirmed by two different people, and one still waiting for the second."""
    from huashan.directory.models import Household
    from meetings.services import motions

    motion = motions.motion_propose(
        actor=people["pmc_chair"],
        compound=compound,
        title="修订管理规约（停车管理条款）",
        body="工作小组提议修订管理规约中的停车管理条款。",
        matter="management_statute",
        working_group="管理规约修订小组",
    )
    motion = motions.motion_pmc_deliberate(
        actor=people["pmc_chair"], motion=motion, resolution="全体委员商议同意提交业主大会表决。"
    )
    motion = motions.motion_party_review(
        actor=people["compound_party"], motion=motion, level="compound", opinion="同意。"
    )
    motion = motions.motion_party_review(
        actor=people["community"], motion=motion, level="community", opinion="同意。"
    )
    motion = motions.motion_open_vote(
        actor=people["pmc_chair"], motion=motion, closes_at=timezone.now() + dt.timedelta(days=14)
    )
    mine = motions.owned_units(person=people["owner"], motion=motion)
    assert mine, "the sweep's owner owns no unit in the compound"
    motions.motion_vote_cast(actor=people["owner"], motion=motion, household=mine[0], choice="yes")
    others = Household.objects.filter(building__compound=compound).exclude(
        pk__in=[u.pk for u in mine]
    )
    confirmed, waiting = others.order_by("pk")[:2]
    entered = motions.motion_paper_enter(
        actor=people["pmc_chair"], motion=motion, household=confirmed, choice="no"
    )
    motions.motion_paper_confirm(actor=people["clerk"], vote=entered)
    motions.motion_paper_enter(
        actor=people["pmc_chair"], motion=motion, household=waiting, choice="abstain"
    )


def _summaries(compound, people) -> None:
    """Half-year work summaries (联席会议议事规则 第六条): one whose figures the service
    generated, and one just requested (figures still to come from Celery)."""
    services = _dashboard("services")

    services.work_summary_generate(
        actor=people["compound_party"], compound=compound, period="2026H1"
    )
    services.work_summary_request(
        actor=people["compound_party"], compound=compound, period="2025H1"
    )


def _campaigns(compound, people) -> None:
    """Campaigns in the stages the demo lacks (it has scoring and closed)."""
    from evaluations import services
    from evaluations.models import Campaign

    State = Campaign.State
    wanted = (
        State.SETUP,
        State.MATERIALS,
        State.EVALUATION_MEETING,
        State.PRELIMINARY,
        State.PUBLICITY,
    )
    for year, state in enumerate(wanted, start=2031):
        campaign = services.campaign_create(actor=people["community"], compound=compound, year=year)
        while campaign.state != state:
            campaign = services.campaign_advance(
                actor=people["community"], campaign=campaign, to_state=campaign.next_state
            )


# --- the shapes ----------------------------------------------------------------------


def covering(groups: list[dict], dims: tuple[str, ...]) -> list[dict]:
    """A subset of ``groups`` in which every value of every field occurs (greedy set cover):
    a complaint of each state, of each tier, hazard and not, public and private, ..."""

    def values(group):
        return {(d, group[d]) for d in dims}

    wanted = set().union(*(values(g) for g in groups)) if groups else set()
    chosen = []
    while wanted:
        best = max(groups, key=lambda g: (len(values(g) & wanted), -g["pk"]))
        chosen.append(best)
        wanted -= values(best)
    return sorted(chosen, key=lambda g: g["pk"])


def _label(group: dict, dims) -> str:
    return ",".join(f"{d}={group[d]}" for d in dims)


ISSUE_DIMS = ("status", "tier", "is_hazard", "is_public", "anonymous", "has_photos", "whistle")


def issue_shapes(compound) -> list[Shape]:
    from issues.models import Issue, IssuePhoto, Whistle, WhistleSummons

    rows = (
        Issue.objects.filter(compound=compound)
        .annotate(
            anonymous=Q(reporter__isnull=True),
            has_photos=Exists(IssuePhoto.objects.filter(issue=OuterRef("pk"))),
            whistled=Exists(Whistle.objects.filter(issue=OuterRef("pk"))),
            waiting=Exists(
                WhistleSummons.objects.filter(whistle__issue=OuterRef("pk"), reported_at=None)
            ),
        )
        .values("pk", "tracking_number", *ISSUE_DIMS[:-1], "whistled", "waiting")
        .order_by("pk")
    )
    groups: dict[tuple, dict] = {}
    for row in rows:
        # none / open (a summoned party has not reported in) / closed (all reported)
        row["whistle"] = "open" if row["waiting"] else "closed" if row["whistled"] else "none"
        groups.setdefault(tuple(row[d] for d in ISSUE_DIMS), row)
    chosen = covering(list(groups.values()), ISSUE_DIMS)
    return [Shape(_label(g, ISSUE_DIMS), g["tracking_number"]) for g in chosen]


def _grouped(queryset, dims: tuple[str, ...]) -> list[Shape]:
    rows = queryset.values(*dims).annotate(pk=Min("pk")).order_by("pk")
    return [Shape(_label(row, dims), row["pk"]) for row in rows]


def object_shapes(compound) -> dict[str, list[Shape]]:
    """Shapes of the objects behind ``<pk>`` URLs, keyed like ``tests/access/world.PK_OBJECT``."""
    from disclosures.models import Disclosure
    from evaluations.models import Campaign

    WorkSummary = _dashboard("models").WorkSummary
    from meetings.models import ActionItem, DecisionReport, Meeting, OwnersAssemblyMotion
    from pledges.models import PeriodResult, PledgeLetter

    meetings = Meeting.objects.filter(compound=compound).annotate(
        summary_status=Min("summary__status")
    )
    pledge_items = (
        PeriodResult.objects.filter(item__letter__compound=compound)
        .values("status")
        .annotate(pk=Min("item_id"))
        .order_by("pk")
    )
    return {
        "meeting": _grouped(meetings, ("kind", "status", "summary_status")),
        "disclosure": _grouped(
            Disclosure.objects.filter(compound=compound).exclude(state="draft"),
            ("state", "version"),
        ),
        "campaign": _grouped(Campaign.objects.filter(compound=compound), ("state",)),
        "motion": _grouped(OwnersAssemblyMotion.objects.filter(compound=compound), ("stage",)),
        "decision_report": _grouped(DecisionReport.objects.filter(compound=compound), ("status",)),
        "action_item": _grouped(ActionItem.objects.filter(compound=compound), ("status",)),
        "letter": _grouped(PledgeLetter.objects.filter(compound=compound), ("published",)),
        "pledge_item": [Shape(f"result={r['status']}", r["pk"]) for r in pledge_items],
        # Summaries by kind, state and whether the figures are in (not the access
        # world's row: generated, yet without figures).
        "summary": _grouped(
            WorkSummary.objects.filter(compound=compound)
            .exclude(figures={}, generated_at__isnull=False)
            .annotate(pending=Q(generated_at__isnull=True)),
            ("kind", "state", "pending"),
        ),
    }
