/*
 * MTU enforcement (egress, after encapsulation): each uplink has an IP MTU. A packet
 * whose outer IP datagram would exceed it is not sent (the underlay must not fragment
 * Geneve); the tenant frame goes to the controller instead, so it can answer the
 * sender (ICMP "fragmentation needed" / "packet too big") with the path MTU.
 * An uplink without an entry has no limit.
 */
#ifndef MTU_P4
#define MTU_P4

#include "../include/metadata.p4"

control MtuCheck(inout headers_t hdr, inout local_metadata_t meta, in port_t egress_port) {

    action set_uplink_mtu(bit<16> mtu) {
        meta.mtu = mtu;
    }

    table uplink_mtu {
        key = {
            egress_port: exact @name("port");
        }
        actions = {
            set_uplink_mtu;
            @defaultonly NoAction;
        }
        const default_action = NoAction();
        size = 512;
    }

    apply {
        meta.mtu = 0;
        uplink_mtu.apply();
        bit<16> ip_len = 0;
        if (hdr.tunnel_ipv4.isValid()) {
            ip_len = hdr.tunnel_ipv4.total_len;
        } else if (hdr.tunnel_ipv6.isValid()) {
            ip_len = (bit<16>) IPV6_HEADER_BYTES + hdr.tunnel_ipv6.payload_len;
        }
        if (meta.mtu != 0 && ip_len > meta.mtu) {
            meta.drop_reason = DROP_MTU_EXCEEDED;
            meta.clone_reason = PUNT_MTU_EXCEEDED;
        }
    }
}

#endif
