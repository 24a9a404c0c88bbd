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

/* Minus the tunnel headers before the options (Ethernet 14, [802.1Q 4,] IPv4 20 or IPv6 40,
 * UDP 8, Geneve 8), modulo 2^16: the decapsulation's length adjustment, less the options. */
const bit<16> DECAP_IPV4_BYTES_NEGATED = 16w0 - 50;
const bit<16> DECAP_IPV4_VLAN_BYTES_NEGATED = 16w0 - 54;
const bit<16> DECAP_IPV6_BYTES_NEGATED = 16w0 - 70;
const bit<16> DECAP_IPV6_VLAN_BYTES_NEGATED = 16w0 - 74;

control TunnelTermination(inout headers_t hdr, inout local_metadata_t meta, in bool outer_checksum_error) {

    GeneveSecurityId() geneve_security_id;

    /* The option header word that carries the security ID (class, type, R 0, length 1), with the
     * critical bit clear and set: a received header equal to either is the security-ID option. */
    bit<32> recognized_header = 0;
    bit<32> recognized_critical_header = 0;

    /* Which option carries the security ID, set at run time (and readable) over P4Runtime as
     * this table's default action, so that an operator's own class and type are recognized
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
        meta.unknown_security_id = unknown_security_id;
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

    /* The way back to the sending VTEP (used by an answer of neighbor suppression). */
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
     * takes them in the order of docs/DATAPLANE.md rules 6-8. The way back to the sending VTEP
     * and the decapsulation's length adjustment depend on the headers alone too, and are taken
     * beside them (used only by an answer of neighbor suppression).
     */
    apply {
        /* Depends on the parser and a keyless table alone: found side by side with the lookups. */
        security_option_recognition.apply();
        bool unknown_critical_option;
        geneve_security_id.apply(hdr, meta, recognized_header, recognized_critical_header,
                                 unknown_critical_option);
        bool addressed_to_us = false;
        bool tenant_known = false;
        bool member = false;
        if (hdr.udp.isValid() && hdr.geneve.isValid()) {
            tenant_known = tenant_by_vni.apply().hit;
            /* One subtraction per case, as Tofino needs: the tunnel headers' length as an
             * adjustment to the received packet's length, which NeighborReply completes. */
            if (hdr.ipv4.isValid()) {
                addressed_to_us = local_vtep_ipv4.apply().hit;
                member = vtep_membership_ipv4.apply().hit;
                return_tunnel_ipv4();
                if (hdr.vlan.isValid()) {
                    meta.frame_len = DECAP_IPV4_VLAN_BYTES_NEGATED - (bit<16>) meta.geneve.option_bytes;
                } else {
                    meta.frame_len = DECAP_IPV4_BYTES_NEGATED - (bit<16>) meta.geneve.option_bytes;
                }
            } else if (hdr.ipv6.isValid()) {
                addressed_to_us = local_vtep_ipv6.apply().hit;
                member = vtep_membership_ipv6.apply().hit;
                return_tunnel_ipv6();
                if (hdr.vlan.isValid()) {
                    meta.frame_len = DECAP_IPV6_VLAN_BYTES_NEGATED - (bit<16>) meta.geneve.option_bytes;
                } else {
                    meta.frame_len = DECAP_IPV6_BYTES_NEGATED - (bit<16>) meta.geneve.option_bytes;
                }
            }
        }
        if (!addressed_to_us) {
            meta.drop_reason = DROP_NOT_FOR_LOCAL_VTEP;
        } else if (outer_checksum_error) {
            meta.drop_reason = DROP_OUTER_IPV4_CHECKSUM;
        } else if (meta.geneve.status == GENEVE_STATUS_BAD_VERSION) {
            meta.drop_reason = DROP_GENEVE_VERSION;
        } else if (meta.geneve.status == GENEVE_STATUS_BAD_PROTOCOL) {
            meta.drop_reason = DROP_GENEVE_PROTOCOL;
        } else {
            /* An unknown critical option (RFC 8926 3.5) outranks every verdict below (rule 7). It
             * is only recorded here: the wrapper's final verdict applies it, so that decapsulation
             * and forwarding need not wait for the option comparisons (Tofino stages). */
            if (unknown_critical_option) {
                meta.geneve.unknown_critical = 1;
            }
            if (meta.geneve.status == GENEVE_STATUS_BAD_OPTION_LENGTH) {
                meta.drop_reason = DROP_GENEVE_OPTION_LENGTH;
            } else if (!hdr.inner_ethernet.isValid()) {
                meta.drop_reason = DROP_PARSER_ERROR;
            } else if (hdr.geneve.oam == 1) {
                /* RFC 8926 3.4: a control packet's payload is never forwarded; the controller gets it whole. */
                meta.punt_reason = PUNT_GENEVE_OAM;
            } else if (!tenant_known) {
                meta.drop_reason = DROP_UNKNOWN_VNI;
            } else if (!member) {
                meta.drop_reason = DROP_VTEP_NOT_MEMBER;
            } else {
                meta.vni = hdr.geneve.vni;
                meta.from_tunnel = 1;
                strip_tunnel();
            }
        }
        /* The sender's security ID (read from egress on): the option's when the VTEP is trusted
         * and the option is present, otherwise the VNI's unknown ID. */
        if (meta.vtep_trusted == 1 && meta.geneve.security_id_present == 1) {
            meta.src_security_id = meta.geneve.security_id;
        } else {
            meta.src_security_id = meta.unknown_security_id;
        }
    }
}

#endif
