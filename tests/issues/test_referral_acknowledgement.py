"""Referral acknowledgement (签收) on the manage page: time, deadline, forged ids, overdue.

seed: 协同联动解决小区事务流程 第二条 (转办与督办).

Split out of the former tests/issues/test_gaps.py ("gaps closed after issue 3", issue 15
item 9); shared fixtures in tests/issues/conftest.py, helpers in tests/issues/helpers.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from issues.models import Referral
from tests.factories.world import compound_world
from tests.issues.helpers import CN, T0, ack_url, manage_url, transferred, zh

pytestmark = pytest.mark.django_db


def test_referral_acknowledged_from_the_manage_page_with_time_and_deadline(client, world):
    """seed: 协同联动 第二条 — each referral has its own acknowledgement time."""
    with time_machine.travel(T0, tick=False):
        issue = transferred(world)
    supervise = issue.referrals.get(
        purpose=Referral.Purpose.SUPERVISE, organization=world.orgs.compound_party
    )
    client.force_login(world.people.compound_party)
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        page = client.get(manage_url(issue)).content.decode()
        assert ack_url(issue, supervise) in page  # its own button
        assert supervise.ack_due.astimezone(CN).strftime("%Y-%m-%d %H:%M") in page
        # Not the button of another organization's referral.
        fix = issue.referrals.get(purpose=Referral.Purpose.FIX)
        assert ack_url(issue, fix) not in page
        response = client.post(ack_url(issue, supervise))
    assert response.status_code == 302
    supervise.refresh_from_db()
    assert supervise.acknowledged_at == T0 + dt.timedelta(hours=1)
    assert supervise.acknowledged_by == world.people.compound_party
    assert issue.events.filter(verb="referral_ack", public=False).count() == 1
    page = client.get(manage_url(issue)).content.decode()
    assert ack_url(issue, supervise) not in page
    assert (T0 + dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M") in page
    # Twice: a clear message, not a 500, and no second event.
    again = client.post(ack_url(issue, supervise), follow=True)
    assert again.status_code == 200
    assert zh("This referral was already acknowledged.") in again.content.decode()
    assert issue.events.filter(verb="referral_ack").count() == 1


def test_referral_ack_refuses_other_organizations_and_forged_ids(client, world):
    issue = transferred(world)
    supervise = issue.referrals.get(
        purpose=Referral.Purpose.SUPERVISE, organization=world.orgs.compound_party
    )
    other = transferred(compound_world())
    foreign = other.referrals.first()
    client.force_login(world.people.property_company)  # sees the issue, not this referral
    assert client.post(ack_url(issue, supervise)).status_code == 403
    assert client.post(ack_url(issue, foreign)).status_code == 404  # another issue's referral
    bogus = reverse("issues:referral_ack", args=[issue.tracking_number, 99999999])
    assert client.post(bogus).status_code == 404
    assert client.get(ack_url(issue, supervise)).status_code == 405
    assert (
        client.post(f"/issues/{issue.tracking_number}/manage/referral/x/acknowledge/").status_code
        == 404
    )
    client.logout()
    assert client.post(ack_url(issue, supervise)).status_code == 302  # to the login page
    client.force_login(world.resident)  # the reporter: not a staff page
    assert client.post(ack_url(issue, supervise)).status_code == 403
    supervise.refresh_from_db()
    assert supervise.acknowledged_at is None
    # The assigned company signs for its own fix referral from the page.
    client.force_login(world.people.property_company)
    fix = issue.referrals.get(purpose=Referral.Purpose.FIX)
    assert client.post(ack_url(issue, fix)).status_code == 302
    fix.refresh_from_db()
    assert fix.acknowledged_by == world.people.property_company


def test_overdue_referral_is_marked_on_the_manage_page(client, world):
    with time_machine.travel(T0, tick=False):
        issue = transferred(world)
    client.force_login(world.people.compound_party)
    with time_machine.travel(T0 + dt.timedelta(hours=49), tick=False):
        page = client.get(manage_url(issue)).content.decode()
    assert 'class="referral overdue"' in page
    assert "badge badge-overdue" in page
