/*
 * Tunnel resolution (ingress, unicast to a remote VTEP): the tunnel's addresses, then
 * the underlay route to the remote VTEP (longest prefix), which gives the uplink port
 * and the outer MAC addresses. Flood replicas carry the same facts in their replica
 * entry (see Replication), because a replica's port is fixed by the multicast group.
 */
#ifndef TUNNEL_RESOLUTION_P4
#define TUNNEL_RESOLUTION_P4

#include "../include/metadata.p4"
#include "../include/size.p4"

control TunnelResolution(inout headers_t hdr, inout local_metadata_t meta) {

    action set_tunnel_ipv4(ipv4_addr_t local_vtep, ipv4_addr_t remote_vtep) {
        meta.facts.tunnel_known = 1;
        meta.tunnel.is_ipv6 = 0;
        meta.tunnel.src_addr = (ipv6_addr_t) local_vtep;
        meta.tunnel.dst_addr = (ipv6_addr_t) remote_vtep;
    }

    action set_tunnel_ipv6(ipv6_addr_t local_vtep, ipv6_addr_t remote_vtep) {
        meta.facts.tunnel_known = 1;
        meta.tunnel.is_ipv6 = 1;
        meta.tunnel.src_addr = local_vtep;
        meta.tunnel.dst_addr = remote_vtep;
    }

    /* NO_TUNNEL and NO_UNDERLAY_ROUTE are the verdict's (ingress_verdict.p4). */
    action no_tunnel() {
    }

    table tunnel {
        key = {
            meta.tunnel_id: exact @name("tunnel_id");
        }
        actions = {
            set_tunnel_ipv4;
            set_tunnel_ipv6;
            @defaultonly no_tunnel;
        }
        const default_action = no_tunnel();
        size = TUNNEL_TABLE_SIZE;
    }

    action route_via(port_t port, mac_addr_t src_mac, mac_addr_t next_hop_mac) {
        meta.facts.route_known = 1;
        meta.egress_port = port;
        meta.tunnel.src_mac = src_mac;
        meta.tunnel.dst_mac = next_hop_mac;
    }

    action no_route() {
    }

    table underlay_route_ipv4 {
        key = {
            meta.tunnel.dst_addr[31:0]: lpm @name("remote_vtep");
        }
        actions = {
            route_via;
            @defaultonly no_route;
        }
        const default_action = no_route();
        size = UNDERLAY_ROUTE_TABLE_SIZE;
    }

    table underlay_route_ipv6 {
        key = {
            meta.tunnel.dst_addr: lpm @name("remote_vtep");
        }
        actions = {
            route_via;
            @defaultonly no_route;
        }
        const default_action = no_route();
        size = UNDERLAY_ROUTE_TABLE_SIZE;
    }

    apply {
        if (tunnel.apply().hit) {
            if (meta.tunnel.is_ipv6 == 1) {
                underlay_route_ipv6.apply();
            } else {
                underlay_route_ipv4.apply();
            }
        }
    }
}

#endif
