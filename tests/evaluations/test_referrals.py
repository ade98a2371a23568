"""Year-end red/black-list report and the owners'-assembly suggestion (小区党组织服务承诺 第10条);
the quarterly beat task."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from evaluations import services, tasks
from evaluations.models import QuarterRating, YearEndReferral, YearEndReferralEvent
from huashan.notify.models import Notification
from meetings.models import OwnersAssemblyMotion


@pytest.fixture(autouse=True)
def _english():
    """The assertions below match the English msgids; the portal's default language is Chinese."""
    from django.utils import translation

    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db
Verdict = QuarterRating.Verdict


def rate(world, year, quarter, value):
    """Rate a quarter from a one-answer survey: 1 → 0 % (black), 5 → 100 % (red)."""
    rating = services.quarter_rating_get(compound=world.compound, year=year, quarter=quarter)
    services.survey_submit(
        actor=world.resident, rating=rating, cleanliness=value, security=value, responsiveness=value
    )
    return services.quarter_rate(actor=None, compound=world.compound, year=year, quarter=quarter)


def two_black(world, year=2026):
    rate(world, year, 1, 5)
    rate(world, year, 2, 1)
    rate(world, year, 3, 1)


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_two_failing_quarters_make_one_referral_and_one_motion(world):
    two_black(world)
    result = tasks.year_end_referrals(2026)
    assert result == {"year": 2026, "created": 1}
    referral = YearEndReferral.objects.get()
    assert referral.company == world.orgs.property_company
    assert referral.state == YearEndReferral.State.DRAFT
    assert [(q["year"], q["quarter"]) for q in referral.quarters] == [(2026, 2), (2026, 3)]
    assert referral.quarters[0]["total"] == "0.00"
    assert referral.authority == world.orgs.street_office
    assert world.orgs.street_office.name in referral.report_text
    assert "第二百七十八条" in referral.suggestion_text
    party = world.people.compound_party
    assert Notification.objects.filter(recipient=party, link__contains="referrals").count() == 1
    # Run twice: still one record, no second notification.
    assert tasks.year_end_referrals(2026) == {"year": 2026, "created": 0}
    assert YearEndReferral.objects.count() == 1
    assert Notification.objects.filter(recipient=party, link__contains="referrals").count() == 1

    services.year_end_referral_submit(actor=party, referral=referral)
    referral.refresh_from_db()
    assert referral.state == YearEndReferral.State.SUBMITTED
    assert list(referral.events.values_list("verb", "actor")) == [
        ("create", None),
        ("submit", party.pk),
    ]
    # The authority (department staff excluded: the street office) and the PMC are told.
    assert Notification.objects.filter(recipient=world.people.street_office).exists()
    assert Notification.objects.filter(recipient=world.people.pmc).exists()

    motion = services.year_end_referral_propose_motion(actor=world.people.pmc, referral=referral)
    assert motion.matter == OwnersAssemblyMotion.Matter.COMPANY_SELECTION
    assert motion.stage == OwnersAssemblyMotion.Stage.PROPOSAL
    referral.refresh_from_db()
    assert referral.motion == motion
    with pytest.raises(ValidationError):
        services.year_end_referral_propose_motion(actor=world.people.pmc, referral=referral)
    tasks.year_end_referrals(2026)
    assert OwnersAssemblyMotion.objects.count() == 1
    assert YearEndReferral.objects.count() == 1


def test_one_failing_quarter_makes_none(world):
    rate(world, 2026, 1, 1)
    rate(world, 2026, 2, 5)
    rate(world, 2026, 3, 1)
    assert tasks.year_end_referrals(2026)["created"] == 0
    assert not YearEndReferral.objects.exists()
    with pytest.raises(ValidationError, match="did not fail two quarters"):
        services.year_end_referral_create(
            actor=world.people.compound_party, compound=world.compound, year=2026
        )


def test_streak_from_last_december_counts_for_its_second_year(world):
    rate(world, 2025, 4, 1)
    rate(world, 2026, 1, 1)
    assert tasks.year_end_referrals(2025)["created"] == 0
    assert tasks.year_end_referrals(2026)["created"] == 1
    quarters = YearEndReferral.objects.get().quarters
    assert [(q["year"], q["quarter"]) for q in quarters] == [(2025, 4), (2026, 1)]


def test_task_picks_the_year_from_the_date():
    assert services.year_end_referral_year(dt.date(2026, 12, 20)) == 2026
    assert services.year_end_referral_year(dt.date(2027, 1, 5)) == 2026
    assert services.year_end_referral_year(dt.date(2026, 6, 1)) is None


def test_draft_is_refreshed_but_submitted_is_frozen(world):
    two_black(world)
    tasks.year_end_referrals(2026)
    rate(world, 2026, 4, 1)
    tasks.year_end_referrals(2026)
    referral = YearEndReferral.objects.get()
    assert len(referral.quarters) == 3
    assert "refresh" in referral.events.values_list("verb", flat=True)
    services.year_end_referral_submit(actor=world.people.compound_party, referral=referral)
    QuarterRating.objects.filter(quarter=4).update(total="1.00")
    tasks.year_end_referrals(2026)
    referral.refresh_from_db()
    assert referral.quarters[-1]["total"] == "0.00"


