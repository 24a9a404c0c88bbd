/*
 * ARP and Neighbor Discovery suppression (ingress). The controller knows every workload's MAC
 * and IP, so the VTEP answers an ARP request (RFC 826) or a Neighbor Solicitation (RFC 4861
 * 7.2.4) for a known (VNI, IP) itself instead of flooding it over the overlay, as EVPN and
 * cloud VPCs do: the reply is built in the data plane and leaves the port the request came in
 * on (back through the tunnel to the requesting VTEP when the request came from the underlay).
 *
 * Not answered, forwarded like any frame: gratuitous ARP (sender = target address) and ARP
 * probes (sender 0.0.0.0, RFC 5227), duplicate address detection (unspecified IPv6 source,
 * RFC 4862), solicitations without exactly one source link-layer address option (RFC 4861
 * requires it for address resolution; DAD never has one), and ARP other than IPv4 over Ethernet. A request for an unknown target is
 * flooded as today, or dropped when the tenant says so (unknown_neighbor).
 *
 * Two controls, so that the lookups run beside overlay forwarding (same key, same stage on
 * Tofino) and the reply is built after it: NeighborSuppression looks up and records facts
 * (meta.neighbor), the ingress verdict decides (an answer, or a drop of an unknown target) and
 * sets where the answer goes (ingress_verdict.p4), and NeighborReply, applied by the wrapper to
 * an answer the verdict let through, builds it.
 */
#ifndef NEIGHBOR_SUPPRESSION_P4
#define NEIGHBOR_SUPPRESSION_P4

#include "../include/metadata.p4"
#include "../include/size.p4"

control NeighborSuppression(inout headers_t hdr, inout local_metadata_t meta) {

    /* The answer's MAC is kept in the request itself, in a field the reply overwrites anyway
     * (the ARP target hardware address, the solicitation's link-layer address option): no
     * metadata for it (PHV is what Tofino 1 has least of). Only answerable requests are looked
     * up, so nothing else is ever changed. */
    action answer_arp(mac_addr_t mac) {
        hdr.arp.tha = mac;
        meta.neighbor.answer = 1;
    }

    action answer_neighbor_solicitation(mac_addr_t mac) {
        hdr.nd_option.addr = mac;
        meta.neighbor.answer = 1;
    }

    action target_unknown() {
    }

    /* (VNI, IPv4 address) -> the MAC an ARP request for it is answered with. */
    table arp_answer {
        key = {
            meta.vni:    exact @name("vni");
            hdr.arp.tpa: exact @name("target_ipv4");
        }
        actions = {
            answer_arp;
            @defaultonly target_unknown;
        }
        const default_action = target_unknown();
        size = NEIGHBOR_TABLE_SIZE;
    }

    /* (VNI, IPv6 address) -> the MAC a Neighbor Solicitation for it is answered with. */
    table nd_answer {
        key = {
            meta.vni:       exact @name("vni");
            hdr.nd.target:  exact @name("target_ipv6");
        }
        actions = {
            answer_neighbor_solicitation;
            @defaultonly target_unknown;
        }
        const default_action = target_unknown();
        size = NEIGHBOR_TABLE_SIZE;
    }

    action flood_unknown_neighbor() {
    }

    action drop_unknown_neighbor() {
        meta.neighbor.drop_unknown = 1;
    }

    /* Per tenant: a request for a target the VTEP does not know is flooded (default, as any
     * broadcast) or dropped (reason UNKNOWN_NEIGHBOR). Looked up beside the answers. */
    table unknown_neighbor {
        key = {
            meta.vni: exact @name("vni");
        }
        actions = {
            flood_unknown_neighbor;
            drop_unknown_neighbor;
        }
        default_action = flood_unknown_neighbor();
        size = TENANT_TABLE_SIZE;
    }

    /*
     * The parser found the request's shape (meta.neighbor.request); what else makes it
     * answerable depends on the frame alone, so it is decided before the VNI is known and the
     * lookups still run beside overlay forwarding. Each condition is one small Tofino gateway.
     * Not answered for others: ARP probes (sender 0.0.0.0, RFC 5227) and gratuitous ARP (sender
     * = target); duplicate address detection (unspecified source, RFC 4862; any source in ::/32
     * is treated alike) and multicast targets (invalid, RFC 4861 7.1.1). The lookups' results
     * are facts: the ingress verdict reads them in its one lookup, where a decision here would
     * take a Tofino stage of its own between the lookups and the verdict.
     */
    apply {
        bool answerable = false;
        if (meta.neighbor.request == 1) {
            if (hdr.arp.isValid()) {
                if (hdr.arp.spa != 0) {
                    if (hdr.arp.spa != hdr.arp.tpa) {
                        answerable = true;
                    }
                }
            } else if (hdr.ipv6.src_addr[127:96] != 0) {
                if (hdr.nd.target[127:120] != 0xFF) {
                    answerable = true;
                }
            }
        }
        if (answerable) {
            if (hdr.arp.isValid()) {
                arp_answer.apply();
            } else {
                nd_answer.apply();
            }
            unknown_neighbor.apply();
        }
    }
}

