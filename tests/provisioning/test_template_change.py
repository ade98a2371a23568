"""Changing an obligation template from its page: the right role, a later year, no JSON.

seed: 评议监督考核制度 第三条 "民主测评标准由街道统一制定"; a change that would alter a
period already measured is refused (it becomes a new version from the next period).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from huashan.directory.models import Membership, Organization
from provisioning.models import ObligationTemplate
from provisioning.templates import in_force
from tests.factories.directory import MembershipFactory, OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
Kind = Organization.Kind


def officer(kind):
    person = PersonFactory()
    MembershipFactory(
        person=person, organization=OrganizationFactory(kind=kind), role=Membership.Role.SECRETARY
    )
    return person


@pytest.fixture
def june():
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, tzinfo=SH), tick=False):
        yield


def url(code):
    return reverse("provisioning:template_change", args=[code])


def test_community_changes_a_schedule_cadence_from_next_year(client, templates, june):
    client.force_login(officer(Kind.COMMUNITY_PARTY))
    code = "schedule.pmc.work_affairs.quarterly"
    page = client.get(url(code))
    assert "每季度公示1次工作事务" in page.content.decode()
    response = client.post(
        url(code), {"valid_from": 2027, "note": "改为每月公示", "cadence": "monthly"}
    )
    assert response.status_code == 302
    assert in_force(2026)[code].body["cadence"] == "quarterly"
    assert in_force(2027)[code].body["cadence"] == "monthly"


def test_community_changes_a_letter_number(client, templates, june):
    """小区党组织服务承诺 第9条 "每年组织4次以上邻里活动": 4 → 6 from next year."""
    client.force_login(officer(Kind.COMMUNITY_PARTY))
    code = "letter.compound_party"
    form = client.get(url(code)).context["form"]
    name = next(n for n, f in form.fields.items() if "第9条" in str(f.label) and "min_count" in n)
    data = {n: f.initial for n, f in form.fields.items() if f.initial is not None}
    data.update({name: 6, "valid_from": 2027, "note": "邻里活动增加到每年6次"})
    assert client.post(url(code), data).status_code == 302
    nine = lambda t: next(i for i in t.body["items"] if i["number"] == 9)  # noqa: E731
    assert nine(in_force(2026)[code])["params"]["min_count"] == 4
    assert nine(in_force(2027)[code])["params"]["min_count"] == 6


def test_only_the_street_changes_the_evaluation_standard(client, templates, june):
    code = "evaluation.criteria"
    client.force_login(officer(Kind.COMMUNITY_PARTY))
    assert client.get(url(code)).status_code == 403
    client.force_login(officer(Kind.STREET_OFFICE))
    form = client.get(url(code)).context["form"]
    data = {n: f.initial for n, f in form.fields.items() if f.initial is not None}
    data.update({"valid_from": 2027, "note": "街道统一修订测评标准"})
    assert client.post(url(code), data).status_code == 302
    assert in_force(2027)[code].version == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"valid_from": 2026, "note": "本年度修改", "cadence": "monthly"}, "valid_from"),
        ({"valid_from": "明年", "note": "本年度修改", "cadence": "monthly"}, "valid_from"),
        ({"valid_from": 2027, "note": "", "cadence": "monthly"}, "note"),
        ({"valid_from": 2027, "note": "x" * 600, "cadence": "monthly"}, "note"),
        ({"valid_from": 2027, "note": "<script>修改</script>", "cadence": "weekly"}, "cadence"),
    ],
    ids=["measured-year", "not-a-year", "no-reason", "oversized", "hostile"],
)
def test_bad_change_is_refused_and_nothing_changes(client, templates, june, data, field):
    client.force_login(officer(Kind.COMMUNITY_PARTY))
    code = "schedule.pmc.work_affairs.quarterly"
    response = client.post(url(code), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert ObligationTemplate.objects.filter(code=code).count() == 1


def test_pmc_member_and_unknown_template_are_refused(client, templates, june):
    client.force_login(officer(Kind.PMC))
    assert client.get(url("schedule.pmc.work_affairs.quarterly")).status_code == 403
    client.force_login(officer(Kind.COMMUNITY_PARTY))
    assert client.get(url("no.such.template")).status_code == 404
    assert client.get(url("deadline.response_48h")).status_code == 403


def test_templates_page_offers_change_to_the_right_role(client, templates, june):
    client.force_login(officer(Kind.COMMUNITY_PARTY))
    html = client.get(reverse("provisioning:templates")).content.decode()
    assert url("letter.pmc") in html
    assert url("evaluation.criteria") not in html
