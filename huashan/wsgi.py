"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huashan.settings")

application = get_wsgi_application()

from huashan.core.checks import secret_key_required  # noqa: E402 (needs the settings)

secret_key_required()  # never serve with a missing or published key (issue 14 item 8)
