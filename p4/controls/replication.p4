/*
 * Replication (egress, flood copies): each copy the multicast engine makes carries a
 * replica id (egress_rid) that says what the copy is for: a local vport, or a remote
 * VTEP with its resolved tunnel. Copies that must not leave are pruned here:
 *  - the copy to the vport the frame came from;
 *  - copies to remote VTEPs of a frame that itself came from a tunnel (split horizon:
 *    BUM from the underlay floods to local ports only).
 */
#ifndef REPLICATION_P4
#define REPLICATION_P4

#include "../include/metadata.p4"
#include "../include/size.p4"

control Replication(inout headers_t hdr, inout local_metadata_t meta, in bit<16> replica_id, out bool pruned) {

    action replica_to_vport(vport_id_t vport, vlan_id_t vlan_id, security_id_t security_id) {
        meta.delivery = DELIVERY_LOCAL_VPORT;
        meta.dst_vport = vport;
        meta.dst_vlan = vlan_id;
        meta.dst_security_id = security_id;
    }

    action replica_to_tunnel_ipv4(ipv4_addr_t local_vtep, ipv4_addr_t remote_vtep,
                                  mac_addr_t src_mac, mac_addr_t next_hop_mac) {
        meta.delivery = DELIVERY_REMOTE_VTEP;
        meta.tunnel.is_ipv6 = 0;
        meta.tunnel.src_addr = (ipv6_addr_t) local_vtep;
        meta.tunnel.dst_addr = (ipv6_addr_t) remote_vtep;
        meta.tunnel.src_mac = src_mac;
        meta.tunnel.dst_mac = next_hop_mac;
    }

    action replica_to_tunnel_ipv6(ipv6_addr_t local_vtep, ipv6_addr_t remote_vtep,
                                  mac_addr_t src_mac, mac_addr_t next_hop_mac) {
        meta.delivery = DELIVERY_REMOTE_VTEP;
        meta.tunnel.is_ipv6 = 1;
        meta.tunnel.src_addr = local_vtep;
        meta.tunnel.dst_addr = remote_vtep;
        meta.tunnel.src_mac = src_mac;
        meta.tunnel.dst_mac = next_hop_mac;
    }

    action unknown_replica() {
        meta.drop_reason = DROP_UNKNOWN_REPLICA;
    }

    table flood_replica {
        key = {
            replica_id: exact @name("replica_id");
        }
        actions = {
            replica_to_vport;
            replica_to_tunnel_ipv4;
            replica_to_tunnel_ipv6;
            @defaultonly unknown_replica;
        }
        const default_action = unknown_replica();
        size = FLOOD_REPLICA_TABLE_SIZE;
    }

    apply {
        pruned = false;
        if (flood_replica.apply().hit) {
            if (meta.delivery == DELIVERY_LOCAL_VPORT) {
                if (meta.from_tunnel == 0 && meta.dst_vport == meta.src_vport) {
                    pruned = true;
                }
            } else if (meta.from_tunnel == 1) {
                pruned = true;
            }
        }
    }
}

#endif
