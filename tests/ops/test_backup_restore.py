"""Backup and restore (issue 9 item 7): `scripts/backup.sh` and `scripts/restore.sh`.

The real scripts run as an operator runs them (subprocesses with a clean environment)
against the test database; the restore goes into a fresh database and every table's
row count must match.
"""

from __future__ import annotations

import os
import subprocess
import tarfile
import uuid
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from psycopg import sql

SCRIPTS = Path(settings.BASE_DIR) / "scripts"


def _url(dbname: str) -> str:
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{dbname}"


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        args,
        cwd=settings.BASE_DIR,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _row_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "select tablename from pg_tables where schemaname = 'public' order by tablename"
            )
        ]
        return {
            table: conn.execute(
                sql.SQL("select count(*) from {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in tables
        }


@pytest.fixture
def scratch_database():
    """A fresh, empty database next to the test database; dropped afterwards."""
    name = f"{settings.DATABASES['default']['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    admin_url = _url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
            )


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_a_fresh_database_keeps_every_row(tmp_path, scratch_database):
    call_command("seed_demo", stdout=StringIO())
    media = tmp_path / "media"
    (media / "issues").mkdir(parents=True)
    (media / "issues" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 photo bytes")
    source_url = _url(connection.settings_dict["NAME"])
    source_counts = _row_counts(source_url)
    assert source_counts["issues_issue"] > 0
    assert source_counts["meetings_meeting"] > 0
    assert source_counts["disclosures_disclosure"] > 0

    backup = _run(
        [str(SCRIPTS / "backup.sh"), "-o", str(tmp_path / "out")],
        tmp_path,
        DATABASE_URL=source_url,
        MEDIA_ROOT=str(media),
    )
    assert backup.returncode == 0, backup.stderr
    dump, media_tar = (Path(line) for line in backup.stdout.split())
    assert dump.suffix == ".dump"
    assert dump.read_bytes()[:5] == b"PGDMP"
    assert not list((tmp_path / "out").glob("*.partial"))

    restored_media = tmp_path / "restored-media"
    restore = _run(
        [
            str(SCRIPTS / "restore.sh"),
            "--database",
            _url(scratch_database),
            "--media-root",
            str(restored_media),
            str(dump),
            str(media_tar),
        ],
        tmp_path,
    )
    assert restore.returncode == 0, restore.stderr

    assert _row_counts(_url(scratch_database)) == source_counts
    assert (restored_media / "issues" / "photo.jpg").read_bytes() == b"\xff\xd8\xff\xe0 photo bytes"


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_already_has_tables(tmp_path):
    backup = _run(
        [str(SCRIPTS / "backup.sh"), "-o", str(tmp_path)],
        tmp_path,
        DATABASE_URL=_url(connection.settings_dict["NAME"]),
        MEDIA_ROOT=str(tmp_path / "no-media-yet"),
    )
    assert backup.returncode == 0, backup.stderr
    dump, media_tar = backup.stdout.split()
    with tarfile.open(media_tar) as archive:
        assert archive.getnames() == []

    restore = _run(
        [str(SCRIPTS / "restore.sh"), "--database", _url(connection.settings_dict["NAME"]), dump],
        tmp_path,
    )

    assert restore.returncode == 3
    assert "already has" in restore.stderr
    assert "--clean" in restore.stderr


def test_backup_without_a_postgres_database_url_says_what_is_missing(tmp_path):
    missing = _run([str(SCRIPTS / "backup.sh"), "-o", str(tmp_path)], tmp_path, DATABASE_URL="")
    sqlite = _run(
        [str(SCRIPTS / "backup.sh"), "-o", str(tmp_path)],
        tmp_path,
        DATABASE_URL="sqlite:///db.sqlite3",
    )

    assert missing.returncode == 2
    assert "DATABASE_URL is not set" in missing.stderr
    assert sqlite.returncode == 2
    assert "PostgreSQL" in sqlite.stderr
    assert not list(tmp_path.glob("*.dump"))


def test_restore_rejects_a_file_that_is_not_a_dump(tmp_path):
    bogus = tmp_path / "notes.dump"
    bogus.write_text("this is not a dump")

    result = _run(
        [str(SCRIPTS / "restore.sh"), "--database", _url("postgres"), str(bogus)],
        tmp_path,
    )
    no_args = _run([str(SCRIPTS / "restore.sh")], tmp_path)

    assert result.returncode == 2
    assert "not a pg_dump custom-format file" in result.stderr
    assert no_args.returncode == 2
    assert "usage:" in no_args.stderr
