/*
 * Frame parser, independent of the architecture: the architecture's parser calls it
 * for every frame that did not come from the controller.
 *
 * Access ports and uplinks share this parser (it cannot know a port's role), so it is
 * written to never lose a byte: everything it extracts is emitted again unless a
 * control removes it on purpose, and what it does not extract stays payload.
 * That matters for tenants who run their own Geneve overlay inside their frames.
 */
#ifndef GENEVE_PARSER_P4
#define GENEVE_PARSER_P4

#include "include/metadata.p4"
#include "geneve_options.p4"

/* Hooks an architecture wrapper may define before including this file. */
#ifndef FRAME_PARSER_DECLARATIONS
#define FRAME_PARSER_DECLARATIONS
#endif
#ifndef FRAME_PARSER_VERIFY_IPV4
#define FRAME_PARSER_VERIFY_IPV4(ipv4, meta)
#endif
/* NEIGHBOR_REQUESTS_IN_TUNNELS (include/constants.p4): ARP / Neighbor Solicitations parsed inside
 * tunnels too. */
#if NEIGHBOR_REQUESTS_IN_TUNNELS
#define INNER_ARP_CASE ETHERTYPE_ARP: parse_arp;
#define INNER_ICMPV6_CASE IP_PROTO_ICMPV6: parse_inner_icmpv6;
#else
#define INNER_ARP_CASE
#define INNER_ICMPV6_CASE
#endif
#if !defined(GENEVE_WORDS_LEFT_SET) || !defined(GENEVE_WORD_TAKEN) || !defined(GENEVE_NO_WORDS_LEFT)
#error "the architecture wrapper must define the Geneve option word counter (see geneve_options.p4)"
#endif

