/*
 * v1model (bmv2 simple_switch_grpc) wrapper of the Geneve VTEP. Everything specific to
 * the architecture lives here: port numbers, standard_metadata, the CPU port, counters,
 * hashing, cloning and checksum units. The protocol logic is in ../parser.p4 and
 * ../controls/, which a TNA or DOCA DPL wrapper reuses unchanged.
 */
#include <core.p4>
#include <v1model.p4>

#define PORT_BITS 9
#define DIRECT_PACKETS_AND_BYTES_COUNTER(name) direct_counter(CounterType.packets_and_bytes) name
/* The Geneve option word counter (geneve_options.p4) lives in metadata. */
#define GENEVE_WORDS_LEFT_SET(k) meta.geneve.words_left = k;
#define GENEVE_WORD_TAKEN() meta.geneve.words_left = meta.geneve.words_left - 1;
#define GENEVE_NO_WORDS_LEFT (meta.geneve.words_left == 0)
/* v1model's hash() is a function: no unit to declare. Output range 65536: the low 16 bits. */
#define CRC32_HASH_UNIT(name)
#define CRC32_LOW16(name, result, ...) \
    hash(result, HashAlgorithm.crc32, (bit<16>) 0, { __VA_ARGS__ }, (bit<32>) 65536);
/*
 * Table sizes of the software switch (the rest are p4/include/size.p4's defaults): room for the
 * fabric of `npm run bench -- controller`, 100,000 workloads on 4 VTEPs: 25,000 local workloads
 * and 100,000 (VNI, MAC) destinations per VTEP. bmv2 allocates entries as they are inserted, so a
 * larger size costs nothing until used (docs/FABRIC.md, "Scale"). Tofino keeps its own sizes.
 */
#define VPORT_TABLE_SIZE 32768
#define OVERLAY_MAC_TABLE_SIZE 131072
/* Underlay ECMP: bmv2's selector picks member (hash % members of the group); identity over the
 * 16-bit flow hash keeps it the flow hash itself. */
#define UNDERLAY_ECMP_SELECTOR(name, members) action_selector(HashAlgorithm.identity, members, 16) name;
#include "../include/constants.p4"
#include "../include/headers.p4"
#include "../include/metadata.p4"
#include "../parser.p4"
#include "../deparser.p4"
#include "../controls/port_classification.p4"
#include "../controls/tunnel_termination.p4"
#include "../controls/frame_facts.p4"
#include "../controls/flow_hash.p4"
#include "../controls/overlay_forwarding.p4"
#if NEIGHBOR_SUPPRESSION
#include "../controls/neighbor_suppression.p4"
#endif
#include "../controls/tunnel_resolution.p4"
#include "../controls/replication.p4"
#include "../controls/policy.p4"
#include "../controls/local_delivery.p4"
#include "../controls/encap.p4"
#include "../controls/mtu.p4"
#include "../controls/controller_io.p4"
#include "../controls/ingress_verdict.p4"

/* The port simple_switch_grpc is started with as --cpu-port. */
const port_t CPU_PORT = 255;
/* Clone session the controller points at CPU_PORT; carries MTU punts. */
const bit<32> PUNT_CLONE_SESSION = 1;
/* @field_list index of the metadata kept by a punted clone (see metadata.p4). */
const bit<8> PUNT_FIELD_LIST = 1;
/* standard_metadata.instance_type of an egress-to-egress clone in simple_switch. */
const bit<32> INSTANCE_TYPE_EGRESS_CLONE = 2;
/* bmv2's drop port (2^PORT_BITS - 1); no port number at or above it exists. */
const bit<16> FIRST_INVALID_PORT = 511;
/* v1model meter colours: GREEN 0, YELLOW 1, RED 2. */
const bit<2> METER_RED = 2;

parser VtepParser(packet_in packet, out headers_t hdr, inout local_metadata_t meta,
                  inout standard_metadata_t standard_metadata) {
    FrameParser() frame_parser;

    state start {
        transition select(standard_metadata.ingress_port) {
            CPU_PORT: parse_packet_out;
            default: parse_frame;
        }
    }

    /* Frames from the controller: the packet_out header, then a frame sent as is. */
    state parse_packet_out {
        packet.extract(hdr.packet_out);
        /* Port classification looks the packet-out's port up (rule 14). */
        meta.classify_port = (port_t) hdr.packet_out.egress_port;
        transition accept;
    }

    state parse_frame {
        meta.classify_port = standard_metadata.ingress_port;
        frame_parser.apply(packet, hdr, meta);
        transition accept;
    }
}

