/*
 * TNA (Tofino 1) wrapper of the Geneve VTEP: the architecture, the CPU port, then the
 * Tofino glue shared with T2NA (../tofino/vtep.p4) around the common core.
 * Compile: bf-p4c --target tofino --arch tna -g -I p4 p4/tna/main.p4 (npm run p4:compile:tofino).
 */
#include <core.p4>
#include <tna.p4>

/* The PCIe CPU port of a 4-pipe Tofino 1 (192 on 2-pipe parts): compile with -DCPU_PORT=N
 * to match the fabric file's cpuPort. */
#ifndef CPU_PORT
#define CPU_PORT 320
#endif

/* Tofino 1 mirrors the packet as the egress deparser emits it; nothing to select. */
#define TOFINO_MIRROR_OUTGOING(eg_dprsr_md)

#include "../tofino/vtep.p4"
