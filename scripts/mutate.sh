#!/usr/bin/env bash
# Mutation testing of the rule-bearing modules (issue 18; docs/rules.md "Mutation testing").
#
#   scripts/mutate.sh                      # every module below
#   scripts/mutate.sh huashan/workdays.py  # one module
#
# mutmut makes the mutants; scripts/mutate_inprocess.py runs each of them inside one pytest
# session (Django and the test database set up once), swapping the mutated code into the
# live module and restoring it after. Only the module's direct tests run against each
# mutant. The working tree is never written. Not part of `make test`: it takes tens of
# minutes. Needs PostgreSQL and Redis like the tests (DATABASE_URL / REDIS_URL).
# Results: var/mutate/<module>.json (score, every surviving mutant with its diff) and
# var/mutate/summary.txt.
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
  [meetings/tally.py]="tests/meetings/test_tally.py tests/meetings/test_tally_properties.py"
  [pledges/engine.py]="tests/pledges/test_engine.py"
)
ORDER=(huashan/workdays.py huashan/periods.py issues/services/clocks.py meetings/tally.py pledges/engine.py)

modules=("$@")
[ ${#modules[@]} -eq 0 ] && modules=("${ORDER[@]}")

cd "$ROOT"
summary="$OUT/summary.txt"
: >"$summary"
for module in "${modules[@]}"; do
  tests="${TESTS[$module]:-}"
  if [ -z "$tests" ]; then
    echo "unknown module $module (known: ${ORDER[*]})" >&2
    exit 2
  fi
  log="$OUT/$(echo "$module" | tr / _).log"
  echo "== $module ($tests)"
  # shellcheck disable=SC2086
  "$VENV/bin/python" -m pytest -p no:randomly -p no:xdist -p scripts.mutate_inprocess \
    --mutate "$module" --mutate-out "$OUT" -q $tests >"$log" 2>&1 || true
  grep -h "^\[mutate\] $module: " "$log" | tee -a "$summary" || {
    echo "$module: the run failed, see $log" | tee -a "$summary"
  }
done
echo "Summary: $summary"
