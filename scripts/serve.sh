#!/usr/bin/env bash
# Serve the portal for `make run`: web (runserver) + Celery worker + beat.
# Ctrl-C in the terminal, or SIGTERM to make or to this script, stops all three.
# (A shell waiting on a foreground command runs its trap only after that command
# ends; here every process runs in the background and the shell waits, so a
# signal is handled at once.)
set -u
VENV=${VENV:-.venv}
PORT=${PORT:-8000}
pids=()

stop() {
  trap - INT TERM EXIT
  [ ${#pids[@]} -gt 0 ] && kill -TERM "${pids[@]}" 2>/dev/null
  wait
  exit 0
}
trap stop INT TERM EXIT

"$VENV/bin/celery" -A huashan worker -l warning --concurrency 1 &
pids+=($!)
"$VENV/bin/celery" -A huashan beat -l warning &
pids+=($!)
"$VENV/bin/python" manage.py runserver "127.0.0.1:$PORT" &
pids+=($!)
# When one of them dies, stop the others rather than serve half a portal.
wait -n
stop
