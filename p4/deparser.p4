/*
 * Deparser: headers in wire order; only valid ones are emitted, and what the parser
 * never extracted follows as payload. Packet-in metadata comes first, then a tunnel we
 * add, then the frame (which, after tunnel termination, is the tenant frame).
 */
#ifndef GENEVE_DEPARSER_P4
#define GENEVE_DEPARSER_P4

#include "include/headers.p4"

control FrameDeparser(packet_out packet, in headers_t hdr) {
    apply {
        packet.emit(hdr.packet_in);
        packet.emit(hdr.tunnel_ethernet);
        packet.emit(hdr.tunnel_ipv4);
        packet.emit(hdr.tunnel_ipv6);
        packet.emit(hdr.tunnel_udp);
        packet.emit(hdr.tunnel_geneve);
        packet.emit(hdr.tunnel_security_option);
        packet.emit(hdr.ethernet);
        packet.emit(hdr.vlan);
        packet.emit(hdr.ipv4);
        packet.emit(hdr.ipv6);
        packet.emit(hdr.tcp_ports);
        packet.emit(hdr.udp);
        packet.emit(hdr.geneve);
        packet.emit(hdr.geneve_option_words);
        packet.emit(hdr.inner_ethernet);
        packet.emit(hdr.inner_ipv4);
        packet.emit(hdr.inner_ipv6);
        packet.emit(hdr.inner_tcp_ports);
        packet.emit(hdr.inner_udp);
        packet.emit(hdr.arp);
        packet.emit(hdr.icmpv6);
        packet.emit(hdr.nd);
        packet.emit(hdr.nd_option);
    }
}

#endif
