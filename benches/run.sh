#!/usr/bin/env bash
# End-to-end timings of the main commands on a 1,000,000-row sample, with
# peak memory, written as a Markdown table into BENCHMARKS.md between
#   <!-- run.sh:begin --> and <!-- run.sh:end -->
#
# Usage: bash benches/run.sh            (N=200000 bash benches/run.sh for a quicker run)
# Needs: cargo, GNU time at /usr/bin/time. The zen-engine peer is timed when
# /tmp/peers/zen-bench/target/release/zen-bench exists (see ../shared/peers).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000000}
WORK=${WORK:-/tmp/thresholds-bench}
BIN=target/release/thresholds
ZEN=/tmp/peers/zen-bench/target/release/zen-bench
PEER_CSV=/tmp/records_1m.csv
OUT=BENCHMARKS.md

[ -x /usr/bin/time ] || { echo "run.sh needs GNU time at /usr/bin/time" >&2; exit 2; }
echo "== building (release)"
cargo build --release --locked --quiet

mkdir -p "$WORK"
DATA="$WORK/referrals_$N.csv"
if [ ! -s "$DATA" ]; then
  echo "== generating $N referrals"
  "$BIN" sample rules/continuum.thr --n "$N" --seed 1 -o "$DATA"
fi

# The "new version": the default rules with two thresholds moved (scripts copied alongside).
rm -rf "$WORK/new" && mkdir -p "$WORK/new" && cp -r rules/. "$WORK/new/"
sed -i -e 's/count(indicators at early_help) >= 3/count(indicators at early_help) >= 2/' \
       -e 's/exploitation_score() >= 10/exploitation_score() >= 9/' "$WORK/new/continuum.thr"

# A generated 2,000-rule file for `check`.
BIG="$WORK/rules_2000.thr"
{
  echo 'continuum "Generated" version "1"'
  echo 'levels { l1 "One" l2 "Two" l3 "Three" l4 "Four" }'
  echo 'fields { age: number score: number? }'
  echo 'domain d "Generated" {'
  for i in $(seq 0 199); do echo "  indicator i$i \"Indicator $i\" at l$(( i % 3 + 1 ))"; done
  echo '}'
  for r in $(seq 0 1999); do
    a=$(( r % 200 )); b=$(( (r * 7 + 3) % 200 )); c=$(( (r * 13 + 5) % 200 ))
    case $(( r % 4 )) in
      0) echo "rule r$r \"Rule $r\" when count(i$a, i$b, i$c) >= 2 then at least l$(( r % 3 + 2 ))" ;;
      1) echo "rule r$r \"Rule $r\" when age < $(( r % 18 + 1 )) and i$a then raise 1" ;;
      2) echo "rule r$r \"Rule $r\" when score >= $(( r % 24 )) and (i$a or i$b) then at least l4" ;;
      3) echo "rule r$r \"Rule $r\" when count(indicators at l2) >= $(( r % 5 + 2 )) then at least l3" ;;
    esac
  done
} > "$BIG"

