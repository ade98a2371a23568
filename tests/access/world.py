"""A seeded world for the access-control matrix and the hostile-input tests.

Compound A is the demo compound (``seed_demo``: every module's data, 27 logins);
compound B is a second compound of the same community with one resident and that
resident's private complaint. ``url_kwargs`` names one object of compound A for every
URL keyword of every app, so each named URL can be requested.
"""

from __future__ import annotations

import base64
from io import StringIO
from types import SimpleNamespace

from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from huashan.directory.models import Compound, Person, Residency
from tests.access.urls import pk_segment
from tests.factories.directory import (
    BuildingFactory,
    CompoundFactory,
    HouseholdFactory,
    ResidencyFactory,
)

#: The roles of the matrix: name -> demo mobile (None: anonymous / built here).
ROLE_MOBILES = {
    "anonymous": None,
    "owner_a": "13800000401",  # 业主（已认证）曹建华, compound A
    "resident_b": None,  # a verified owner of compound B
    "property_staff": "13800000306",  # 客服主管, property company of A
    "pmc": "13800000304",  # 物业管理委员会委员
    "rc": "13800000202",  # 社区居委会主任
    "compound_party": "13800000301",  # 小区党支部书记 (also heads the joint-meeting office)
    "community_party": "13800000201",  # 社区党支部书记
    "street": "13800000101",  # 党工委书记 (street office)
}
ROLES = tuple(ROLE_MOBILES)
#: The joint-meeting office clerk (办公室干事): an extra role for the API fuzz.
CLERK_MOBILE = "13800000302"

PDF_TINY = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

REPORTER_NAME = "卓越之"
REPORTER_PHONE = "13700009999"


def _first(queryset) -> int:
    """The pk of the first row, or a loud failure: a made-up pk would turn a missing row
    into a 404 that passes as "deny" (or, after another test module moved the sequences,
    into some other object's pk)."""
    obj = queryset.order_by("pk").first()
    assert obj is not None, f"the access world has no {queryset.model.__name__}: {queryset.query}"
    return obj.pk


def _reference_data() -> None:
    """The rows data migrations create (categories): a transactional test elsewhere in
    the same process ends with a flush that removes them. Idempotent."""
    import importlib

    from django.apps import apps

    from tests.conftest import _REFERENCE_DATA_MIGRATIONS

    for module, function in _REFERENCE_DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


