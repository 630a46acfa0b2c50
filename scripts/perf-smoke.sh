#!/usr/bin/env bash
# A quick performance check for CI (`make perf-smoke`, run by .ci/run): small ingest and feed
# benchmarks, each judged by a ratio measured within its own run, so that the machine's speed
# cancels out:
#   ingest  (b)/(a) of feedscout_ingest_bench: the engine's durable events/s over parse-only
#   feed    cold p50 / warm p50 of feedscout_feed_bench: a popular-only page (the baseline)
#           over a page built from a user's contexts
# Both are "higher is better". Each is compared with the ratio recorded in
# bench/perf_smoke_baseline.txt and fails only on a gross regression: below half of it.
#
#   scripts/perf-smoke.sh BUILD_DIR      (the benchmarks built in BUILD_DIR/bench)
set -euo pipefail

build_dir=${1:?usage: scripts/perf-smoke.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
baseline_file="$root/bench/perf_smoke_baseline.txt"
tolerance=2  # a ratio may fall to 1/tolerance of its baseline before the check fails

baseline() {
  local value
  value=$(awk -F= -v k="$1" '$1 == k { print $2 }' "$baseline_file")
  [ -n "$value" ] || { echo "perf-smoke: no baseline '$1' in $baseline_file" >&2; exit 2; }
  echo "$value"
}

failed=0
# judge NAME VALUE: compares VALUE with the baseline of NAME.
judge() {
  local name=$1 value=$2 base
  base=$(baseline "$name")
  if awk -v v="$value" -v b="$base" -v t="$tolerance" 'BEGIN { exit !(v >= b / t) }'; then
    printf 'perf-smoke: %-28s %8.4f  baseline %8.4f  floor %8.4f  ok\n' "$name" "$value" "$base" \
      "$(awk -v b="$base" -v t="$tolerance" 'BEGIN { print b / t }')"
  else
    printf 'perf-smoke: %-28s %8.4f  baseline %8.4f  floor %8.4f  REGRESSION\n' "$name" "$value" \
      "$base" "$(awk -v b="$base" -v t="$tolerance" 'BEGIN { print b / t }')"
    failed=1
  fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$build_dir/bench/feedscout_ingest_bench" --events 200000 --users 20000 --docs 5000 \
  --no-repeat --tmp "$tmp" >"$tmp/ingest.txt" 2>&1 ||
  { cat "$tmp/ingest.txt"; echo "perf-smoke: the ingest benchmark failed" >&2; exit 1; }
grep -E '^\((a|b)\)|^ratio' "$tmp/ingest.txt"
# The figure before "events/s" on the (a) and (b) lines.
ingest_ratio=$(awk 'function rate(  i) { for (i = 2; i <= NF; ++i) if ($i == "events/s") return $(i-1) }
                    /^\(a\) parse only/ { a = rate() } /^\(b\) engine/ { b = rate() }
                    END { if (a > 0 && b > 0) printf "%.6f", b / a }' "$tmp/ingest.txt")
[ -n "$ingest_ratio" ] || { cat "$tmp/ingest.txt"; echo "perf-smoke: no ingest figures" >&2; exit 1; }
judge ingest_engine_over_parse "$ingest_ratio"

"$build_dir/bench/feedscout_feed_bench" --docs 5000 --users 10000 --events 100000 \
  --requests 3000 --tmp "$tmp" >"$tmp/feed.txt" 2>&1 ||
  { cat "$tmp/feed.txt"; echo "perf-smoke: the feed benchmark failed" >&2; exit 1; }
# The first table (Engine::feed): its "warm" and "cold ... BASE" rows, column p50 (the 6th
# from the end: n p50 p90 p99 max mean req/s).
feed_ratio=$(awk '/^Engine::feed/ { t = 1 } /^Engine::context/ { t = 0 }
                  t && /^warm / { w = $(NF-5) } t && /^cold .*BASE/ { c = $(NF-5) }
                  END { if (w > 0 && c > 0) printf "%.6f", c / w }' "$tmp/feed.txt")
grep -E '^(warm|cold)' "$tmp/feed.txt" | head -2
[ -n "$feed_ratio" ] || { cat "$tmp/feed.txt"; echo "perf-smoke: no feed figures" >&2; exit 1; }
judge feed_cold_over_warm_p50 "$feed_ratio"

exit "$failed"