control VtepVerifyChecksum(inout headers_t hdr, inout local_metadata_t meta) {
    apply {
        /* Sets standard_metadata.checksum_error; only tunnel termination acts on it. */
        verify_checksum(hdr.ipv4.isValid() && hdr.ipv4.ihl == 5,
            { hdr.ipv4.version, hdr.ipv4.ihl, hdr.ipv4.dscp, hdr.ipv4.ecn, hdr.ipv4.total_len,
              hdr.ipv4.identification, hdr.ipv4.reserved, hdr.ipv4.dont_fragment,
              hdr.ipv4.more_fragments, hdr.ipv4.frag_offset, hdr.ipv4.ttl, hdr.ipv4.protocol,
              hdr.ipv4.src_addr, hdr.ipv4.dst_addr },
            hdr.ipv4.hdr_checksum, HashAlgorithm.csum16);
    }
}

control VtepIngress(inout headers_t hdr, inout local_metadata_t meta,
                    inout standard_metadata_t standard_metadata) {

    /* One cell per DROP_* reason. */
    counter(DROP_REASON_COUNT, CounterType.packets_and_bytes) ingress_drops;
    /* Per tenant slot: tunnelled traffic received and decapsulated. */
    counter(TENANT_SLOTS, CounterType.packets_and_bytes) tenant_from_network;
#if NEIGHBOR_SUPPRESSION
    /* Per tenant slot: ARP requests and Neighbor Solicitations the VTEP answered itself. */
    counter(TENANT_SLOTS, CounterType.packets_and_bytes) tenant_neighbor_answers;
#endif

    PortClassification() port_classification;
    TunnelTermination() tunnel_termination;
    FrameFacts() frame_facts;
    FlowHash() flow_hash;
#if NEIGHBOR_SUPPRESSION
    NeighborSuppression() neighbor_suppression;
#endif
    OverlayForwarding() overlay_forwarding;
    TunnelResolution() tunnel_resolution;
    IngressVerdict() ingress_verdict;
    EcnDecapsulation() ecn_decapsulation;
#if NEIGHBOR_SUPPRESSION
    NeighborReply() neighbor_reply;
#endif
    ControllerPacketOut() controller_packet_out;
    ControllerPacketIn() controller_packet_in;

    apply {
        /* The same order as the Tofino wrapper (../tofino/vtep.p4): lookups side by side,
         * then the verdict. Port classification also looks up a packet-out's port. */
        port_classification.apply(hdr, meta, standard_metadata.packet_length);
        if (hdr.packet_out.isValid()) {
            controller_packet_out.apply(hdr, meta, FIRST_INVALID_PORT, (bit<16>) CPU_PORT);
            if (meta.drop_reason != DROP_NONE) {
                ingress_drops.count((bit<32>) meta.drop_reason);
                mark_to_drop(standard_metadata);
            } else {
                standard_metadata.egress_spec = meta.egress_port;
            }
        } else {
            meta.original_ingress_port = (bit<16>) standard_metadata.ingress_port;
            tunnel_termination.apply(hdr, meta, standard_metadata.checksum_error == 1,
                                     standard_metadata.packet_length);
            bit<16> l4_src_port;
            frame_facts.apply(hdr, meta, l4_src_port);
            flow_hash.apply(hdr, l4_src_port, meta);
#if NEIGHBOR_SUPPRESSION
            /* Rule 15 beside overlay forwarding: access frames and decapsulated ones only (a
             * Geneve control packet stays whole). */
            if (meta.port_role == PORT_ROLE_ACCESS || meta.from_tunnel == 1) {
                neighbor_suppression.apply(hdr, meta);
            }
#endif
            overlay_forwarding.apply(hdr, meta);
            /* A frame from a tunnel is never sent into one: the verdict drops it (rule 10), or
             * it is an answer going back the way the request came (tunnel termination kept the
             * way back in meta.tunnel). So tunnel resolution waits for nothing but forwarding. */
            if (meta.delivery == DELIVERY_REMOTE_VTEP && meta.from_tunnel == 0) {
                tunnel_resolution.apply(hdr, meta);
            }
            ingress_verdict.apply(meta);
            /* Rule 12 on a decapsulated frame, last: nothing above reads what it changes. */
            if (meta.from_tunnel == 1) {
                ecn_decapsulation.apply(hdr, meta);
            }
#if NEIGHBOR_SUPPRESSION
            /* An answer the verdict let through replaces the request (the verdict voided what
             * forwarding decided for it). */
            if (meta.drop_reason == DROP_NONE && meta.neighbor.answer == 1) {
                neighbor_reply.apply(hdr, meta);
                tenant_neighbor_answers.count((bit<32>) meta.tenant_slot);
            }
#endif

            if (meta.drop_reason != DROP_NONE) {
                ingress_drops.count((bit<32>) meta.drop_reason);
                mark_to_drop(standard_metadata);
            } else if (meta.punt_reason != PUNT_NONE) {
                /* Rule 13: the punt meter is in egress. */
                controller_packet_in.apply(hdr, (bit<16>) standard_metadata.ingress_port, meta.punt_reason);
                standard_metadata.egress_spec = CPU_PORT;
            } else {
                if (meta.from_tunnel == 1) {
                    tenant_from_network.count((bit<32>) meta.tenant_slot);
                }
                if (meta.delivery == DELIVERY_FLOOD) {
                    standard_metadata.mcast_grp = meta.mcast_group;
                } else {
                    standard_metadata.egress_spec = meta.egress_port;
                }
            }
        }
    }
}

