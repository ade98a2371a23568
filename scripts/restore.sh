#!/usr/bin/env bash
# Restore a Huashan backup made by scripts/backup.sh.
#
#   scripts/restore.sh [--database URL] [--media-root DIR] [--clean] DUMP [MEDIA_TAR]
#
# DUMP       a pg_dump custom-format file (huashan-….dump)
# MEDIA_TAR  optional: the matching huashan-…-media.tar.gz, unpacked into the media root
# --database  target database URL (default: RESTORE_DATABASE_URL, else DATABASE_URL). The
#             database must exist. Without --clean it must be empty (no tables), so a
#             restore never merges into live data by accident.
# --clean     drop the objects of the dump that already exist in the target first.
# --media-root  where uploads go (default: MEDIA_ROOT, else ./media).
# The restore runs in one transaction: it succeeds completely or changes nothing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
db_url="${RESTORE_DATABASE_URL:-${DATABASE_URL:-}}"
media_root="${MEDIA_ROOT:-$here/media}"
clean=0
positional=()

while [ $# -gt 0 ]; do
  case "$1" in
    --database) db_url="$2"; shift 2 ;;
    --media-root) media_root="$2"; shift 2 ;;
    --clean) clean=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "restore.sh: unknown option: $1" >&2; exit 2 ;;
    *) positional+=("$1"); shift ;;
  esac
done

if [ ${#positional[@]} -lt 1 ] || [ ${#positional[@]} -gt 2 ]; then
  echo "usage: scripts/restore.sh [--database URL] [--media-root DIR] [--clean] DUMP [MEDIA_TAR]" >&2
  exit 2
fi
dump="${positional[0]}"
media="${positional[1]:-}"

[ -r "$dump" ] || { echo "restore.sh: cannot read dump file: $dump" >&2; exit 2; }
[ -z "$media" ] || [ -r "$media" ] || { echo "restore.sh: cannot read media archive: $media" >&2; exit 2; }
case "$db_url" in
  postgres://*|postgresql://*) ;;
  "") echo "restore.sh: no target database: pass --database URL or set DATABASE_URL." >&2; exit 2 ;;
  *) echo "restore.sh: the target must be a PostgreSQL URL." >&2; exit 2 ;;
esac
pg_restore --list "$dump" >/dev/null || { echo "restore.sh: $dump is not a pg_dump custom-format file." >&2; exit 2; }

if [ "$clean" = 0 ]; then
  tables="$(psql --dbname="$db_url" -tAc "select count(*) from pg_tables where schemaname = 'public'")"
  if [ "$tables" != "0" ]; then
    echo "restore.sh: the target database already has $tables tables; use --clean to replace them." >&2
    exit 3
  fi
fi

args=(--no-owner --no-privileges --single-transaction --exit-on-error --dbname="$db_url")
[ "$clean" = 1 ] && args+=(--clean --if-exists)
pg_restore "${args[@]}" "$dump"

if [ -n "$media" ]; then
  mkdir -p "$media_root"
  tar -xzf "$media" -C "$media_root"
fi
echo "restored $dump into the target database${media:+ and $media into $media_root}"
