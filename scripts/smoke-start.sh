#!/usr/bin/env bash
# Smoke test of `npm start` exactly as the README runs it: the embedded dev server comes up,
# Temporal Web answers on 8233 and lists the worker's task queue poller, a report opens and
# survives a restart (SQLite), and Ctrl-C (SIGINT) stops everything cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
export SPDR_DATA_DIR="${SPDR_DATA_DIR:-$(mktemp -d)}"
UI=http://localhost:8233
log=$(mktemp)

start() {
  setsid npm start >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 90); do
    if grep -q "Worker polling" "$log" && curl -fsS "$UI/api/v1/namespaces/default/task-queues/service-quality?taskQueueType=1" 2>/dev/null | grep -q '"identity"'; then
      return 0
    fi
    sleep 1
  done
  echo "npm start did not come up; its log:"; cat "$log"; return 1
}

stop() {
  kill -INT -- "-$pid"
  # Wait for the whole process group (npm, tsx, node, the dev server) to finish cleaning up.
  for _ in $(seq 1 45); do
    [ -z "$(ps -o pid= -g "$pid" 2>/dev/null)" ] && return 0
    sleep 1
  done
  echo "npm start did not stop on Ctrl-C; still running:"; ps -o pid,cmd -g "$pid"; cat "$log"
  kill -KILL -- "-$pid"; return 1
}

start
echo "Temporal Web answers on 8233 and shows the service-quality poller"
npm run --silent starter -- open examples/critical-latency.json
stop
start
npm run --silent starter -- show R-1001 --json | grep -q '"reportId": *"R-1001"' || { echo "report lost across restart"; exit 1; }
echo "report R-1001 survived a restart"
stop
echo "smoke: npm start OK"
