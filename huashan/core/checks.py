"""System checks registered at start-up (see apps.CoreConfig.ready).

Both checks carry the tag ``huashan`` (``manage.py check --tag huashan``) and
run in every plain ``check``, ``check --deploy`` and ``runserver``.

``huashan.W001``
    The holiday schedule of the CURRENT year is known neither to the
    ``chinesecalendar`` package nor to the override table: every working-day
    deadline is being counted Monday to Friday. The override table is read
    only when Django passes ``databases`` (``manage.py check --database
    default``, ``migrate``), following Django's rule that checks do not touch
    the database otherwise; without it only the package is consulted, and the
    hint says so. An unknown NEXT year is deliberately not a system check
    (it would turn every ``check --deploy`` from November on into a warning):
    the staff banner and the daily ``calendar_coverage_check`` beat task report
    it instead (huashan.workdays.calendar_coverage_warning).

``huashan.E002`` / ``huashan.E003``
    WeasyPrint's HarfBuzz subset library is missing (E002) or WeasyPrint
    cannot load its native libraries at all (E003). Without
    ``libharfbuzz-subset0`` a 2-page Chinese PDF takes ~11 s instead of ~0.9 s
    (DESIGN.md §4 "PDF speed").
"""

from __future__ import annotations

import logging
import warnings

from django.core.checks import Error, Warning, register
from django.db import DatabaseError
from django.utils import timezone

TAG = "huashan"


@register(TAG)
def check_calendar_coverage(app_configs=None, databases=None, **kwargs):
    """W001 when the current year's holiday schedule is unknown."""
    from huashan import workdays

    year = timezone.localdate().year
    if year in workdays.PACKAGE_YEARS:
        return []
    if databases:
        try:
            if not workdays.unknown_years([year]):
                return []
        except DatabaseError:
            pass  # tables not migrated yet / server down: judge by the package alone
        hint = (
            f"Enter the State Council holiday schedule for {year} (every holiday day and "
            "make-up working day) in the admin under Calendar overrides, or upgrade the "
            "chinesecalendar package."
        )
    else:
        hint = (
            f"chinesecalendar knows years {workdays.PACKAGE_YEARS.start}–"
            f"{workdays.PACKAGE_YEARS.stop - 1}. Override rows were not consulted; run "
            "`manage.py check --database default` to include them. Enter the schedule for "
            f"{year} in the admin under Calendar overrides, or upgrade chinesecalendar."
        )
    return [
        Warning(
            f"The holiday schedule for {year} is unknown: working-day deadlines count "
            "Monday to Friday only.",
            hint=hint,
            id="huashan.W001",
        )
    ]


def _harfbuzz_subset_status() -> tuple[bool, str]:
    """(loaded, detail) for WeasyPrint's optional HarfBuzz subset library."""
    # Importing WeasyPrint parses its user-agent stylesheets and logs each step
    # at INFO; keep that out of every manage.py command's output.
    progress = logging.getLogger("weasyprint.progress")
    level = progress.level
    progress.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings():
            # WeasyPrint warns (DeprecationWarning) at import when the library is absent.
            warnings.simplefilter("ignore")
            from weasyprint.text import ffi
    except (ImportError, OSError) as exc:
        return False, f"import failed: {exc}"
    finally:
        progress.setLevel(level)
    return bool(getattr(ffi, "harfbuzz_subset", None)), ""


@register(TAG)
def check_weasyprint_harfbuzz_subset(app_configs=None, **kwargs):
    """E002 when weasyprint.text.ffi.harfbuzz_subset is missing (E003: no WeasyPrint)."""
    loaded, detail = _harfbuzz_subset_status()
    if loaded:
        return []
    if detail:
        return [
            Error(
                f"WeasyPrint cannot load its native libraries ({detail}).",
                hint="Install Pango and HarfBuzz (Debian: libpango-1.0-0 libharfbuzz0b "
                "libharfbuzz-subset0 libpangoft2-1.0-0).",
                id="huashan.E003",
            )
        ]
    return [
        Error(
            "WeasyPrint's HarfBuzz subset library (libharfbuzz-subset) is missing: "
            "Chinese PDFs would take ten times longer to render.",
            hint="Install it: apt-get install libharfbuzz-subset0 (Debian/Ubuntu).",
            id="huashan.E002",
        )
    ]


def secret_key_required() -> None:
    """Refuse to serve without a real SECRET_KEY when DEBUG is off (issue 14 item 8).

    Called by the WSGI application and by the Celery worker and beat at start-up; the
    settings leave one-off commands (migrate, makemigrations, check) running with a
    throwaway key.
    """
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    if getattr(settings, "SECRET_KEY_MISSING", False):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set (or is a published example) and DEBUG is off. Set "
            "SECRET_KEY to >= 50 random characters: python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))' (docs/operations.md), or DEBUG=1 for "
            "development."
        )
