#!/usr/bin/env bash
# Checks the files in systemd/ without installing anything system-wide:
#   - glimpse.sysusers and glimpse.tmpfiles are applied to a throw-away root (--root=),
#   - `systemd-analyze verify` passes on glimpsed.service, glimpse-ingest.service and glimpse-ingest.timer,
#   - `systemd-analyze security --offline=true` rates glimpsed.service at an exposure of 2.0 or lower
#     (glimpse-ingest.service's exposure is printed too, without a threshold).
# Usage: bash scripts/check-systemd-units.sh [BIN_DIR]
#   BIN_DIR holds built glimpsed and glimpse (default: $GLIMPSE_BIN_DIR, else .build/debug or .build/release when
#   they hold both); without them /bin/true stands in, which is all verify needs.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
max_exposure=2.0

if ! command -v systemd-analyze >/dev/null; then
  echo "== installing systemd (for systemd-analyze)"
  export DEBIAN_FRONTEND=noninteractive
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -qq systemd >/dev/null
fi
echo "== $(systemd-analyze --version | head -1)"

bin_dir="${1:-${GLIMPSE_BIN_DIR:-}}"
if [ -z "$bin_dir" ]; then
  for candidate in "$repo/.build/debug" "$repo/.build/release"; do
    if [ -x "$candidate/glimpsed" ] && [ -x "$candidate/glimpse" ]; then bin_dir=$candidate; break; fi
  done
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== sysusers + tmpfiles in a throw-away root"
root="$work/root"
mkdir -p "$root/etc"
systemd-sysusers --root="$root" "$repo/systemd/glimpse.sysusers"
grep -q '^glimpse:' "$root/etc/passwd" || { echo "glimpse.sysusers created no glimpse user" >&2; exit 1; }
# tmpfiles resolves the glimpse user from the throw-away root's /etc/passwd written just above.
systemd-tmpfiles --root="$root" --create "$repo/systemd/glimpse.tmpfiles"
for dir in etc/glimpse var/lib/glimpse var/lib/glimpse/models var/lib/glimpse/dictionaries var/lib/glimpse/incoming; do
  [ -d "$root/$dir" ] || { echo "glimpse.tmpfiles did not create /$dir" >&2; exit 1; }
done
python3 -m json.tool systemd/glimpsed.json >/dev/null

# verify checks that every ExecStart= binary exists and is executable on this machine. The units name
# /usr/local/bin/glimpsed and /usr/local/bin/glimpse, which only exist once installed; rather than installing
# them, verify copies of the units whose ExecStart= points at the built binaries (or /bin/true without a build).
# Only that path changes: every other line, and so everything verify checks, is the installed text.
units="$work/units"
mkdir -p "$units"
for name in glimpsed glimpse; do
  if [ -n "$bin_dir" ] && [ -x "$bin_dir/$name" ]; then target="$bin_dir/$name"; else target=/bin/true; fi
  printf 's#/usr/local/bin/%s #%s #\n' "$name" "$target" >> "$work/paths.sed"
  echo "   ExecStart /usr/local/bin/$name -> $target"
done
for unit in glimpsed.service glimpse-ingest.service glimpse-ingest.timer; do
  sed -f "$work/paths.sed" "systemd/$unit" > "$units/$unit"
done
# The example drop-in is checked as installed (verify reads drop-in directories beside the unit); the security
# rating below is of the unit alone, as shipped.
mkdir -p "$units/glimpsed.service.d"
cp systemd/glimpsed-image-roots.conf.example "$units/glimpsed.service.d/image-roots.conf"
# The folder-ingest drop-in replaces ExecStart=, so its binary path is rewritten like the units'.
mkdir -p "$units/glimpse-ingest.service.d"
sed -f "$work/paths.sed" systemd/glimpse-ingest-folder.conf.example > "$units/glimpse-ingest.service.d/folder.conf"

echo "== systemd-analyze verify"
status=0
output=$(cd "$units" && systemd-analyze verify ./glimpsed.service ./glimpse-ingest.service ./glimpse-ingest.timer 2>&1) \
  || status=$?
[ -n "$output" ] && echo "$output"
# Warnings about our own files fail the check too; host units pulled in as dependencies may warn on their own.
if [ "$status" -ne 0 ] || grep -qE 'glimpse(d\.service|-ingest\.(service|timer))|image-roots\.conf|folder\.conf' <<<"$output"; then
  echo "FAIL: systemd-analyze verify reported problems in systemd/" >&2
  exit 1
fi
echo "verify: OK (glimpsed.service + example drop-in, glimpse-ingest.service + folder drop-in, glimpse-ingest.timer)"

echo "== systemd-analyze security --offline=true"
exposure_of() {
  local report
  report=$(systemd-analyze security --offline=true --no-pager "systemd/$1" 2>&1) || true
  sed -n 's/^→ Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$report"
}
daemon=$(exposure_of glimpsed.service)
ingest=$(exposure_of glimpse-ingest.service)
if [ -z "$daemon" ] || [ -z "$ingest" ]; then
  echo "FAIL: no exposure level in systemd-analyze security output" >&2
  exit 1
fi
echo "glimpsed.service:       exposure $daemon (must be <= $max_exposure)"
echo "glimpse-ingest.service: exposure $ingest"
if awk -v e="$daemon" -v m="$max_exposure" 'BEGIN { exit !(e > m) }'; then
  echo "FAIL: glimpsed.service exposure $daemon is above $max_exposure; what counts:" >&2
  systemd-analyze security --offline=true --no-pager systemd/glimpsed.service | grep '✗' >&2
  exit 1
fi
echo "systemd units: OK"
