#!/bin/sh
# Audits every installed (pinned) dependency in .venv against the Python Packaging Advisory Database
# with pip-audit (`make audit`, part of `make test`). Needs network access to PyPI's JSON API.
# A known vulnerability always fails. If packages could not be checked (no network), that fails where
# AUDIT_STRICT=true (default: the value of CI, so in CI it fails); elsewhere it warns loudly and goes on.
set -eu
cd "$(dirname "$0")/.."
mkdir -p var
REPORT=var/pip-audit.json
.venv/bin/pip-audit --skip-editable --progress-spinner off --format json --output "$REPORT" 2>var/pip-audit.log || true
test -s "$REPORT" || { echo "audit: pip-audit wrote no report:" >&2; cat var/pip-audit.log >&2; exit 1; }
STRICT="${AUDIT_STRICT:-${CI:-false}}"
exec .venv/bin/python - "$REPORT" "$STRICT" <<'PY'
import json
import sys

report = json.load(open(sys.argv[1]))
strict = sys.argv[2] == "true"
deps = report["dependencies"]
vulnerable = [(d, v) for d in deps for v in d.get("vulns", [])]
skipped = [d for d in deps if d.get("skip_reason")]
audited = len(deps) - len(skipped)
for dep, vuln in vulnerable:
    fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
    print(f"audit: VULNERABLE {dep['name']}=={dep['version']}: {vuln['id']} (fixed in: {fixes})")
print(f"audit: {audited} of {len(deps)} packages checked, {len(vulnerable)} known vulnerabilities")
if vulnerable:
    sys.exit(1)
if skipped:
    names = ", ".join(d["name"] for d in skipped[:8]) + (" ..." if len(skipped) > 8 else "")
    print(f"audit: could NOT check {len(skipped)} packages (advisory service unreachable?): {names}")
    if strict:
        sys.exit(1)
    print("audit: WARNING: not failing outside CI; run `make audit` with network access before a release")
PY
