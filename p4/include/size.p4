/*
 * Every table size of the VTEP, in one place (the P4Info `size` the controller sees). A
 * wrapper may define any of these before including the core to size a smaller or larger
 * device; the defaults fit bmv2 and both Tofino generations with stages to spare
 * (docs/TOFINO.md has the resource table).
 */
#ifndef GENEVE_SIZE_P4
#define GENEVE_SIZE_P4

/* Ports: one entry per front-panel port (9-bit port numbers). */
#ifndef PORT_TABLE_SIZE
#define PORT_TABLE_SIZE 512
#endif
/* Workload attachments (port, MAC, VLAN) on this VTEP. */
#ifndef VPORT_TABLE_SIZE
#define VPORT_TABLE_SIZE 16384
#endif
/* Our own VTEP addresses, per address family. */
#ifndef LOCAL_VTEP_TABLE_SIZE
#define LOCAL_VTEP_TABLE_SIZE 64
#endif
/* Tenants (VNIs) configured on this VTEP. */
#ifndef TENANT_TABLE_SIZE
#define TENANT_TABLE_SIZE 4096
#endif
/* (VNI, remote VTEP) memberships, per address family. */
#ifndef VTEP_MEMBERSHIP_TABLE_SIZE
#define VTEP_MEMBERSHIP_TABLE_SIZE 16384
#endif
/* (VNI, MAC) destinations: local and remote endpoints of every tenant. */
#ifndef OVERLAY_MAC_TABLE_SIZE
#define OVERLAY_MAC_TABLE_SIZE 65536
#endif
/* Remote VTEPs that unicast traffic is tunnelled to. */
#ifndef TUNNEL_TABLE_SIZE
#define TUNNEL_TABLE_SIZE 16384
#endif
/* Underlay routes to remote VTEPs, per address family. */
#ifndef UNDERLAY_ROUTE_TABLE_SIZE
#define UNDERLAY_ROUTE_TABLE_SIZE 4096
#endif
/* Next hops of all underlay routes together (action selector members), per address family. */
#ifndef UNDERLAY_NEXT_HOP_TABLE_SIZE
#define UNDERLAY_NEXT_HOP_TABLE_SIZE 4096
#endif
/* (VNI, IP) -> MAC bindings the VTEP answers ARP / Neighbor Solicitations with, per family. */
#ifndef NEIGHBOR_TABLE_SIZE
#define NEIGHBOR_TABLE_SIZE 65536
#endif
/* Replicas of all flood groups together. */
#ifndef FLOOD_REPLICA_TABLE_SIZE
#define FLOOD_REPLICA_TABLE_SIZE 65536
#endif
/* Policy rules of all tenants together. */
#ifndef POLICY_TABLE_SIZE
#define POLICY_TABLE_SIZE 16384
#endif
/* The fabric-wide security option format (sent) and recognition (received): default actions only. */
#ifndef SECURITY_OPTION_FORMAT_TABLE_SIZE
#define SECURITY_OPTION_FORMAT_TABLE_SIZE 1
#endif
/* Uplink MTUs: one per port. */
#ifndef MTU_TABLE_SIZE
#define MTU_TABLE_SIZE PORT_TABLE_SIZE
#endif

#endif
