#!/usr/bin/env bash
# deploy/nginx/run.sh PORT [N]: N single-process app servers (python -m app on Unix sockets) behind
# Debian's nginx listening on 127.0.0.1:PORT, all in the foreground; Ctrl-C or SIGTERM stops them all.
#
#   deploy/nginx/run.sh 8080 2
#   UPSTREAMS="10.0.0.5:8000 10.0.0.6:8000" deploy/nginx/run.sh 8080   # app processes on other machines
#
# nginx: `sudo apt-get install nginx` (Debian/Ubuntu). PYTHON picks the interpreter (default .venv/bin/python),
# ALLOWED_HOSTS is passed to the app processes (app/middleware.py), RUN_DIR keeps the config, sockets and
# access log somewhere known (default: a new temporary directory, removed on exit).
set -euo pipefail

PORT=${1:?usage: deploy/nginx/run.sh PORT [N]}
N=${2:-2}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || PY=python3
NGINX=${NGINX:-$(command -v nginx || true)}
[ -n "$NGINX" ] || { [ -x /usr/sbin/nginx ] && NGINX=/usr/sbin/nginx; }
if [ -z "$NGINX" ] || [ ! -x "$NGINX" ]; then
  echo "nginx is not installed: sudo apt-get install nginx   (Debian/Ubuntu)" >&2
  exit 1
fi

if [ -n "${RUN_DIR:-}" ]; then RUN=$RUN_DIR; mkdir -p "$RUN"; KEEP=1; else RUN=$(mktemp -d "${TMPDIR:-/tmp}/cnn-rnn-nginx.XXXXXX"); KEEP=0; fi
pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ "$KEEP" = 1 ] || rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

upstreams=""
if [ -n "${UPSTREAMS:-}" ]; then
  for address in $UPSTREAMS; do upstreams+="        server $address max_fails=3 fail_timeout=10s;"$'\n'; done
else
  for i in $(seq 1 "$N"); do
    sock="$RUN/app$i.sock"
    rm -f "$sock"
    (cd "$ROOT" && exec "$PY" -m app --uds "$sock" --no-access-log) &
    pids+=($!)
    upstreams+="        server unix:$sock max_fails=0;"$'\n'
  done
  for i in $(seq 1 "$N"); do                     # wait until every app process listens
    for _ in $(seq 1 300); do [ -S "$RUN/app$i.sock" ] && break; sleep 0.1; done
    [ -S "$RUN/app$i.sock" ] || { echo "app process $i did not start" >&2; exit 1; }
  done
fi

# the app's own security headers, for the files and refusals nginx answers itself
(cd "$ROOT" && "$PY" -c '
from app.middleware import security_headers
for name, value in security_headers("/static"):
    print(f"add_header {name.decode()} \"{value.decode()}\" always;")
') > "$RUN/security-headers.conf"

user_line=""
[ "$(id -u)" = 0 ] && user_line="user root;"     # as root, workers must reach the sockets in $RUN
sed -e "s|@RUN@|$RUN|g" -e "s|@PORT@|$PORT|g" -e "s|@ROOT@|$ROOT|g" -e "s|@USER@|$user_line|" \
    "$ROOT/deploy/nginx/nginx.conf" | awk -v ups="$upstreams" '{ if ($0 == "@UPSTREAMS@") printf "%s", ups; else print }' \
    > "$RUN/nginx.conf"
mkdir -p "$RUN/client_body" "$RUN/proxy" "$RUN/fastcgi" "$RUN/uwsgi" "$RUN/scgi"
"$NGINX" -t -q -p "$RUN" -c "$RUN/nginx.conf" -e stderr
echo "serving http://127.0.0.1:$PORT  (nginx, ${UPSTREAMS:-$N app processes}; files in $RUN)"
"$NGINX" -p "$RUN" -c "$RUN/nginx.conf" -e stderr -g "daemon off;" &
pids+=($!)
wait -n "${pids[@]}" || true                       # the first process to end ends them all
