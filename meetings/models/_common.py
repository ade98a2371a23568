"""What every meetings model module shares."""

from __future__ import annotations

from django.conf import settings

PERSON = settings.AUTH_USER_MODEL
