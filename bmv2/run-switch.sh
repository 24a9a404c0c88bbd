#!/usr/bin/env bash
# Starts bmv2's simple_switch_grpc for the Geneve VTEP on loopback. bmv2 must be installed
# (simple_switch_grpc on PATH, or SIMPLE_SWITCH_GRPC pointing at it); this script builds nothing.
#
# The switch starts without a program (--no-p4): the controller pushes bmv2/geneve_vtep.json and its
# P4Info over P4Runtime (SetForwardingPipelineConfig), as on any P4Runtime target.
#
# Packets reach the switch in one of three ways:
#   --dataplane ADDR     bmv2's gRPC dataplane service (p4.bm.DataplaneInterface) on ADDR
#   --pcap-dir DIR       one pcap pair per port: DIR/port<N>_in.pcap replayed (an empty one is created
#                        when missing: bmv2 needs every input), DIR/port<N>_out.pcap written
#   --interface N@IF     a real or veth interface as port N (repeatable)
set -euo pipefail

usage() {
  cat <<USAGE
usage: $0 [options]
  --grpc ADDR           P4Runtime address (default 127.0.0.1:9559; keep it on loopback)
  --cpu-port N          CPU port for packet-in/out (default 255, as in p4/v1model/main.p4)
  --device-id N         P4Runtime device id (default 1)
  --ports N             data ports 0..N-1 for --pcap-dir (default 8), as genevectl target serve
  --pcap-dir DIR        use pcap files in DIR (bmv2 --use-files): portN_in.pcap in, portN_out.pcap out
  --pcap-wait SECONDS   wait this long before replaying the input pcaps, so a controller can push
                        the program first (default 5)
  --interface N@IF      attach interface IF as port N (repeatable)
  --dataplane ADDR      inject/receive packets over bmv2's gRPC dataplane service at ADDR
  --log FILE            bmv2 debug log to FILE (default: no log; bmv2 formats every message its
                        level lets through, which costs it about half its CPU per packet)
  --log-level LEVEL     bmv2 log level: trace, debug, info, warn, error, off (default off; debug
                        with --log)
  -h, --help            this text
USAGE
}

grpc=127.0.0.1:9559
cpu_port=255
device_id=1
ports=8
pcap_dir=
pcap_wait=5
dataplane=
log_file=
log_level=
interfaces=()

while [ $# -gt 0 ]; do
  case "$1" in
    --grpc) grpc=$2; shift 2 ;;
    --cpu-port) cpu_port=$2; shift 2 ;;
    --device-id) device_id=$2; shift 2 ;;
    --ports) ports=$2; shift 2 ;;
    --pcap-dir) pcap_dir=$2; shift 2 ;;
    --pcap-wait) pcap_wait=$2; shift 2 ;;
    --interface) interfaces+=("$2"); shift 2 ;;
    --dataplane) dataplane=$2; shift 2 ;;
    --log) log_file=$2; shift 2 ;;
    --log-level) log_level=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "$0: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

switch=${SIMPLE_SWITCH_GRPC:-simple_switch_grpc}
if ! command -v "$switch" >/dev/null 2>&1; then
  echo "$0: $switch not found: install bmv2 with simple_switch_grpc (p4lang/behavioral-model, built with PI)" >&2
  exit 2
fi
case "$grpc" in
  127.*|localhost:*|\[::1\]:*) ;;
  *) echo "$0: refusing to listen on $grpc: keep the P4Runtime server on loopback" >&2; exit 2 ;;
esac

args=(--no-p4 --device-id "$device_id")
# bmv2's own default level is trace: always pass one.
if [ -n "$log_file" ]; then
  args+=(--log-file "$log_file" --log-level "${log_level:-debug}" --log-flush)
else
  args+=(--log-level "${log_level:-off}")
fi
if [ -n "$pcap_dir" ]; then
  mkdir -p "$pcap_dir"
  # bmv2 reads port<N>_in.pcap and writes port<N>_out.pcap, as the embedded target does.
  for n in $(seq 0 $((ports - 1))); do
    [ -e "$pcap_dir/port${n}_in.pcap" ] || printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00\x01\x00\x00\x00' >"$pcap_dir/port${n}_in.pcap"
    args+=(-i "$n@$pcap_dir/port$n")
  done
  args+=(--use-files "$pcap_wait")
fi
for i in "${interfaces[@]}"; do args+=(-i "$i"); done

target_args=(--grpc-server-addr "$grpc" --cpu-port "$cpu_port")
if [ -n "$dataplane" ]; then target_args+=(--dp-grpc-server-addr "$dataplane"); fi

echo "$switch ${args[*]} -- ${target_args[*]}" >&2
exec "$switch" "${args[@]}" -- "${target_args[@]}"
