#!/usr/bin/env bash
# Run the app as a small cluster on this machine: N Streamlit replicas behind nginx, one PostgreSQL store,
# one derived-geometry cache built once before any replica starts. Everything listens on 127.0.0.1 only.
#
#     scripts/cluster.sh start [REPLICAS]     # default 2; prints the proxy URL on stdout
#     scripts/cluster.sh stop                 # stops only the processes this script started (pid files)
#     scripts/cluster.sh status
#
# Settings (environment): VNCHILD_CLUSTER_DIR (state, logs; default .cluster), VNCHILD_CLUSTER_PORT (proxy,
# default 8600; replicas use the next ports), VNCHILD_STORE_URL (default: the local PostgreSQL started by
# scripts/start-postgres.sh, database vnchild_cluster), VNCHILD_CACHE_DIR (default .cache).
# A real deployment maps the same pieces to systemd units or containers: see "Running as a cluster" in README.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
DIR="${VNCHILD_CLUSTER_DIR:-$ROOT/.cluster}"
PORT="${VNCHILD_CLUSTER_PORT:-8600}"
MAX_UPLOAD_MB="${VNCHILD_MAX_UPLOAD_MB:-20}"

log() { echo "cluster: $*" >&2; }

wait_http() {  # url seconds
    local deadline=$((SECONDS + $2))
    while [ $SECONDS -lt $deadline ]; do
        curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null && return 0
        sleep 0.3
    done
    return 1
}

stop_pidfile() {  # file
    local pid
    [ -f "$1" ] || return 0
    pid="$(cat "$1")"
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$1"
}

cmd_stop() {
    if [ -f "$DIR/nginx.pid" ] && kill -0 "$(cat "$DIR/nginx.pid")" 2>/dev/null; then
        nginx -c "$DIR/nginx.conf" -p "$DIR" -s quit 2>/dev/null || kill "$(cat "$DIR/nginx.pid")" || true
        for _ in $(seq 1 50); do [ -f "$DIR/nginx.pid" ] || break; sleep 0.1; done
    fi
    rm -f "$DIR/nginx.pid"
    for f in "$DIR"/replica-*.pid; do [ -e "$f" ] && stop_pidfile "$f"; done
    log "stopped"
}

cmd_status() {
    for f in "$DIR"/replica-*.pid "$DIR/nginx.pid"; do
        [ -e "$f" ] || continue
        if kill -0 "$(cat "$f")" 2>/dev/null; then echo "$(basename "$f" .pid) up"; else echo "$(basename "$f" .pid) down"; fi
    done
}

cmd_start() {
    local replicas="${1:-${REPLICAS:-2}}"
    mkdir -p "$DIR/tmp"
    # 1. nginx (Debian's package) when missing.
    if ! command -v nginx >/dev/null 2>&1; then
        log "installing nginx with apt-get"
        local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
        export DEBIAN_FRONTEND=noninteractive
        $sudo apt-get update -qq >&2
        $sudo apt-get install -y -qq --no-install-recommends nginx >&2
    fi
    # 2. The shared store.
    local url="${VNCHILD_STORE_URL:-}"
    if [ -z "$url" ]; then
        url="$(VNCHILD_PG_DB="${VNCHILD_PG_DB:-vnchild_cluster}" bash scripts/start-postgres.sh)"
    fi
    # 3. The derived geometry, built once; replicas then only read it.
    export VNCHILD_CACHE_DIR="${VNCHILD_CACHE_DIR:-$ROOT/.cache}"
    log "building the shared geometry cache in $VNCHILD_CACHE_DIR (once)"
    "$PY" -c "from geo import config; from geo.geometry import boundaries as b; \
b.build_layers(config.reference_dir(), config.cache_dir(), config.static_dir())" >&2
    # 4. The replicas, each on its own loopback port.
    local upstreams="" i port
    for i in $(seq 1 "$replicas"); do
        port=$((PORT + i))
        upstreams+="        server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"$'\n'
        if [ -f "$DIR/replica-$i.pid" ] && kill -0 "$(cat "$DIR/replica-$i.pid")" 2>/dev/null; then
            log "replica $i already running"
            continue
        fi
        VNCHILD_STORE_URL="$url" PYTHONUNBUFFERED=1 VNCHILD_REPLICA="$i" \
            setsid "$PY" -m streamlit run app.py --server.port "$port" --server.address 127.0.0.1 \
            --server.headless true --server.maxUploadSize "$MAX_UPLOAD_MB" \
            >"$DIR/replica-$i.log" 2>&1 </dev/null &
        echo $! >"$DIR/replica-$i.pid"
    done
    for i in $(seq 1 "$replicas"); do
        port=$((PORT + i))
        wait_http "http://127.0.0.1:$port/_stcore/health" 90 \
            || { log "replica $i did not start; see $DIR/replica-$i.log"; tail -20 "$DIR/replica-$i.log" >&2; exit 1; }
    done
    # 5. The proxy.
    UPSTREAMS="$upstreams" PREFIX="$DIR" LISTEN="127.0.0.1:$PORT" MAX_BODY="${MAX_UPLOAD_MB}m" "$PY" - <<'PYEOF'
import os, pathlib
text = pathlib.Path("deploy/nginx.conf").read_text()
for key in ("PREFIX", "LISTEN", "UPSTREAMS", "MAX_BODY"):
    text = text.replace(f"@{key}@", os.environ[key].rstrip("\n"))
pathlib.Path(os.environ["PREFIX"], "nginx.conf").write_text(text)
PYEOF
    if [ "$(id -u)" -eq 0 ]; then sed -i "1i user root;" "$DIR/nginx.conf"; fi  # workers read $DIR/tmp
    if [ -f "$DIR/nginx.pid" ] && kill -0 "$(cat "$DIR/nginx.pid")" 2>/dev/null; then
        nginx -c "$DIR/nginx.conf" -p "$DIR" -s reload
    else
        nginx -c "$DIR/nginx.conf" -p "$DIR"
    fi
    wait_http "http://127.0.0.1:$PORT/_stcore/health" 20 || { log "nginx did not start"; exit 1; }
    log "$replicas replicas behind http://127.0.0.1:$PORT (store ${url%%://*}://…)"
    echo "http://127.0.0.1:$PORT"
}

case "${1:-}" in
    start) shift; cmd_start "$@" ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    *) echo "usage: $0 start [REPLICAS] | stop | status" >&2; exit 2 ;;
esac
