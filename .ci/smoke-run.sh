#!/usr/bin/env bash
# `make run` as a new user runs it: wait until it serves, fetch the rep's day list it prints, then stop it.
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
setsid make run >"$log" 2>&1 &
pid=$!
stop() { kill -TERM -- "-$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap stop EXIT

for _ in $(seq 600); do
    if curl -sf http://127.0.0.1:8000/health >/dev/null; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then cat "$log"; echo "make run ended before it served" >&2; exit 1; fi
    sleep 1
done
curl -sf http://127.0.0.1:8000/health >/dev/null || { cat "$log"; echo "make run did not serve in 600 s" >&2; exit 1; }

# The line `day list (JSON): curl -H "Authorization: Bearer rp_..." http://.../reps/N/day/DATE`
line=$(grep 'day list (JSON): curl' "$log") || { cat "$log"; echo "make run printed no day list" >&2; exit 1; }
token=$(sed -E 's/.*Bearer ([^"]+)".*/\1/' <<<"$line")
url=$(sed -E 's/.* (http[^ ]+)$/\1/' <<<"$line")
body=$(curl -sf -H "Authorization: Bearer $token" "$url") || { echo "GET $url failed" >&2; exit 1; }
grep -v 'Bearer\|token=\|^  [a-z]* *rp_' "$log" | head -20  # what make run printed, tokens left out
python3 - "$body" <<'PY'
import json, sys
day = json.loads(sys.argv[1])
assert day["visits"], "the printed day list has no visits"
assert [v["seq"] for v in day["visits"]] == list(range(1, len(day["visits"]) + 1))
print(f"make run served {day['rep_code']}'s day {day['date']}: {len(day['visits'])} visits, "
      f"lunch {day['lunch']['start'] if day['lunch'] else '-'}, back {day['end']['arrival']}, idle {day['idle_s'] // 60} min")
PY
