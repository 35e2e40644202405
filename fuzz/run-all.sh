#!/usr/bin/env bash
# Runs each fuzz target for SECS seconds (default 600) and prints a summary line per target.
set -u
cd "$(dirname "$0")"
SECS=${1:-600}
shift || true
TARGETS=${*:-check fmt script data_csv data_json}
for t in $TARGETS; do
  mkdir -p corpus/$t
  log=$(mktemp)
  cargo +nightly fuzz run -O "$t" corpus/$t -- -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 >"$log" 2>&1
  code=$?
  execs=$(grep -a "stat::number_of_executed_units" "$log" | awk '{print $2}')
  echo "$t: exit $code, ${execs:-?} executions in ${SECS}s"
  if [ $code -ne 0 ]; then grep -a -E "panicked|ERROR|SUMMARY|Test unit written" "$log" | head -5; fi
  rm -f "$log"
done
