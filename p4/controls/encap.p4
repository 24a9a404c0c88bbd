/*
 * Geneve encapsulation (egress, every copy headed to a remote VTEP), RFC 8926:
 *
 *   outer Ethernet | outer IPv4 or IPv6 | UDP (dst 6081) | Geneve | security-ID option | tenant frame
 *
 *  - outer Ethernet: our uplink MAC -> underlay next hop.
 *  - IPv4: TTL 64, DF set (Geneve must not be fragmented by the underlay, RFC 8926 4.1.1),
 *    total length and header checksum (the checksum in the architecture's compute stage).
 *    IPv6: hop limit 64, flow label from the inner flow hash (RFC 6438).
 *  - UDP: source port from the inner flow hash in 49152-65535, so underlay ECMP spreads
 *    flows while keeping each in order; checksum 0 over IPv4 (RFC 8926 3.3 allows it),
 *    computed over IPv6 (in the compute stage).
 *  - Geneve: version 0, protocol 0x6558 (Ethernet), the VNI, C set exactly when the
 *    option we add is critical.
 *  - Security-ID option: class, type and critical flag from the control plane; 4 bytes
 *    of data holding the sending vport's security ID.
 *  - ECN: the tenant frame's (RFC 6040 normal mode); DSCP 0 (the underlay's own marking).
 *  - Lengths that would not fit their 16-bit fields are never sent: the copy is dropped
 *    (DROP_ENCAP_LENGTH_OVERFLOW).
 */
#ifndef ENCAP_P4
#define ENCAP_P4

#include "../include/metadata.p4"
#include "../include/size.p4"

/* Bytes from the UDP (IPv4) header to the tenant frame, without and with the security-ID option. */
const bit<16> ENCAP_UDP_BYTES = (bit<16>) UDP_HEADER_BYTES + (bit<16>) GENEVE_BASE_HEADER_BYTES;
const bit<16> ENCAP_UDP_BYTES_WITH_OPTION = ENCAP_UDP_BYTES + 4 * (bit<16>) SECURITY_ID_OPTION_TOTAL_WORDS;
const bit<16> ENCAP_IPV4_BYTES = (bit<16>) IPV4_HEADER_BYTES + ENCAP_UDP_BYTES;
const bit<16> ENCAP_IPV4_BYTES_WITH_OPTION = (bit<16>) IPV4_HEADER_BYTES + ENCAP_UDP_BYTES_WITH_OPTION;
#ifndef FRAMES_FIT_ANY_TUNNEL
/* The largest tenant frame whose outer IPv6 payload (UDP) length or IPv4 total length fits in 16
 * bits (docs/DATAPLANE.md rule 11): a larger one would wrap, so it is never sent. */
const bit<16> MAX_FRAME_IPV6 = 0xFFFF - ENCAP_UDP_BYTES;
const bit<16> MAX_FRAME_IPV6_WITH_OPTION = 0xFFFF - ENCAP_UDP_BYTES_WITH_OPTION;
const bit<16> MAX_FRAME_IPV4 = 0xFFFF - ENCAP_IPV4_BYTES;
const bit<16> MAX_FRAME_IPV4_WITH_OPTION = 0xFFFF - ENCAP_IPV4_BYTES_WITH_OPTION;
#endif

