"""A seeded world for the access-control matrix and the hostile-input tests.

Compound A is the demo compound (``seed_demo``: every module's data, 26 logins);
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


def _first(queryset):
    obj = queryset.order_by("pk").first()
    return obj.pk if obj is not None else 999_999


def build_world() -> SimpleNamespace:
    """Seed the demo and add compound B. Call inside a transaction that is rolled back."""
    from disclosures.models import Disclosure, DisclosureAttachment, Objection, Report
    from evaluations import services as evaluation_services
    from evaluations.models import Campaign, PaperEntry, QuarterRating, Target
    from huashan.notify.models import Notification
    from issues import services as issue_services
    from issues.models import Category, Referral, WhistleSummons
    from meetings.models import (
        ActionItem,
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
    ballot_token = "x" * 24
    if campaign is not None:
        evaluation_services.evaluator_add(
            actor=people["community_party"],
            campaign=campaign,
            name="矩阵评议人",
            category=campaign.evaluators.model.Category.OWNER,
        )
        issued = evaluation_services.tokens_issue(
            actor=people["community_party"], campaign=campaign
        )
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
    if campaign is not None:
        PaperEntry.objects.create(
            campaign=campaign,
            evaluator=campaign.evaluators.order_by("pk").first(),
            entered_by=people["community_party"],
        )

    summary_pk = 999_999
    try:  # the dashboard app is young: tolerate its model changing shape
        import datetime as dt

        from django.utils import timezone

        from huashan.dashboard.models import WorkSummary

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
        summary_pk = summary.pk
    except Exception:
        summary_pk = 999_999

    pending = Residency.objects.filter(
        household__building__compound=a, status=Residency.Status.PENDING
    )
    meeting = Meeting.objects.filter(compound=a, summary__isnull=False).order_by("pk").first()
    report = DecisionReport.objects.filter(compound=a).order_by("pk").first()
    campaign_any = Campaign.objects.filter(compound=a).order_by("pk").first()
    staff_target = people["owner_a"]

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
    by_name = {
        "notify:mark_read": {"pk": _first(Notification.objects.filter(recipient=reporter))},
        "notify:open": {"pk": _first(Notification.objects.filter(recipient=reporter))},
        "issues:staff_action": {"action": "progress"},
        "issues:summons_action": {"action": "report"},
        "open311:token": {"token": "0" * 20},
        "evaluations:ballot": {"token": ballot_token},
        "evaluations:action": {"action": "advance"},
        "evaluations:paper_check": {
            "pk": campaign.pk if campaign else 999_999,
            "entry_id": _first(PaperEntry.objects.filter(campaign__compound=a)),
            "decision": "confirm",
        },
        "meetings:summary_step": {"step": "submit"},
        "dashboard:community": {"slug": a.community.slug},
        "dashboard:community_export": {"slug": a.community.slug, "table": "all"},
        "dashboard:street": {"slug": a.community.street.slug},
        "dashboard:street_export": {"slug": a.community.street.slug, "table": "all"},
        "dashboard:compound_export": {"table": "all"},
        "dashboard:summary_step": {"step": "regenerate"},
        "meetings:action_item_step": {"step": "progress"},
        "meetings:decision_report_step": {"step": "proceed"},
        "meetings:motion_step": {"step": "deliberate"},
    }
    meeting_pk = meeting.pk if meeting else 999_999
    per_app_pk = {
        "meetings": meeting_pk,
        "meetings_api:meeting": meeting_pk,
        "meetings_api:topic": _first(AgendaTopic.objects.filter(compound=a)),
        "meetings_api:action-item": _first(ActionItem.objects.filter(compound=a)),
        "meetings_api:decision-report": report.pk if report else 999_999,
        "meetings_api:motion": _first(OwnersAssemblyMotion.objects.filter(compound=a)),
        "meetings:action_item": _first(ActionItem.objects.filter(compound=a)),
        "meetings:decision_report": report.pk if report else 999_999,
        "meetings:intervention_respond": report.pk if report else 999_999,
        "meetings:motion": _first(OwnersAssemblyMotion.objects.filter(compound=a)),
        "disclosures": _first(Disclosure.objects.filter(compound=a, state="published")),
        "disclosures:attachment": _first(
            DisclosureAttachment.objects.filter(disclosure__compound=a)
        ),
        "disclosures:attachment_add": draft.pk,
        "disclosures:answer": _first(Objection.objects.filter(disclosure__compound=a)),
        "disclosures:report": _first(Report.objects.filter(compound=a)),
        "disclosures_api:disclosure": _first(
            Disclosure.objects.filter(compound=a, state="published")
        ),
        "disclosures_api:objection": _first(Objection.objects.filter(disclosure__compound=a)),
        "pledges:letter": _first(PledgeLetter.objects.filter(compound=a)),
        "pledges:activity": _first(Activity.objects.filter(compound=a)),
        "pledges:inspection": _first(Inspection.objects.filter(compound=a)),
        "pledges:item": _first(PledgeItem.objects.filter(letter__compound=a)),
        "pledges:election": _first(Election.objects.filter(compound=a)),
        "pledges:case": _first(AccountabilityCase.objects.filter(compound=a)),
        "pledges_api:result": _first(PeriodResult.objects.filter(item__letter__compound=a)),
        "pledges_api:finding": _first(Finding.objects.filter(inspection__compound=a)),
        "pledges_api:case": _first(AccountabilityCase.objects.filter(compound=a)),
        "pledges_api:letter": _first(PledgeLetter.objects.filter(compound=a)),
        "pledges_api:item": _first(PledgeItem.objects.filter(letter__compound=a)),
        "pledges_api:activity": _first(Activity.objects.filter(compound=a)),
        "pledges_api:inspection": _first(Inspection.objects.filter(compound=a)),
        "dashboard": summary_pk,
        "evaluations": campaign_any.pk if campaign_any else 999_999,
        "evaluations_api:redblack": _first(QuarterRating.objects.filter(compound=a)),
        "meetings_api:decision-report-file": report.pk if report else 999_999,
        "evaluations_api:campaign": campaign_any.pk if campaign_any else 999_999,
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
        per_app_pk=per_app_pk,
        sub=sub,
    )


def kwargs_for(world: SimpleNamespace, name: str, keys: list[str]) -> dict:
    """URL kwargs for the named URL, from the world."""
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
        else:  # a slug the world does not know
            out[key] = "x"
    return out


def _pk_for(world: SimpleNamespace, name: str) -> int:
    pks = world.per_app_pk
    if name in pks:
        return pks[name]
    # "meetings_api:topic-decide" -> "meetings_api:topic"; "pledges:letter_pdf" -> "pledges:letter"
    ns, _, rest = name.partition(":")
    for sep in ("-", "_"):
        head = rest.split(sep)[0]
        for candidate in (f"{ns}:{rest.rsplit(sep, 1)[0]}", f"{ns}:{head}"):
            if candidate in pks:
                return pks[candidate]
    return pks.get(ns, 999_999)


def basic_token(text: str) -> str:
    return base64.b64encode(text.encode()).decode()
