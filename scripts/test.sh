#!/usr/bin/env bash
# `npm test`: everything, from a fresh clone: install, lint, typecheck, unit, integration
# (real embedded PostgreSQL), end-to-end (real Chromium against the real start command) and
# system tests (the real start command killed with SIGKILL and started again).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
rm -rf .reports && mkdir -p .reports  # not test-results/: Playwright empties that folder
started=$(date +%s)
step() { printf '\n==> %s (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "Installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

# Debian's Chromium (end-to-end tests) and Debian's ffmpeg/ffprobe (security-patched; the app
# prefers them to the npm packages' 2018 ffmpeg 4.1 for decoding untrusted videos).
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
{ [ -x /usr/bin/ffmpeg ] && [ -x /usr/bin/ffprobe ]; } || missing+=(ffmpeg)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    step "Installing ${missing[*]} from Debian"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Not root, so not installing ${missing[*]}: Playwright falls back to its own browser (npx playwright install chromium), and videos are decoded by the bundled ffmpeg 4.1 from npm."
  fi
fi

step "Lint"
npm run --silent lint
step "Typecheck"
npm run --silent typecheck
step "Dependency audit (production dependencies, critical advisories)"
# Fails the run on a known critical vulnerability. Without a reachable advisory service
# (offline, or a registry mirror without the audit endpoint) it can decide nothing: warn, go on.
audit_status=0
audit_output=$(npm audit --omit=dev --audit-level=critical 2>&1) || audit_status=$?
printf '%s\n' "$audit_output" | tail -n 40
if [ "$audit_status" -ne 0 ]; then
  if printf '%s' "$audit_output" | grep -Eqi 'audit endpoint returned an error|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|network request|request to .* failed'; then
    echo "WARNING: npm audit could not reach the registry's advisory service; dependencies were NOT audited."
  else
    echo "npm audit found critical advisories in production dependencies." >&2
    exit 1
  fi
fi
step "Unit tests (lib/domain)"
npx vitest run --project unit --reporter=dot --reporter=json --outputFile.json=.reports/unit.json
step "Integration tests (services on embedded PostgreSQL)"
npx vitest run --project integration --reporter=default --reporter=json --outputFile.json=.reports/integration.json
step "End-to-end tests (Chromium)"
PLAYWRIGHT_JSON_OUTPUT_NAME=.reports/e2e.json npx playwright test --reporter=list,json

step "System tests (the whole app killed mid-upload and restarted)"
npx vitest run --project system --reporter=default --reporter=json --outputFile.json=.reports/system.json

step "Summary"
node scripts/test-summary.mjs .reports/unit.json .reports/integration.json .reports/e2e.json .reports/system.json
echo "Total time: $(( $(date +%s) - started )) s"