control GeneveEncap(inout headers_t hdr, inout local_metadata_t meta) {

    /* The lengths of the packet built are written with the option choice, into the headers
     * themselves (both families'; only the valid one is sent): each is a single addition to
     * the frame length (Tofino cannot chain arithmetic within one action), and no copy of
     * them takes PHV. */

    action insert_security_option(bit<16> option_class, bit<7> option_type, bit<1> critical) {
        hdr.tunnel_security_option.setValid();
        hdr.tunnel_security_option.option_class = option_class;
        hdr.tunnel_security_option.flags_type_length =
            critical ++ option_type ++ 3w0 ++ SECURITY_ID_OPTION_DATA_WORDS;
        hdr.tunnel_security_option.security_id = meta.src_security_id;
        hdr.tunnel_geneve.opt_len = SECURITY_ID_OPTION_TOTAL_WORDS;
        hdr.tunnel_geneve.critical = critical;
        hdr.tunnel_udp.length = meta.frame_len + ENCAP_UDP_BYTES_WITH_OPTION;
        hdr.tunnel_ipv6.payload_len = meta.frame_len + ENCAP_UDP_BYTES_WITH_OPTION;
        hdr.tunnel_ipv4.total_len = meta.frame_len + ENCAP_IPV4_BYTES_WITH_OPTION;
    }

    action omit_security_option() {
        hdr.tunnel_udp.length = meta.frame_len + ENCAP_UDP_BYTES;
        hdr.tunnel_ipv6.payload_len = meta.frame_len + ENCAP_UDP_BYTES;
        hdr.tunnel_ipv4.total_len = meta.frame_len + ENCAP_IPV4_BYTES;
    }

    /* Fabric-wide choice of the option format: set through the default action. */
    table security_option_format {
        key = { }
        actions = {
            insert_security_option;
            omit_security_option;
        }
        default_action = omit_security_option();
        size = SECURITY_OPTION_FORMAT_TABLE_SIZE;
    }

    apply {
        hdr.tunnel_geneve.setValid();
        hdr.tunnel_geneve.version = GENEVE_VERSION;
        hdr.tunnel_geneve.opt_len = 0;
        hdr.tunnel_geneve.oam = 0;
        hdr.tunnel_geneve.critical = 0;
        hdr.tunnel_geneve.reserved1 = 0;
        hdr.tunnel_geneve.protocol_type = ETHERTYPE_TRANSPARENT_ETHERNET;
        hdr.tunnel_geneve.vni = meta.vni;
        hdr.tunnel_geneve.reserved2 = 0;
        hdr.tunnel_udp.setValid();
        if (meta.tunnel.is_ipv6 == 1) {
            hdr.tunnel_ipv6.setValid();
        } else {
            hdr.tunnel_ipv4.setValid();
        }
        security_option_format.apply();

        bool too_long = false;
#ifndef FRAMES_FIT_ANY_TUNNEL
        /* Lengths compared with constants only (a Tofino gateway cannot compare two variables). */
        if (meta.frame_over_64k) {
            too_long = true;
        } else if (meta.tunnel.is_ipv6 == 1) {
            if (hdr.tunnel_security_option.isValid()) {
                if (meta.frame_len > MAX_FRAME_IPV6_WITH_OPTION) {
                    too_long = true;
                }
            } else if (meta.frame_len > MAX_FRAME_IPV6) {
                too_long = true;
            }
        } else {
            if (hdr.tunnel_security_option.isValid()) {
                if (meta.frame_len > MAX_FRAME_IPV4_WITH_OPTION) {
                    too_long = true;
                }
            } else if (meta.frame_len > MAX_FRAME_IPV4) {
                too_long = true;
            }
        }
#endif
        if (too_long) {
            meta.drop_reason = DROP_ENCAP_LENGTH_OVERFLOW;
            hdr.tunnel_geneve.setInvalid();
            hdr.tunnel_security_option.setInvalid();
            hdr.tunnel_udp.setInvalid();
            hdr.tunnel_ipv4.setInvalid();
            hdr.tunnel_ipv6.setInvalid();
        } else {
            /* GENEVE_SOURCE_PORT_BASE | (flow_hash & 0x3FFF): the base covers the top two bits. */
            hdr.tunnel_udp.src_port = meta.flow_hash | GENEVE_SOURCE_PORT_BASE;
            hdr.tunnel_udp.dst_port = GENEVE_UDP_PORT;
            hdr.tunnel_udp.checksum = 0;

            hdr.tunnel_ethernet.setValid();
            hdr.tunnel_ethernet.dst_addr = meta.tunnel.dst_mac;
            hdr.tunnel_ethernet.src_addr = meta.tunnel.src_mac;

            if (meta.tunnel.is_ipv6 == 1) {
                hdr.tunnel_ethernet.ether_type = ETHERTYPE_IPV6;
                hdr.tunnel_ipv6.version = 6;
                hdr.tunnel_ipv6.traffic_class = 0;
                hdr.tunnel_ipv6.flow_label = (bit<20>) meta.flow_hash;
                hdr.tunnel_ipv6.next_hdr = IP_PROTO_UDP;
                hdr.tunnel_ipv6.hop_limit = UNDERLAY_TTL;
                hdr.tunnel_ipv6.src_addr = meta.tunnel.src_addr;
                hdr.tunnel_ipv6.dst_addr = meta.tunnel.dst_addr;
            } else {
                hdr.tunnel_ethernet.ether_type = ETHERTYPE_IPV4;
                hdr.tunnel_ipv4.version = 4;
                hdr.tunnel_ipv4.ihl = 5;
                hdr.tunnel_ipv4.dscp = 0;
                hdr.tunnel_ipv4.ecn = ECN_NOT_ECT;
                hdr.tunnel_ipv4.identification = 0;
                hdr.tunnel_ipv4.reserved = 0;
                hdr.tunnel_ipv4.dont_fragment = 1;
                hdr.tunnel_ipv4.more_fragments = 0;
                hdr.tunnel_ipv4.frag_offset = 0;
                hdr.tunnel_ipv4.ttl = UNDERLAY_TTL;
                hdr.tunnel_ipv4.protocol = IP_PROTO_UDP;
                hdr.tunnel_ipv4.hdr_checksum = 0;
                hdr.tunnel_ipv4.src_addr = meta.tunnel.src_addr[31:0];
                hdr.tunnel_ipv4.dst_addr = meta.tunnel.dst_addr[31:0];
            }

            /* ECN: the tenant frame's, as ingress found it (frame_facts.p4; rule 12). Written
             * as a constant per codepoint rather than copied: the field sits at different bit
             * offsets in the IPv4 and IPv6 headers, and on Tofino one source cannot be moved
             * to both. */
            if (hdr.tunnel_ipv6.isValid()) {
                if (meta.tenant_ecn == ECN_ECT1) {
                    hdr.tunnel_ipv6.traffic_class = 6w0 ++ ECN_ECT1;
                } else if (meta.tenant_ecn == ECN_ECT0) {
                    hdr.tunnel_ipv6.traffic_class = 6w0 ++ ECN_ECT0;
                } else if (meta.tenant_ecn == ECN_CE) {
                    hdr.tunnel_ipv6.traffic_class = 6w0 ++ ECN_CE;
                }
            } else {
                if (meta.tenant_ecn == ECN_ECT1) {
                    hdr.tunnel_ipv4.ecn = ECN_ECT1;
                } else if (meta.tenant_ecn == ECN_ECT0) {
                    hdr.tunnel_ipv4.ecn = ECN_ECT0;
                } else if (meta.tenant_ecn == ECN_CE) {
                    hdr.tunnel_ipv4.ecn = ECN_CE;
                }
            }
        }
    }
}

#endif
