#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install what is missing, build, start glimpsed, ingest the demo
# photos (each captioned in ONE language, half Chinese, half English), and query "狗" and "dog".
#   bash scripts/demo.sh            # runs the demo, then stops the daemon with SIGTERM
#   bash scripts/demo.sh --serve    # leaves the daemon running for your own queries
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
serve=0
[ "${1:-}" = "--serve" ] && serve=1

demo_dir="${GLIMPSE_DEMO_DIR:-$HOME/.local/share/glimpse/demo}"
socket="$demo_dir/glimpse.sock"
admin_socket="$demo_dir/admin.sock"
model_dir="${GLIMPSE_MODEL_DIR:-$HOME/.local/share/glimpse/models}"
mkdir -p "$demo_dir"

bash scripts/install-deps.sh
bash scripts/fetch-model.sh "$model_dir"
bash scripts/fetch-dictionary.sh

echo "== building (release)"
# One build of every product: separate --product builds would each compile the shared dependencies again.
swift build -c release
bin="$(swift build -c release --show-bin-path)"
bash scripts/build-word-table.sh "$bin/glimpsed" "$model_dir/e5-small-q4.bin"

if [ -f "$repo/../shared/data/photos/labels.tsv" ]; then
  photos="$(cd "$repo/../shared/data/photos" && pwd)"
else
  photos="$demo_dir/photos"
  echo "== no ../shared here: installing sample photos from Debian packages into $photos"
  bash scripts/install-sample-photos.sh "$photos"
fi
python3 scripts/make-manifest.py "$photos" "$demo_dir/manifest.jsonl" --mode alternate
echo "== manifest: $(wc -l < "$demo_dir/manifest.jsonl") photos, each captioned in one language ($demo_dir/manifest.jsonl)"

if "$bin/glimpse" --socket "$socket" status >/dev/null 2>&1; then
  echo "== a glimpsed is already serving $socket; using it"
  started=0
else
  echo "== starting glimpsed on $socket (log: $demo_dir/glimpsed.log)"
  "$bin/glimpsed" --socket "$socket" --admin-socket "$admin_socket" --data-dir "$demo_dir/data" --model "$model_dir/e5-small-q4.bin" \
    >"$demo_dir/glimpsed.log" 2>&1 &
  pid=$!
  started=1
  for _ in $(seq 1 300); do
    "$bin/glimpse" --socket "$socket" status >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { cat "$demo_dir/glimpsed.log"; echo "glimpsed exited" >&2; exit 1; }
    sleep 0.2
  done
fi

echo "== ingesting"
"$bin/glimpse" --socket "$socket" --admin-socket "$admin_socket" ingest "$demo_dir/manifest.jsonl"
echo "== search: 狗"
"$bin/glimpse" --socket "$socket" search "狗" -k 5
echo "== search: dog"
"$bin/glimpse" --socket "$socket" search "dog" -k 5
echo "== the same over HTTP:"
echo "curl --unix-socket $socket 'http://localhost/v1/search?q=%E7%8B%97&k=3'"
curl -s --unix-socket "$socket" 'http://localhost/v1/search?q=%E7%8B%97&k=3'; echo
"$bin/glimpse" --socket "$socket" status

if [ "$started" = 1 ]; then
  if [ "$serve" = 1 ]; then
    echo "== glimpsed keeps running (pid $pid); stop it with: kill $pid"
  else
    echo "== stopping glimpsed (SIGTERM)"
    kill -TERM "$pid"
    wait "$pid"
    echo "glimpsed exited with status $?"
  fi
fi
