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

/* The action selector is an architecture extern: the wrapper says how to declare one whose
 * hash is the identity of its selector key (the flow hash, so one flow keeps one path). */
#ifndef UNDERLAY_ECMP_SELECTOR
#error "the architecture wrapper must define UNDERLAY_ECMP_SELECTOR(name, members)"
#endif

control TunnelResolution(inout headers_t hdr, inout local_metadata_t meta) {

    /* Underlay ECMP (equal-cost next hops of one route): the members are route_via calls, a
     * route's group holds one per next hop, and the flow hash picks one. */
    UNDERLAY_ECMP_SELECTOR(underlay_ecmp_ipv4, UNDERLAY_NEXT_HOP_TABLE_SIZE)
    UNDERLAY_ECMP_SELECTOR(underlay_ecmp_ipv6, UNDERLAY_NEXT_HOP_TABLE_SIZE)

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

    /* Entries point at a group (or member) of the table's selector. */
    table underlay_route_ipv4 {
        key = {
            meta.tunnel.dst_addr[31:0]: lpm      @name("remote_vtep");
            meta.flow_hash:             selector @name("flow_hash");
        }
        actions = {
            route_via;
        }
        implementation = underlay_ecmp_ipv4;
        size = UNDERLAY_ROUTE_TABLE_SIZE;
    }

    table underlay_route_ipv6 {
        key = {
            meta.tunnel.dst_addr: lpm      @name("remote_vtep");
            meta.flow_hash:       selector @name("flow_hash");
        }
        actions = {
            route_via;
        }
        implementation = underlay_ecmp_ipv6;
        size = UNDERLAY_ROUTE_TABLE_SIZE;
    }

    /* A miss leaves facts.route_known clear: NO_UNDERLAY_ROUTE is the verdict's. */
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
