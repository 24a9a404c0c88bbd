/*
 * Frame facts (ingress, after the tunnel is stripped): the L4 facts of the tenant frame
 * that policy matches on and that the flow hash covers. Fields that do not apply (no IP,
 * or an L4 header that was not parsed) are zero. The flow hash reads the addresses from
 * the headers themselves (flow_hash.p4), so no copy of them is kept. (The frame's ECN field,
 * for encapsulation, is taken by port classification: only frames from access ports are
 * encapsulated, and there nothing waits for the decapsulation's ECN rewrite.)
 */
#ifndef FRAME_FACTS_P4
#define FRAME_FACTS_P4

#include "../include/metadata.p4"

control FrameFacts(in headers_t hdr, inout local_metadata_t meta, out bit<16> l4_src_port) {
    apply {
        l4_src_port = 0;
        meta.ip_protocol = 0;
        meta.l4_dst_port = 0;
        if (hdr.ipv4.isValid()) {
            meta.ip_protocol = hdr.ipv4.protocol;
        } else if (hdr.ipv6.isValid()) {
            meta.ip_protocol = hdr.ipv6.next_hdr;
        }
        if (hdr.tcp_ports.isValid()) {
            l4_src_port = hdr.tcp_ports.src_port;
            meta.l4_dst_port = hdr.tcp_ports.dst_port;
        } else if (hdr.udp.isValid()) {
            l4_src_port = hdr.udp.src_port;
            meta.l4_dst_port = hdr.udp.dst_port;
        }
    }
}

#endif