control VtepEgress(inout headers_t hdr, inout local_metadata_t meta,
                   inout standard_metadata_t standard_metadata) {

    counter(DROP_REASON_COUNT, CounterType.packets_and_bytes) egress_drops;
    /* Per tenant slot: traffic encapsulated towards remote VTEPs (one count per copy). */
    counter(TENANT_SLOTS, CounterType.packets_and_bytes) tenant_to_network;
    /* Rule 13: punts to the controller, each path through a meter the controller configures;
     * red packets are dropped and counted. Punts decided in ingress (Geneve OAM packets, and BUM
     * frames of a tenant sent to the controller) and MTU punts (the clones). */
    meter(1, MeterType.packets) oam_punt_meter;
    meter(1, MeterType.packets) mtu_punt_meter;

    Replication() replication;
    Policy() policy;
    LocalDelivery() local_delivery;
    GeneveEncap() geneve_encap;
    MtuCheck() mtu_check;
    RemoveEncapsulation() remove_encapsulation;
    ControllerPacketIn() controller_packet_in;

    apply {
        if (standard_metadata.instance_type == INSTANCE_TYPE_EGRESS_CLONE) {
            /* The punted copy of a packet that exceeded the uplink MTU. */
            bit<2> color;
            mtu_punt_meter.execute_meter(0, color);
            if (color == METER_RED) {
                egress_drops.count((bit<32>) DROP_MTU_PUNT_METER);
                mark_to_drop(standard_metadata);
            } else {
                remove_encapsulation.apply(hdr);
                controller_packet_in.apply(hdr, meta.original_ingress_port, meta.clone_reason);
            }
        } else if (meta.punt_reason == PUNT_GENEVE_OAM || meta.punt_reason == PUNT_BUM
                   || meta.punt_reason == PUNT_NEIGHBOR) {
            /* Punts decided in ingress (Geneve OAM; BUM of a tenant without replication; a
             * neighbor request for the controller to answer, rule 15a) share the ingress punt
             * meter, as in the Tofino wrapper. */
            bit<2> color;
            oam_punt_meter.execute_meter(0, color);
            if (color == METER_RED) {
                egress_drops.count((bit<32>) DROP_OAM_PUNT_METER);
                mark_to_drop(standard_metadata);
            }
        } else if (meta.delivery != DELIVERY_NONE) {
            bool pruned = false;
            if (meta.delivery == DELIVERY_FLOOD) {
                replication.apply(hdr, meta, standard_metadata.egress_rid, pruned);
            }
            if (!pruned && meta.drop_reason == DROP_NONE) {
                if (meta.delivery == DELIVERY_LOCAL_VPORT) {
                    policy.apply(hdr, meta);
                    if (meta.drop_reason == DROP_NONE) {
                        local_delivery.apply(hdr, meta);
                        if (meta.from_tunnel == 1) {
                            /* Rule 10: nothing after the tenant frame (Ethernet padding) leaves. */
                            /* tenant_frame_len counts the UDP and Geneve headers too. */
                            bit<32> out_len = (bit<32>) (meta.tenant_frame_len
                                - (bit<16>) (UDP_HEADER_BYTES + GENEVE_BASE_HEADER_BYTES));
                            if (meta.dst_vlan != 0) {
                                out_len = out_len + (bit<32>) VLAN_TAG_BYTES;
                            }
                            truncate(out_len);
                        }
                    }
                } else if (meta.delivery == DELIVERY_REMOTE_VTEP) {
                    geneve_encap.apply(hdr, meta);
                    if (meta.drop_reason == DROP_NONE) {
                        mtu_check.apply(hdr, meta, standard_metadata.egress_port);
                    }
                    if (meta.drop_reason == DROP_NONE) {
                        tenant_to_network.count((bit<32>) meta.tenant_slot);
                    }
                }
            }
            if (pruned) {
                mark_to_drop(standard_metadata);
            } else if (meta.drop_reason != DROP_NONE) {
                egress_drops.count((bit<32>) meta.drop_reason);
                if (meta.clone_reason != PUNT_NONE) {
                    clone_preserving_field_list(CloneType.E2E, PUNT_CLONE_SESSION, PUNT_FIELD_LIST);
                }
                mark_to_drop(standard_metadata);
            }
        }
    }
}

