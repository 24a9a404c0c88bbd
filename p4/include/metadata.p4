/*
 * Per-packet metadata of the VTEP pipeline. Ingress decides, egress carries out the
 * per-copy work (policy, encapsulation, MTU), so everything egress needs is here and
 * travels with each replica.
 */
#ifndef GENEVE_METADATA_P4
#define GENEVE_METADATA_P4

#include "headers.p4"

/* What the parser learned about a received Geneve header. */
struct geneve_parse_t {
    geneve_status_t status;
    bit<8>          words_left;  /* v1model's Opt Len word counter (Tofino uses its parser counter) */
    bit<8>          option_bytes; /* Opt Len in bytes (set by the parser, 0 without options) */
    /* option_at_<i>: option word i is an option header (set by the parser, one field per word
     * so that each is written at most once; see geneve_options.p4). */
    bit<1>          option_at_0;
    bit<1>          option_at_1;
    bit<1>          option_at_2;
    bit<1>          option_at_3;
    bit<1>          option_at_4;
    bit<1>          option_at_5;
    bit<1>          option_at_6;
    bit<1>          option_at_7;
    /* Filled by GeneveSecurityId from the first security-ID option. */
    /* An unknown critical option was found (set by termination, applied by the final verdict). */
    bit<1>          unknown_critical;
    bit<1>          security_id_present;
    security_id_t   security_id;
}

/* The tunnel a frame leaves through, resolved in ingress (unicast) or by the replica (flood). */
struct tunnel_t {
    bit<1>      is_ipv6;
    ipv6_addr_t src_addr;  /* our VTEP address; an IPv4 address sits in the low 32 bits */
    ipv6_addr_t dst_addr;  /* the remote VTEP address, likewise */
    mac_addr_t  src_mac;   /* our uplink MAC */
    mac_addr_t  dst_mac;   /* underlay next hop */
}

/* What neighbor suppression found for an ARP request or Neighbor Solicitation. */
struct neighbor_t {
    /* The parser saw an ARP request for IPv4 over Ethernet, or a Neighbor Solicitation with
     * code 0, hop limit 255 and one source link-layer address option (RFC 4861 7.1.1). */
    bit<1>             request;
    neighbor_verdict_t verdict;
}

struct local_metadata_t {
    geneve_parse_t geneve;

    port_role_t   port_role;
    bit<1>        from_tunnel;         /* arrived through a tunnel we terminated */
    bit<1>        vtep_trusted;        /* the sending VTEP's security IDs are believed */
    vport_id_t    src_vport;           /* 0 when the frame came from a tunnel */
    vlan_id_t     src_vlan;            /* access VLAN the frame arrived with (0: untagged) */
    vni_t         vni;
    tenant_slot_t tenant_slot;
    security_id_t src_security_id;
    security_id_t unknown_security_id; /* the VNI's stand-in for an unproven source */
    bit<16>       frame_len;           /* bytes of the tenant frame as it will be encapsulated */
    bool          outer_ipv4_checksum_ok; /* set by parsers that verify it (TNA); v1model has its own */

    /* Overlay forwarding result. */
    delivery_t    delivery;
    vport_id_t    dst_vport;
    vlan_id_t     dst_vlan;            /* 0: deliver untagged */
    security_id_t dst_security_id;
    tunnel_id_t   tunnel_id;
    tunnel_t      tunnel;              /* from a tunnel: the way back to the sending VTEP */
    neighbor_t    neighbor;

    /* Policy key extras, from the tenant frame. */
    bit<8>  ip_protocol;   /* 0 when the frame is not IP or its L4 header was not parsed */
    bit<16> l4_dst_port;
    bit<16> flow_hash;     /* entropy for the outer UDP source port and IPv6 flow label */

    /* Pipeline outcome, acted upon by the architecture glue. */
    port_t          egress_port;
    bit<16>         mcast_group;
    drop_reason_t   drop_reason;
    punt_reason_t   punt_reason;
    @field_list(1)
    bit<16>         original_ingress_port; /* kept for the packet-in of a cloned copy */
    @field_list(1)
    punt_reason_t   clone_reason;
    bit<16>         mtu;
}

#endif