def build_world() -> SimpleNamespace:
    """Seed the demo and add compound B. Call inside a transaction that is rolled back.

    Self-sufficient: it creates every row it names (no reliance on what other test
    modules leave or remove) and fails with an assertion when one is missing.
    """
    from disclosures.models import Disclosure, DisclosureAttachment, Objection, Report
    from evaluations import services as evaluation_services
    from evaluations.models import Campaign, PaperEntry, QuarterRating, Target, YearEndReferral
    from huashan.notify.models import Notification
    from issues import services as issue_services
    from issues.models import Category, Referral, WhistleSummons
    from meetings.models import (
        ActionItem,
        ActionItemUpdate,
        AgendaTopic,
        DecisionReport,
        DecisionReportRecipient,
        EarlyIntervention,
        ForumOpinion,
        Meeting,
        MeetingDocument,
        Minutes,
        NoticeReceipt,
        OwnersAssemblyMotion,
        SummarySignature,
    )
    from pledges.models import (
        AccountabilityCase,
        Activity,
        Election,
        Finding,
        Inspection,
        PeriodResult,
        PledgeItem,
        PledgeLetter,
    )
    from privacy.models import Consent
    from provisioning import seed as provisioning_seed

    _reference_data()
    assert not Compound.objects.filter(slug="jiangnan-huashan-2").exists(), (
        "the access world needs a database without compound B: another test left rows behind"
    )
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    a = Compound.objects.get(slug="jiangnan-huashan")
    people = {
        role: Person.objects.get(mobile=mobile)
        for role, mobile in ROLE_MOBILES.items()
        if mobile is not None
    }
    people["clerk"] = Person.objects.get(mobile=CLERK_MOBILE)

    # Compound B: same community, its own resident and a private complaint.
    b = CompoundFactory(community=a.community, name="江南花山郡二期", slug="jiangnan-huashan-2")
    resident_b = ResidencyFactory(
        household=HouseholdFactory(building=BuildingFactory(compound=b)),
        person__name="隔壁小区业主",
        person__mobile="13700008888",
    ).person
    people["resident_b"] = resident_b
    category = Category.objects.order_by("pk").first()
    assert category is not None, "no complaint category: the issues data migration rows are gone"
    issue_b = issue_services.issue_submit(
        actor=resident_b,
        compound=b,
        category=category,
        description="二期私密诉求：我家门锁密码 8642",
        location_text="二期1栋",
        is_public=False,
        reporter_phone=resident_b.mobile,
    ).issue

    # A's reporter whose identity the property company must never see.
    reporter = people["owner_a"]
    reporter.name = REPORTER_NAME
    reporter.mobile = REPORTER_PHONE
    reporter.save(update_fields=["name", "mobile"])
    issue_a = issue_services.issue_submit(
        actor=reporter,
        compound=a,
        category=category,
        description="3栋电梯经常停运，请物业尽快维修",
        location_text="3栋电梯",
        is_public=True,
        reporter_phone=REPORTER_PHONE,
    ).issue
    # Transferred to the property company: it works the issue but must never learn who
    # complained (docs/issues.md, Visibility).
    from huashan.directory.models import Organization

    company = Organization.objects.get(compound=a, kind=Organization.Kind.PROPERTY_COMPANY)
    issue_services.issue_accept(actor=people["compound_party"], issue=issue_a, note="已受理")
    issue_services.issue_transfer(
        actor=people["compound_party"], issue=issue_a, organization=company, note="请物业处理"
    )
    anonymous = issue_services.issue_submit(
        actor=None,
        compound=a,
        category=category,
        description="小区东门路灯不亮",
        location_text="东门",
        is_public=True,
        reporter_name="匿名居民",
        reporter_phone="13700007777",
    )

    # A fresh ballot token (the seeded ones are stored hashed).
    campaign = Campaign.objects.filter(compound=a, state=Campaign.State.SCORING).first()
    assert campaign is not None, "seed_demo no longer seeds a campaign in scoring"
    evaluation_services.evaluator_add(
        actor=people["community_party"],
        campaign=campaign,
        name="矩阵评议人",
        category=campaign.evaluators.model.Category.OWNER,
    )
    issued = evaluation_services.tokens_issue(actor=people["community_party"], campaign=campaign)
    ballot_token = issued[0].token

    # Rows the demo does not seed, so that every URL has a real object behind it.
    from django.core.files.base import ContentFile

    from huashan.notify.services import notification_create

    notification_create(
        recipient=reporter,
        channel="inbox",
        subject="矩阵测试通知",
        body="您的诉求已受理",
        link="/issues/mine/",
    )
    meeting_for_rows = (
        Meeting.objects.filter(compound=a, summary__isnull=False).order_by("pk").first()
    )
    ForumOpinion.objects.create(
        meeting=meeting_for_rows, raised_by_name="居民甲", content="希望增加停车位"
    )
    document = MeetingDocument(
        meeting=meeting_for_rows,
        kind=MeetingDocument.Kind.NOTICE,
        status=MeetingDocument.Status.READY,
        requested_by=people["clerk"],
    )
    document.file.save("matrix-notice.pdf", ContentFile(PDF_TINY), save=True)
    evidence = ActionItemUpdate(
        item=ActionItem.objects.filter(compound=a).order_by("pk").first(),
        author=people["clerk"],
        note="矩阵测试进展",
    )
    evidence.evidence_file.save("matrix-evidence.pdf", ContentFile(PDF_TINY), save=True)
    published = Disclosure.objects.filter(compound=a, state="published").order_by("pk").first()
    attachment = DisclosureAttachment(
        disclosure=published,
        original_name="receipt.png",
        kind=DisclosureAttachment.Kind.IMAGE,
        content_type="image/png",
        size=len(PNG_1X1),
    )
    attachment.file.save("matrix.png", ContentFile(PNG_1X1), save=True)
    from tests.factories.disclosures import DisclosureFactory

    draft = DisclosureFactory(
        organization=Organization.objects.get(compound=a, kind=Organization.Kind.COMPOUND_PARTY),
        state="draft",
    )
    report_row = Report(
        compound=a,
        period="2026Q1",
        status=Report.Status.DONE,
        requested_by=people["compound_party"],
    )
    report_row.file.save("matrix-report.pdf", ContentFile(PDF_TINY), save=True)
    PaperEntry.objects.create(
        campaign=campaign,
        evaluator=campaign.evaluators.order_by("pk").first(),
        entered_by=people["community_party"],
    )

    import datetime as dt

    from django.utils import timezone

    from dashboard.models import WorkSummary

    summary = WorkSummary.objects.create(
        compound=a,
        kind=WorkSummary.Kind.values[0],
        period="2025H2",
        period_start=dt.date(2025, 7, 1),
        period_end=dt.date(2025, 12, 31),
        created_by=people["clerk"],
        generated_at=timezone.now(),
    )
    summary.pdf.save("matrix-summary.pdf", ContentFile(PDF_TINY), save=True)

    pending = Residency.objects.filter(
        household__building__compound=a, status=Residency.Status.PENDING
    )
    meeting = Meeting.objects.filter(compound=a, summary__isnull=False).order_by("pk").first()
    assert meeting is not None, "seed_demo no longer seeds a meeting with a summary"
    report = DecisionReport.objects.filter(compound=a).order_by("pk").first()
    assert report is not None, "seed_demo no longer seeds a decision report"
    campaign_any = Campaign.objects.filter(compound=a).order_by("pk").first()
    staff_target = people["owner_a"]
    notification_pk = _first(Notification.objects.filter(recipient=reporter))

    # 联席会议议事规则 第三条 (委托) and 协同联动 第六条 (上门走访): one of each in compound A.
    import datetime as _dt

    from django.utils import timezone as _tz

    from huashan.directory.models import ChairDelegation
    from meetings.models.forums import HomeVisit

    _today = _tz.localdate()
    chair_delegation = ChairDelegation.objects.create(
        compound=a,
        delegator=people["community_party"],
        delegate=people["compound_party"],
        start=_today,
        end=_today + _dt.timedelta(days=30),
    )
    home_visit = HomeVisit.objects.create(
        compound=a, visited_on=_today, visitors="居委会主任", purpose="上门听取意见"
    )
    visit_opinion = ForumOpinion.objects.create(
        visit=home_visit, raised_by_name="居民", content="希望修好路灯"
    )
    # 协同联动 第五条: a joint explanation awaiting the three parties' confirmation.
    from issues.legacy import JointExplanation, JointExplanationConfirmation

    joint_explanation = JointExplanation.objects.create(issue=issue_a, text="三方共同说明")
    company_confirmation = JointExplanationConfirmation.objects.create(
        explanation=joint_explanation, organization=company
    )
    # 协同联动 第四条: a proposal of the joint meeting awaiting the community party org.
    from meetings.models.meetings import StreetReferral

    street_referral = StreetReferral.objects.create(
        compound=a, issue=issue_a, joint_meeting=meeting, proposal="建议提请街道协调"
    )
    # 决策报告制度 第三条: the compound party organization's feedback, addressed to the
    # residents' committee, which answers for itself.
    from briefings.models import Briefing, BriefingRecipient
    from huashan.directory.models import Membership

    briefing = Briefing.objects.create(
        compound=a,
        kind=Briefing.Kind.FEEDBACK,
        sender=Organization.objects.get(compound=a, kind=Organization.Kind.COMPOUND_PARTY),
        title="请居委会协助清理楼道杂物",
        body="居民反映楼道堆放杂物，请三方研究办理。",
        respond_by=dt.date(2099, 1, 1),
    )
    briefing_recipient = BriefingRecipient.objects.create(
        briefing=briefing,
        organization=Membership.objects.filter(person=people["rc"]).first().organization,
    )
    kwargs = {
        "tracking_number": issue_a.tracking_number,
        "tracking": issue_a.tracking_number,
        "referral_id": _first(Referral.objects.filter(issue=issue_a, organization=company)),
        "summons_id": _first(WhistleSummons.objects.filter(whistle__issue__compound=a)),
        "residency_id": _first(pending),
        "person_id": staff_target.pk,
        "uidb64": urlsafe_base64_encode(force_bytes(staff_target.pk)),
        "token": default_token_generator.make_token(staff_target),
        "compound_slug": a.slug,
        "fmt": "json",
        "code": category.code,
        "request_id": issue_a.tracking_number,
        "path": "nothing-here.json",
    }
    today = timezone.localdate()
    by_name = {
        "disclosures:resolutions_period": {"period": f"{today.year}H{(today.month + 5) // 6}"},
        "issues:staff_action": {"action": "progress"},
        "issues:summons_action": {"action": "report"},
        "open311:token": {"token": "0" * 20},
        "evaluations:ballot": {"token": ballot_token},
        "evaluations:action": {"action": "advance"},
        "evaluations:referral_action": {"action": "submit"},
        "evaluations:paper_check": {
            "pk": campaign.pk,
            "entry_id": _first(PaperEntry.objects.filter(campaign__compound=a)),
            "decision": "confirm",
        },
        "meetings:summary_step": {"step": "submit"},
        "meetings:legacy_step": {"step": "confirm", "row_id": company_confirmation.pk},
        "meetings:visit_opinion_dispose": {"pk": home_visit.pk, "opinion_pk": visit_opinion.pk},
        "meetings:street_referral_step": {"pk": street_referral.pk, "step": "request"},
        "dashboard:community": {"slug": a.community.slug},
        "dashboard:community_export": {"slug": a.community.slug, "table": "all"},
        "dashboard:street": {"slug": a.community.street.slug},
        "dashboard:street_export": {"slug": a.community.street.slug, "table": "all"},
        "dashboard:compound_export": {"table": "all"},
        "dashboard:summary_step": {"step": "regenerate"},
        "meetings:action_item_step": {"step": "progress"},
        "meetings:decision_report_step": {"step": "proceed"},
        "meetings:motion_step": {"step": "deliberate"},
        # an agreed item's evidence file, linked from meetings:action_item
        "media": {"path": evidence.evidence_file.name},
        # the segment says "disclosures", but attachments are added to a draft
        "disclosures:attachment_add": {"pk": draft.pk},
        # a consent that can be withdrawn (privacy.services.consent_withdraw)
        "privacy:withdraw": {"purpose": Consent.Purpose.SMS_NOTICES.value},
        # the PMC: registered by the demo, so the member page opens its form
        "provisioning:organization": {"kind": Organization.Kind.PMC.value},
        "provisioning:member": {"kind": Organization.Kind.PMC.value},
        # the evaluation standard: the street changes it (评议监督考核制度 第三条)
        "provisioning:template_change": {"code": provisioning_seed.EVALUATION["code"]},
    }
    # What a URL's ``pk`` names, by the path segment before it (tests/access/urls.py).
    objects = {
        "notification": notification_pk,
        "meeting": meeting.pk,
        "topic": _first(AgendaTopic.objects.filter(compound=a)),
        "action_item": _first(ActionItem.objects.filter(compound=a)),
        "decision_report": report.pk,
        "motion": _first(OwnersAssemblyMotion.objects.filter(compound=a)),
        "disclosure": _first(Disclosure.objects.filter(compound=a, state="published")),
        "attachment": _first(DisclosureAttachment.objects.filter(disclosure__compound=a)),
        "objection": _first(Objection.objects.filter(disclosure__compound=a)),
        "disclosure_report": _first(Report.objects.filter(compound=a)),
        "letter": _first(PledgeLetter.objects.filter(compound=a)),
        "pledge_item": _first(PledgeItem.objects.filter(letter__compound=a)),
        "result": _first(PeriodResult.objects.filter(item__letter__compound=a)),
        "activity": _first(Activity.objects.filter(compound=a)),
        "inspection": _first(Inspection.objects.filter(compound=a)),
        "finding": _first(Finding.objects.filter(inspection__compound=a)),
        "election": _first(Election.objects.filter(compound=a)),
        "case": _first(AccountabilityCase.objects.filter(compound=a)),
        "campaign": _first(Campaign.objects.filter(compound=a)),
        "quarter_rating": _first(QuarterRating.objects.filter(compound=a)),
        "year_end_referral": _first(YearEndReferral.objects.filter(compound=a)),
        "summary": summary.pk,
        "chair_delegation": chair_delegation.pk,
        "home_visit": home_visit.pk,
        "briefing": briefing.pk,
        "briefing_recipient": briefing_recipient.pk,
    }
    sub = {
        "topic_pk": _first(AgendaTopic.objects.filter(meeting=meeting)),
        "receipt_pk": _first(NoticeReceipt.objects.filter(notice__meeting=meeting)),
        "minutes_pk": _first(Minutes.objects.filter(meeting=meeting)),
        "signature_pk": _first(SummarySignature.objects.filter(summary__meeting=meeting)),
        "opinion_pk": _first(ForumOpinion.objects.filter(meeting__compound=a)),
        "document_pk": _first(MeetingDocument.objects.filter(meeting=meeting)),
        "recipient_pk": _first(DecisionReportRecipient.objects.filter(report=report)),
        "intervention_pk": _first(EarlyIntervention.objects.filter(report=report)),
        "target_id": _first(Target.objects.filter(campaign=campaign_any)),
    }
    return SimpleNamespace(
        a=a,
        b=b,
        people=people,
        issue_a=issue_a,
        issue_b=issue_b,
        anonymous_issue=anonymous.issue,
        tracking_code=anonymous.tracking_code,
        ballot_token=ballot_token,
        kwargs=kwargs,
        by_name=by_name,
        objects=objects,
        sub=sub,
    )


