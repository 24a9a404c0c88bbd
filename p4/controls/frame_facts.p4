/*
 * Frame facts (ingress, after the tunnel is stripped): the L3/L4 facts of the tenant
 * frame that policy matches on and that the flow hash covers. IPv4 addresses are
 * zero-extended to 128 bits so one flow key serves both families. Fields that do not
 * apply (no IP, or an L4 header that was not parsed) are zero.
 */
#ifndef FRAME_FACTS_P4
#define FRAME_FACTS_P4

#include "../include/metadata.p4"

struct flow_key_t {
    ipv6_addr_t src_ip;
    ipv6_addr_t dst_ip;
    bit<16>     src_port;
}

control FrameFacts(in headers_t hdr, inout local_metadata_t meta, out flow_key_t flow) {
    apply {
        flow.src_ip = 0;
        flow.dst_ip = 0;
        flow.src_port = 0;
        meta.ip_protocol = 0;
        meta.l4_dst_port = 0;
        if (hdr.ipv4.isValid()) {
            flow.src_ip = (ipv6_addr_t) hdr.ipv4.src_addr;
            flow.dst_ip = (ipv6_addr_t) hdr.ipv4.dst_addr;
            meta.ip_protocol = hdr.ipv4.protocol;
        } else if (hdr.ipv6.isValid()) {
            flow.src_ip = hdr.ipv6.src_addr;
            flow.dst_ip = hdr.ipv6.dst_addr;
            meta.ip_protocol = hdr.ipv6.next_hdr;
        }
        if (hdr.tcp_ports.isValid()) {
            flow.src_port = hdr.tcp_ports.src_port;
            meta.l4_dst_port = hdr.tcp_ports.dst_port;
        } else if (hdr.udp.isValid()) {
            flow.src_port = hdr.udp.src_port;
            meta.l4_dst_port = hdr.udp.dst_port;
        }
    }
}

#endif
