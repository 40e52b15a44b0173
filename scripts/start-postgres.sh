#!/usr/bin/env bash
# Start a local PostgreSQL for the dataset-store tests (CI and developers on Debian).
#
# Idempotent: installs the `postgresql` package only when missing, starts the cluster only when it is
# down, creates the role and database only when absent, and exits 0 when everything is already there.
# Works as root (CI) or as a user with sudo. The ONLY thing printed on stdout is the connection URL,
# so callers can capture it:
#
#     export VNCHILD_TEST_PG_URL="$(scripts/start-postgres.sh)"
#
# Progress and errors go to stderr. Override the defaults with VNCHILD_PG_USER, VNCHILD_PG_PASSWORD,
# VNCHILD_PG_DB and VNCHILD_PG_PORT (the port is used only when a new cluster has to be created;
# otherwise the existing cluster's port is reported).
set -euo pipefail

PG_USER="${VNCHILD_PG_USER:-vnchild}"
PG_PASSWORD="${VNCHILD_PG_PASSWORD:-vnchild}"
PG_DB="${VNCHILD_PG_DB:-vnchild_test}"
PG_PORT="${VNCHILD_PG_PORT:-5432}"

log() { echo "start-postgres: $*" >&2; }

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# 1. Install the server when it is missing (postgresql-common provides pg_lsclusters/pg_ctlcluster).
if ! command -v pg_lsclusters >/dev/null 2>&1 || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
    log "installing postgresql with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq >&2
    $SUDO apt-get install -y -qq --no-install-recommends postgresql >&2
fi

# 2. Pick the first cluster (Debian creates "<version> main" at install); create one when there is none.
cluster="$(pg_lsclusters -h 2>/dev/null | head -n 1 || true)"
if [ -z "$cluster" ]; then
    version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
    log "creating cluster $version/main on port $PG_PORT"
    $SUDO pg_createcluster --port "$PG_PORT" "$version" main >&2
    cluster="$(pg_lsclusters -h | head -n 1 || true)"
fi
read -r version name port status _ <<<"$cluster"

# 3. Start it when it is down (pg_ctlcluster works without systemd, e.g. in containers).
if [ "$status" != "online" ]; then
    log "starting cluster $version/$name on port $port"
    $SUDO pg_ctlcluster "$version" "$name" start >&2
fi
for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$port" || { log "server on port $port did not become ready"; exit 1; }

# 4. Role and database (as the postgres superuser over the local socket; peer authentication).
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}
psql_admin() { (cd / && as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$port" "$@"); }

if [ "$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'")" != "1" ]; then
    log "creating role $PG_USER"
    psql_admin -c "CREATE ROLE \"$PG_USER\" LOGIN PASSWORD '$PG_PASSWORD'" >&2
else
    # Re-set the password so the printed URL always works, even if someone changed it.
    psql_admin -c "ALTER ROLE \"$PG_USER\" LOGIN PASSWORD '$PG_PASSWORD'" >&2
fi
if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != "1" ]; then
    log "creating database $PG_DB owned by $PG_USER"
    psql_admin -c "CREATE DATABASE \"$PG_DB\" OWNER \"$PG_USER\" ENCODING 'UTF8' TEMPLATE template0" >&2
fi

url="postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$port/$PG_DB"

# 5. Prove the URL works with password authentication over TCP, as the app and tests will use it.
if ! PGPASSWORD="$PG_PASSWORD" psql -X -q -h 127.0.0.1 -p "$port" -U "$PG_USER" -d "$PG_DB" -tAc "SELECT 1" \
    >/dev/null; then
    log "cannot log in as $PG_USER over TCP; check pg_hba.conf of cluster $version/$name"
    exit 1
fi
log "ready"
echo "$url"
