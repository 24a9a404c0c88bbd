/*
 * The ingress verdict (docs/DATAPLANE.md rules 1, 2, 4, 6-8, 12-13): every lookup before it ran
 * side by side and recorded facts (metadata.p4, ingress_facts_t); tunnel termination decided
 * rules 6-8, 12 and 13 already (a drop or punt reason, or facts.terminated). This takes the
 * rest in the contract's order, the first failing check naming the drop reason: one lookup,
 * where a chain of conditions would take a Tofino stage per link.
 */
#ifndef INGRESS_VERDICT_P4
#define INGRESS_VERDICT_P4

#include "../include/metadata.p4"

/* The key's neighbor columns, any value (rule 15 has three, 15a one). */
#if NEIGHBOR_SUPPRESSION
#define ANY_NEIGHBOR _, _, _
#else
#define ANY_NEIGHBOR _
#endif

control IngressVerdict(inout local_metadata_t meta) {

    @hidden
    action drop(drop_reason_t reason) {
        meta.drop_reason = reason;
    }

    /* The frame is forwarded, or termination's drop or punt stands. */
    @hidden
    action pass() {
    }

#if NEIGHBOR_SUPPRESSION
    /*
     * Rule 15: the VTEP answers an ARP request or Neighbor Solicitation (NeighborReply builds the
     * answer); whatever forwarding decided for the request (flood, BUM to the controller, a
     * tunnel...) is void. The answer leaves the port the request came in on (classify_port: the
     * ingress port, as this is no packet-out); egress leaves it alone.
     */
    @hidden
    action answer_here() {
        meta.punt_reason = PUNT_NONE;
        meta.delivery = DELIVERY_NONE;
        meta.egress_port = meta.classify_port;
    }
#endif

    /* Rule 15a: without neighbor suppression in the data plane, a request that would be flooded,
     * or dropped for an unknown destination, goes to the controller, which answers it (or delivers
     * it as the tenant's setting says). */
#if !NEIGHBOR_SUPPRESSION
    @hidden
    action punt_neighbor() {
        meta.punt_reason = PUNT_NEIGHBOR;
        meta.delivery = DELIVERY_NONE;
    }
#endif

    /* A request from the underlay goes back to the requesting VTEP: tunnel termination kept the
     * way back in meta.tunnel; the answer is as long as the request, which the UDP length gave
     * (tenant_frame_len counts the UDP and Geneve headers too). It vouches for no workload: it
     * carries the VNI's unknown security ID. */
#if NEIGHBOR_REQUESTS_IN_TUNNELS
    @hidden
    action answer_through_tunnel() {
        meta.punt_reason = PUNT_NONE;
        meta.delivery = DELIVERY_REMOTE_VTEP;
        meta.egress_port = meta.classify_port;
        meta.frame_len = meta.tenant_frame_len - (bit<16>) (UDP_HEADER_BYTES + GENEVE_BASE_HEADER_BYTES);
        meta.src_security_id = meta.unknown_security_id;
    }
#endif

    /* A priority encoder (the first entry that matches wins, so each entry tests only what
     * tells it from the ones above). Not in the P4Info: the program fixes it. */
    @hidden
    table ingress_verdict {
        key = {
            meta.port_role:              ternary;
            meta.facts.ethernet_missing: ternary;
            meta.facts.terminated:       ternary;
            meta.facts.vport_known:      ternary;
            meta.delivery:               ternary;
            meta.facts.hairpin:          ternary;
            meta.facts.tunnel_known:     ternary;
            meta.facts.route_known:      ternary;
            meta.punt_reason:            ternary;
#if NEIGHBOR_SUPPRESSION
            meta.neighbor.answer:        ternary;
            meta.neighbor.drop_unknown:  ternary;
            meta.from_tunnel:            ternary;
#else
            meta.neighbor.request:       ternary;
#endif
        }
        actions = {
            drop;
            pass;
#if NEIGHBOR_SUPPRESSION
            answer_here;
#else
            punt_neighbor;
#endif
#if NEIGHBOR_REQUESTS_IN_TUNNELS
            answer_through_tunnel;
#endif
        }
        const entries = {
            /* Rule 1. */
            (PORT_ROLE_UNCONFIGURED, _, _, _, _, _, _, _, _, ANY_NEIGHBOR): drop(DROP_PORT_UNCONFIGURED);
            (_, 1, _, _, _, _, _, _, _, ANY_NEIGHBOR): drop(DROP_PARSER_ERROR);
            /* Rules 6-8, 12, 13: termination decided. */
            (PORT_ROLE_UPLINK, _, 0, _, _, _, _, _, _, ANY_NEIGHBOR): pass();
            (PORT_ROLE_ACCESS, _, _, 0, _, _, _, _, _, ANY_NEIGHBOR): drop(DROP_UNKNOWN_SOURCE);
#if NEIGHBOR_SUPPRESSION
            /* Rule 15: an answered ARP request or Neighbor Solicitation replaces whatever
             * forwarding decided for it; an unknown target of a tenant that drops those is
             * dropped. */
            (_, _, _, _, _, _, _, _, _, 1, _, 0): answer_here();
#if NEIGHBOR_REQUESTS_IN_TUNNELS
            (_, _, _, _, _, _, _, _, _, 1, _, 1): answer_through_tunnel();
#endif
            (_, _, _, _, _, _, _, _, _, _, 1, _): drop(DROP_UNKNOWN_NEIGHBOR);
#else
            /* Rule 15a: a request from a workload that would be flooded, or dropped for an
             * unknown destination (a tenant that floods nothing), goes to the controller; one that
             * a tenant's bum_to_controller punts already stays a BUM punt (the controller answers
             * those too). */
            (PORT_ROLE_ACCESS, _, _, _, DELIVERY_FLOOD, _, _, _, _, 1): punt_neighbor();
            (PORT_ROLE_ACCESS, _, _, _, DELIVERY_NONE, _, _, _, PUNT_NONE, 1): punt_neighbor();
#endif
            /* Rule 2; a tenant that sends BUM to the controller (bum_to_controller) punts it instead. */
            (_, _, _, _, DELIVERY_NONE, _, _, _, PUNT_BUM, ANY_NEIGHBOR): pass();
            (_, _, _, _, DELIVERY_NONE, _, _, _, _, ANY_NEIGHBOR): drop(DROP_UNKNOWN_DESTINATION);
            /* Rule 10: a VTEP never relays between tunnels (split horizon). */
            (PORT_ROLE_UPLINK, _, _, _, DELIVERY_REMOTE_VTEP, _, _, _, _, ANY_NEIGHBOR): drop(DROP_TUNNEL_TO_TUNNEL);
            (PORT_ROLE_ACCESS, _, _, _, DELIVERY_LOCAL_VPORT, 1, _, _, _, ANY_NEIGHBOR): drop(DROP_HAIRPIN);
            /* Rule 4. */
            (_, _, _, _, DELIVERY_REMOTE_VTEP, _, 0, _, _, ANY_NEIGHBOR): drop(DROP_NO_TUNNEL);
            (_, _, _, _, DELIVERY_REMOTE_VTEP, _, _, 0, _, ANY_NEIGHBOR): drop(DROP_NO_UNDERLAY_ROUTE);
        }
        const default_action = pass();
    }

    apply {
        ingress_verdict.apply();
    }
}

#endif
