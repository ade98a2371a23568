"""The statements each step of filing runs (issue 20: filing ≥ 20 % of the bare baseline).

Step 1 (the form) and step 2 (the photos) each run a fixed list of statements, whatever
the number of complaints in the compound, of staff told, or of photos: nothing is looked
up only to be thrown away on the way to the redirect (the hazard-day help text and the
similar open complaints are for the page, not for a valid POST), and the photos of one
filing are one INSERT.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from huashan.directory.models import Membership
from issues.models import Category, ClockPolicy, Issue, IssuePhoto
from tests.factories.directory import MembershipFactory
from tests.factories.issues import IssueFactory
from tests.issues.helpers import category

from .test_filing_form import step1

pytestmark = pytest.mark.django_db

#: Compound, category, building; the new session written (existence check, then the
#: INSERT in its own savepoint: 4). A returning browser's session is read from the cache
#: (huashan/core/sessions.py) and UPDATEd.
STEP1 = 7
#: Compound, category, building; the key's complaint; clock policy; the tracking number;
#: in one savepoint: calendar, complaint, photos, event, organizations and people told,
#: notifications (9); the session UPDATE in its own savepoint (3). The session itself is
#: read from the cache.
STEP2 = 18


def _photo(n: int) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (n * 40 % 255, 90, 160)).save(out, "JPEG")
    return SimpleUploadedFile(f"IMG_{n}.jpg", out.getvalue(), content_type="image/jpeg")


def _file(client, world, *, photos: int = 1, description="楼道灯不亮，晚上看不见台阶"):
    """Both steps of an anonymous filing (as the bench does); the statements of each."""
    form = step1(world, category(), description=description, reporter_phone="13912345678")
    with CaptureQueriesContext(connection) as first:
        response = client.post(reverse("issues:file"), form)
    assert response.status_code == 302
    with CaptureQueriesContext(connection) as second:
        response = client.post(
            reverse("issues:file_confirm"), {"photos": [_photo(n) for n in range(photos)]}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("issues:file_done")
    return [q["sql"] for q in first.captured_queries], [q["sql"] for q in second.captured_queries]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_each_step_runs_a_fixed_number_of_statements(client, world):
    first, second = _file(client, world)
    assert len(first) == STEP1, "\n".join(first)
    assert len(second) == STEP2, "\n".join(second)
    assert IssuePhoto.objects.count() == 1


def test_statements_stay_flat_with_complaints_staff_and_photos(client, world):
    _file(client, world)  # the browser's session now exists: both filings below reuse it
    before = _file(client, world, description="楼道灯坏了，晚上看不见台阶")
    cat = category()
    for n in range(8):  # open look-alikes: the similar list is only built for the page
        IssueFactory(
            compound=world.compound,
            category=cat,
            building=world.building,
            description=f"楼道灯不亮，晚上看不见台阶 {n}",
        )
    for _ in range(5):
        MembershipFactory(organization=world.orgs.joint_meeting_office, role=Membership.Role.STAFF)
    first, second = _file(client, world, photos=3, description="楼道灯又不亮了，看不见台阶")
    assert len(first) == len(before[0]), "\n".join(first)
    assert len(second) == len(before[1]), "\n".join(second)
    assert Issue.objects.filter(photos__isnull=False).distinct().count() == 3
    assert IssuePhoto.objects.count() == 5


def test_logged_in_filing_runs_no_more_statements_than_anonymous(client, world):
    _file(client, world)  # compared with a browser whose session exists, as when logged in
    anonymous = _file(client, world, description="楼道灯坏了，晚上看不见台阶")
    client.force_login(world.resident)
    form = step1(world, category(), description="垃圾桶满了没有清运，气味很大")
    with CaptureQueriesContext(connection) as first:
        assert client.post(reverse("issues:file"), form).status_code == 302
    with CaptureQueriesContext(connection) as second:
        response = client.post(reverse("issues:file_confirm"), {"photos": [_photo(1)]})
    assert response.status_code == 302
    # Logged in: the person and the resident's households are read once per request.
    extra = len(first) - len(anonymous[0])
    assert len(second) - len(anonymous[1]) == extra, "\n".join(q["sql"] for q in second)


def test_the_compounds_hazard_days_still_show_whenever_step_1_is_shown(client, world):
    """The look-up left out of a valid POST still happens for every page that shows the box:
    the first visit, a refused POST, and step 1 shown again from step 2."""
    ClockPolicy.objects.create(compound=world.compound, hazard_days=5)

    def shown(response) -> str:
        assert response.status_code == 200
        return str(response.context["form"]["is_hazard"].help_text)

    assert "5" in shown(client.get(reverse("issues:file")))
    refused = step1(world, category(), description="", reporter_phone="13912345678")
    assert "5" in shown(client.post(reverse("issues:file"), refused))
    good = step1(world, category(), reporter_phone="13912345678")
    assert client.post(reverse("issues:file"), good).status_code == 302
    Category.objects.filter(pk=category().pk).update(active=False)  # step 1 comes back
    assert "5" in shown(client.get(reverse("issues:file_confirm")))
