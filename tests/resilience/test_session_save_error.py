"""A database error while the session is saved (what the PostgreSQL cut in
``test_postgres_cut.py`` sometimes hits) must end on the portal's own error page.

The error is real, not mocked: a PostgreSQL trigger makes every UPDATE of
``django_session`` fail, inside the test's transaction (rolled back afterwards).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from issues.models import Issue

from .conftest import complaint_world, step1_data

pytestmark = pytest.mark.django_db

FAIL_SESSION_UPDATES = """
CREATE FUNCTION res_fail_session_update() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'database went away'; END $$ LANGUAGE plpgsql;
CREATE TRIGGER res_fail_session_update BEFORE UPDATE ON django_session
FOR EACH ROW EXECUTE FUNCTION res_fail_session_update();
"""


def test_database_error_while_saving_the_session_shows_the_portal_error_page():
    world = complaint_world()
    client = Client(raise_request_exception=False)
    client.force_login(world.resident)
    text = "地下车库积水，车辆无法通行"
    assert (
        client.post(reverse("issues:file"), step1_data(world, description=text)).status_code == 302
    )
    with connection.cursor() as cursor:
        cursor.execute(FAIL_SESSION_UPDATES)
    reply = client.post(reverse("issues:file_confirm"), {})
    body = reply.content.decode()
    # The failure happened after the complaint was committed (see docs/resilience.md).
    assert Issue.objects.filter(description=text).count() == 1
    assert reply.status_code >= 400
    assert 'class="error-page' in body, (reply.status_code, body[:300])
    assert 'lang="zh-hans"' in body
