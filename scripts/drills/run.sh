#!/usr/bin/env bash
# The fault drills (scripts/drills/README.md): seed one PostgreSQL cluster, run every drill on
# private servers of its own (a copy of that cluster, a Redis, gunicorn, Celery workers), print
# a summary, and exit 1 if any drill failed. `make drills` runs this.
#
#   scripts/drills/run.sh                       # all drills
#   scripts/drills/run.sh redis_down            # some of them
set -uo pipefail
cd "$(dirname "$0")/../.."

python=.venv/bin/python
drills=(redis_down worker_killed postgres_restart backup_restore)
if [ $# -gt 0 ]; then
  drills=("$@")
fi

missing=()
for tool in redis-server redis-cli psql pg_dump pg_restore "${PG_BINDIR:-/usr/lib/postgresql/15/bin}/initdb"; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ "$(id -u)" = 0 ]; then
  command -v runuser >/dev/null || missing+=(runuser)
  id postgres >/dev/null 2>&1 || missing+=("the postgres user")
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "drills: missing ${missing[*]} (apt-get install postgresql redis-server)" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/cimolt-drills-XXXXXX")
chmod 711 "$work"
child=
stop() {
  if [ -n "$child" ]; then
    kill -TERM "$child" 2>/dev/null # the drill stops its servers and removes its directory
    wait "$child" 2>/dev/null
  fi
  rm -rf "$work"
  exit 143
}
trap stop INT TERM HUP
trap 'rm -rf "$work"' EXIT

# Run a command in the background and wait for it, so a signal to this script reaches it.
run() {
  "$@" &
  child=$!
  wait "$child"
  local status=$?
  child=
  return $status
}

began=$SECONDS
export DRILL_RESULTS="$work/results"
DRILL_SECRET_KEY=$("$python" -c 'import secrets; print(secrets.token_urlsafe(50))')
export DRILL_SECRET_KEY
if [ -z "${DRILL_TEMPLATE:-}" ]; then
  if ! run "$python" scripts/drills/drillkit.py prepare "$work/template"; then
    echo "drills: seeding the cluster failed" >&2
    exit 1
  fi
  export DRILL_TEMPLATE="$work/template"
fi

failed=0
for drill in "${drills[@]}"; do
  echo
  echo "######## $drill"
  if [ ! -f "scripts/drills/$drill.py" ]; then
    echo "$drill FAIL 0s | no such drill" >>"$DRILL_RESULTS"
    failed=1
    continue
  fi
  run "$python" "scripts/drills/$drill.py"
  status=$?
  if [ $status -ne 0 ]; then
    failed=1
    grep -q "^$drill " "$DRILL_RESULTS" 2>/dev/null ||
      echo "$drill FAIL | exited $status without a result" >>"$DRILL_RESULTS"
  fi
done

echo
echo "======== fault drills: summary ($((SECONDS - began)) s in all)"
grep -v '^prepare ' "$DRILL_RESULTS" | sed 's/^/  /'
if [ $failed -ne 0 ]; then
  echo "======== FAILED: see the [FAIL] lines above"
  exit 1
fi
echo "======== all drills passed"
