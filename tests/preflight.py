"""Check the services the suite needs before pytest starts (DESIGN.md §5).

Under CI=true a missing PostgreSQL, Redis or Chromium is a failure, never a
skip. Locally it prints what is missing and carries on, so the tests that
need the missing part report it themselves.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"


def _reachable(url: str, default_port: int) -> str | None:
    parsed = urlparse(url)
    if parsed.scheme.startswith("sqlite"):
        return None
    host, port = parsed.hostname or "127.0.0.1", parsed.port or default_port
    try:
        with socket.create_connection((host, port), timeout=3):
            return None
    except OSError as exc:
        return f"{parsed.scheme} at {host}:{port} is not reachable ({exc})"


def main() -> int:
    problems = []
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres", "postgresql")):
        problems.append(f"DATABASE_URL must point at PostgreSQL, got {database_url!r}")
    else:
        problems.append(_reachable(database_url, 5432))
    problems.append(_reachable(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"), 6379))
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        problems.append(f"Chromium not found at {CHROMIUM} (Debian package 'chromium')")
    problems = [p for p in problems if p]
    for problem in problems:
        print(f"preflight: {problem}", file=sys.stderr)
    if problems and os.environ.get("CI", "").lower() == "true":
        print("preflight: CI=true, so a missing service is a failure.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
