#!/usr/bin/env bash
# Install step: precompute the query vectors of the dictionary words cross-lingual alignment needs
# (glimpsed --build-word-table), so an aligned query embeds about one text. Run after the model, the dictionaries
# and glimpsed are installed; takes a few minutes on two cores (docs/cross-lingual.md "Word-vector table").
# Usage: scripts/build-word-table.sh GLIMPSED MODEL [TABLE] [-- more glimpsed settings, e.g. --en-zh-dictionary F]
#   TABLE defaults to MODEL.words, where glimpsed looks for it (word_table_path). An existing table newer than the
#   model and both dictionaries is kept; glimpsed itself ignores (with a logged notice) a table of another model
#   or other dictionaries, so rebuilding is never needed for correctness, only for speed.
set -euo pipefail
glimpsed="${1:?usage: build-word-table.sh GLIMPSED MODEL [TABLE] [-- settings]}"
model="${2:?usage: build-word-table.sh GLIMPSED MODEL [TABLE] [-- settings]}"
shift 2
table="$model.words"
if [ $# -gt 0 ] && [ "$1" != "--" ]; then table="$1"; shift; fi
[ "${1:-}" = "--" ] && shift
dictionaries="${GLIMPSE_DICTIONARY_DIR:-$HOME/.local/share/glimpse/dictionaries}"
fresh=1
[ -f "$table" ] || fresh=0
for input in "$model" "$dictionaries"/cedict-0.1.0-EnWords.csv "$dictionaries"/cc-cedict-2023-11-07.u8; do
  [ -f "$input" ] && [ "$input" -nt "$table" ] && fresh=0
done
if [ "$fresh" = 1 ]; then
  echo "== word-vector table $table is up to date"
  exit 0
fi
echo "== building the word-vector table $table (a few minutes)"
"$glimpsed" --build-word-table --model "$model" --word-table "$table" "$@"
