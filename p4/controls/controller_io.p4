/*
 * Controller I/O through the CPU port. P4Runtime carries the packet_in / packet_out
 * header fields as PacketIn / PacketOut metadata (@controller_header in headers.p4).
 *  - packet-out: the controller names the egress port; the frame leaves unchanged.
 *  - packet-in: the frame with the port it arrived on and why it is punted.
 */
#ifndef CONTROLLER_IO_P4
#define CONTROLLER_IO_P4

#include "../include/metadata.p4"

/*
 * The packet_out port field is 16 bits, the port number narrower: a value that does not fit
 * (first_invalid_port and above), names the CPU port, or is no port of ours (port_role has no
 * entry for it: port classification looked it up, classify_port) is refused, never cut down
 * to whatever port its low bits name (docs/DATAPLANE.md rule 14).
 */
control ControllerPacketOut(inout headers_t hdr, inout local_metadata_t meta,
                            in bit<16> first_invalid_port, in bit<16> cpu_port) {
    apply {
        if (hdr.packet_out.egress_port >= first_invalid_port || hdr.packet_out.egress_port == cpu_port) {
            meta.facts.packet_out_port_bad = 1;
        }
        if (meta.port_role == PORT_ROLE_UNCONFIGURED) {
            meta.facts.packet_out_port_bad = 1;
        }
        if (meta.facts.packet_out_port_bad == 1) {
            meta.drop_reason = DROP_PACKET_OUT_PORT;
        } else {
            meta.egress_port = (port_t) hdr.packet_out.egress_port;
        }
        hdr.packet_out.setInvalid();
    }
}

control ControllerPacketIn(inout headers_t hdr, in bit<16> ingress_port, in punt_reason_t reason) {
    apply {
        hdr.packet_in.setValid();
        hdr.packet_in.ingress_port = ingress_port;
        hdr.packet_in.reason = reason;
        hdr.packet_in.pad = 0;
    }
}

/* A punted copy of a frame that was about to be encapsulated: the controller gets the tenant frame. */
control RemoveEncapsulation(inout headers_t hdr) {
    apply {
        hdr.tunnel_ethernet.setInvalid();
        hdr.tunnel_ipv4.setInvalid();
        hdr.tunnel_ipv6.setInvalid();
        hdr.tunnel_udp.setInvalid();
        hdr.tunnel_geneve.setInvalid();
        hdr.tunnel_security_option.setInvalid();
    }
}

#endif
