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
    /* recognized_at_<i>: option word i is the security-ID option's header, where the parser
     * recognizes it (GENEVE_OPTION_RECOGNITION_IN_PARSER, Tofino); 0 elsewhere. */
    bit<1>          recognized_at_0;
    bit<1>          recognized_at_1;
    bit<1>          recognized_at_2;
    bit<1>          recognized_at_3;
    bit<1>          recognized_at_4;
    bit<1>          recognized_at_5;
    bit<1>          recognized_at_6;
    bit<1>          recognized_at_7;
    /* Filled by GeneveSecurityId from the first security-ID option. */
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

/*
 * What ingress found out, one bit each, for the verdict (ingress_verdict.p4). The lookups and
 * checks that set them run side by side; the verdict takes them in contract order.
 */
struct ingress_facts_t {
    bit<1> ethernet_missing;   /* the frame has no Ethernet header (shorter than 14 bytes) */
    bit<1> vport_known;        /* vport_classification hit */
    /* Tunnel termination (rules 6-8, 12), meaningful on uplinks. */
    bit<1> mac_mismatch;       /* destination MAC is not the uplink's */
    bit<1> addressed_to_us;    /* outer destination is one of our VTEP addresses */
    bit<1> ip_options;         /* IPv4 options, or an IPv6 option header first */
    bit<1> checksum_error;     /* outer IPv4 header checksum wrong */
    bit<1> fragment;           /* outer IPv4 fragment, or IPv6 Fragment header */
    bit<1> length_bad;         /* outer datagram shorter than its headers, or not all in the frame */
    bit<1> not_geneve;         /* not UDP to port 6081 */
    bit<1> udp_length_bad;     /* UDP length disagrees with the IP length */
    bit<1> geneve_missing;     /* UDP payload too short for Geneve, or Geneve not parsed */
    bit<1> options_overrun;    /* Opt Len runs past the UDP payload */
    bit<1> unknown_critical;   /* an option with the critical bit that is not the recognized one */
    bit<1> frame_missing;      /* no room for, or no parse of, the tenant frame's Ethernet header */
    bit<1> tenant_known;       /* tenant_by_vni hit */
    bit<1> vtep_member;        /* vtep_membership hit */
    bit<1> oam;                /* Geneve O bit */
    bit<1> ecn_drop;           /* outer CE on a Not-ECT tenant frame (RFC 6040) */
    bit<1> terminated;         /* termination passed every check: the frame is decapsulated */
    /* Forwarding. */
    bit<1> tunnel_known;       /* tunnel hit */
    bit<1> route_known;        /* underlay route hit */
    bit<1> hairpin;            /* local delivery back to the source vport */
    bit<1> packet_out_port_bad; /* a packet-out's port is too large, the CPU port or no port of ours */
}

/* What neighbor suppression found for an ARP request or Neighbor Solicitation: facts for the
 * ingress verdict (ingress_verdict.p4), which decides. */
struct neighbor_t {
    /* The parser saw an ARP request for IPv4 over Ethernet, or a Neighbor Solicitation with
     * code 0, hop limit 255 and one source link-layer address option (RFC 4861 7.1.1). */
    bit<1> request;
    bit<1> answer;        /* an answerable request for a target with a binding in the VNI */
    bit<1> drop_unknown;  /* an answerable request, of a tenant that drops those it cannot answer */
}

struct local_metadata_t {
    geneve_parse_t geneve;
    ingress_facts_t facts;

    /* The port the port tables look up: the ingress port, or a packet-out's egress port
     * (rule 14); set by the wrapper's parser. */
    port_t        classify_port;
    vlan_id_t     access_vlan;         /* the frame's VLAN ID, 0 untagged (set by the parser) */
    bit<2>        outer_ecn;           /* the outer header's ECN field, kept for decapsulation */
    port_role_t   port_role;
    bit<1>        from_tunnel;         /* arrived through a tunnel we terminated */
    bit<1>        vtep_trusted;        /* the sending VTEP's security IDs are believed */
    vport_id_t    src_vport;           /* 0 when the frame came from a tunnel */
    vni_t         vni;
    tenant_slot_t tenant_slot;
    security_id_t src_security_id;
    security_id_t unknown_security_id; /* the VNI's, for a neighbor answer sent back through the tunnel */
    /* Bytes of the tenant frame as encapsulated (access ports). On an uplink, whose frames are
     * never encapsulated, what the UDP length of an IPv4 tunnel packet must be (rule 6): one
     * field for both (PHV on Tofino). */
    bit<16>       frame_len;
    bool          frame_over_64k;      /* the tenant frame has 65536 bytes or more: no tunnel can carry it */
    bool          outer_ipv4_checksum_ok; /* set by parsers that verify it (TNA); v1model has its own */
    mac_addr_t    uplink_mac_diff;     /* destination MAC XOR the ingress uplink's own MAC */
    bit<16>       tenant_frame_len;    /* a decapsulated frame's length plus the 16 bytes of UDP and Geneve headers (rule 10) */

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
    bit<2>  tenant_ecn;    /* the frame's ECN field (rule 12), copied to the outer header */

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
