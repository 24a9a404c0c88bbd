#!/bin/bash
# usage: .ab-repos.sh N DIR_A DIR_B — alternates the writes bench (serve,bmv2) between two repos
. /opt/p4tools/env.sh
N=$1; A=$2; B=$3
for i in $(seq 1 $N); do
  for cfg in A B; do
    if [ $cfg = A ]; then D=$A; else D=$B; fi
    out=$(cd $D && BENCH_SETUPS=serve,bmv2 npx tsx bench/p4runtime-writes.bench.ts 2>&1)
    r=$(echo "$out" | grep "entries/s per round" | sed 's/.*round: //')
    c=$(echo "$out" | grep -A0 "target serve)" | sed 's/.*server CPU \([0-9.]*\).*(main thread \([0-9.]*\).*/\1 \2/')
    b=$(echo "$out" | grep "^  bmv2 " | sed 's/.*server CPU \([0-9.]*\).*/\1/')
    echo "$i $cfg ratio $r | emb cpu/main r1 $c | bmv2 cpu r1 $b"
  done
done
