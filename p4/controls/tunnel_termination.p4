/*
 * Tunnel termination (ingress, uplink ports): accept only Geneve addressed to one of
 * our VTEP addresses, validate it as RFC 8926 requires, check that the sending VTEP is
 * a member of the VNI, establish the sender's security ID, then strip the tunnel so the
 * tenant frame continues as if it had arrived on an access port.
 */
#ifndef TUNNEL_TERMINATION_P4
#define TUNNEL_TERMINATION_P4

#include "../include/metadata.p4"
#include "../include/size.p4"
#include "../geneve_options.p4"
#include "ecn.p4"

/* UDP and Geneve headers; the most that they and the options can take (Opt Len 63); the
 * UDP length less the option bytes when it went below zero is above this. */
const bit<16> ENCAP_UDP_HEADERS = (bit<16>) (UDP_HEADER_BYTES + GENEVE_BASE_HEADER_BYTES);
const bit<9> ENCAP_UDP_HEADERS_AND_MAX_OPTIONS = 16 + 252;
const bit<8> WRAPPED_BELOW_LOW = 0x03;  /* 0xFFFF - 252 = 0xFF03 */
/* UDP and Geneve headers and an Ethernet header: 30 (below 32, the range tested). */
const bit<5> FRAME_AT_LEAST = (bit<5>) (UDP_HEADER_BYTES + GENEVE_BASE_HEADER_BYTES + ETHERNET_HEADER_BYTES);

