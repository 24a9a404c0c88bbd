/*
 * Tofino glue of the Geneve VTEP, shared by the TNA (Tofino 1) and T2NA (Tofino 2)
 * wrappers: ../tna/main.p4 and ../t2na/main.p4 include their architecture, then this file.
 * The protocol logic is the core (../parser.p4, ../controls/), unchanged; here live the
 * intrinsic metadata, the bridged header between ingress and egress, the checksum units,
 * egress mirroring for MTU punts, counters and the CPU port. docs/TOFINO.md says why each
 * piece differs from the v1model wrapper.
 */
#ifndef TOFINO_VTEP_P4
#define TOFINO_VTEP_P4

#ifndef CPU_PORT
#error "the wrapper must define CPU_PORT (the device's PCIe CPU port; -DCPU_PORT=N overrides)"
#endif

#define PORT_BITS PORT_ID_WIDTH
/* Tofino carries frames of at most 10 KiB: no encapsulated length can wrap (rule 11), so the
 * check is left out. */
#define FRAMES_FIT_ANY_TUNNEL
/* Tofino ingress has no frame length (egress has eg_intr_md.pkt_length): rule 6's check that
 * the outer datagram is all in the frame is left out (docs/TOFINO.md). */
#define NO_FRAME_LENGTH_IN_INGRESS
#define DIRECT_PACKETS_AND_BYTES_COUNTER(name) DirectCounter<bit<32>>(CounterType_t.PACKETS_AND_BYTES) name
/* Tofino's CRC32 is the reflected CRC-32 with init and final XOR 0xFFFFFFFF, as v1model's crc32. */
#define CRC32_HASH_UNIT(name) Hash<bit<32>>(HashAlgorithm_t.CRC32) name;
#define CRC32_LOW16(name, result, ...) result = name.get({ __VA_ARGS__ })[15:0];
/* Underlay ECMP: a selector over an action profile, hashing its key (the flow hash) with the
 * identity, so that one flow keeps one path; FAIR spreads a group's members evenly. */
