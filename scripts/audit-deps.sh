#!/usr/bin/env bash
# pip-audit against the pinned requirements (requirements.txt and requirements-dev.txt, which includes
# it), exactly the pins (--no-deps --disable-pip), failing on any known vulnerability and on any pin it
# could not audit (--strict). The vulnerability data comes from PyPI's JSON API, else from OSV: a short
# connectivity check asks the service for one pinned release first. When neither answers, the audit is
# skipped with a message saying so (exit 0); every other failure of pip-audit fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

# The first pinned release of requirements.txt, e.g. alembic 1.20.1: what pip-audit will ask the service.
read -r NAME VERSION < <(sed -n 's/^\([A-Za-z0-9_.-]*\)\(\[[^]]*\]\)\{0,1\}==\([^ ;#]*\).*/\1 \3/p' requirements.txt | head -n 1)

reachable() {  # $1: pypi | osv; exit 0 when the service answers for NAME VERSION within 10 s
  "$PY" - "$1" "$NAME" "$VERSION" <<'PYEOF'
import json, sys, urllib.error, urllib.request
service, name, version = sys.argv[1:4]
if service == "pypi":
    request = urllib.request.Request(f"https://pypi.org/pypi/{name}/{version}/json")
else:
    body = json.dumps({"package": {"name": name, "ecosystem": "PyPI"}, "version": version}).encode()
    request = urllib.request.Request("https://api.osv.dev/v1/query", data=body,
                                     headers={"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (fixed https URLs)
        sys.exit(0 if response.status == 200 else 1)
except urllib.error.HTTPError as exc:
    if service == "pypi" and exc.code == 404:
        # A 404 for a release the project's own page lists: this PyPI (a mirror or proxy) serves no
        # per-release data, so pip-audit could audit nothing. A 404 for a release PyPI does not list
        # is a wrong pin: let pip-audit run and fail on it.
        try:
            with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=10) as response:  # noqa: S310
                listed = version in json.load(response).get("releases", {})
        except Exception:  # noqa: BLE001
            listed = True
        if not listed:
            sys.exit(0)
        print(f"HTTP 404 for {name} {version}, a release its project page lists (no per-release data here)")
    else:
        print(f"HTTPError: {exc}")
    sys.exit(1)
except Exception as exc:  # noqa: BLE001 (no answer at all: not reachable from here)
    print(f"{type(exc).__name__}: {exc}")
    sys.exit(1)
PYEOF
}

if pypi_why=$(reachable pypi); then
  SERVICE=pypi
elif osv_why=$(reachable osv); then
  SERVICE=osv
else
  echo "SKIPPED: pip-audit cannot reach a vulnerability service, so the pinned requirements were NOT audited here:"
  echo "  https://pypi.org/pypi/$NAME/$VERSION/json: $pypi_why"
  echo "  https://api.osv.dev/v1/query ($NAME $VERSION): $osv_why"
  exit 0
fi
echo "pip-audit (service: $SERVICE) of requirements.txt and requirements-dev.txt"
exec .venv/bin/pip-audit --strict --no-deps --disable-pip --progress-spinner off --vulnerability-service "$SERVICE" \
  -r requirements-dev.txt
