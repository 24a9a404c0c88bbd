/*
 * Overlay forwarding (ingress): inside one tenant, (VNI, destination MAC) says where a
 * frame goes: a local vport, a remote VTEP, or the VNI's flood group. The VNI is part
 * of every key, so a frame can only ever reach destinations of its own tenant.
 * Broadcast and multicast destinations without an entry of their own flood (BUM), or, on a
 * device without replication (a BlueField DPU and its emulation), go to the controller;
 * unknown unicast is dropped: the controller knows every endpoint, nothing is learned.
 */
#ifndef OVERLAY_FORWARDING_P4
#define OVERLAY_FORWARDING_P4

#include "../include/metadata.p4"
#include "../include/size.p4"

control OverlayForwarding(inout headers_t hdr, inout local_metadata_t meta) {

    action to_local_vport(port_t port, vport_id_t vport, vlan_id_t vlan_id, security_id_t security_id) {
        meta.delivery = DELIVERY_LOCAL_VPORT;
        meta.egress_port = port;
        meta.dst_vport = vport;
        meta.dst_vlan = vlan_id;
        meta.dst_security_id = security_id;
    }

    action to_remote_vtep(tunnel_id_t tunnel_id) {
        meta.delivery = DELIVERY_REMOTE_VTEP;
        meta.tunnel_id = tunnel_id;
    }

    /* Head-end replication: the group holds a replica per local vport and per remote VTEP. */
    action flood(bit<16> mcast_group) {
        meta.delivery = DELIVERY_FLOOD;
        meta.mcast_group = mcast_group;
    }

    /* Writes nothing: delivery starts as DELIVERY_NONE, and bum_flood may follow on a miss. */
    action destination_unknown() {
    }

    /* No replication: the frame, as it would be forwarded, goes to the controller (PUNT_BUM). */
    action bum_to_controller() {
        meta.punt_reason = PUNT_BUM;
    }

    table overlay_mac {
        key = {
            meta.vni:              exact @name("vni");
            hdr.ethernet.dst_addr: exact @name("dst_mac");
        }
        actions = {
            to_local_vport;
            to_remote_vtep;
            flood;
            @defaultonly destination_unknown;
        }
        const default_action = destination_unknown();
        size = OVERLAY_MAC_TABLE_SIZE;
    }

    table bum_flood {
        key = {
            meta.vni: exact @name("vni");
        }
        actions = {
            flood;
            bum_to_controller;
            @defaultonly destination_unknown;
        }
        const default_action = destination_unknown();
        size = TENANT_TABLE_SIZE;
    }

    /* Rule 2's drops (unknown destination, tunnel to tunnel, hairpin) are the verdict's
     * (ingress_verdict.p4); here the facts. */
    apply {
        if (!overlay_mac.apply().hit) {
            /* The I/G bit (least significant bit of the first octet) marks group addresses. */
            if (hdr.ethernet.dst_addr[40:40] == 1) {
                bum_flood.apply();
            }
        }
        if (meta.dst_vport == meta.src_vport) {
            meta.facts.hairpin = 1;
        }
    }
}

#endif
