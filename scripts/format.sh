#!/usr/bin/env bash
# Formats the Swift code in place with the repository's .swift-format; scripts/lint.sh then passes its swift-format
# check (rules format cannot fix, such as long string literals, still need a hand).
set -euo pipefail
cd "$(dirname "$0")/.."
swift_format="$(command -v swift-format || true)"
if [ -z "$swift_format" ] && [ -x /opt/swift/usr/bin/swift-format ]; then swift_format=/opt/swift/usr/bin/swift-format; fi
if [ -z "$swift_format" ]; then
  echo "format: swift-format not found (it ships with the Swift 6 toolchain, e.g. /opt/swift/usr/bin)" >&2
  exit 1
fi
exec "$swift_format" format --in-place --parallel --recursive Sources Tests Benchmarks Package.swift
