#!/usr/bin/env bash
# The demo's photos on a machine without ../shared: installs three Debian packages that ship real photos
# (python3-skimage, opencv-doc, gcompris-qt-data), copies the photos listed in sample-photos.tsv into
#   OUT_DIR/<label>/<file>          (gcompris photos come out of its Qt .rcc resources via extract-rcc.py)
#   OUT_DIR/labels.tsv              (path, label_en, label_zh, source, license: what make-manifest.py reads)
#   OUT_DIR/LICENSES/               (the packages' Debian copyright files and gcompris' per-activity READMEs)
# Safe to run again: files are rewritten with the same content and labels.tsv is replaced whole.
#   bash scripts/install-sample-photos.sh OUT_DIR
set -euo pipefail
if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 OUT_DIR" >&2
  exit 2
fi
scripts="$(cd "$(dirname "$0")" && pwd)"
list="$scripts/sample-photos.tsv"
mkdir -p "$1"
out="$(cd "$1" && pwd)"

packages=(python3-skimage opencv-doc gcompris-qt-data)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# A file's real path: as listed, or else found by name among the package's files (paths can move between releases).
locate() {
  local package=$1 file=$2
  if [ -f "$file" ]; then echo "$file"; return 0; fi
  local found
  # awk reads all of dpkg's output (no early exit: with pipefail, dpkg's SIGPIPE would fail the pipeline).
  found="$(dpkg -L "$package" 2>/dev/null | awk -v name="$(basename "$file")" -F/ '$NF == name && !seen { print; seen = 1 }')"
  [ -n "$found" ] && [ -f "$found" ] && echo "$found"
}

mkdir -p "$out/LICENSES"
labels="$out/labels.tsv.tmp.$$"
trap 'rm -f "$labels"' EXIT
printf 'path\tlabel_en\tlabel_zh\tsource\tlicense\n' >"$labels"
declare -A version readmes
copied=0
skipped=0
while IFS=$'\t' read -r package file resource output label_en label_zh; do
  case "$package" in ''|'#'*|package) continue ;; esac
  if [ -z "${version[$package]:-}" ]; then
    version[$package]="$(dpkg-query -W -f='${Version}' "$package")"
    cp "/usr/share/doc/$package/copyright" "$out/LICENSES/$package.copyright"
  fi
  if ! source_file="$(locate "$package" "$file")"; then
    echo "warning: $file (package $package) not found; skipping $output" >&2
    skipped=$((skipped + 1))
    continue
  fi
  target="$out/$output"
  mkdir -p "$(dirname "$target")"
  if [ "$resource" = "-" ]; then
    cp "$source_file" "$target.tmp.$$" && mv "$target.tmp.$$" "$target"
    license="LICENSES/$package.copyright"
    origin="$(basename "$source_file")"
  else
    if ! python3 "$scripts/extract-rcc.py" "$source_file" --extract "$resource" "$target"; then
      echo "warning: could not extract $resource from $source_file; skipping $output" >&2
      skipped=$((skipped + 1))
      continue
    fi
    # gcompris credits each photo in a README beside it in the resources.
    activity="$(basename "$source_file" .rcc)"
    readme="LICENSES/gcompris-$activity-$(basename "$(dirname "$resource")").README"
    if [ -z "${readmes[$readme]:-}" ]; then
      if python3 "$scripts/extract-rcc.py" "$source_file" --extract "$(dirname "$resource")/README" "$out/$readme" \
        2>/dev/null; then readmes[$readme]=found; else readmes[$readme]=none; fi
    fi
    license="LICENSES/$package.copyright"
    [ "${readmes[$readme]}" = found ] && license="$readme; $license"
    origin="$(basename "$source_file") $resource"
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$output" "$label_en" "$label_zh" \
    "Debian $package ${version[$package]} ($origin)" "$license" >>"$labels"
  copied=$((copied + 1))
done <"$list"

for needed in dog cat; do
  grep -q -P "^[^\t]*\t$needed\t" "$labels" || { echo "error: no $needed photo could be installed" >&2; exit 1; }
done
if [ "$copied" -lt 15 ]; then
  echo "error: only $copied sample photos could be installed (need at least 15)" >&2
  exit 1
fi
mv "$labels" "$out/labels.tsv"
trap - EXIT
echo "sample photos: $copied in $out ($skipped skipped); labels in $out/labels.tsv, licences in $out/LICENSES/"
