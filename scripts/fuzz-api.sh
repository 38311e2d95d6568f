#!/usr/bin/env bash
# Fuzzes glimpsed's HTTP API from the committed OpenAPI document with schemathesis (PyPI).
#   bash scripts/fuzz-api.sh [--requests N] [--raw-rounds N] [--bin DIR]
# Starts a throw-away glimpsed (temporary data directory and socket), ingests a few real items so search, items and
# jobs have data, bridges the Unix socket to 127.0.0.1:<ephemeral port> (scripts/fuzz_api_bridge.py, which counts
# requests and status codes itself), and runs schemathesis rounds until at least N requests (default 2500) were sent.
# Then sends raw-socket cases to both sockets (scripts/fuzz_raw_socket.py: slow bodies and headers at 1 byte/s,
# malformed request lines; each --raw-rounds times, default 10) and reports the time each connection took to close.
# Fails on any 5xx answer, any response that does not match the document, a daemon crash, fewer than N requests,
# or a non-zero exit status after SIGTERM.
# Environment: GLIMPSE_MODEL_PATH (default ~/.local/share/glimpse/models/e5-small-q4.bin), GLIMPSE_FUZZ_VENV
# (where schemathesis is installed; default ~/.cache/glimpse/schemathesis-VERSION), GLIMPSE_FUZZ_SEED (first
# round's seed, to replay a run), GLIMPSE_FUZZ_KEEP=1 keeps the temporary directory (logs, catalog) for inspection.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

schemathesis_version=4.32.5
requests=2500
raw_rounds=10
bin=""
# Bounds: each schemathesis round, and the whole fuzzing part.
round_seconds=240
total_seconds=480

usage() { sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --requests) requests="${2:?--requests needs a number}"; shift 2 ;;
    --bin) bin="${2:?--bin needs a directory}"; shift 2 ;;
    --raw-rounds) raw_rounds="${2:?--raw-rounds needs a number}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "fuzz-api.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$requests" in ''|*[!0-9]*) echo "fuzz-api.sh: --requests must be a positive integer" >&2; exit 2 ;; esac
[ -n "$bin" ] || bin="$(swift build --show-bin-path)"
model="${GLIMPSE_MODEL_PATH:-$HOME/.local/share/glimpse/models/e5-small-q4.bin}"
spec="$repo/Sources/GlimpseServer/openapi.yaml"
[ -x "$bin/glimpsed" ] || { echo "fuzz-api.sh: no glimpsed in $bin; build it first (swift build --product glimpsed)" >&2; exit 2; }
[ -f "$model" ] || { echo "fuzz-api.sh: model not found at $model; run scripts/fetch-model.sh or set GLIMPSE_MODEL_PATH" >&2; exit 2; }
command -v curl >/dev/null || { echo "fuzz-api.sh: curl is needed (scripts/install-deps.sh installs it)" >&2; exit 2; }

venv="${GLIMPSE_FUZZ_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/glimpse/schemathesis-$schemathesis_version}"
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -qF "$schemathesis_version"; then
  echo "== installing schemathesis $schemathesis_version into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/glimpse-fuzz.XXXXXX")"
