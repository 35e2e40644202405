#!/usr/bin/env bash
# Runs each fuzz target for SECS seconds (default 600), seeding its corpus from
# tests/ and rules/, and prints one summary line per target. Exits 1 when a
# target found a crash (the input is kept under fuzz/artifacts/TARGET/).
# FUZZ_EXTRA passes more libFuzzer flags (CI: -detect_leaks=0, see SECURITY.md).
set -u
cd "$(dirname "$0")"
SECS=${1:-600}
shift || true
TARGETS=${*:-check fmt script script_reuse data_csv data_json}
seed() {
  mkdir -p corpus/check corpus/fmt corpus/script corpus/script_reuse corpus/data_csv corpus/data_json
  for f in ../rules/*.thr ../tests/golden/check/*/rules.thr ../tests/fixtures/*/*.thr; do
    [ -f "$f" ] && cp "$f" "corpus/check/$(echo "$f" | tr '/' '_')" && cp "$f" "corpus/fmt/$(echo "$f" | tr '/' '_')"
  done
  for f in ../rules/scripts/*.rhai ../tests/hostile/files/scripts/*.rhai seeds/script/*.rhai; do
    [ -f "$f" ] && cp "$f" "corpus/script/$(basename "$f")"
  done
  for f in ../samples/referrals.csv ../tests/fixtures/*/*.csv; do
    [ -f "$f" ] && head -c 65536 "$f" > "corpus/data_csv/$(echo "$f" | tr '/' '_')"
  done
  for f in ../tests/fixtures/*/*.json ../tests/fixtures/*/*.jsonl; do
    [ -f "$f" ] && head -c 65536 "$f" > "corpus/data_json/$(echo "$f" | tr '/' '_')"
  done
}
seed
status=0
for t in $TARGETS; do
  log=$(mktemp)
  # The script targets run without AddressSanitizer: ASan's realloc copies
  # every time, so a single rhai built-in that grows a string by pushes
  # (`pad` to 2 MB) becomes quadratic and takes minutes, a timeout of the
  # sanitizer, not of the program (with the system allocator it takes
  # milliseconds). The time and memory bounds under test are about the real
  # allocator; the code is safe Rust but for the counting allocator.
  case $t in script|script_reuse) san="-s none" ;; *) san="" ;; esac
  cargo +nightly fuzz run $san -O "$t" "corpus/$t" -- -max_total_time="$SECS" -timeout=10 \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 ${FUZZ_EXTRA:-} >"$log" 2>&1
  code=$?
  execs=$(grep -a "stat::number_of_executed_units" "$log" | awk '{print $2}')
  echo "$t: exit $code, ${execs:-?} executions in ${SECS}s"
  if [ $code -ne 0 ]; then
    grep -a -E "panicked|ERROR|SUMMARY|Test unit written|error" "$log" | head -8
    status=1
  fi
  rm -f "$log"
done
exit $status
