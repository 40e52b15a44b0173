#!/usr/bin/env bash
# Debian packages the project needs: Chromium for the browser tests and exports, Noto fonts so
# Vietnamese diacritics render, poppler-utils (pdftotext) for the export tests. PostgreSQL is
# installed and started by scripts/start-postgres.sh (CI runs it). Idempotent: does nothing when they are present.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -d /usr/share/fonts/truetype/noto ] || need+=(fonts-noto-core)
command -v pdftotext >/dev/null || need+=(poppler-utils)
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