parser FrameParser(packet_in packet, out headers_t hdr, inout local_metadata_t meta) {

    /* FRAME_PARSER_DECLARATIONS: the architecture's parser externs (TNA: the outer IPv4
     * checksum unit). Metadata starts zeroed (v1model does it; the TNA wrapper asks for it),
     * so the parser writes each field at most once on any path, as Tofino requires. */
    FRAME_PARSER_DECLARATIONS
    GENEVE_OPTION_PARSER_DECLARATIONS

    state start {
        transition parse_ethernet;
    }

    state parse_ethernet {
        packet.extract(hdr.ethernet);
        transition select(hdr.ethernet.ether_type) {
            ETHERTYPE_VLAN: parse_vlan;
            ETHERTYPE_IPV4: parse_ipv4;
            ETHERTYPE_IPV6: parse_ipv6;
            ETHERTYPE_ARP: parse_arp;
            default: accept;
        }
    }

    /* One 802.1Q tag: the access VLAN. A second tag (QinQ) stays in the payload. */
    state parse_vlan {
        packet.extract(hdr.vlan);
        /* The vport lookup's key, ready before the first stage (0 when untagged). */
        meta.access_vlan = hdr.vlan.vid;
        transition select(hdr.vlan.ether_type) {
            ETHERTYPE_IPV4: parse_ipv4;
            ETHERTYPE_IPV6: parse_ipv6;
            ETHERTYPE_ARP: parse_arp;
            default: accept;
        }
    }

    /* L4 is parsed only when it directly follows a 20-byte header of a first fragment:
     * IPv4 options stay payload (no varbit), later fragments carry no L4 header. */
    state parse_ipv4 {
        packet.extract(hdr.ipv4);
        FRAME_PARSER_VERIFY_IPV4(hdr.ipv4, meta)
        transition select(hdr.ipv4.ihl, hdr.ipv4.frag_offset, hdr.ipv4.protocol) {
            (5, 0, IP_PROTO_TCP): parse_tcp;
            (5, 0, IP_PROTO_UDP): parse_udp;
            default: accept;
        }
    }

    /* Extension headers are not walked: L4 is parsed when it is the first next header. */
    state parse_ipv6 {
        packet.extract(hdr.ipv6);
        transition select(hdr.ipv6.next_hdr) {
            IP_PROTO_TCP: parse_tcp;
            IP_PROTO_UDP: parse_udp;
            IP_PROTO_ICMPV6: parse_icmpv6;
            default: accept;
        }
    }

#if NEIGHBOR_SUPPRESSION
    /* ARP and Neighbor Solicitations, for neighbor suppression (controls/neighbor_suppression.p4).
     * A solicitation's body and option are taken only when the ICMPv6 message is exactly one with a
     * single 8-byte option (a payload length of 32): never past the end of the message. */
    /* Only ARP for IPv4 over Ethernet is taken; other ARP stays payload. The checks that make
     * a request answerable are made here, four bytes at a time, where they cost no stage. */
    state parse_arp {
        transition select(packet.lookahead<bit<32>>()) {
            ARP_ETHERNET_IPV4: parse_arp_ipv4;
            default: accept;
        }
    }

    state parse_arp_ipv4 {
        packet.extract(hdr.arp);
        transition select(hdr.arp.hlen, hdr.arp.plen, hdr.arp.oper) {
            (6, 4, ARP_OPER_REQUEST): neighbor_request;
            default: accept;
        }
    }

    state parse_icmpv6 {
        packet.extract(hdr.icmpv6);
        transition select(hdr.icmpv6.type, hdr.ipv6.payload_len, hdr.ipv6.hop_limit) {
            (ICMPV6_NEIGHBOR_SOLICITATION, ND_SOLICITATION_WITH_SLLA_BYTES, ND_HOP_LIMIT): parse_nd;
            default: accept;
        }
    }

    state parse_nd {
        packet.extract(hdr.nd);
        packet.extract(hdr.nd_option);
        transition select(hdr.icmpv6.code, hdr.nd_option.type, hdr.nd_option.length) {
            (0, ND_OPTION_SOURCE_LLA, 1): neighbor_request;
            default: accept;
        }
    }

#else
    /* Without neighbor suppression in the data plane (NEIGHBOR_SUPPRESSION 0) a request is only
     * marked, from a look at its first bytes, and nothing is extracted: the controller answers it
     * from the packet-in, and checks what is not checked here (a solicitation's code and option). */
    state parse_arp {
        transition select(packet.lookahead<bit<32>>()) {
            ARP_ETHERNET_IPV4: parse_arp_ipv4;
            default: accept;
        }
    }

    /* Hardware and protocol address lengths 6 and 4, operation request: bytes 4-7. */
    state parse_arp_ipv4 {
        transition select(packet.lookahead<bit<64>>()[31:0]) {
            ARP_IPV4_REQUEST_LENGTHS: neighbor_request;
            default: accept;
        }
    }

    state parse_icmpv6 {
        transition select(packet.lookahead<bit<8>>(), hdr.ipv6.payload_len, hdr.ipv6.hop_limit) {
            (ICMPV6_NEIGHBOR_SOLICITATION, ND_SOLICITATION_WITH_SLLA_BYTES, ND_HOP_LIMIT): neighbor_request;
            default: accept;
        }
    }

#endif
    state neighbor_request {
        meta.neighbor.request = 1;
        transition accept;
    }

    state parse_tcp {
        packet.extract(hdr.tcp_ports);
        transition accept;
    }

    state parse_udp {
        packet.extract(hdr.udp);
        transition select(hdr.udp.dst_port) {
            GENEVE_UDP_PORT: parse_geneve;
            default: accept;
        }
    }

    /*
     * Geneve (RFC 8926 3.4). A version we do not know means we cannot tell where the
     * options end (3.4: "packets with an unknown version MUST be dropped" by endpoints);
     * a protocol type other than Ethernet is not ours to deliver. Both stop parsing.
     * The options are then walked word by word (geneve_options.p4), at most
     * GENEVE_MAX_OPTION_WORDS words; received options are kept in the word stack, in wire
     * order, so a frame that merely carries Geneve is re-emitted byte for byte.
     */
    state parse_geneve {
        packet.extract(hdr.geneve);
        transition select(hdr.geneve.version, hdr.geneve.protocol_type) {
            (GENEVE_VERSION, ETHERTYPE_TRANSPARENT_ETHERNET): geneve_options;
            (GENEVE_VERSION, _): geneve_bad_protocol;
            default: geneve_bad_version;
        }
    }

    GENEVE_OPTION_PARSER_STATES

    state geneve_bad_version {
        meta.geneve.status = GENEVE_STATUS_BAD_VERSION;
        transition accept;
    }

    state geneve_bad_protocol {
        meta.geneve.status = GENEVE_STATUS_BAD_PROTOCOL;
        transition accept;
    }

    state geneve_bad_option_length {
        meta.geneve.status = GENEVE_STATUS_BAD_OPTION_LENGTH;
        transition accept;
    }

    /* The tenant frame carried by the tunnel: parsed as far as policy and hashing need. */
    state parse_inner_ethernet {
        packet.extract(hdr.inner_ethernet);
        transition select(hdr.inner_ethernet.ether_type) {
            ETHERTYPE_IPV4: parse_inner_ipv4;
            ETHERTYPE_IPV6: parse_inner_ipv6;
            INNER_ARP_CASE
            default: accept;
        }
    }

    state parse_inner_ipv4 {
        packet.extract(hdr.inner_ipv4);
        transition select(hdr.inner_ipv4.ihl, hdr.inner_ipv4.frag_offset, hdr.inner_ipv4.protocol) {
            (5, 0, IP_PROTO_TCP): parse_inner_tcp;
            (5, 0, IP_PROTO_UDP): parse_inner_udp;
            default: accept;
        }
    }

    state parse_inner_ipv6 {
        packet.extract(hdr.inner_ipv6);
        transition select(hdr.inner_ipv6.next_hdr) {
            IP_PROTO_TCP: parse_inner_tcp;
            IP_PROTO_UDP: parse_inner_udp;
            INNER_ICMPV6_CASE
            default: accept;
        }
    }

#if NEIGHBOR_REQUESTS_IN_TUNNELS
    state parse_inner_icmpv6 {
        packet.extract(hdr.icmpv6);
        transition select(hdr.icmpv6.type, hdr.inner_ipv6.payload_len, hdr.inner_ipv6.hop_limit) {
            (ICMPV6_NEIGHBOR_SOLICITATION, ND_SOLICITATION_WITH_SLLA_BYTES, ND_HOP_LIMIT): parse_nd;
            default: accept;
        }
    }
#endif

    state parse_inner_tcp {
        packet.extract(hdr.inner_tcp_ports);
        transition accept;
    }

    state parse_inner_udp {
        packet.extract(hdr.inner_udp);
        transition accept;
    }
}

#endif