/* The answer itself: headers only. Where it goes (the port it came in on, or back through the
 * tunnel) the verdict set (ingress_verdict.p4, answer_here / answer_through_tunnel). */
control NeighborReply(inout headers_t hdr, in local_metadata_t meta) {

    /* RFC 826: the reply swaps sender and target, the sender being the target asked for (its
     * MAC was put in the target hardware address by answer_arp). */
    action arp_reply() {
        mac_addr_t answer = hdr.arp.tha;
        ipv4_addr_t target = hdr.arp.tpa;
        hdr.ethernet.dst_addr = hdr.ethernet.src_addr;
        hdr.ethernet.src_addr = answer;
        hdr.arp.oper = ARP_OPER_REPLY;
        hdr.arp.tha = hdr.arp.sha;
        hdr.arp.tpa = hdr.arp.spa;
        hdr.arp.sha = answer;
        hdr.arp.spa = target;
    }

    /* RFC 4861 7.2.4: a solicited advertisement to the solicitation's source, from the target
     * address, with the target link-layer address option. The ICMPv6 checksum is computed by
     * the wrapper's checksum stage (v1model) or deparser (Tofino). */
    action neighbor_advertisement() {
        hdr.ethernet.dst_addr = hdr.ethernet.src_addr;
        hdr.ethernet.src_addr = hdr.nd_option.addr;
        hdr.ipv6.traffic_class = 0;
        hdr.ipv6.flow_label = 0;
        hdr.ipv6.hop_limit = ND_HOP_LIMIT;
        hdr.ipv6.dst_addr = hdr.ipv6.src_addr;
        hdr.ipv6.src_addr = hdr.nd.target;
        hdr.icmpv6.type = ICMPV6_NEIGHBOR_ADVERTISEMENT;
        hdr.icmpv6.checksum = 0;
        hdr.nd.flags = ND_ADVERTISEMENT_FLAGS;
        /* The option already holds the answer (answer_neighbor_solicitation). */
        hdr.nd_option.type = ND_OPTION_TARGET_LLA;
    }

    /* Back out of an access port, with the access tag the request came with. */
    action push_access_tag() {
        hdr.vlan.setValid();
        hdr.vlan.pcp = 0;
        hdr.vlan.dei = 0;
        hdr.vlan.vid = meta.access_vlan;
        hdr.vlan.ether_type = hdr.ethernet.ether_type;
        hdr.ethernet.ether_type = ETHERTYPE_VLAN;
    }

    /* Applied by the wrapper to an answered request the verdict let through. */
    apply {
        if (hdr.arp.isValid()) {
            arp_reply();
        } else {
            neighbor_advertisement();
        }
        /* Egress leaves a local answer alone (DELIVERY_NONE): it goes back as built. */
        if (meta.from_tunnel == 0 && meta.access_vlan != 0) {
            push_access_tag();
        }
    }
}

#endif