#define TOFINO_STRING(x) #x
#define TOFINO_NAME(x) TOFINO_STRING(x)
/* The P4Info names the action profile, so it takes the selector's name there (as on v1model). */
#define UNDERLAY_ECMP_SELECTOR(unit, members) \
    Hash<bit<16>>(HashAlgorithm_t.IDENTITY) unit##_hash; \
    @name(TOFINO_NAME(unit)) ActionProfile(members) unit##_members; \
    @name(TOFINO_NAME(unit##_selector)) \
    ActionSelector(unit##_members, unit##_hash, SelectorMode_t.FAIR, UNDERLAY_ECMP_MAX_PATHS, members) unit;
/* The outer IPv4 header checksum is verified by the parser's checksum unit; the Geneve
 * option words left (geneve_options.p4) are counted by the parser counter. */
#define FRAME_PARSER_DECLARATIONS Checksum() outer_ipv4_checksum; ParserCounter() geneve_words_left;
#define GENEVE_WORDS_LEFT_SET(k) geneve_words_left.set((bit<8>) k);
#define GENEVE_WORD_TAKEN() geneve_words_left.decrement(1);
#define GENEVE_NO_WORDS_LEFT geneve_words_left.is_zero()
#define FRAME_PARSER_VERIFY_IPV4(ipv4, meta) \
    outer_ipv4_checksum.add(ipv4); \
    meta.outer_ipv4_checksum_ok = outer_ipv4_checksum.verify();

/* Neighbor suppression is the controller's (rule 15a): the parser marks an ARP request or Neighbor
 * Solicitation, the ingress verdict punts it, the controller answers by packet-out. With the
 * lookups, the reply and its checksum in the data plane, bf-p4c found no PHV allocation for TNA in
 * 6-23 minutes (docs/TOFINO.md, "Tofino profile"). Requests inside tunnels are not parsed. */
#define NEIGHBOR_SUPPRESSION 0
#define NEIGHBOR_REQUESTS_IN_TUNNELS 0

/* The security-ID option is recognized in the parser against a value set the control plane
 * writes (Tofino's P4Runtime servers write value sets; bmv2's does not, so v1model keeps the
 * security_option_recognition table): the 16 whole-word comparisons cost TNA stages. */
#define GENEVE_OPTION_RECOGNITION_IN_PARSER 1

/* Table sizes for one Tofino pipe (size.p4 has the defaults, and bmv2's): the policy TCAM
 * and the replica table are what stages cost most; the rest keeps the v1model sizes. */
#define POLICY_TABLE_SIZE 4096
#define FLOOD_REPLICA_TABLE_SIZE 16384
/* ECMP next hops: what one pipe holds beside the rest. */
#define UNDERLAY_NEXT_HOP_TABLE_SIZE 1024
#define UNDERLAY_ROUTE_TABLE_SIZE 1024

#include "../include/constants.p4"
#include "../include/headers.p4"
#include "../include/metadata.p4"
#include "../include/size.p4"
#include "../parser.p4"
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
#include "bridged.p4"

/* The mirror session the controller points at the CPU port (P4Runtime clone session 1). */
const MirrorId_t PUNT_MIRROR_SESSION = 1;
/* mirror_type selecting the punt mirror header in the egress deparser. */
const MirrorType_t PUNT_MIRROR_TYPE = 1;
/* eg_intr_md.pkt_length counts the Ethernet FCS. */
const bit<16> ETHERNET_FCS_BYTES = 4;

struct tofino_headers_t {
    bridged_metadata_h bridged;
    punt_mirror_h      punt_mirror;
    headers_t          vtep;
}

struct tofino_metadata_t {
    local_metadata_t vtep;
    MirrorId_t       mirror_session;
    egress_kind_t    mirror_kind;             /* the mirror header's first byte */
    bit<16>          frame_checksum_residual; /* the tenant frame's ones'-complement sum */
    /* The constant words of the UDP checksum, added up once: the pseudo header's next header
     * (17) and the Geneve protocol type (0x6558). bf-p4c takes no non-zero constant in a
     * checksum list, and one field is less PHV than two. */
    bit<16>          checksum_constants;
    /* The Geneve header and option we add, as 16-bit words for the UDP checksum: bf-p4c
     * 1.2.5.16 fails (map::at) on a deparser checksum over fields of an added header other
     * than the one it writes, so the checksum reads copies. */
    bit<16>                  geneve_word0;  /* version, Opt Len, O, C, reserved */
    bit<16>                  option_word0;  /* option class (0 without the option) */
    bit<16>                  option_word1;  /* C, type, R, length */
    security_id_t            option_data;   /* the security ID */
}

/* ---------------------------------------------------------------- ingress */

parser VtepIngressParser(packet_in packet, out tofino_headers_t hdr, out tofino_metadata_t meta,
                         out ingress_intrinsic_metadata_t ig_intr_md) {
    FrameParser() frame_parser;

    state start {
        /* Metadata starts zeroed (@pa_auto_init_metadata below); this says so to the frontend. */
        meta = { ... };
        packet.extract(ig_intr_md);
        /* Nothing is resubmitted. (Selecting `1:` here miscompiles in bf-p4c 1.2.5.16.) */
        transition select(ig_intr_md.resubmit_flag) {
            0: parse_port_metadata;
            default: reject;
        }
    }

    state parse_port_metadata {
        packet.advance(PORT_METADATA_SIZE);
        transition select(ig_intr_md.ingress_port) {
            CPU_PORT: parse_packet_out;
            default: parse_frame;
        }
    }

    state parse_packet_out {
        packet.extract(hdr.vtep.packet_out);
        /* Port classification looks the packet-out's port up (rule 14). */
        meta.vtep.classify_port = (PortId_t) hdr.vtep.packet_out.egress_port;
        transition accept;
    }

    state parse_frame {
        meta.vtep.classify_port = ig_intr_md.ingress_port;
        frame_parser.apply(packet, hdr.vtep, meta.vtep);
        transition accept;
    }
}

control VtepIngress(inout tofino_headers_t hdr, inout tofino_metadata_t meta,
                    in ingress_intrinsic_metadata_t ig_intr_md,
                    in ingress_intrinsic_metadata_from_parser_t ig_prsr_md,
                    inout ingress_intrinsic_metadata_for_deparser_t ig_dprsr_md,
                    inout ingress_intrinsic_metadata_for_tm_t ig_tm_md) {

    /* One cell per DROP_* reason. */
    Counter<bit<32>, drop_reason_t>(DROP_REASON_COUNT, CounterType_t.PACKETS_AND_BYTES) ingress_drops;
    /* Per tenant slot: tunnelled traffic received and decapsulated. */
    Counter<bit<32>, tenant_slot_t>(TENANT_SLOTS, CounterType_t.PACKETS_AND_BYTES) tenant_from_network;
#if NEIGHBOR_SUPPRESSION
    /* Per tenant slot: ARP requests and Neighbor Solicitations the VTEP answered itself. */
    Counter<bit<32>, tenant_slot_t>(TENANT_SLOTS, CounterType_t.PACKETS_AND_BYTES) tenant_neighbor_answers;
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
        /* The same order as the v1model wrapper: lookups side by side, then the verdict.
         * Tofino knows the packet length only in egress: ingress records the change (0 is
         * passed as the length). Port classification also looks up a packet-out's port. */
        port_classification.apply(hdr.vtep, meta.vtep, 0);
        if (hdr.vtep.packet_out.isValid()) {
            /* Rule 14: 9-bit ports, so 512 and above do not exist; nor is the CPU port a target. */
            controller_packet_out.apply(hdr.vtep, meta.vtep, 512, (bit<16>) CPU_PORT);
            if (meta.vtep.drop_reason != DROP_NONE) {
                ingress_drops.count(meta.vtep.drop_reason);
                ig_dprsr_md.drop_ctl = 1;
            } else {
                ig_tm_md.ucast_egress_port = meta.vtep.egress_port;
            }
        } else {
            meta.vtep.original_ingress_port = (bit<16>) ig_intr_md.ingress_port;
            /* No frame length in Tofino ingress (NO_FRAME_LENGTH_IN_INGRESS above): 0 is unused. */
            tunnel_termination.apply(hdr.vtep, meta.vtep,
                                     hdr.vtep.ipv4.isValid() && !meta.vtep.outer_ipv4_checksum_ok, 0);
            bit<16> l4_src_port;
            frame_facts.apply(hdr.vtep, meta.vtep, l4_src_port);
            flow_hash.apply(hdr.vtep, l4_src_port, meta.vtep);
#if NEIGHBOR_SUPPRESSION
            if (meta.vtep.port_role == PORT_ROLE_ACCESS || meta.vtep.from_tunnel == 1) {
                neighbor_suppression.apply(hdr.vtep, meta.vtep);
            }
#endif
            overlay_forwarding.apply(hdr.vtep, meta.vtep);
            if (meta.vtep.delivery == DELIVERY_REMOTE_VTEP && meta.vtep.from_tunnel == 0) {
                tunnel_resolution.apply(hdr.vtep, meta.vtep);
            }
            ingress_verdict.apply(meta.vtep);
            /* Rule 12 on a decapsulated frame, last: nothing above reads what it changes. */
            if (meta.vtep.from_tunnel == 1) {
                ecn_decapsulation.apply(hdr.vtep, meta.vtep);
            }
#if NEIGHBOR_SUPPRESSION
            if (meta.vtep.drop_reason == DROP_NONE && meta.vtep.neighbor.answer == 1) {
                neighbor_reply.apply(hdr.vtep, meta.vtep);
                tenant_neighbor_answers.count(meta.vtep.tenant_slot);
            }
#endif

            if (meta.vtep.drop_reason != DROP_NONE) {
                ingress_drops.count(meta.vtep.drop_reason);
                ig_dprsr_md.drop_ctl = 1;
            } else if (meta.vtep.punt_reason != PUNT_NONE) {
                /* Rule 13: the punt meter is in egress. Delivery is DELIVERY_NONE, so egress
                 * leaves the packet-in alone. */
                controller_packet_in.apply(hdr.vtep, meta.vtep.original_ingress_port, meta.vtep.punt_reason);
                ig_tm_md.ucast_egress_port = CPU_PORT;
            } else {
                if (meta.vtep.from_tunnel == 1) {
                    tenant_from_network.count(meta.vtep.tenant_slot);
                }
                if (meta.vtep.delivery == DELIVERY_FLOOD) {
                    ig_tm_md.mcast_grp_a = meta.vtep.mcast_group;
                } else {
                    ig_tm_md.ucast_egress_port = meta.vtep.egress_port;
                }
            }
        }

        hdr.bridged.setValid();
        hdr.bridged.kind = EGRESS_KIND_BRIDGED;
        hdr.bridged.delivery = meta.vtep.delivery;
        hdr.bridged.from_tunnel = meta.vtep.from_tunnel;
        hdr.bridged.tunnel_is_ipv6 = meta.vtep.tunnel.is_ipv6;
        hdr.bridged.tenant_ecn = meta.vtep.tenant_ecn;
        hdr.bridged.oam_punt = 0;
        /* Punts decided in ingress (Geneve OAM, BUM sent to the controller, neighbor requests)
         * share one meter; MTU punts are egress mirror copies. */
        if (meta.vtep.punt_reason != PUNT_NONE) {
            hdr.bridged.oam_punt = 1;
        }
        hdr.bridged._pad0 = 0;
        hdr.bridged.src_vport = meta.vtep.src_vport;
        hdr.bridged.dst_vport = meta.vtep.dst_vport;
        hdr.bridged.vni = meta.vtep.vni;
        hdr.bridged._pad1 = 0;
        hdr.bridged.tenant_slot = meta.vtep.tenant_slot;
        hdr.bridged._pad2 = 0;
        hdr.bridged.dst_vlan = meta.vtep.dst_vlan;
        hdr.bridged.src_security_id = meta.vtep.src_security_id;
        hdr.bridged.dst_security_id = meta.vtep.dst_security_id;
        hdr.bridged.ip_protocol = meta.vtep.ip_protocol;
        hdr.bridged.l4_dst_port = meta.vtep.l4_dst_port;
        hdr.bridged.flow_hash = meta.vtep.flow_hash;
        hdr.bridged.frame_len_adjust = meta.vtep.frame_len - ETHERNET_FCS_BYTES;
        hdr.bridged.original_ingress_port = meta.vtep.original_ingress_port;
        hdr.bridged.tunnel_src = meta.vtep.tunnel.src_addr;
        hdr.bridged.tunnel_dst = meta.vtep.tunnel.dst_addr;
        hdr.bridged.tunnel_src_mac = meta.vtep.tunnel.src_mac;
        hdr.bridged.tunnel_dst_mac = meta.vtep.tunnel.dst_mac;
    }
}

control VtepIngressDeparser(packet_out packet, inout tofino_headers_t hdr, in tofino_metadata_t meta,
                            in ingress_intrinsic_metadata_for_deparser_t ig_dprsr_md) {
#if NEIGHBOR_SUPPRESSION
    Checksum() icmpv6_checksum;
#endif

    apply {
#if NEIGHBOR_SUPPRESSION
        /* A Neighbor Advertisement the VTEP built: pseudo header (upper-layer length 32, next
         * header 58: a zero byte and the IPv6 next header, as bf-p4c takes no non-zero constant
         * here) and the whole message. A deparser checksum may only depend on validity, so
         * a forwarded solicitation of that shape gets its (unchanged, if it was right) sum too. */
        if (hdr.vtep.nd_option.isValid()) {
            hdr.vtep.icmpv6.checksum = icmpv6_checksum.update({
                hdr.vtep.ipv6.src_addr, hdr.vtep.ipv6.dst_addr, hdr.vtep.ipv6.payload_len,
                8w0, hdr.vtep.ipv6.next_hdr, hdr.vtep.icmpv6.type, hdr.vtep.icmpv6.code,
                hdr.vtep.nd.flags, hdr.vtep.nd.target,
                hdr.vtep.nd_option.type, hdr.vtep.nd_option.length, hdr.vtep.nd_option.addr });
        }
#endif
        packet.emit(hdr.bridged);
        packet.emit(hdr.vtep.packet_in);
        packet.emit(hdr.vtep.ethernet);
        packet.emit(hdr.vtep.vlan);
        packet.emit(hdr.vtep.ipv4);
        packet.emit(hdr.vtep.ipv6);
        packet.emit(hdr.vtep.tcp_ports);
        packet.emit(hdr.vtep.udp);
        packet.emit(hdr.vtep.geneve);
        packet.emit(hdr.vtep.geneve_option_words);
        packet.emit(hdr.vtep.inner_ethernet);
        packet.emit(hdr.vtep.inner_ipv4);
        packet.emit(hdr.vtep.inner_ipv6);
        packet.emit(hdr.vtep.inner_tcp_ports);
        packet.emit(hdr.vtep.inner_udp);
#if NEIGHBOR_SUPPRESSION
        packet.emit(hdr.vtep.arp);
        packet.emit(hdr.vtep.icmpv6);
        packet.emit(hdr.vtep.nd);
        packet.emit(hdr.vtep.nd_option);
#endif
    }
}

/* ---------------------------------------------------------------- egress */

parser VtepEgressParser(packet_in packet, out tofino_headers_t hdr, out tofino_metadata_t meta,
                        out egress_intrinsic_metadata_t eg_intr_md) {
    /* The tenant frame's sum, for the outer UDP checksum over IPv6 (RFC 8200 8.1). */
    Checksum() frame_checksum;

    state start {
        meta = { ... };
        packet.extract(eg_intr_md);
        transition select(packet.lookahead<egress_kind_t>()) {
            EGRESS_KIND_BRIDGED: parse_bridged;
            EGRESS_KIND_PUNT_MIRROR: parse_punt_mirror;
            default: reject;
        }
    }

    state parse_punt_mirror {
        packet.extract(hdr.punt_mirror);
        meta.vtep.original_ingress_port = hdr.punt_mirror.original_ingress_port;
        meta.vtep.clone_reason = hdr.punt_mirror.reason;
        transition accept;
    }

    state parse_bridged {
        packet.extract(hdr.bridged);
        meta.vtep.delivery = hdr.bridged.delivery;
        meta.vtep.from_tunnel = hdr.bridged.from_tunnel;
        meta.vtep.tunnel.is_ipv6 = hdr.bridged.tunnel_is_ipv6;
        meta.vtep.src_vport = hdr.bridged.src_vport;
        meta.vtep.dst_vport = hdr.bridged.dst_vport;
        meta.vtep.vni = hdr.bridged.vni;
        meta.vtep.tenant_slot = hdr.bridged.tenant_slot;
        meta.vtep.dst_vlan = hdr.bridged.dst_vlan;
        meta.vtep.src_security_id = hdr.bridged.src_security_id;
        meta.vtep.dst_security_id = hdr.bridged.dst_security_id;
        meta.vtep.ip_protocol = hdr.bridged.ip_protocol;
        meta.vtep.l4_dst_port = hdr.bridged.l4_dst_port;
        meta.vtep.flow_hash = hdr.bridged.flow_hash;
        meta.vtep.tenant_ecn = hdr.bridged.tenant_ecn;
        meta.vtep.original_ingress_port = hdr.bridged.original_ingress_port;
        meta.vtep.tunnel.src_addr = hdr.bridged.tunnel_src;
        meta.vtep.tunnel.dst_addr = hdr.bridged.tunnel_dst;
        meta.vtep.tunnel.src_mac = hdr.bridged.tunnel_src_mac;
        meta.vtep.tunnel.dst_mac = hdr.bridged.tunnel_dst_mac;
        transition select(hdr.bridged.delivery) {
            DELIVERY_NONE: accept;
            default: parse_tenant_frame;
        }
    }

    /* Everything from here to the end of the packet is the tenant frame; the Ethernet header
     * is extracted (local delivery may tag it) and re-added to the sum by the deparser. */
    state parse_tenant_frame {
        frame_checksum.subtract_all_and_deposit(meta.frame_checksum_residual);
        packet.extract(hdr.vtep.ethernet);
        transition accept;
    }
}

control VtepEgress(inout tofino_headers_t hdr, inout tofino_metadata_t meta,
                   in egress_intrinsic_metadata_t eg_intr_md,
                   in egress_intrinsic_metadata_from_parser_t eg_prsr_md,
                   inout egress_intrinsic_metadata_for_deparser_t eg_dprsr_md,
                   inout egress_intrinsic_metadata_for_output_port_t eg_oport_md) {

    Counter<bit<32>, drop_reason_t>(DROP_REASON_COUNT, CounterType_t.PACKETS_AND_BYTES) egress_drops;
    /* Per tenant slot: traffic encapsulated towards remote VTEPs (one count per copy). */
    Counter<bit<32>, tenant_slot_t>(TENANT_SLOTS, CounterType_t.PACKETS_AND_BYTES) tenant_to_network;
    /* Rule 13: punts to the controller, each path through a meter the controller configures;
     * red packets are dropped and counted. Geneve OAM packets (ingress punts them) and MTU
     * punts (the mirrored copies). */
    Meter<bit<1>>(1, MeterType_t.PACKETS) oam_punt_meter;
    Meter<bit<1>>(1, MeterType_t.PACKETS) mtu_punt_meter;

    Replication() replication;
    Policy() policy;
    LocalDelivery() local_delivery;
    GeneveEncap() geneve_encap;
    MtuCheck() mtu_check;
    RemoveEncapsulation() remove_encapsulation;
    ControllerPacketIn() controller_packet_in;

    apply {
        if (hdr.punt_mirror.isValid()) {
            /* The mirrored copy of a packet that exceeded the uplink MTU: already without
             * its encapsulation (see below); the controller gets the tenant frame. */
            hdr.punt_mirror.setInvalid();
            if (mtu_punt_meter.execute(0) == (bit<8>) MeterColor_t.RED) {
                egress_drops.count(DROP_MTU_PUNT_METER);
                eg_dprsr_md.drop_ctl = 1;
            } else {
                controller_packet_in.apply(hdr.vtep, meta.vtep.original_ingress_port, meta.vtep.clone_reason);
            }
        } else if (meta.vtep.delivery != DELIVERY_NONE) {
            meta.vtep.frame_len = eg_intr_md.pkt_length + hdr.bridged.frame_len_adjust;
            meta.checksum_constants = (bit<16>) IP_PROTO_UDP + ETHERTYPE_TRANSPARENT_ETHERNET;
            hdr.bridged.setInvalid();
            bool pruned = false;
            if (meta.vtep.delivery == DELIVERY_FLOOD) {
                replication.apply(hdr.vtep, meta.vtep, eg_intr_md.egress_rid, pruned);
            }
            if (!pruned && meta.vtep.drop_reason == DROP_NONE) {
                if (meta.vtep.delivery == DELIVERY_LOCAL_VPORT) {
                    policy.apply(hdr.vtep, meta.vtep);
                    if (meta.vtep.drop_reason == DROP_NONE) {
                        local_delivery.apply(hdr.vtep, meta.vtep);
                    }
                } else if (meta.vtep.delivery == DELIVERY_REMOTE_VTEP) {
                    geneve_encap.apply(hdr.vtep, meta.vtep);
                    /* Version 0, O 0, reserved 0; Opt Len and C follow the option (encap.p4). */
                    if (hdr.vtep.tunnel_security_option.isValid()) {
                        meta.option_word0 = hdr.vtep.tunnel_security_option.option_class;
                        meta.option_word1 = hdr.vtep.tunnel_security_option.flags_type_length;
                        meta.option_data = meta.vtep.src_security_id;
                        if (hdr.vtep.tunnel_security_option.flags_type_length[15:15] == 1) {
                            meta.geneve_word0 = (bit<16>) SECURITY_ID_OPTION_TOTAL_WORDS << 8 | 0x0040;
                        } else {
                            meta.geneve_word0 = (bit<16>) SECURITY_ID_OPTION_TOTAL_WORDS << 8;
                        }
                    }
                    mtu_check.apply(hdr.vtep, meta.vtep, eg_intr_md.egress_port);
                    if (meta.vtep.drop_reason == DROP_NONE) {
                        tenant_to_network.count(meta.vtep.tenant_slot);
                    }
                }
            }
            if (pruned) {
                eg_dprsr_md.drop_ctl = 1;
            } else if (meta.vtep.drop_reason != DROP_NONE) {
                egress_drops.count(meta.vtep.drop_reason);
                if (meta.vtep.clone_reason != PUNT_NONE) {
                    /* Egress mirroring copies the packet as the deparser emits it: without the
                     * tunnel headers, the copy is the tenant frame (the original is dropped). */
                    remove_encapsulation.apply(hdr.vtep);
                    eg_dprsr_md.mirror_type = PUNT_MIRROR_TYPE;
                    meta.mirror_session = PUNT_MIRROR_SESSION;
                    meta.mirror_kind = EGRESS_KIND_PUNT_MIRROR;
                    TOFINO_MIRROR_OUTGOING(eg_dprsr_md)
                }
                eg_dprsr_md.drop_ctl = 1;
            }
        } else {
            if (hdr.bridged.oam_punt == 1) {
                if (oam_punt_meter.execute(0) == (bit<8>) MeterColor_t.RED) {
                    egress_drops.count(DROP_OAM_PUNT_METER);
                    eg_dprsr_md.drop_ctl = 1;
                }
            }
            hdr.bridged.setInvalid();
        }
    }
}

control VtepEgressDeparser(packet_out packet, inout tofino_headers_t hdr, in tofino_metadata_t meta,
                           in egress_intrinsic_metadata_for_deparser_t eg_dprsr_md) {
    Checksum() tunnel_ipv4_checksum;
    Checksum() tunnel_udp_checksum;
    Mirror(PUNT_MIRROR_TYPE) punt_mirror;

    apply {
        if (eg_dprsr_md.mirror_type == PUNT_MIRROR_TYPE) {
            punt_mirror.emit<punt_mirror_h>(meta.mirror_session,
                { meta.mirror_kind, meta.vtep.original_ingress_port, meta.vtep.clone_reason });
        }
        if (hdr.vtep.tunnel_ipv4.isValid()) {
            hdr.vtep.tunnel_ipv4.hdr_checksum = tunnel_ipv4_checksum.update({
                hdr.vtep.tunnel_ipv4.version, hdr.vtep.tunnel_ipv4.ihl, hdr.vtep.tunnel_ipv4.dscp,
                hdr.vtep.tunnel_ipv4.ecn, hdr.vtep.tunnel_ipv4.total_len,
                hdr.vtep.tunnel_ipv4.identification, hdr.vtep.tunnel_ipv4.reserved,
                hdr.vtep.tunnel_ipv4.dont_fragment, hdr.vtep.tunnel_ipv4.more_fragments,
                hdr.vtep.tunnel_ipv4.frag_offset, hdr.vtep.tunnel_ipv4.ttl, hdr.vtep.tunnel_ipv4.protocol,
                hdr.vtep.tunnel_ipv4.src_addr, hdr.vtep.tunnel_ipv4.dst_addr });
        }
        /* UDP over IPv6 must carry a checksum (RFC 8200 8.1): pseudo header, UDP header, the
         * headers we add, then the tenant frame, whose sum the egress parser took. A sum of
         * zero is sent as 0xFFFF (RFC 768). */
        if (hdr.vtep.tunnel_ipv6.isValid()) {
            hdr.vtep.tunnel_udp.checksum = tunnel_udp_checksum.update({
                meta.vtep.tunnel.src_addr, meta.vtep.tunnel.dst_addr,
                hdr.vtep.tunnel_udp.length, meta.checksum_constants,
                hdr.vtep.tunnel_udp.src_port, hdr.vtep.tunnel_udp.dst_port, hdr.vtep.tunnel_udp.length,
                meta.geneve_word0, meta.vtep.vni, 8w0,
                meta.option_word0, meta.option_word1, meta.option_data,
                hdr.vtep.ethernet, meta.frame_checksum_residual }, true);
        }
        packet.emit(hdr.vtep.packet_in);
        packet.emit(hdr.vtep.tunnel_ethernet);
        packet.emit(hdr.vtep.tunnel_ipv4);
        packet.emit(hdr.vtep.tunnel_ipv6);
        packet.emit(hdr.vtep.tunnel_udp);
        packet.emit(hdr.vtep.tunnel_geneve);
        packet.emit(hdr.vtep.tunnel_security_option);
        packet.emit(hdr.vtep.ethernet);
        packet.emit(hdr.vtep.vlan);
    }
}

/* Each field of the UDP header we add has its own container: they are written from
 * different sources (flow hash, lengths, constants), more than one Tofino ALU op allows. */
@pa_container_size("egress", "hdr.vtep.tunnel_udp.src_port", 16)
@pa_container_size("egress", "hdr.vtep.tunnel_udp.dst_port", 16)
@pa_container_size("egress", "hdr.vtep.tunnel_udp.length", 16)
@pa_container_size("egress", "hdr.vtep.tunnel_udp.checksum", 16)
/* What the bridged header carries lives in the header itself, not in a metadata copy beside
 * it: the PHV cannot hold both. Ingress writes the header last, from these very fields; egress
 * never emits it, and reads the resolved tunnel in place (the egress parser copies the rest). */
@pa_alias("ingress", "hdr.bridged.tunnel_src", "meta.vtep.tunnel.src_addr")
@pa_alias("ingress", "hdr.bridged.tunnel_dst", "meta.vtep.tunnel.dst_addr")
@pa_alias("ingress", "hdr.bridged.tunnel_src_mac", "meta.vtep.tunnel.src_mac")
@pa_alias("ingress", "hdr.bridged.tunnel_dst_mac", "meta.vtep.tunnel.dst_mac")
@pa_alias("ingress", "hdr.bridged.delivery", "meta.vtep.delivery")
@pa_alias("ingress", "hdr.bridged.from_tunnel", "meta.vtep.from_tunnel")
@pa_alias("ingress", "hdr.bridged.tunnel_is_ipv6", "meta.vtep.tunnel.is_ipv6")
@pa_alias("ingress", "hdr.bridged.tenant_ecn", "meta.vtep.tenant_ecn")
@pa_alias("ingress", "hdr.bridged.src_vport", "meta.vtep.src_vport")
@pa_alias("ingress", "hdr.bridged.dst_vport", "meta.vtep.dst_vport")
@pa_alias("ingress", "hdr.bridged.vni", "meta.vtep.vni")
@pa_alias("ingress", "hdr.bridged.tenant_slot", "meta.vtep.tenant_slot")
@pa_alias("ingress", "hdr.bridged.dst_vlan", "meta.vtep.dst_vlan")
@pa_alias("ingress", "hdr.bridged.src_security_id", "meta.vtep.src_security_id")
@pa_alias("ingress", "hdr.bridged.dst_security_id", "meta.vtep.dst_security_id")
@pa_alias("ingress", "hdr.bridged.ip_protocol", "meta.vtep.ip_protocol")
@pa_alias("ingress", "hdr.bridged.l4_dst_port", "meta.vtep.l4_dst_port")
@pa_alias("ingress", "hdr.bridged.flow_hash", "meta.vtep.flow_hash")
@pa_alias("ingress", "hdr.bridged.original_ingress_port", "meta.vtep.original_ingress_port")
@pa_alias("egress", "hdr.bridged.tunnel_src", "meta.vtep.tunnel.src_addr")
@pa_alias("egress", "hdr.bridged.tunnel_dst", "meta.vtep.tunnel.dst_addr")
@pa_alias("egress", "hdr.bridged.tunnel_src_mac", "meta.vtep.tunnel.src_mac")
@pa_alias("egress", "hdr.bridged.tunnel_dst_mac", "meta.vtep.tunnel.dst_mac")
@pa_auto_init_metadata
Pipeline(VtepIngressParser(), VtepIngress(), VtepIngressDeparser(),
         VtepEgressParser(), VtepEgress(), VtepEgressDeparser()) pipe;

Switch(pipe) main;

#endif
