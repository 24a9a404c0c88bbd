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
#include "../include/size.p4"

control MtuCheck(inout headers_t hdr, inout local_metadata_t meta, in port_t egress_port) {

    /* The largest IPv6 payload the MTU allows (it counts the 40-byte IPv6 header). */
    bit<16> ipv6_payload_limit = 0;

    action set_uplink_mtu(bit<16> mtu) {
        meta.mtu = mtu;
        ipv6_payload_limit = mtu - (bit<16>) IPV6_HEADER_BYTES;
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
        size = MTU_TABLE_SIZE;
    }

    apply {
        meta.mtu = 0;
        uplink_mtu.apply();
        /* An MTU of 32768 or more limits nothing: no frame is that large. */
        if (meta.mtu != 0 && meta.mtu[15:15] == 0) {
            /* Room left under the MTU: a datagram too large makes it negative, i.e. sets the
             * top bit (both values are below 32768). One subtraction and a one-bit test, which
             * a Tofino gateway can do (it cannot compare two variables). */
            bit<16> room = 0;
            /* A datagram of 32768 bytes or more (up to 65535, rule 11) exceeds any such MTU;
             * the subtraction alone would not show it. (Not on architectures whose frames
             * are far smaller: FRAMES_FIT_ANY_TUNNEL.) */
            bit<1> huge = 0;
            if (hdr.tunnel_ipv4.isValid()) {
                room = meta.mtu - hdr.tunnel_ipv4.total_len;
#ifndef FRAMES_FIT_ANY_TUNNEL
                huge = hdr.tunnel_ipv4.total_len[15:15];
#endif
            } else if (hdr.tunnel_ipv6.isValid()) {
                room = ipv6_payload_limit - hdr.tunnel_ipv6.payload_len;
#ifndef FRAMES_FIT_ANY_TUNNEL
                huge = hdr.tunnel_ipv6.payload_len[15:15];
#endif
            }
            if (room[15:15] == 1 || huge == 1) {
                meta.drop_reason = DROP_MTU_EXCEEDED;
                meta.clone_reason = PUNT_MTU_EXCEEDED;
            }
        }
    }
}

#endif
