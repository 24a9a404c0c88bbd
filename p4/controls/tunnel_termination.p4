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
const bit<9> ENCAP_UDP_HEADERS_AND_MAX_OPTIONS = 16 + 252;
const bit<8> WRAPPED_BELOW_LOW = 0x03;  /* 0xFFFF - 252 = 0xFF03 */
/* UDP and Geneve headers and an Ethernet header: 30 (below 32, the range tested). */
const bit<5> FRAME_AT_LEAST = (bit<5>) (UDP_HEADER_BYTES + GENEVE_BASE_HEADER_BYTES + ETHERNET_HEADER_BYTES);

control TunnelTermination(inout headers_t hdr, inout local_metadata_t meta, in bool outer_checksum_error,
                          in bit<32> packet_length) {

    GeneveSecurityId() geneve_security_id;

    /* The option header word that carries the security ID (class, type, R 0, length 1), with the
     * critical bit clear and set: a received header equal to either is the security-ID option. */
    bit<32> recognized_header = 0;
    bit<32> recognized_critical_header = 0;

#if !GENEVE_OPTION_RECOGNITION_IN_PARSER

    /* Which option carries the security ID, set at run time (and readable) over P4Runtime as
     * this table's default action (where the parser recognizes it, GENEVE_OPTION_RECOGNITION_IN_PARSER,
     * a parser value set does instead: geneve_options.p4), so that an operator's own class and type are recognized
     * without recompiling, on bmv2 too (whose P4Runtime server writes no parser value set). */
    action recognize_security_option(bit<16> option_class, bit<7> option_type) {
        recognized_header = option_class ++ 1w0 ++ option_type ++ 3w0 ++ SECURITY_ID_OPTION_DATA_WORDS;
        recognized_critical_header = option_class ++ 1w1 ++ option_type ++ 3w0 ++ SECURITY_ID_OPTION_DATA_WORDS;
    }

    table security_option_recognition {
        key = { }
        actions = {
            recognize_security_option;
        }
        default_action = recognize_security_option(SECURITY_ID_OPTION_CLASS, SECURITY_ID_OPTION_TYPE);
        size = SECURITY_OPTION_FORMAT_TABLE_SIZE;
    }
#endif

    action local_vtep() {
        meta.facts.addressed_to_us = 1;
    }

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

    /* The VNI's unknown ID stands for an unproven source; replaced at decapsulation by the
     * security-ID option of a trusted VTEP. (Written here, not kept aside: PHV on Tofino.) */
    action set_tenant(tenant_slot_t tenant_slot, security_id_t unknown_security_id) {
        meta.tenant_slot = tenant_slot;
        meta.src_security_id = unknown_security_id;
#if NEIGHBOR_REQUESTS_IN_TUNNELS
        meta.unknown_security_id = unknown_security_id;
#endif
        meta.facts.tenant_known = 1;
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
        meta.facts.vtep_member = 1;
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

#if NEIGHBOR_REQUESTS_IN_TUNNELS
    /* The way back to the sending VTEP (used by an answer of neighbor suppression sent back
     * through the tunnel; without requests parsed inside tunnels, nothing reads it). */
    action return_tunnel_ipv4() {
        meta.tunnel.is_ipv6 = 0;
        meta.tunnel.src_addr = (ipv6_addr_t) hdr.ipv4.dst_addr;
        meta.tunnel.dst_addr = (ipv6_addr_t) hdr.ipv4.src_addr;
        meta.tunnel.src_mac = hdr.ethernet.dst_addr;
        meta.tunnel.dst_mac = hdr.ethernet.src_addr;
    }

    action return_tunnel_ipv6() {
        meta.tunnel.is_ipv6 = 1;
        meta.tunnel.src_addr = hdr.ipv6.dst_addr;
        meta.tunnel.dst_addr = hdr.ipv6.src_addr;
        meta.tunnel.src_mac = hdr.ethernet.dst_addr;
        meta.tunnel.dst_mac = hdr.ethernet.src_addr;
    }
#endif

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

    @hidden
    action drop(drop_reason_t reason) {
        meta.drop_reason = reason;
    }

    @hidden
    action punt(punt_reason_t reason) {
        meta.punt_reason = reason;
    }

    @hidden
    action accept() {
        meta.facts.terminated = 1;
    }

    /*
     * The verdict of rules 6, 7, 8, 13 and 12, in the contract's order: the first check that
     * fails decides the drop reason. A priority encoder over the facts found below (the first
     * entry that matches wins, so each entry tests one fact): one lookup, where a chain of
     * conditions would take a Tofino stage per link. Past the address check the packet is
     * addressed to us, so a broken one is counted as broken, never as someone else's.
     * Not in the P4Info: the program fixes it.
     */
    @hidden
    table termination_verdict {
        key = {
            meta.facts.mac_mismatch:    ternary;
            meta.facts.addressed_to_us: ternary;
            meta.facts.ip_options:      ternary;
            meta.facts.checksum_error:  ternary;
            meta.facts.fragment:        ternary;
            meta.facts.length_bad:      ternary;
            meta.facts.not_geneve:      ternary;
            meta.facts.udp_length_bad:  ternary;
            meta.facts.geneve_missing:  ternary;
            meta.geneve.status:         ternary;
            meta.facts.options_overrun: ternary;
            meta.facts.unknown_critical: ternary;
            meta.facts.frame_missing:   ternary;
            meta.facts.tenant_known:    ternary;
            meta.facts.vtep_member:     ternary;
            meta.facts.oam:             ternary;
            meta.facts.ecn_drop:        ternary;
        }
        actions = {
            drop;
            punt;
            accept;
        }
        const entries = {
            /* Rule 6: for this uplink (its MAC), for one of our VTEP addresses. */
            (1, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _): drop(DROP_NOT_FOR_UPLINK_MAC);
            (_, 0, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _): drop(DROP_NOT_FOR_LOCAL_VTEP);
            /* Rule 6: what the outer IP header says of itself, that the whole datagram is in
             * the frame, that it is Geneve, and that its UDP length agrees. */
            (_, _, 1, _, _, _, _, _, _, _, _, _, _, _, _, _, _): drop(DROP_OUTER_IP_OPTIONS);
            (_, _, _, 1, _, _, _, _, _, _, _, _, _, _, _, _, _): drop(DROP_OUTER_IPV4_CHECKSUM);
            (_, _, _, _, 1, _, _, _, _, _, _, _, _, _, _, _, _): drop(DROP_OUTER_FRAGMENT);
            (_, _, _, _, _, 1, _, _, _, _, _, _, _, _, _, _, _): drop(DROP_OUTER_LENGTH);
            (_, _, _, _, _, _, 1, _, _, _, _, _, _, _, _, _, _): drop(DROP_NOT_FOR_LOCAL_VTEP);
            (_, _, _, _, _, _, _, 1, _, _, _, _, _, _, _, _, _): drop(DROP_OUTER_LENGTH);
            /* Rule 7: Geneve (RFC 8926). */
            (_, _, _, _, _, _, _, _, 1, _, _, _, _, _, _, _, _): drop(DROP_PARSER_ERROR);
            (_, _, _, _, _, _, _, _, _, GENEVE_STATUS_BAD_VERSION, _, _, _, _, _, _, _): drop(DROP_GENEVE_VERSION);
            (_, _, _, _, _, _, _, _, _, GENEVE_STATUS_BAD_PROTOCOL, _, _, _, _, _, _, _): drop(DROP_GENEVE_PROTOCOL);
            (_, _, _, _, _, _, _, _, _, _, 1, _, _, _, _, _, _): drop(DROP_GENEVE_OPTION_LENGTH);
            (_, _, _, _, _, _, _, _, _, _, _, 1, _, _, _, _, _): drop(DROP_GENEVE_CRITICAL_OPTION);
            (_, _, _, _, _, _, _, _, _, GENEVE_STATUS_BAD_OPTION_LENGTH, _, _, _, _, _, _, _): drop(DROP_GENEVE_OPTION_LENGTH);
            (_, _, _, _, _, _, _, _, _, _, _, _, 1, _, _, _, _): drop(DROP_PARSER_ERROR);
            /* Rule 8: VNI isolation, for data and control packets alike. */
            (_, _, _, _, _, _, _, _, _, _, _, _, _, 0, _, _, _): drop(DROP_UNKNOWN_VNI);
            (_, _, _, _, _, _, _, _, _, _, _, _, _, _, 0, _, _): drop(DROP_VTEP_NOT_MEMBER);
            /* Rule 13: a control packet's payload is never forwarded (RFC 8926 3.4). */
            (_, _, _, _, _, _, _, _, _, _, _, _, _, _, _, 1, _): punt(PUNT_GENEVE_OAM);
            /* Rule 12. */
            (_, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, 1): drop(DROP_ECN_CE_ON_NOT_ECT);
        }
        const default_action = accept();
    }

    /*
     * Every lookup is keyed by the received headers alone and every check reads them or a
     * lookup's result, so all of it runs side by side with port classification (no lookup
     * waits for another, on any port); the facts are used on uplinks only. The decapsulation
     * (rule 10) is done on every uplink frame that is not a control packet, before the
     * verdict: forwarding looks up the tenant frame at once, and a frame the verdict drops
     * is dropped whatever its headers became.
     */
    apply {
        /* Depends on the parser and a keyless table alone: found side by side with the lookups. */
#if !GENEVE_OPTION_RECOGNITION_IN_PARSER
        security_option_recognition.apply();
#endif
        bool unknown_critical_option;
        geneve_security_id.apply(hdr, meta, recognized_header, recognized_critical_header,
                                 unknown_critical_option);
        if (unknown_critical_option) {
            meta.facts.unknown_critical = 1;
        }
        if (hdr.ipv4.isValid()) {
            local_vtep_ipv4.apply();
            vtep_membership_ipv4.apply();
#if NEIGHBOR_REQUESTS_IN_TUNNELS
            return_tunnel_ipv4();
#endif
            /* What the UDP length must be (IHL is 5), a field to compare with (frame_len, which
             * an uplink's frames do not use otherwise). */
            if (meta.port_role == PORT_ROLE_UPLINK) {
                meta.frame_len = hdr.ipv4.total_len - 20;
            }
            meta.outer_ecn = hdr.ipv4.ecn;
        } else if (hdr.ipv6.isValid()) {
            local_vtep_ipv6.apply();
            vtep_membership_ipv6.apply();
#if NEIGHBOR_REQUESTS_IN_TUNNELS
            return_tunnel_ipv6();
#endif
            meta.outer_ecn = hdr.ipv6.traffic_class[1:0];
        }
        if (hdr.geneve.isValid()) {
            /* On uplinks only: on an access port, the vport gave the frame its tenant. */
            if (meta.port_role == PORT_ROLE_UPLINK) {
                tenant_by_vni.apply();
            }
            /* The UDP length less the option bytes (4 x Opt Len, which the option walk left in
             * tenant_frame_len: 0 above its 8 words, where the status says GENEVE_OPTION_LENGTH
             * anyway), modulo 2^16: one operation (a Tofino action does one). The tenant frame
             * is this less the UDP and Geneve headers (16 bytes); the wrapper subtracts them
             * where it needs the length. */
            meta.tenant_frame_len = hdr.udp.length - meta.tenant_frame_len;
            if (hdr.geneve.oam == 1) {
                meta.facts.oam = 1;
            }
        }

        /*
         * Facts, each one condition (a Tofino gateway with a one-bit write; few of them, as a
         * Tofino stage holds 16 logical tables). A gateway takes at most 4 bytes and 12 bits of
         * input and compares a field with constants only; range comparisons are written on the
         * low bits of a field with the high bits zero (at most 12 bits by range).
         */
        if (meta.uplink_mac_diff[47:24] != 0) {  /* 48 bits: more than one gateway takes */
            meta.facts.mac_mismatch = 1;
        }
        if (meta.uplink_mac_diff[23:0] != 0) {
            meta.facts.mac_mismatch = 1;
        }
        /* Not UDP to port 6081 (the parser extracts UDP only after an IP header that says UDP). */
        if (!hdr.udp.isValid() || hdr.udp.dst_port != GENEVE_UDP_PORT) {
            meta.facts.not_geneve = 1;
        }
        if (hdr.udp.length[15:4] == 0 || !hdr.geneve.isValid()) {  /* under 16: no Geneve header */
            meta.facts.geneve_missing = 1;
        }
        /* The options overrun the UDP payload when the UDP length less the option bytes
         * is under the headers' 16 bytes, or went below zero (the option bytes are at
         * most 252, so only a UDP length under 16 + 252 can overrun, and then wrapping
         * lands above 65535 - 252). */
        if (hdr.udp.length[15:9] == 0 && hdr.udp.length[8:0] < ENCAP_UDP_HEADERS_AND_MAX_OPTIONS) {
            if (meta.tenant_frame_len[15:4] == 0) {  /* under 16 */
                meta.facts.options_overrun = 1;
            }
            if (meta.tenant_frame_len[15:8] == 0xFF && meta.tenant_frame_len[7:0] > WRAPPED_BELOW_LOW) {
                meta.facts.options_overrun = 1;
            }
        }
        /* No room for, or no parse of, the tenant frame's Ethernet header (judged once the
         * options fit). */
        if (meta.tenant_frame_len[15:5] == 0 && meta.tenant_frame_len[4:0] < FRAME_AT_LEAST) {
            meta.facts.frame_missing = 1;
        }
        if (!hdr.inner_ethernet.isValid()) {
            meta.facts.frame_missing = 1;
        }
        /* Rule 12's drop, judged on the received headers (the rewrite is done on the tenant
         * frame once decapsulated, ecn.p4): outer CE on a Not-ECT tenant frame. */
        if (((hdr.ipv4.isValid() && hdr.ipv4.ecn == ECN_CE)
                    || (hdr.ipv6.isValid() && hdr.ipv6.traffic_class[1:0] == ECN_CE))
                && !(hdr.inner_ipv4.isValid() && hdr.inner_ipv4.ecn != ECN_NOT_ECT)
                && !(hdr.inner_ipv6.isValid() && hdr.inner_ipv6.traffic_class[1:0] != ECN_NOT_ECT)) {
            meta.facts.ecn_drop = 1;
        }

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
        /* Rule 6 per family (no shared temporaries: on Tofino they would tie the two
         * families' fields into one container group). */
        if (hdr.ipv4.isValid()) {
            if (hdr.ipv4.ihl != 5) {
                meta.facts.ip_options = 1;
            }
            if (outer_checksum_error) {
                meta.facts.checksum_error = 1;
            }
            if (hdr.ipv4.more_fragments == 1 || hdr.ipv4.frag_offset != 0) {
                /* This VTEP does not reassemble: a piece of a tenant frame is never delivered. */
                meta.facts.fragment = 1;
            }
            /* Shorter than its own header, or than the UDP header it announces; or not all in
             * the frame. */
            if (hdr.ipv4.total_len[15:5] == 0 && hdr.ipv4.total_len[4:0] < 20) {
                meta.facts.length_bad = 1;
            }
            if (hdr.ipv4.protocol == IP_PROTO_UDP && hdr.ipv4.total_len[15:5] == 0 && hdr.ipv4.total_len[4:0] < 28) {
                meta.facts.length_bad = 1;
            }
            if (DATAGRAM_EXCEEDS_FRAME(hdr.ipv4.total_len)) {
                meta.facts.length_bad = 1;
            }
            if (hdr.udp.length != meta.frame_len) {
                meta.facts.udp_length_bad = 1;
            }
        } else if (hdr.ipv6.isValid()) {
            if (hdr.ipv6.next_hdr == IPV6_HOP_BY_HOP || hdr.ipv6.next_hdr == IPV6_ROUTING
                    || hdr.ipv6.next_hdr == IPV6_DESTINATION_OPTIONS) {
                meta.facts.ip_options = 1;
            }
            if (hdr.ipv6.next_hdr == IPV6_FRAGMENT) {
                meta.facts.fragment = 1;
            }
            if ((hdr.ipv6.next_hdr == IP_PROTO_UDP && hdr.ipv6.payload_len[15:3] == 0)
                    || DATAGRAM_EXCEEDS_FRAME((bit<32>) hdr.ipv6.payload_len + 40)) {
                meta.facts.length_bad = 1;
            }
            if (hdr.udp.length != hdr.ipv6.payload_len) {
                meta.facts.udp_length_bad = 1;
            }
        }

        if (meta.port_role == PORT_ROLE_UPLINK) {
            if (meta.facts.oam == 0) {
                /* Rule 10. The tenant frame is what the UDP length says, whatever follows it. */
                meta.vni = hdr.geneve.vni;
                meta.from_tunnel = 1;
                if (meta.vtep_trusted == 1 && meta.geneve.security_id_present == 1) {
                    meta.src_security_id = meta.geneve.security_id;
                }
                strip_tunnel();
                /* Rule 12's rewrite of the tenant frame's ECN field is the wrapper's last step
                 * (EcnDecapsulation, ecn.p4): nothing here waits for it. */
            }
            termination_verdict.apply();
        }
    }
}

#endif
