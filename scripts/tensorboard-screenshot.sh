#!/usr/bin/env bash
# tensorboard-screenshot.sh RUN_DIR OUT.png: TensorBoard's Scalars page for RUN_DIR, shot by headless Chromium.
# Needs `pip install tensorboard` and Debian's chromium. TensorBoard listens on 127.0.0.1 only and is stopped after.
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 RUN_DIR OUT.png" >&2; exit 2; }
logdir=$1 out=$2
command -v tensorboard >/dev/null || { echo "$0: tensorboard is missing (pip install tensorboard)" >&2; exit 1; }
browser=$(command -v chromium || command -v chromium-browser || true)
[[ -n "$browser" ]] || { echo "$0: chromium is missing (apt-get install chromium)" >&2; exit 1; }
port=${TB_PORT:-$((20000 + RANDOM % 20000))}
log=$(mktemp)
tensorboard --logdir "$logdir" --host 127.0.0.1 --port "$port" >"$log" 2>&1 &
tb=$!
trap 'kill "$tb" 2>/dev/null || true; wait "$tb" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 60); do
    curl -fs "http://127.0.0.1:$port/data/runs" >/dev/null 2>&1 && break
    kill -0 "$tb" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 1
done
# The page draws its charts with JavaScript: give it virtual time to fetch and render them.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="${TB_SIZE:-1400,900}" \
    --virtual-time-budget=20000 --screenshot="$out" "http://127.0.0.1:$port/?darkMode=false#scalars" 2>/dev/null
echo "$out"