def test_permissions(world):
    two_black(world)
    for outsider in (world.resident, world.people.community_party, world.people.pmc):
        with pytest.raises(PermissionDenied):
            services.year_end_referral_create(actor=outsider, compound=world.compound, year=2026)
    referral = services.year_end_referral_create(
        actor=world.people.compound_party, compound=world.compound, year=2026
    )
    with pytest.raises(ValidationError, match="already exists"):
        services.year_end_referral_create(
            actor=world.people.compound_party, compound=world.compound, year=2026
        )
    for outsider in (world.resident, world.people.property_company, world.people.pmc):
        with pytest.raises(PermissionDenied):
            services.year_end_referral_submit(actor=outsider, referral=referral)
    # The motion only after submission, and only by a PMC officer (协同联动 第二条).
    with pytest.raises(ValidationError):
        services.year_end_referral_propose_motion(actor=world.people.pmc, referral=referral)
    services.year_end_referral_submit(actor=world.people.compound_party, referral=referral)
    with pytest.raises(ValidationError, match="already submitted"):
        services.year_end_referral_submit(actor=world.people.compound_party, referral=referral)
    with pytest.raises(PermissionDenied):
        services.year_end_referral_propose_motion(
            actor=world.people.compound_party, referral=referral
        )
    assert YearEndReferralEvent.objects.filter(verb="motion").count() == 0


def test_submit_refuses_an_authority_of_another_street(world):
    from huashan.directory.models import Organization
    from tests.factories.directory import OrganizationFactory, StreetFactory

    two_black(world)
    tasks.year_end_referrals(2026)
    referral = YearEndReferral.objects.get()
    foreign = OrganizationFactory(
        kind=Organization.Kind.STREET_OFFICE, street=StreetFactory(), compound=None
    )
    with pytest.raises(ValidationError):
        services.year_end_referral_submit(
            actor=world.people.compound_party, referral=referral, authority=foreign
        )
    referral.refresh_from_db()
    assert referral.state == YearEndReferral.State.DRAFT


def test_pages_button_pdf_and_permissions(client, world, tmp_path, django_assert_max_num_queries):
    two_black(world)
    redblack = reverse("evaluations:redblack") + f"?compound={world.compound.slug}"
    client.force_login(world.people.compound_party)
    page = client.get(redblack).content.decode()
    assert reverse("evaluations:referral_create") in page
    response = client.post(
        reverse("evaluations:referral_create"), {"compound": world.compound.slug, "year": "2026"}
    )
    referral = YearEndReferral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluations:referral", args=[referral.pk])
    detail = reverse("evaluations:referral", args=[referral.pk])
    assert detail in client.get(redblack).content.decode()
    # Bad year and a second press: a message, no 500, still one record.
    for year in ("abc", "99999999999999999999", "2026"):
        response = client.post(
            reverse("evaluations:referral_create"),
            {"compound": world.compound.slug, "year": year},
            follow=True,
        )
        assert response.status_code == 200
    assert YearEndReferral.objects.count() == 1

    with django_assert_max_num_queries(12):
        page = client.get(detail)
    assert page.status_code == 200
    assert "第10条" in page.content.decode()
    # Rendered by the worker, never in the request (issue 15 item 5): wait, render, serve.
    assert client.get(reverse("evaluations:referral_pdf", args=[referral.pk])).status_code == 202
    assert tasks.render_referral(referral.pk) == "ready"
    pdf = client.get(reverse("evaluations:referral_pdf", args=[referral.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.getvalue(), tmp_path)
    assert "连续不达标" in text
    assert world.orgs.property_company.name in text

    submit = reverse("evaluations:referral_action", args=[referral.pk, "submit"])
    assert client.post(submit, {"authority": "<script>"}).status_code == 400
    assert client.post(submit, {"authority": str(world.orgs.department.pk)}).status_code == 302
    referral.refresh_from_db()
    assert referral.state == YearEndReferral.State.SUBMITTED
    assert referral.authority == world.orgs.department
    assert world.orgs.department.name in referral.report_text
    assert client.post(submit).status_code == 400  # already submitted
    assert (
        client.post(reverse("evaluations:referral_action", args=[referral.pk, "nope"])).status_code
        == 404
    )

    client.force_login(world.resident)
    assert client.get(detail).status_code == 403
    assert client.get(reverse("evaluations:referral_pdf", args=[referral.pk])).status_code == 403
    assert "referrals/" not in client.get(redblack).content.decode()
    client.logout()
    assert client.get(detail).status_code == 302  # login first

    client.force_login(world.people.pmc)
    page = client.get(detail).content.decode()
    motion_url = reverse("evaluations:referral_action", args=[referral.pk, "motion"])
    assert motion_url in page
    assert client.post(motion_url).status_code == 302
    motion = OwnersAssemblyMotion.objects.get()
    assert reverse("meetings:motion", args=[motion.pk]) in client.get(detail).content.decode()


def test_quarterly_beat_task_rates_the_previous_quarter(world, time_machine):
    from tests.factories.world import compound_world

    other = compound_world()
    time_machine.move_to(dt.datetime(2026, 7, 2, 3, 0, tzinfo=dt.UTC))
    for w in (world, other):
        rating = services.quarter_rating_get(compound=w.compound, year=2026, quarter=2)
        services.survey_submit(
            actor=w.resident, rating=rating, cleanliness=1, security=1, responsiveness=1
        )
    assert tasks.rate_previous_quarter() == {"rated": 2, "black": 2}
    ratings = QuarterRating.objects.filter(year=2026, quarter=2)
    assert {r.compound_id for r in ratings} == {world.compound.pk, other.compound.pk}
    assert all(r.verdict == Verdict.BLACK for r in ratings)
    assert tasks.rate_previous_quarter() == {"rated": 0, "black": 0}  # idempotent
    assert QuarterRating.objects.filter(year=2026, quarter=2).count() == 2


def test_quarterly_beat_task_wraps_the_year(world, time_machine):
    time_machine.move_to(dt.datetime(2027, 1, 3, 3, 0, tzinfo=dt.UTC))
    tasks.rate_previous_quarter()
    assert QuarterRating.objects.filter(year=2026, quarter=4).exists()
