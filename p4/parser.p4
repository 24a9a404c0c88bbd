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

parser FrameParser(packet_in packet, out headers_t hdr, inout local_metadata_t meta) {

    state start {
        meta.geneve.status = GENEVE_STATUS_OK;
        meta.geneve.security_id_present = 0;
        transition parse_ethernet;
    }

    state parse_ethernet {
        packet.extract(hdr.ethernet);
        transition select(hdr.ethernet.ether_type) {
            ETHERTYPE_VLAN: parse_vlan;
            ETHERTYPE_IPV4: parse_ipv4;
            ETHERTYPE_IPV6: parse_ipv6;
            default: accept;
        }
    }

    /* One 802.1Q tag: the access VLAN. A second tag (QinQ) stays in the payload. */
    state parse_vlan {
        packet.extract(hdr.vlan);
        transition select(hdr.vlan.ether_type) {
            ETHERTYPE_IPV4: parse_ipv4;
            ETHERTYPE_IPV6: parse_ipv6;
            default: accept;
        }
    }

    /* L4 is parsed only when it directly follows a 20-byte header of a first fragment:
     * IPv4 options stay payload (no varbit), later fragments carry no L4 header. */
    state parse_ipv4 {
        packet.extract(hdr.ipv4);
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
            default: accept;
        }
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
     */
    state parse_geneve {
        packet.extract(hdr.geneve);
        meta.geneve.option_words_left = (bit<8>) hdr.geneve.opt_len;
        transition select(hdr.geneve.version, hdr.geneve.protocol_type) {
            (GENEVE_VERSION, ETHERTYPE_TRANSPARENT_ETHERNET): parse_geneve_options;
            (GENEVE_VERSION, _): geneve_bad_protocol;
            default: geneve_bad_version;
        }
    }

    state parse_geneve_options {
        transition select(meta.geneve.option_words_left) {
            0: parse_inner_ethernet;
            default: parse_geneve_option;
        }
    }

    /*
     * One option TLV: a header word, then Length data words. Each option must fit in
     * what is left of Opt Len: words_after_option = left - 1 - Length is computed in
     * 8 bits, and since left <= 63 and Length <= 31, an overrun wraps to 225..255, i.e.
     * its top two bits are set. Such a packet is inconsistent and never parsed further.
     * Options may come in any order; the security-ID option is recognized by class,
     * type (without the critical bit) and length; any other option is skipped unless
     * its critical flag is set (RFC 8926 3.5: an unrecognized critical option MUST
     * cause the packet to be dropped).
     */
    state parse_geneve_option {
        meta.geneve.option_header = packet.lookahead<bit<32>>();
        packet.extract(hdr.geneve_option_words.next);
        meta.geneve.data_words_left = (bit<8>) meta.geneve.option_header[4:0];
        meta.geneve.words_after_option =
            meta.geneve.option_words_left - 1 - (bit<8>) meta.geneve.option_header[4:0];
        transition select(meta.geneve.words_after_option[7:6],
                          meta.geneve.option_header[31:16],
                          meta.geneve.option_header[14:8],
                          meta.geneve.option_header[4:0],
                          meta.geneve.option_header[15:15]) {
            (0, SECURITY_ID_OPTION_CLASS, SECURITY_ID_OPTION_TYPE, SECURITY_ID_OPTION_DATA_WORDS, _):
                parse_security_id_option;
            (0, _, _, _, 0): skip_option_data;
            (0, _, _, _, 1): geneve_unknown_critical_option;
            default: geneve_bad_option_length;
        }
    }

    /* RFC 8926 allows an option to repeat; the first security ID counts. */
    state parse_security_id_option {
        transition select(meta.geneve.security_id_present) {
            0: take_security_id;
            default: skip_option_data;
        }
    }

    state take_security_id {
        meta.geneve.security_id = packet.lookahead<security_id_t>();
        meta.geneve.security_id_present = 1;
        transition skip_option_data;
    }

    /* Data words are kept in the option word stack, in wire order. */
    state skip_option_data {
        transition select(meta.geneve.data_words_left) {
            0: next_geneve_option;
            default: extract_option_data_word;
        }
    }

    state extract_option_data_word {
        packet.extract(hdr.geneve_option_words.next);
        meta.geneve.data_words_left = meta.geneve.data_words_left - 1;
        transition skip_option_data;
    }

    state next_geneve_option {
        meta.geneve.option_words_left = meta.geneve.words_after_option;
        transition parse_geneve_options;
    }

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

    state geneve_unknown_critical_option {
        meta.geneve.status = GENEVE_STATUS_UNKNOWN_CRITICAL_OPTION;
        transition accept;
    }

    /* The tenant frame carried by the tunnel: parsed as far as policy and hashing need. */
    state parse_inner_ethernet {
        packet.extract(hdr.inner_ethernet);
        transition select(hdr.inner_ethernet.ether_type) {
            ETHERTYPE_IPV4: parse_inner_ipv4;
            ETHERTYPE_IPV6: parse_inner_ipv6;
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
            default: accept;
        }
    }

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
