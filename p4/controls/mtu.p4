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
        size = MTU_TABLE_SIZE;
    }

    apply {
        meta.mtu = 0;
        uplink_mtu.apply();
        /* An MTU of 32768 or more limits nothing: no frame is that large. */
        if (meta.mtu != 0 && meta.mtu[15:15] == 0) {
            /* The room left under the MTU, computed in place (no PHV for a copy): a datagram
             * too large makes it negative, i.e. sets the top bit (both values are below
             * 32768). For IPv6 the MTU counts the 40-byte header that the payload length does
             * not: the room must be 40 or more. One subtraction, then tests of one field
             * against constants, which a Tofino gateway can do (it cannot compare two fields,
             * nor a range wider than 12 bits). */
            bool exceeded = false;
            if (hdr.tunnel_ipv4.isValid()) {
                meta.mtu = meta.mtu - hdr.tunnel_ipv4.total_len;
                if (meta.mtu[15:15] == 1) {
                    exceeded = true;
                }
#ifndef FRAMES_FIT_ANY_TUNNEL
                /* A datagram of 32768 bytes or more (up to 65535, rule 11) exceeds any such
                 * MTU; the subtraction alone would not show it. (Not on architectures whose
                 * frames are far smaller: FRAMES_FIT_ANY_TUNNEL.) */
                if (hdr.tunnel_ipv4.total_len[15:15] == 1) {
                    exceeded = true;
                }
#endif
            } else if (hdr.tunnel_ipv6.isValid()) {
                meta.mtu = meta.mtu - hdr.tunnel_ipv6.payload_len;
                if (meta.mtu[15:15] == 1) {
                    exceeded = true;
                }
                if (meta.mtu[15:6] == 0 && meta.mtu[5:0] < (bit<6>) IPV6_HEADER_BYTES) {
                    exceeded = true;
                }
#ifndef FRAMES_FIT_ANY_TUNNEL
                if (hdr.tunnel_ipv6.payload_len[15:15] == 1) {
                    exceeded = true;
                }
#endif
            }
            if (exceeded) {
                meta.drop_reason = DROP_MTU_EXCEEDED;
                meta.clone_reason = PUNT_MTU_EXCEEDED;
            }
        }
    }
}

#endif
