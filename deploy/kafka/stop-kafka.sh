#!/usr/bin/env bash
# Stops the broker started by start-kafka.sh (same KAFKA_PORT).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
pidfile="${KAFKA_HOME_DIR:-$root/.kafka}/broker-${KAFKA_PORT:-19092}.pid"
[ -f "$pidfile" ] || exit 0
pid="$(cat "$pidfile")"
kill "$pid" 2>/dev/null || true
for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; exit 0; }; sleep 1; done
kill -9 "$pid" 2>/dev/null || true
rm -f "$pidfile"