control TunnelTermination(inout headers_t hdr, inout local_metadata_t meta, in bool outer_checksum_error,
                          in bit<32> packet_length) {

    GeneveSecurityId() geneve_security_id;
    EcnDecapsulation() ecn_decapsulation;

    action local_vtep() { }

    action not_for_local_vtep() {
    }

    /* Our VTEP addresses. Anything else reaching an uplink is underlay traffic we do not route. */
    table local_vtep_ipv4 {
        key = {
            hdr.ipv4.dst_addr: exact @name("vtep_address");
        }
        actions = {
            local_vtep;
            @defaultonly not_for_local_vtep;
        }
        const default_action = not_for_local_vtep();
        size = LOCAL_VTEP_TABLE_SIZE;
    }

    table local_vtep_ipv6 {
        key = {
            hdr.ipv6.dst_addr: exact @name("vtep_address");
        }
        actions = {
            local_vtep;
            @defaultonly not_for_local_vtep;
        }
        const default_action = not_for_local_vtep();
        size = LOCAL_VTEP_TABLE_SIZE;
    }

    action set_tenant(tenant_slot_t tenant_slot, security_id_t unknown_security_id) {
        meta.tenant_slot = tenant_slot;
        /* The VNI's stand-in for an unproven source; replaced below by the security-ID
         * option of a trusted VTEP. (Written here, not kept aside: PHV on Tofino.) */
        meta.src_security_id = unknown_security_id;
    }

    action unknown_vni() {
    }

    /* Configured VNIs. */
    table tenant_by_vni {
        key = {
            hdr.geneve.vni: exact @name("vni");
        }
        actions = {
            set_tenant;
            @defaultonly unknown_vni;
        }
        const default_action = unknown_vni();
        size = TENANT_TABLE_SIZE;
    }

    /* trusted = 1: the VTEP's security-ID option is believed; 0: the VNI's unknown ID is used. */
    action vtep_member(bit<1> trusted) {
        meta.vtep_trusted = trusted;
    }

    action vtep_not_member() {
    }

    table vtep_membership_ipv4 {
        key = {
            hdr.geneve.vni:    exact @name("vni");
            hdr.ipv4.src_addr: exact @name("remote_vtep");
        }
        actions = {
            vtep_member;
            @defaultonly vtep_not_member;
        }
        const default_action = vtep_not_member();
        size = VTEP_MEMBERSHIP_TABLE_SIZE;
    }

    table vtep_membership_ipv6 {
        key = {
            hdr.geneve.vni:    exact @name("vni");
            hdr.ipv6.src_addr: exact @name("remote_vtep");
        }
        actions = {
            vtep_member;
            @defaultonly vtep_not_member;
        }
        const default_action = vtep_not_member();
        size = VTEP_MEMBERSHIP_TABLE_SIZE;
    }

    /* The tenant frame becomes the frame; the tunnel headers and options are gone. */
    action strip_tunnel() {
        hdr.ethernet = hdr.inner_ethernet;
        hdr.vlan.setInvalid();
        hdr.ipv4 = hdr.inner_ipv4;
        hdr.ipv6 = hdr.inner_ipv6;
        hdr.tcp_ports = hdr.inner_tcp_ports;
        hdr.udp = hdr.inner_udp;
        hdr.geneve.setInvalid();
        hdr.geneve_option_words.pop_front(GENEVE_MAX_OPTION_WORDS);
        hdr.inner_ethernet.setInvalid();
        hdr.inner_ipv4.setInvalid();
        hdr.inner_ipv6.setInvalid();
        hdr.inner_tcp_ports.setInvalid();
        hdr.inner_udp.setInvalid();
    }

    /*
     * The lookups are keyed by the received headers alone, so they run side by side (one
     * Tofino stage, not five in a row); their actions only record, and the verdict below
     * takes them in the order of docs/DATAPLANE.md rules 6, 7, 8, 12 and 13: the first check
     * that fails decides the drop reason. Past the address check the packet is addressed to
     * us, so a broken one is counted as broken, never as someone else's.
     */
    apply {
        /* Depends on the parser alone: found side by side with the lookups. */
        geneve_security_id.apply(hdr, meta);
        /* The tenant frame's length, in steps of one operation each (a Tofino action does
         * one): the option bytes (4 x Opt Len), then the UDP length less them, then (once the
         * checks are passed) less the UDP and Geneve headers. */
        meta.tenant_frame_len = 8w0 ++ hdr.geneve.opt_len ++ 2w0;
        bool addressed_to_us = false;
        bool tenant_known = false;
        bool member = false;
        bit<16> ipv4_udp_length = 0;
        if (hdr.ipv4.isValid()) {
            addressed_to_us = local_vtep_ipv4.apply().hit;
            member = vtep_membership_ipv4.apply().hit;
            /* What the UDP length must be (IHL is 5), a field of its own to compare with. */
            ipv4_udp_length = hdr.ipv4.total_len - 20;
        } else if (hdr.ipv6.isValid()) {
            addressed_to_us = local_vtep_ipv6.apply().hit;
            member = vtep_membership_ipv6.apply().hit;
        }
        if (hdr.geneve.isValid()) {
            tenant_known = tenant_by_vni.apply().hit;
            meta.tenant_frame_len = hdr.udp.length - meta.tenant_frame_len;
        }

        /* Facts of one field each, set before the verdicts below read them: a Tofino gateway
         * takes at most 4 bytes and 12 bits of input and compares a field with constants
         * only, so the verdicts test these flags rather than the fields. */
        bool mac_mismatch = false;  /* the destination MAC is not the uplink's */
        if (meta.uplink_mac_diff[47:24] != 0) {
            mac_mismatch = true;
        }
        if (meta.uplink_mac_diff[23:0] != 0) {
            mac_mismatch = true;
        }
        bool is_geneve = false;
        if (hdr.udp.isValid() && hdr.udp.dst_port == GENEVE_UDP_PORT) {
            is_geneve = true;
        }
        bool ipv4_fragment = false;
        if (hdr.ipv4.more_fragments == 1) {
            ipv4_fragment = true;
        }
        if (hdr.ipv4.frag_offset != 0) {
            ipv4_fragment = true;
        }
        bool ipv4_short = false;  /* shorter than its own header, or than its UDP header */
        if (hdr.ipv4.total_len[15:5] == 0 && hdr.ipv4.total_len[4:0] < 20) {
            ipv4_short = true;
        }
        if (hdr.ipv4.protocol == IP_PROTO_UDP && hdr.ipv4.total_len[15:5] == 0 && hdr.ipv4.total_len[4:0] < 28) {
            ipv4_short = true;
        }
        bool ipv6_short = false;
        if (hdr.ipv6.next_hdr == IP_PROTO_UDP && hdr.ipv6.payload_len[15:3] == 0) {
            ipv6_short = true;
        }
        /* The options overrun the UDP payload when the UDP length less the option bytes
         * is under the headers' 16 bytes, or went below zero (the option bytes are at
         * most 252, so only a UDP length under 16 + 252 can overrun, and then wrapping
         * lands above 65535 - 252). */
        bool options_overrun = false;
        if (hdr.udp.length[15:9] == 0 && hdr.udp.length[8:0] < ENCAP_UDP_HEADERS_AND_MAX_OPTIONS) {
            if (meta.tenant_frame_len[15:4] == 0) {  /* under 16 */
                options_overrun = true;
            }
            if (meta.tenant_frame_len[15:8] == 0xFF && meta.tenant_frame_len[7:0] > WRAPPED_BELOW_LOW) {
                options_overrun = true;
            }
        }
        bool frame_too_short = false;  /* no room for the tenant frame's Ethernet header */
        if (meta.tenant_frame_len[15:5] == 0 && meta.tenant_frame_len[4:0] < FRAME_AT_LEAST) {
            frame_too_short = true;
        }
        /* Range comparisons are written on the low bits of a field with the high bits zero:
         * a Tofino gateway compares at most 12 bits by range. */

        /* Rule 6 steps 1-3: for this uplink, for one of our VTEP addresses? */
        if (!hdr.ethernet.isValid()) {
            meta.drop_reason = DROP_PARSER_ERROR;
        } else if (mac_mismatch) {
            meta.drop_reason = DROP_NOT_FOR_UPLINK_MAC;
        } else if (!addressed_to_us) {
            meta.drop_reason = DROP_NOT_FOR_LOCAL_VTEP;
        }

        /* Rule 6 steps 4-9, per family (no shared temporaries: on Tofino they would tie the
         * two families' fields into one container group): what the outer IP header says of
         * itself, that the whole datagram is in the frame (what follows it, padding, is not
         * ours), that it is Geneve, and that its UDP length agrees. */
#ifndef NO_FRAME_LENGTH_IN_INGRESS
        /* The bytes after the Ethernet header (and tag). Architectures whose ingress does not
         * know the frame length (Tofino) define NO_FRAME_LENGTH_IN_INGRESS: the comparisons
         * with it are left out there (docs/TOFINO.md). */
        bit<32> l3_room = packet_length - (bit<32>) ETHERNET_HEADER_BYTES;
        if (hdr.vlan.isValid()) {
            l3_room = l3_room - (bit<32>) VLAN_TAG_BYTES;
        }
#define DATAGRAM_EXCEEDS_FRAME(len) ((bit<32>) (len) > l3_room)
#else
#define DATAGRAM_EXCEEDS_FRAME(len) false
#endif
        if (meta.drop_reason == DROP_NONE) {
            if (hdr.ipv4.isValid()) {
                if (hdr.ipv4.ihl != 5) {
                    meta.drop_reason = DROP_OUTER_IP_OPTIONS;
                } else if (outer_checksum_error) {
                    meta.drop_reason = DROP_OUTER_IPV4_CHECKSUM;
                } else if (ipv4_fragment) {
                    /* This VTEP does not reassemble: a piece of a tenant frame is never delivered. */
                    meta.drop_reason = DROP_OUTER_FRAGMENT;
                } else if (DATAGRAM_EXCEEDS_FRAME(hdr.ipv4.total_len) || ipv4_short) {
                    meta.drop_reason = DROP_OUTER_LENGTH;
                } else if (hdr.ipv4.protocol != IP_PROTO_UDP || !is_geneve) {
                    meta.drop_reason = DROP_NOT_FOR_LOCAL_VTEP;
                } else if (hdr.udp.length != ipv4_udp_length) {
                    meta.drop_reason = DROP_OUTER_LENGTH;
                }
            } else {
                if (hdr.ipv6.next_hdr == IPV6_HOP_BY_HOP || hdr.ipv6.next_hdr == IPV6_ROUTING
                        || hdr.ipv6.next_hdr == IPV6_DESTINATION_OPTIONS) {
                    meta.drop_reason = DROP_OUTER_IP_OPTIONS;
                } else if (hdr.ipv6.next_hdr == IPV6_FRAGMENT) {
                    meta.drop_reason = DROP_OUTER_FRAGMENT;
                } else if (DATAGRAM_EXCEEDS_FRAME((bit<32>) hdr.ipv6.payload_len + 40) || ipv6_short) {
                    meta.drop_reason = DROP_OUTER_LENGTH;
                } else if (hdr.ipv6.next_hdr != IP_PROTO_UDP || !is_geneve) {
                    meta.drop_reason = DROP_NOT_FOR_LOCAL_VTEP;
                } else if (hdr.udp.length != hdr.ipv6.payload_len) {
                    meta.drop_reason = DROP_OUTER_LENGTH;
                }
            }
        }

        /* Rule 7: Geneve (RFC 8926). The UDP length is now known to be right. */
        if (meta.drop_reason == DROP_NONE) {
            if (hdr.udp.length < (bit<16>) (UDP_HEADER_BYTES + GENEVE_BASE_HEADER_BYTES)
                    || !hdr.geneve.isValid()) {
                meta.drop_reason = DROP_PARSER_ERROR;
            } else {
                if (meta.geneve.status == GENEVE_STATUS_BAD_VERSION) {
                    meta.drop_reason = DROP_GENEVE_VERSION;
                } else if (meta.geneve.status == GENEVE_STATUS_BAD_PROTOCOL) {
                    meta.drop_reason = DROP_GENEVE_PROTOCOL;
                } else if (options_overrun) {
                    meta.drop_reason = DROP_GENEVE_OPTION_LENGTH;
                } else if (meta.geneve.status == GENEVE_STATUS_UNKNOWN_CRITICAL_OPTION) {
                    meta.drop_reason = DROP_GENEVE_CRITICAL_OPTION;
                } else if (meta.geneve.status == GENEVE_STATUS_BAD_OPTION_LENGTH) {
                    meta.drop_reason = DROP_GENEVE_OPTION_LENGTH;
                } else if (frame_too_short || !hdr.inner_ethernet.isValid()) {
                    meta.drop_reason = DROP_PARSER_ERROR;
                }
            }
        }

        /* Rule 8: VNI isolation, for data and control packets alike (rule 13). */
        if (meta.drop_reason == DROP_NONE) {
            if (!tenant_known) {
                meta.drop_reason = DROP_UNKNOWN_VNI;
            } else if (!member) {
                meta.drop_reason = DROP_VTEP_NOT_MEMBER;
            }
        }

        if (meta.drop_reason == DROP_NONE) {
            if (hdr.geneve.oam == 1) {
                /* RFC 8926 3.4: a control packet's payload is never forwarded; the controller gets it whole. */
                meta.punt_reason = PUNT_GENEVE_OAM;
            } else {
                /* Rule 12, then decapsulation (rule 10). */
                ecn_decapsulation.apply(hdr, meta);
                if (meta.drop_reason == DROP_NONE) {
                    meta.vni = hdr.geneve.vni;
                    meta.from_tunnel = 1;
                    /* The tenant frame is what the UDP length says, whatever follows it (rule 10). */
                    meta.tenant_frame_len = meta.tenant_frame_len - ENCAP_UDP_HEADERS;
                    if (meta.vtep_trusted == 1 && meta.geneve.security_id_present == 1) {
                        meta.src_security_id = meta.geneve.security_id;
                    }
                    strip_tunnel();
                }
            }
        }
    }
}

#endif
