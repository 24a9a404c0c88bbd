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
                           in port_t ingress_port,
                           in bit<32> packet_length) {

    /* 0 stands for "untagged". */
    vlan_id_t access_vlan = 0;

    action set_access_port() {
        meta.port_role = PORT_ROLE_ACCESS;
    }

    action set_uplink_port() {
        meta.port_role = PORT_ROLE_UPLINK;
    }

    action port_unconfigured() {
        meta.port_role = PORT_ROLE_UNCONFIGURED;
    }

    table port_role {
        key = {
            ingress_port: exact @name("port");
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
    }

    action unknown_source() {
    }

    table vport_classification {
        key = {
            ingress_port:           exact @name("port");
            hdr.ethernet.src_addr: exact @name("src_mac");
            access_vlan:            exact @name("vlan_id");
        }
        actions = {
            set_vport;
            @defaultonly unknown_source;
        }
        const default_action = unknown_source();
        size = VPORT_TABLE_SIZE;
    }

    /*
     * Both lookups run side by side (a Tofino stage each, not two in a row): the vport is
     * looked up on every port and counts only on access ports, where the controller puts
     * vport entries. The actions only record; the verdict follows, in contract order.
     */
    apply {
        if (hdr.vlan.isValid()) {
            access_vlan = hdr.vlan.vid;
        }
        /* Kept for a reply the VTEP builds itself (neighbor suppression), which leaves tagged. */
        meta.src_vlan = access_vlan;
        port_role.apply();
        bool vport_known = false;
        if (hdr.ethernet.isValid()) {
            vport_known = vport_classification.apply().hit;
        }
        if (meta.port_role == PORT_ROLE_UNCONFIGURED) {
            meta.drop_reason = DROP_PORT_UNCONFIGURED;
        } else if (meta.port_role == PORT_ROLE_ACCESS) {
            if (!hdr.ethernet.isValid()) {
                meta.drop_reason = DROP_PARSER_ERROR;
            } else if (!vport_known) {
                meta.drop_reason = DROP_UNKNOWN_SOURCE;
            } else if (hdr.vlan.isValid()) {
                /* The access VLAN is local to this port: the overlay carries the frame untagged. */
                hdr.ethernet.ether_type = hdr.vlan.ether_type;
                hdr.vlan.setInvalid();
                meta.frame_len = (bit<16>) packet_length - (bit<16>) VLAN_TAG_BYTES;
            } else {
                meta.frame_len = (bit<16>) packet_length;
            }
        }
    }
}

#endif
