#!/usr/bin/env bash
# The lint step scripts/test.sh runs first: swift-format (.swift-format at the repository root) in strict mode over
# the Swift code, shellcheck over the shell scripts, and py_compile + pyflakes over the Python scripts.
# Fix formatting with scripts/format.sh. Exits non-zero if any check finds something.
set -euo pipefail
cd "$(dirname "$0")/.."

status=0

swift_format="$(command -v swift-format || true)"
if [ -z "$swift_format" ] && [ -x /opt/swift/usr/bin/swift-format ]; then swift_format=/opt/swift/usr/bin/swift-format; fi
if [ -z "$swift_format" ]; then
  echo "lint: swift-format not found (it ships with the Swift 6 toolchain, e.g. /opt/swift/usr/bin)" >&2
  exit 1
fi
echo "== swift-format lint --strict"
"$swift_format" lint --strict --parallel --recursive Sources Tests Benchmarks Package.swift || status=1

echo "== shellcheck"
mapfile -t shell_scripts < <(
  { ls scripts/*.sh; echo .ci/run; grep -rlE '^#!.*\b(ba)?sh\b' scripts .ci systemd 2>/dev/null || true; } | sort -u)
shellcheck "${shell_scripts[@]}" || status=1

echo "== python: py_compile and pyflakes"
mapfile -t python_files < <(find scripts Benchmarks Tests -name '*.py' -not -path '*/__pycache__/*' | sort)
# Compiled into a throw-away folder so no __pycache__ lands in the tree.
pycache="$(mktemp -d)"
trap 'rm -rf "$pycache"' EXIT
PYTHONPYCACHEPREFIX="$pycache" python3 -m py_compile "${python_files[@]}" || status=1
# Debian's python3-pyflakes installs pyflakes3 for the system Python; a pip-installed pyflakes works too.
if command -v pyflakes3 >/dev/null; then
  pyflakes3 "${python_files[@]}" || status=1
elif python3 -m pyflakes --version >/dev/null 2>&1; then
  python3 -m pyflakes "${python_files[@]}" || status=1
else
  echo "lint: pyflakes missing (apt-get install python3-pyflakes; scripts/install-deps.sh does)" >&2
  status=1
fi

if [ "$status" -eq 0 ]; then echo "lint: clean"; else echo "lint: problems found (swift-format ones: scripts/format.sh)" >&2; fi
exit "$status"
