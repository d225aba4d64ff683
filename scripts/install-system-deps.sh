#!/usr/bin/env bash
# Install the Debian packages the tests need, only when they are missing:
#   chromium (browser tests, driven by Playwright; no `playwright install`),
#   fonts-noto-cjk (Chinese text in screenshots), postgresql (the PostgreSQL test run),
#   fonts-wqy-microhei (TrueType CJK font that app/certificates.py embeds in PDF certificates),
#   wrk (the HTTP benchmark, bench/run.sh), graphviz (`dot` lays out drill maps; without it the app
#   falls back to its own simpler layout), nginx (the production layout test, tests/deploy/test_scaleout.py:
#   deploy/nginx.conf in front of two gunicorn instances; the test runs its own nginx, never the system one).
set -euo pipefail

# With --runtime: only what the running app itself needs (the certificate font); a failure is
# reported and tolerated, since the app explains on the certificate page what to install.
missing=()
dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || missing+=(fonts-wqy-microhei)
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
if [ "${1:-}" = "--runtime" ]; then
  [ ${#missing[@]} -eq 0 ] && exit 0
  "$0" --install-only "${missing[@]}" || echo "warning: could not install ${missing[*]}: PDF certificates need the font, drill maps look better with graphviz" >&2
  exit 0
fi
if [ "${1:-}" = "--install-only" ]; then
  shift
  missing=("$@")
else
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
  command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  [ -x /usr/sbin/nginx ] || missing+=(nginx)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root (or sudo) to apt-get install ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"; then
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