# Fuzz the admin socket: it serves every endpoint (the query socket answers the admin ones with 403).
socket="$work/admin.sock"
daemon_pid=""
bridge_pid=""
# shellcheck disable=SC2317  # run by the EXIT trap, which shellcheck does not follow
cleanup() {
  if [ -n "$bridge_pid" ]; then kill "$bridge_pid" 2>/dev/null || true; fi
  if [ -n "$daemon_pid" ]; then kill -TERM "$daemon_pid" 2>/dev/null || true; fi
  if [ "${GLIMPSE_FUZZ_KEEP:-0}" = 1 ]; then echo "== kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

api() { curl -sS --max-time 30 --unix-socket "$socket" "$@"; }

echo "== starting glimpsed ($bin/glimpsed) in $work"
"$bin/glimpsed" --socket "$work/glimpse.sock" --admin-socket "$socket" --data-dir "$work/data" --model "$model" >"$work/glimpsed.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 1 300); do
  api http://localhost/v1/health >/dev/null 2>&1 && break
  kill -0 "$daemon_pid" 2>/dev/null || { cat "$work/glimpsed.log" >&2; echo "fuzz-api.sh: glimpsed exited at start" >&2; exit 1; }
  sleep 0.2
done
api http://localhost/v1/health >/dev/null

if ! api http://localhost/v1/openapi.yaml | cmp -s - "$spec"; then
  echo "== warning: $bin/glimpsed serves a different openapi.yaml than $spec (stale build?); fuzzing with the checkout's"
fi

echo "== ingesting seed items"
python3 - "$work/photos" >"$work/seed.json" <<'EOF'
# Tiny distinct PNGs (the worker hashes the file; it does not decode it) with captions in several languages.
import json, os, struct, sys, zlib
folder = sys.argv[1]
os.makedirs(folder, exist_ok=True)
def png(rgb):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + bytes(rgb) * 4 for _ in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
seeds = [
    ("fuzz-dog", (200, 150, 90), {"en": "a brown dog running on the grass", "zh": "一只在草地上奔跑的棕色小狗"}),
    ("fuzz-cat", (90, 90, 90), {"zh": "一只睡在沙发上的灰猫"}),
    ("fuzz-bike", (20, 60, 200), {"en": "a blue bicycle leaning on a wall", "de": "ein blaues Fahrrad"}),
    ("fuzz-sea", (10, 120, 180), {"ja": "夕暮れの海", "en": "the sea at sunset"}),
    (None, (250, 250, 30), {"en": "a yellow taxi in the rain"}),
]
items = []
for index, (item_id, rgb, captions) in enumerate(seeds):
    path = os.path.join(folder, f"seed-{index}.png")
    with open(path, "wb") as f:
        f.write(png(rgb))
    item = {"image_path": os.path.abspath(path), "captions": captions}
    if item_id:
        item["id"] = item_id
    items.append(item)
json.dump({"items": items}, sys.stdout)
EOF
job=$(api -H 'Content-Type: application/json' --data-binary @"$work/seed.json" http://localhost/v1/items \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["job_id"])')
for _ in $(seq 1 600); do
  state=$(api "http://localhost/v1/jobs/$job" | python3 -c 'import json, sys; j = json.load(sys.stdin); print(j["state"], j["inserted"])')
  case "$state" in done*|failed*) break ;; esac
  sleep 0.2
done
[ "$state" = "done 5" ] || { echo "fuzz-api.sh: seed ingest job $job ended as '$state', expected 'done 5'" >&2; exit 1; }

echo "== bridging $socket to loopback"
python3 scripts/fuzz_api_bridge.py --socket "$socket" --port-file "$work/port" --stats-file "$work/stats.json" \
  2>"$work/bridge.log" &
bridge_pid=$!
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { cat "$work/bridge.log" >&2; echo "fuzz-api.sh: the bridge did not start" >&2; exit 1; }
base="http://127.0.0.1:$(cat "$work/port")"

stat() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$work/stats.json" "$1"; }

# Each round covers every operation (coverage, fuzzing and stateful phases); rounds repeat with fresh seeds until
# enough requests were sent. One round with 60 examples per operation sends roughly 700-1,200 requests.
started=$SECONDS
round=0
fuzz_status=0
while [ "$(stat requests)" -lt "$requests" ]; do
  round=$((round + 1))
  left=$((total_seconds - (SECONDS - started)))
  [ "$left" -gt 10 ] || { echo "fuzz-api.sh: time budget of ${total_seconds}s spent" >&2; break; }
  seed_args=()
  if [ "$round" = 1 ] && [ -n "${GLIMPSE_FUZZ_SEED:-}" ]; then seed_args=(--seed "$GLIMPSE_FUZZ_SEED"); fi
  echo "== schemathesis round $round against $base (spec: ${spec#"$repo"/}); $(stat requests) requests so far"
  set +e
  (cd "$work" && timeout --signal=INT "$((left < round_seconds ? left : round_seconds))" \
    "$venv/bin/schemathesis" run "$spec" --url "$base" \
      --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
      --phases coverage,fuzzing,stateful --max-examples 60 --workers 2 --request-timeout 30 \
      --continue-on-failure --no-color --suppress-health-check all "${seed_args[@]}") 2>&1 | tee -a "$work/schemathesis.log"
  code=${PIPESTATUS[0]}
  set -e
  [ "$code" = 0 ] || fuzz_status=$code
  kill -0 "$daemon_pid" 2>/dev/null || break
done

sent=$(stat requests)
server_errors=$(stat server_error_count)
broken=$(stat broken_exchanges)
echo "== status codes seen: $(stat by_status)"
failed=0
if [ "$server_errors" != 0 ]; then
  echo "fuzz-api.sh: $server_errors server errors, e.g.:" >&2
  python3 -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))["server_errors"][:10]))' "$work/stats.json" >&2
  grep -i "error" "$work/glimpsed.log" | tail -n 20 >&2 || true
  failed=1
