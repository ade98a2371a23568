#!/usr/bin/env bash
# Mutation testing of the rule-bearing modules (issue 18; docs/rules.md "Mutation testing").
#
#   scripts/mutate.sh                      # every module below
#   scripts/mutate.sh huashan/workdays.py  # one module
#
# Each module is mutated by mutmut in a throw-away copy of the tree (never in the working
# tree: other work and tests keep reading the real files), and only that module's direct
# tests run against each mutant. Not part of `make test`: it takes tens of minutes.
# Needs PostgreSQL and Redis like the tests (DATABASE_URL / REDIS_URL; the test database
# is test_<name>, kept between mutants).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
export DATABASE_URL="${DATABASE_URL:-postgres://root@127.0.0.1:5432/huashan_mutate}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/14}"
OUT="${MUTATE_OUT:-$ROOT/var/mutate}"
mkdir -p "$OUT"

# module -> its direct tests (kept small on purpose: each mutant runs them).
declare -A TESTS=(
  [huashan/workdays.py]="tests/core/test_workdays.py tests/test_seed_numbers.py"
  [huashan/periods.py]="tests/core/test_periods.py"
  [issues/services/clocks.py]="tests/issues/test_clock_misreadings.py tests/test_seed_numbers.py tests/issues/test_legacy_explanation.py"
  [meetings/tally.py]="tests/meetings/test_tally.py"
  [pledges/engine.py]="tests/pledges/test_engine.py"
)
ORDER=(huashan/workdays.py huashan/periods.py issues/services/clocks.py meetings/tally.py pledges/engine.py)

modules=("$@")
[ ${#modules[@]} -eq 0 ] && modules=("${ORDER[@]}")

WORK="$(mktemp -d /tmp/huashan-mutate.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
# The committed tree (MUTATE_REF, default HEAD): what is scored is what is in the repository.
git -C "$ROOT" archive "${MUTATE_REF:-HEAD}" | tar -x -C "$WORK"
cd "$WORK"
# Import the copy, never the working tree (the editable install points there).
export PYTHONPATH="$WORK"

summary="$OUT/summary.txt"
: >"$summary"
for module in "${modules[@]}"; do
  tests="${TESTS[$module]:-}"
  if [ -z "$tests" ]; then
    echo "unknown module $module (known: ${ORDER[*]})" >&2
    exit 2
  fi
  rm -f .mutmut-cache "$OUT/$(echo "$module" | tr / _).survivors"
  runner="$VENV/bin/python -m pytest -p no:xdist -x -q --reuse-db $tests"
  echo "== $module ($tests)"
  # Create or migrate the test database once, outside the timed baseline.
  $runner >/dev/null 2>&1 || true
  "$VENV/bin/mutmut" run --paths-to-mutate "$module" --runner "$runner" --no-progress \
    >"$OUT/$(echo "$module" | tr / _).log" 2>&1 || true
  "$VENV/bin/mutmut" results >"$OUT/$(echo "$module" | tr / _).results" 2>&1 || true
  "$VENV/bin/python" - "$module" >>"$summary" <<'PY'
import sqlite3, sys
db = sqlite3.connect(".mutmut-cache")
rows = db.execute("select status, count(*) from Mutant group by status").fetchall()
counts = dict(rows)
killed = counts.get("ok_killed", 0)
survived = counts.get("bad_survived", 0)
timeout = counts.get("bad_timeout", 0)
suspicious = counts.get("ok_suspicious", 0)
untested = counts.get("untested", 0)
total = killed + survived + timeout + suspicious
score = 100.0 * (killed + timeout + suspicious) / total if total else 0.0
print(f"{sys.argv[1]}: {score:.1f}% ({killed} killed, {timeout} timeout, "
      f"{suspicious} suspicious, {survived} survived, {untested} untested)")
PY
  for id in $("$VENV/bin/python" -c 'import sqlite3; print(" ".join(str(r[0]) for r in sqlite3.connect(".mutmut-cache").execute("select id from Mutant where status=\"bad_survived\"")))'); do
    "$VENV/bin/mutmut" show "$id" >>"$OUT/$(echo "$module" | tr / _).survivors" 2>&1 || true
  done
  tail -1 "$summary"
done
echo "Summary: $summary"