ROWS=()
declare -A MEDIAN
REPS=${REPS:-3}
# measure LABEL ROWS_PROCESSED CMD...: wall time (median of REPS runs, with
# the fastest and slowest, since wall time on a shared VM varies by tens of
# percent between runs) and the largest peak RSS, via GNU time.
measure() {
  local label=$1 rows=$2; shift 2
  echo "== $label"
  local log="$WORK/time.log"
  local rc=0 rss=0 times=() r
  for r in $(seq "$REPS"); do
    rc=0
    /usr/bin/time -v "$@" > "$WORK/stdout.log" 2> "$log" || rc=$?
    local wall one secs
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log")
    one=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
    secs=$(echo "$wall" | awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
    times+=("$secs")
    [ "$one" -gt "$rss" ] && rss=$one
    echo "   run $r: ${secs}s, ${one} kB, exit $rc"
  done
  local sorted med lo hi rate
  sorted=$(printf '%s\n' "${times[@]}" | sort -g)
  med=$(echo "$sorted" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  lo=$(echo "$sorted" | head -1)
  hi=$(echo "$sorted" | tail -1)
  MEDIAN[$label]=$med
  if [ "$rows" -gt 0 ]; then
    rate=$(awk -v n="$rows" -v s="$med" 'BEGIN { if (s > 0) printf "%\047.0f", n / s; else print "—" }')
  else
    rate="—"
  fi
  local note=""
  [ "$rc" -eq 0 ] || note=" (exit $rc)"
  ROWS+=("| \`$label\`$note | $(printf '%.2f' "$med") s | $(printf '%.2f' "$lo")–$(printf '%.2f' "$hi") s | $rate | $(( rss / 1024 )) MB |")
}

measure "thresholds score rules/continuum.thr DATA -o OUT.csv" "$N" \
  "$BIN" score rules/continuum.thr "$DATA" -o "$WORK/scored.csv"
measure "thresholds audit rules/continuum.thr DATA -o REPORT.json" "$N" \
  "$BIN" audit rules/continuum.thr "$DATA" -o "$WORK/audit.json"
measure "thresholds diff rules/continuum.thr NEW DATA -o REPORT.json" "$N" \
  "$BIN" diff rules/continuum.thr "$WORK/new/continuum.thr" "$DATA" -o "$WORK/diff.json"
measure "thresholds diff rules/continuum.thr NEW DATA (terminal summary)" "$N" \
  "$BIN" diff rules/continuum.thr "$WORK/new/continuum.thr" "$DATA"
measure "thresholds check rules_2000.thr (2,000 rules)" 0 \
  "$BIN" check "$BIG"

# A CIN census return of N episodes (issue 16: read and score >= 300,000
# episodes/s, memory flat at 1 M episodes).
CENSUS="$WORK/census_$N.xml"
if [ ! -s "$CENSUS" ]; then
  echo "== generating a CIN census of $N episodes"
  "$BIN" sample rules/cin.thr --n "$N" --seed 1 -o "$CENSUS"
fi
measure "thresholds score rules/cin.thr CENSUS.xml -o OUT.csv" "$N" \
  "$BIN" score rules/cin.thr "$CENSUS" -o "$WORK/census_scored.csv"
measure "thresholds audit rules/cin.thr CENSUS.xml --by agency --period referral_date -o REPORT.json" "$N" \
  "$BIN" audit rules/cin.thr "$CENSUS" --by agency --period referral_date --period-by fy-quarter -o "$WORK/census_audit.json"

# Memory must stay flat: the same scoring on five times the rows
# (FIVE=0 skips it; it needs about 500 MB of disk).
if [ "${FIVE:-1}" != 0 ]; then
  DATA5="$WORK/referrals_$((N * 5)).csv"
  if [ ! -s "$DATA5" ]; then
    echo "== generating $((N * 5)) referrals"
    "$BIN" sample rules/continuum.thr --n "$((N * 5))" --seed 1 -o "$DATA5"
  fi
  measure "thresholds score rules/continuum.thr DATA x5 -o OUT.csv" "$((N * 5))" \
    "$BIN" score rules/continuum.thr "$DATA5" -o "$WORK/scored5.csv"
fi

if [ -x "$ZEN" ]; then
  # zen-bench reads its decision graph from its own folder. Its own table
  # (evaluations per second, by mode) is kept for the comparison below.
  ZEN_ARGS="--n 1000000 --reps 3 --threads 2"
  [ -s "$PEER_CSV" ] || ZEN_ARGS="$ZEN_ARGS --dump-csv $PEER_CSV"
  # One run: zen-bench repeats its own measurements (--reps) and takes minutes.
  REPS=1 measure "zen-bench $ZEN_ARGS (every mode of the peer; its own table below)" 0 \
    bash -c "cd '$(dirname "$(dirname "$(dirname "$ZEN")")")' && exec ./target/release/zen-bench $ZEN_ARGS"
  ZEN_TABLE=$(grep '^| zen-engine' "$WORK/stdout.log" || true)
  if [ -s "$PEER_CSV" ] && [ -f benches/peer.thr ]; then
    measure "thresholds score benches/peer.thr /tmp/records_1m.csv (same table as zen)" 1000000 \
      "$BIN" score benches/peer.thr "$PEER_CSV" -o "$WORK/peer_scored.csv"
    if [ "${FIVE:-1}" != 0 ]; then
      PEER5="$WORK/records_5m.csv"
      [ -s "$PEER5" ] || awk -F, -v OFS=, 'FNR == 1 { k++; if (k == 1) print; next } { $1 = (k - 1) * 1000000 + $1; print }' \
        "$PEER_CSV" "$PEER_CSV" "$PEER_CSV" "$PEER_CSV" "$PEER_CSV" > "$PEER5"
      measure "thresholds score benches/peer.thr records_5m.csv (the peer rows five times)" 5000000 \
        "$BIN" score benches/peer.thr "$PEER5" -o "$WORK/peer_scored5.csv"
    fi
  fi
else
  echo "== zen-engine peer not built ($ZEN): skipped"
fi

CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
TABLE="$WORK/table.md"
{
  echo "<!-- run.sh:begin -->"
  echo "Measured by \`benches/run.sh\` on $(date -u +%Y-%m-%d): $(nproc) cores ($CPU), $(rustc --version), $N records."
  echo
  echo "| Command | Wall time (median of $REPS) | Fastest–slowest | Rows/s (median) | Peak RSS |"
  echo "|---|---:|---:|---:|---:|"
  printf '%s\n' "${ROWS[@]}"
  S=${MEDIAN["thresholds score rules/continuum.thr DATA -o OUT.csv"]:-}
  D=${MEDIAN["thresholds diff rules/continuum.thr NEW DATA -o REPORT.json"]:-}
  if [ -n "$S" ] && [ -n "$D" ]; then
    echo
    echo "\`diff\` takes $(awk -v d="$D" -v s="$S" 'BEGIN { printf "%.2f", d / s }') × the time of one \`score\` (medians)."
  fi
  if [ -n "${ZEN_TABLE:-}" ]; then
    echo
    echo "zen-engine's own figures in the same run (evaluation of the 13-row table only, records in memory):"
    echo
    echo "| engine | mode | threads | us/eval | evals/s |"
    echo "|---|---|---:|---:|---:|"
    echo "$ZEN_TABLE"
  fi
  echo "<!-- run.sh:end -->"
} > "$TABLE"

if [ ! -f "$OUT" ]; then
  printf '# Benchmarks\n\n<!-- run.sh:begin -->\n<!-- run.sh:end -->\n' > "$OUT"
fi
if grep -q '<!-- run.sh:begin -->' "$OUT"; then
  awk -v table="$TABLE" '
    /<!-- run.sh:begin -->/ { while ((getline line < table) > 0) print line; skip = 1; next }
    /<!-- run.sh:end -->/   { skip = 0; next }
    !skip { print }
  ' "$OUT" > "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
else
  { echo; cat "$TABLE"; } >> "$OUT"
fi
echo "== wrote $OUT"
cat "$TABLE"
