#!/usr/bin/env bash
# The whole test suite: Debian packages, the lint step (scripts/lint.sh), the model, the script tests, the Swift
# tests (unit, end-to-end, crash), and the systemd unit checks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/lint.sh
export GLIMPSE_MODEL_DIR="${GLIMPSE_MODEL_DIR:-$HOME/.local/share/glimpse/models}"
bash scripts/fetch-model.sh "$GLIMPSE_MODEL_DIR"
bash scripts/fetch-dictionary.sh
export GLIMPSE_MODEL_PATH="$GLIMPSE_MODEL_DIR/e5-small-q4.bin"
python3 -m unittest discover -s scripts/tests -p 'test_*.py' -v
swift build --build-tests
swift test --skip-build
bash scripts/check-systemd-units.sh
