/*
 * What travels from ingress to egress on Tofino, where egress re-parses the packet and
 * sees none of ingress's metadata: an explicit bridged-metadata header that the ingress
 * deparser puts in front of the frame and the egress parser takes off again (the pattern
 * of fabric-tna's bridged_metadata_t). It carries only what egress needs for the per-copy
 * work (replication, policy, local delivery, encapsulation, MTU).
 *
 * Egress also parses the copies that egress mirroring makes for MTU punts; they start with
 * a mirror header instead. The first byte of either tells them apart.
 */
#ifndef TOFINO_BRIDGED_P4
#define TOFINO_BRIDGED_P4

#include "../include/metadata.p4"

typedef bit<8> egress_kind_t;
const egress_kind_t EGRESS_KIND_BRIDGED = 1;     /* a packet from ingress, bridged header first */
const egress_kind_t EGRESS_KIND_PUNT_MIRROR = 2; /* an egress mirror copy for an MTU punt */

header bridged_metadata_h {
    egress_kind_t kind;
    delivery_t    delivery;         /* DELIVERY_NONE: egress leaves the packet alone */
    bit<1>        from_tunnel;
    bit<1>        tunnel_is_ipv6;
    bit<1>        oam_punt;         /* rule 13: a Geneve OAM punt, metered in egress */
    bit<1>        _pad0;
    bit<2>        tenant_ecn;       /* rule 12 (egress does not parse the tenant frame); the low
                                     * bits of its byte, as the ECN field of the IPv4 header */
    vport_id_t    src_vport;
    vport_id_t    dst_vport;
    vni_t         vni;
    bit<4>        _pad1;
    tenant_slot_t tenant_slot;
    bit<4>        _pad2;
    vlan_id_t     dst_vlan;
    security_id_t src_security_id;
    security_id_t dst_security_id;
    bit<8>        ip_protocol;
    bit<16>       l4_dst_port;
    bit<16>       flow_hash;
    /* What ingress changed in the frame's length (-4 for a removed access tag, -4 for the
     * FCS that egress's pkt_length counts), modulo 2^16; egress adds the received length,
     * which Tofino gives only there. */
    bit<16>       frame_len_adjust;
    bit<16>       original_ingress_port;
    /* The tunnel resolved in ingress (unicast to a remote VTEP); flood copies resolve theirs
     * in egress. IPv4 addresses sit in the low 32 bits. */
    bit<128>      tunnel_src;
    bit<128>      tunnel_dst;
    mac_addr_t    tunnel_src_mac;
    mac_addr_t    tunnel_dst_mac;
}

/* The mirror header of an MTU punt: what the packet-in of the copy needs. */
header punt_mirror_h {
    egress_kind_t kind;
    bit<16>       original_ingress_port;
    punt_reason_t reason;
}

#endif
