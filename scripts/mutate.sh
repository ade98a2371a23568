#!/usr/bin/env bash
# Mutation testing of the rule-bearing modules (issue 18; docs/rules.md "Mutation testing").
#
#   scripts/mutate.sh                      # every module below
#   scripts/mutate.sh huashan/workdays.py  # one module
#   MUTATE_ONLY=1-40 scripts/mutate.sh huashan/periods.py  # some mutants, by number
#                                          # (written to var/mutate/<module>.partial.json)
#   MUTATE_TESTS="tests/pledges/test_engine_rules.py" scripts/mutate.sh pledges/engine.py
#                                          # other tests than the module's own (e.g. only the
#                                          # fast ones, to list the survivors worth a slow run)
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
  [huashan/periods.py]="tests/core/test_periods_boundaries.py"
  [issues/services/clocks.py]="tests/issues/test_clock_rules.py"
  [meetings/tally.py]="tests/meetings/test_tally.py tests/meetings/test_tally_properties.py"
  [pledges/engine.py]="tests/pledges/test_engine_rules.py tests/pledges/test_engine_survivors.py tests/pledges/test_safety_quarter_item.py tests/pledges/test_engine.py"
  [pledges/letters.py]="tests/pledges/test_letters_rules.py"
  # the fast in-memory tests first: most mutants die there, before the database tests run
  [evaluations/results.py]="tests/evaluations/test_results_rules.py tests/evaluations/test_results_edges.py tests/evaluations/test_results.py"
  [disclosures/services/schedules.py]="tests/disclosures/test_schedules_rules.py tests/disclosures/test_tasks.py::test_reminder_sent_once_then_missed_once tests/disclosures/test_tasks.py::test_no_reminder_when_already_published"
  [pledges/services/accountability.py]="tests/pledges/test_accountability_rules.py tests/pledges/test_services.py::test_manual_case_reviewed_by_party_org_with_timeline tests/pledges/test_services.py::test_low_satisfaction_opens_one_case_per_member_and_year tests/pledges/test_meetings_evidence.py::test_three_unexcused_absences_open_exactly_one_case tests/pledges/test_meetings_evidence.py::test_new_streak_after_attending_opens_a_new_case tests/pledges/test_meetings_evidence.py::test_excused_absences_never_open_a_case"
)
ORDER=(
  huashan/workdays.py huashan/periods.py issues/services/clocks.py meetings/tally.py
  pledges/engine.py pledges/letters.py evaluations/results.py
  disclosures/services/schedules.py pledges/services/accountability.py
)

modules=("$@")
summary="$OUT/summary.txt"
touch "$summary"
if [ ${#modules[@]} -eq 0 ]; then
  modules=("${ORDER[@]}")
  : >"$summary"
fi
only=()
[ -n "${MUTATE_ONLY:-}" ] && only=(--mutate-only "$MUTATE_ONLY")

cd "$ROOT"
for module in "${modules[@]}"; do
  tests="${MUTATE_TESTS:-${TESTS[$module]:-}}"
  if [ -z "${TESTS[$module]:-}" ]; then
    echo "unknown module $module (known: ${ORDER[*]})" >&2
    exit 2
  fi
  log="$OUT/$(echo "$module" | tr / _).log"
  echo "== $module ($tests)"
  # one line per module in the summary: a run of one module replaces its own line
  # (a partial run, MUTATE_ONLY or MUTATE_TESTS, leaves the summary alone)
  partial=0
  [ ${#only[@]} -eq 0 ] && [ -z "${MUTATE_TESTS:-}" ] || partial=1
  if [ "$partial" -eq 0 ]; then
    grep -v "^\[mutate\] $module: \|^$module: " "$summary" >"$summary.tmp" || true
    mv "$summary.tmp" "$summary"
  fi
  # shellcheck disable=SC2086
  "$VENV/bin/python" -m pytest -p no:randomly -p no:xdist -p scripts.mutate_inprocess \
    --reuse-db --mutate "$module" --mutate-out "$OUT" "${only[@]}" -q $tests >"$log" 2>&1 || true
  record="$summary"
  [ "$partial" -eq 0 ] || record=/dev/null
  grep -h "^\[mutate\] $module: " "$log" | tee -a "$record" || {
    echo "$module: the run failed, see $log" | tee -a "$record"
  }
done
echo "Summary: $summary"