control VtepComputeChecksum(inout headers_t hdr, inout local_metadata_t meta) {
    apply {
#if NEIGHBOR_SUPPRESSION
        /* A Neighbor Advertisement the VTEP built (neighbor_suppression.p4): the ICMPv6 checksum
         * over the pseudo header (RFC 8200 8.1, upper-layer length 32, next header 58) and the
         * whole message, which is exactly these headers. */
        update_checksum(hdr.nd_option.isValid() && hdr.icmpv6.type == ICMPV6_NEIGHBOR_ADVERTISEMENT,
            { hdr.ipv6.src_addr, hdr.ipv6.dst_addr, 16w0, hdr.ipv6.payload_len, 24w0, IP_PROTO_ICMPV6,
              hdr.icmpv6.type, hdr.icmpv6.code, 16w0, hdr.nd, hdr.nd_option },
            hdr.icmpv6.checksum, HashAlgorithm.csum16);
#endif

        update_checksum(hdr.tunnel_ipv4.isValid(),
            { hdr.tunnel_ipv4.version, hdr.tunnel_ipv4.ihl, hdr.tunnel_ipv4.dscp, hdr.tunnel_ipv4.ecn,
              hdr.tunnel_ipv4.total_len, hdr.tunnel_ipv4.identification, hdr.tunnel_ipv4.reserved,
              hdr.tunnel_ipv4.dont_fragment, hdr.tunnel_ipv4.more_fragments, hdr.tunnel_ipv4.frag_offset,
              hdr.tunnel_ipv4.ttl, hdr.tunnel_ipv4.protocol, hdr.tunnel_ipv4.src_addr,
              hdr.tunnel_ipv4.dst_addr },
            hdr.tunnel_ipv4.hdr_checksum, HashAlgorithm.csum16);

        /* UDP over IPv6 must carry a checksum (RFC 8200 8.1): the pseudo header, the UDP
         * header, then everything after it. Every header that can follow the UDP header
         * is listed in emit order (invalid ones contribute nothing), then the payload.
         * The option words are GENEVE_MAX_OPTION_WORDS (8), one by one. */
        update_checksum_with_payload(hdr.tunnel_ipv6.isValid(),
            { hdr.tunnel_ipv6.src_addr, hdr.tunnel_ipv6.dst_addr,
              16w0, hdr.tunnel_udp.length, 24w0, IP_PROTO_UDP,
              hdr.tunnel_udp.src_port, hdr.tunnel_udp.dst_port, hdr.tunnel_udp.length, 16w0,
              hdr.tunnel_geneve, hdr.tunnel_security_option,
              hdr.ethernet, hdr.vlan, hdr.ipv4, hdr.ipv6, hdr.tcp_ports, hdr.udp, hdr.geneve,
              hdr.geneve_option_words[0], hdr.geneve_option_words[1], hdr.geneve_option_words[2],
              hdr.geneve_option_words[3], hdr.geneve_option_words[4], hdr.geneve_option_words[5],
              hdr.geneve_option_words[6], hdr.geneve_option_words[7],
              hdr.inner_ethernet, hdr.inner_ipv4, hdr.inner_ipv6, hdr.inner_tcp_ports, hdr.inner_udp,
              hdr.arp, hdr.icmpv6, hdr.nd, hdr.nd_option },
            hdr.tunnel_udp.checksum, HashAlgorithm.csum16);
    }
}

V1Switch(VtepParser(), VtepVerifyChecksum(), VtepIngress(), VtepEgress(),
         VtepComputeChecksum(), FrameDeparser()) main;