fi
[ "$broken" = 0 ] || { echo "fuzz-api.sh: $broken exchanges broke off (see the bridge log below)" >&2; cat "$work/bridge.log" >&2; failed=1; }
[ "$fuzz_status" = 0 ] || { echo "fuzz-api.sh: schemathesis reported failures (exit $fuzz_status); see its output above" >&2; failed=1; }
[ "$sent" -ge "$requests" ] || { echo "fuzz-api.sh: only $sent requests sent, wanted $requests" >&2; failed=1; }

# Raw-socket cases an HTTP fuzzer does not send (scripts/fuzz_raw_socket.py): bodies and headers trickled at
# 1 byte/s, malformed request lines; straight to the query socket and the admin one, with the daemon's defaults.
raw_status=0
for raw_socket in "$work/glimpse.sock" "$socket"; do
  echo "== raw-socket cases against ${raw_socket#"$work"/}"
  python3 scripts/fuzz_raw_socket.py --socket "$raw_socket" --rounds "$raw_rounds" --limit 60 \
    --stats-file "$work/raw-$(basename "$raw_socket" .sock).json" || raw_status=1
  kill -0 "$daemon_pid" 2>/dev/null || break
done
[ "$raw_status" = 0 ] || { echo "fuzz-api.sh: raw-socket cases found problems (see above)" >&2; failed=1; }
raw_sum() { python3 -c 'import json, sys; print(sum(json.load(open(f))[sys.argv[1]] for f in sys.argv[2:]))' "$1" "$work"/raw-*.json; }
raw_max() { python3 -c 'import json, sys; print(max(json.load(open(f))[sys.argv[1]] or 0 for f in sys.argv[2:]))' "$1" "$work"/raw-*.json; }
raw_summary="raw socket: $(raw_sum connections) connections, $(raw_sum server_errors) 5xx, closed within max $(raw_max close_seconds_max)s"

alive="daemon alive"
if ! kill -0 "$daemon_pid" 2>/dev/null || [ "$(api http://localhost/v1/health 2>/dev/null)" != '{"status":"ok"}' ]; then
  alive="DAEMON DEAD"
  tail -n 40 "$work/glimpsed.log" >&2
  failed=1
else
  kill -TERM "$daemon_pid"
  set +e; wait "$daemon_pid"; exit_code=$?; set -e
  daemon_pid=""
  if [ "$exit_code" != 0 ]; then
    alive="daemon alive, but exited with status $exit_code after SIGTERM"
    tail -n 20 "$work/glimpsed.log" >&2
    failed=1
  fi
fi
echo "fuzz: $sent requests, $server_errors server errors, $alive (in $((SECONDS - started))s, $round schemathesis rounds); $raw_summary"
exit "$failed"
