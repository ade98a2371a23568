#!/usr/bin/env bash
# Back up Huashan: the PostgreSQL database (pg_dump custom format) and the uploads (MEDIA_ROOT).
#
#   scripts/backup.sh [-o DIR]
#
# Reads DATABASE_URL (postgres://… — required) and MEDIA_ROOT (default: ./media next to
# manage.py) from the environment or from .env. Writes, into DIR (default BACKUP_DIR or
# ./backups):
#   huashan-YYYYmmddTHHMMSS.dump          pg_dump --format=custom (restore with scripts/restore.sh)
#   huashan-YYYYmmddTHHMMSS-media.tar.gz  the uploads
# Files are written under a temporary name and renamed when complete, so a half-written
# backup never looks like a good one. The dump is checked with `pg_restore --list`.
# Prints the two paths on stdout (one per line); exits non-zero on any failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${BACKUP_DIR:-$here/backups}"

while [ $# -gt 0 ]; do
  case "$1" in
    -o|--output) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "backup.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done

# Values from .env when the environment does not set them (same precedence as settings.py).
env_value() {
  local name="$1"
  [ -f "$here/.env" ] || return 0
  sed -n "s/^[[:space:]]*$name[[:space:]]*=[[:space:]]*//p" "$here/.env" | tail -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'$/\1/"
}
db_url="${DATABASE_URL:-$(env_value DATABASE_URL)}"
media_root="${MEDIA_ROOT:-$(env_value MEDIA_ROOT)}"
media_root="${media_root:-$here/media}"

case "$db_url" in
  postgres://*|postgresql://*) ;;
  "") echo "backup.sh: DATABASE_URL is not set (postgres://user:pass@host:5432/db)." >&2; exit 2 ;;
  *) echo "backup.sh: DATABASE_URL must be a PostgreSQL URL; SQLite demo databases are copied, not dumped." >&2; exit 2 ;;
esac
command -v pg_dump >/dev/null || { echo "backup.sh: pg_dump not found (apt-get install postgresql-client)." >&2; exit 2; }

mkdir -p "$out"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
dump="$out/huashan-$stamp.dump"
media="$out/huashan-$stamp-media.tar.gz"
trap 'rm -f "$dump.partial" "$media.partial"' EXIT

pg_dump --format=custom --no-owner --no-privileges --file="$dump.partial" --dbname="$db_url"
pg_restore --list "$dump.partial" >/dev/null
mv "$dump.partial" "$dump"

if [ -d "$media_root" ]; then
  tar -czf "$media.partial" -C "$media_root" .
else
  # No uploads yet: an empty archive keeps restore symmetrical.
  tar -czf "$media.partial" -T /dev/null
fi
mv "$media.partial" "$media"

echo "$dump"
echo "$media"
