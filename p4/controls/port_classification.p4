/*
 * Port classification (ingress): what a port is, and for an access port which virtual
 * port (vport) sent the frame. A vport is a workload attachment: (port, source MAC,
 * access VLAN). It fixes the tenant (VNI) and the sender's security ID, so a workload
 * cannot claim another's identity by choice of MAC or VLAN: unknown sources are dropped.
 */
#ifndef PORT_CLASSIFICATION_P4
#define PORT_CLASSIFICATION_P4

#include "../include/metadata.p4"
#include "../include/size.p4"

control PortClassification(inout headers_t hdr,
                           inout local_metadata_t meta,
                           in bit<32> packet_length) {

    action set_access_port() {
        meta.port_role = PORT_ROLE_ACCESS;
    }

    /* An uplink accepts unicast for its own MAC only (DATAPLANE.md rule 6). */
    action set_uplink_port(mac_addr_t uplink_mac) {
        meta.port_role = PORT_ROLE_UPLINK;
        /* Zero exactly when the frame is for this uplink (one operation here, tested in
         * tunnel termination in pieces a Tofino gateway takes). */
        meta.uplink_mac_diff = hdr.ethernet.dst_addr ^ uplink_mac;
    }

    action port_unconfigured() {
        meta.port_role = PORT_ROLE_UNCONFIGURED;
    }

    /* Keyed on classify_port: the ingress port, or a packet-out's egress port (rule 14),
     * chosen by the parser so that the lookup is in the first stage. */
    table port_role {
        key = {
            meta.classify_port: exact @name("port");
        }
        actions = {
            set_access_port;
            set_uplink_port;
            @defaultonly port_unconfigured;
        }
        const default_action = port_unconfigured();
        size = PORT_TABLE_SIZE;
    }

    action set_vport(vport_id_t vport, vni_t vni, security_id_t security_id, tenant_slot_t tenant_slot) {
        meta.src_vport = vport;
        meta.vni = vni;
        meta.src_security_id = security_id;
        meta.tenant_slot = tenant_slot;
        meta.facts.vport_known = 1;
    }

    action unknown_source() {
    }

    table vport_classification {
        key = {
            meta.classify_port:    exact @name("port");
            hdr.ethernet.src_addr: exact @name("src_mac");
            meta.access_vlan:      exact @name("vlan_id");
        }
        actions = {
            set_vport;
            @defaultonly unknown_source;
        }
        const default_action = unknown_source();
        size = VPORT_TABLE_SIZE;
    }

    /*
     * Both lookups are keyed by what the parser found, so they run side by side in the first
     * stage: the vport is looked up on every port and counts only on access ports, where the
     * controller puts vport entries. They only record; the verdict (ingress_verdict.p4) takes
     * rule 1's drops in contract order.
     */
    apply {
        port_role.apply();
        if (hdr.ethernet.isValid()) {
            vport_classification.apply();
        } else {
            meta.facts.ethernet_missing = 1;
        }
        if (meta.port_role == PORT_ROLE_ACCESS) {
            /* 16 bits of length, the rest told apart below (no 32-bit temporary: PHV). */
            if (hdr.vlan.isValid()) {
                /* The access VLAN is local to this port: the overlay carries the frame untagged. */
                hdr.ethernet.ether_type = hdr.vlan.ether_type;
                hdr.vlan.setInvalid();
                meta.frame_len = packet_length[15:0] - (bit<16>) VLAN_TAG_BYTES;
            } else {
                meta.frame_len = packet_length[15:0];
            }
            /* The frame's ECN field, copied to the outer header if it is encapsulated (rule 12;
             * Not-ECT when the frame is not IPv4/IPv6 as the parser sees it). */
            if (hdr.ipv4.isValid()) {
                meta.tenant_ecn = hdr.ipv4.ecn;
            } else if (hdr.ipv6.isValid()) {
                meta.tenant_ecn = hdr.ipv6.traffic_class[1:0];
            }
            /* Rule 11: a frame of 64 KiB or more fits no tunnel; say so rather than wrap. */
            meta.frame_over_64k = packet_length[31:16] != 0;
        }
    }
}

#endif