#: (namespace, path segment before ``<pk>``) -> the key in ``world.objects``.
PK_OBJECT = {
    ("notify", "notifications"): "notification",
    ("meetings", "meetings"): "meeting",
    ("meetings", "delegations"): "chair_delegation",
    ("meetings", "visits"): "home_visit",
    ("meetings", "items"): "action_item",
    ("meetings", "reports"): "decision_report",
    ("meetings", "motions"): "motion",
    ("meetings_api", "meetings"): "meeting",
    ("meetings_api", "topics"): "topic",
    ("meetings_api", "action-items"): "action_item",
    ("meetings_api", "decision-reports"): "decision_report",
    ("meetings_api", "motions"): "motion",
    ("disclosures", "disclosures"): "disclosure",
    ("disclosures", "attachments"): "attachment",
    ("disclosures", "objections"): "objection",
    ("disclosures", "reports"): "disclosure_report",
    ("disclosures_api", "disclosures"): "disclosure",
    ("disclosures_api", "objections"): "objection",
    ("pledges", "letters"): "letter",
    ("pledges", "items"): "pledge_item",
    ("pledges", "activities"): "activity",
    ("pledges", "inspections"): "inspection",
    ("pledges", "elections"): "election",
    ("pledges", "cases"): "case",
    ("pledges_api", "letters"): "letter",
    ("pledges_api", "items"): "pledge_item",
    ("pledges_api", "results"): "result",
    ("pledges_api", "activities"): "activity",
    ("pledges_api", "inspections"): "inspection",
    ("pledges_api", "findings"): "finding",
    ("pledges_api", "cases"): "case",
    ("evaluations", "evaluations"): "campaign",
    ("evaluations_api", "campaigns"): "campaign",
    ("evaluations_api", "redblack"): "quarter_rating",
    ("evaluations", "referrals"): "year_end_referral",
    ("dashboard", "summaries"): "summary",
    ("briefings", "briefings"): "briefing",
    ("briefings", "to"): "briefing_recipient",
}


def kwargs_for(world: SimpleNamespace, name: str, keys: list[str]) -> dict:
    """URL kwargs for the named URL, from the world; an unknown keyword fails loudly."""
    base = world.by_name.get(name, {})
    out = {}
    for key in keys:
        if key in base:
            out[key] = base[key]
        elif key == "pk":
            out[key] = _pk_for(world, name)
        elif key in world.sub:
            out[key] = world.sub[key]
        elif key in world.kwargs:
            out[key] = world.kwargs[key]
        else:
            raise AssertionError(f"the access world has no value for <{key}> of {name}")
    return out


def _pk_for(world: SimpleNamespace, name: str) -> int:
    namespace = name.partition(":")[0]
    segment = pk_segment(name)
    what = PK_OBJECT.get((namespace, segment))
    assert what is not None, (
        f"{name}: add ({namespace!r}, {segment!r}) to PK_OBJECT in tests/access/world.py"
    )
    return world.objects[what]


def basic_token(text: str) -> str:
    return base64.b64encode(text.encode()).decode()
