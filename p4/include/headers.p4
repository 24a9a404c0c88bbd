/*
 * Header formats. Byte layouts follow the wire; field names follow the RFCs.
 *
 * A frame is parsed into three groups:
 *  - "frame" headers (ethernet, vlan, ipv4, ipv6, tcp_ports, udp): the outermost
 *    headers. On an access port they are the tenant frame itself; on an uplink they are
 *    the underlay headers of a tunnel packet.
 *  - the received Geneve header and its options (geneve, geneve_option_words).
 *  - "inner" headers of a received Geneve packet. Tunnel termination moves them into the
 *    frame group when it strips the tunnel, so every later control sees one layout.
 * Encapsulation adds the "tunnel_*" group, emitted before everything else.
 */
#ifndef GENEVE_HEADERS_P4
#define GENEVE_HEADERS_P4

#include "constants.p4"

#ifndef PORT_BITS
#define PORT_BITS 9
#endif
typedef bit<PORT_BITS> port_t;

header ethernet_h {
    mac_addr_t dst_addr;
    mac_addr_t src_addr;
    bit<16>    ether_type;
}

/* IEEE 802.1Q tag, the 4 bytes after the source MAC (its TPID sits in ethernet.ether_type). */
header vlan_h {
    bit<3>    pcp;
    bit<1>    dei;
    vlan_id_t vid;
    bit<16>   ether_type;
}

header ipv4_h {
    bit<4>      version;
    bit<4>      ihl;
    bit<6>      dscp;
    bit<2>      ecn;
    bit<16>     total_len;
    bit<16>     identification;
    bit<1>      reserved;
    bit<1>      dont_fragment;
    bit<1>      more_fragments;
    bit<13>     frag_offset;
    bit<8>      ttl;
    bit<8>      protocol;
    bit<16>     hdr_checksum;
    ipv4_addr_t src_addr;
    ipv4_addr_t dst_addr;
}

header ipv6_h {
    bit<4>      version;
    bit<8>      traffic_class;
    bit<20>     flow_label;
    bit<16>     payload_len;
    bit<8>      next_hdr;
    bit<8>      hop_limit;
    ipv6_addr_t src_addr;
    ipv6_addr_t dst_addr;
}

/* ARP for IPv4 over Ethernet (RFC 826): 28 bytes. */
header arp_h {
    bit<16>     htype;
    bit<16>     ptype;
    bit<8>      hlen;
    bit<8>      plen;
    bit<16>     oper;
    mac_addr_t  sha;  /* sender hardware address */
    ipv4_addr_t spa;  /* sender protocol address */
    mac_addr_t  tha;  /* target hardware address */
    ipv4_addr_t tpa;  /* target protocol address */
}

/* ICMPv6 header (RFC 4443 2.1). */
header icmpv6_h {
    bit<8>  type;
    bit<8>  code;
    bit<16> checksum;
}

/* Neighbor Solicitation / Advertisement body after the ICMPv6 header (RFC 4861 4.3, 4.4):
 * reserved (NS) or R S O flags and reserved (NA), then the target address. */
header nd_h {
    bit<32>     flags;
    ipv6_addr_t target;
}

/* A link-layer address option of length 1 (RFC 4861 4.6.1): type 1 source, 2 target. */
header nd_lla_option_h {
    bit<8>     type;
    bit<8>     length;
    mac_addr_t addr;
}

/* Only the port pair of a TCP header: policy needs the destination port and the flow
 * hash both ports; the rest of the TCP header travels untouched as payload. */
header l4_ports_h {
    bit<16> src_port;
    bit<16> dst_port;
}

header udp_h {
    bit<16> src_port;
    bit<16> dst_port;
    bit<16> length;
    bit<16> checksum;
}

/*
 * Geneve base header (RFC 8926 3.4), 8 bytes:
 *   Ver(2) Opt Len(6) O(1) C(1) Rsvd(6) Protocol Type(16) | VNI(24) Reserved(8)
 * Opt Len is the length of the options in 4-byte words, excluding this header.
 */
header geneve_h {
    bit<2>  version;
    bit<6>  opt_len;
    bit<1>  oam;
    bit<1>  critical;
    bit<6>  reserved1;
    bit<16> protocol_type;
    vni_t   vni;
    bit<8>  reserved2;
}

/*
 * One 4-byte word of the Geneve options area. Received options are kept word by word,
 * in wire order, so a frame that merely carries Geneve (a tenant's own nested overlay)
 * is re-emitted byte for byte. Each option starts with a header word (RFC 8926 3.5):
 *   Option Class(16) | Type(8, high bit = critical) R(3) Length(5, data words)
 */
header geneve_option_word_h {
    bit<32> word;
}

/* The security-ID option we send: option header plus one 32-bit data word. The second 16 bits
 * of the header are one field, critical(1) type(7) reserved(3) length(5), written at once (on
 * Tofino a single move, which its checksum copy needs too). */
header geneve_security_option_h {
    bit<16>       option_class;
    bit<16>       flags_type_length;
    security_id_t security_id;
}

/* Metadata exchanged with the controller over P4Runtime PacketIn / PacketOut. */
@controller_header("packet_in")
header packet_in_h {
    bit<16>       ingress_port;  /* port the frame arrived on */
    punt_reason_t reason;        /* PUNT_* */
    bit<8>        pad;
}

@controller_header("packet_out")
header packet_out_h {
    bit<16> egress_port;  /* port the controller sends the frame out of */
    bit<16> pad;
}

struct headers_t {
    packet_out_h packet_out;
    packet_in_h  packet_in;

    /* Added by encapsulation. */
    ethernet_h               tunnel_ethernet;
    ipv4_h                   tunnel_ipv4;
    ipv6_h                   tunnel_ipv6;
    udp_h                    tunnel_udp;
    geneve_h                 tunnel_geneve;
    geneve_security_option_h tunnel_security_option;

    /* The outermost frame as received. */
    ethernet_h ethernet;
    vlan_h     vlan;
    ipv4_h     ipv4;
    ipv6_h     ipv6;
    l4_ports_h tcp_ports;
    udp_h      udp;

    /* A received Geneve header and its options, word by word. */
    geneve_h             geneve;
    geneve_option_word_h[GENEVE_MAX_OPTION_WORDS] geneve_option_words;

    /* The tenant frame inside a received Geneve packet. */
    ethernet_h inner_ethernet;
    ipv4_h     inner_ipv4;
    ipv6_h     inner_ipv6;
    l4_ports_h inner_tcp_ports;
    udp_h      inner_udp;

    /* ARP and Neighbor Discovery of the tenant frame: after the frame's Ethernet header on an
     * access port, after the inner one in a tunnel (a frame holds at most one of them), so one
     * instance serves both and is emitted last (the headers between are then invalid). */
    arp_h           arp;
    icmpv6_h        icmpv6;
    nd_h            nd;
    nd_lla_option_h nd_option;
}

#endif
