#!/bin/bash
# usage: .ab-trace.sh DIR OUT  — one round-1 run with --trace-opt, sum of TurboFan compile ms after pipeline load
. /opt/p4tools/env.sh
cd $1
BENCH_ROUNDS=1 BENCH_SERVER_LOG=1 BENCH_SERVER_NODE_ARGS="--trace-opt --trace-deopt" BENCH_SETUPS=serve npx tsx bench/p4runtime-writes.bench.ts > $2 2>&1
grep "completed compiling\|waiting for a controller" $2 | sed 's/.*JSFunction \([^ ]*\) .*target \([A-Z]*\).*took \([0-9.]*\), \([0-9.]*\), \([0-9.]*\) ms.*/\4 \2 \1/' | sed -n '/waiting/,$p' | grep -v waiting | sort -rn | awk '{s+=$1; n++} END {printf "compiles %d total %.1f ms\n", n, s}'
grep -c "bailout (kind: deopt" $2 | sed 's/^/deopts /'
grep "entries/s" $2
