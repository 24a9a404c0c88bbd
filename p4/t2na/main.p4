/*
 * T2NA (Tofino 2) wrapper of the Geneve VTEP: the architecture, the CPU port, then the
 * Tofino glue shared with TNA (../tofino/vtep.p4) around the common core.
 * Compile: bf-p4c --target tofino2 --arch t2na -g -I p4 p4/t2na/main.p4 (npm run p4:compile:tofino).
 */
#include <core.p4>
#include <t2na.p4>

/* The PCIe CPU port of Tofino 2: compile with -DCPU_PORT=N to match the fabric file's cpuPort. */
#ifndef CPU_PORT
#define CPU_PORT 0
#endif

/* Tofino 2 can mirror the packet as it entered or as it leaves the egress deparser: the
 * punt wants the packet as it leaves, without the encapsulation. */
#define TOFINO_MIRROR_OUTGOING(eg_dprsr_md) eg_dprsr_md.mirror_io_select = 1;

#include "../tofino/vtep.p4"
