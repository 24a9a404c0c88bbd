/*
 * The Geneve VTEP in DOCA Pipeline Language (DPL), for NVIDIA BlueField DPUs.
 *
 * Written from NVIDIA's public documentation only; nothing here has been compiled with dplp4c
 * or run on a DPU (docs/BLUEFIELD.md says what was checked and what was not). Here it passes
 * p4c's front end against OUR description of the architecture (arch/dpl_arch_ours.p4, built with
 * -DDPL_ARCH_OURS); with dplp4c it includes NVIDIA's files instead.
 *
 * The control-plane contract is the core's (docs/DATAPLANE.md): every table, action, match field
 * and action parameter the controller writes keeps its P4Info name, and its width except for port
 * numbers (32-bit P4 port ids here, PORT_BITS on v1model). test/p4/dpl.test.ts compares them.
 *
 * Shared with the core: p4/include/constants.p4 (protocol numbers, option class/type, drop and
 * punt reasons, id types). Not shared, because DPL does not allow it:
 *  - p4/include/headers.p4: its headers_t holds the options area as a header stack (DPL: header
 *    stacks unsupported) and uses @controller_header (DPL: @nv_controller_metadata on a struct);
 *    the outer headers come from DPL's fixed parser (NV_FIXED_HEADERS) instead.
 *  - p4/parser.p4: a word-by-word option walk with a header stack and varbit-free loops; DPL parses
 *    TLVs only through NvOptionsParser, which finds options by (class, type). Consequences: an
 *    unknown option with the critical bit (DROP_GENEVE_CRITICAL_OPTION) and options overrunning
 *    Opt Len (DROP_GENEVE_OPTION_LENGTH) are not detected here; received options are not kept
 *    word by word (they are all removed on decapsulation anyway).
 *  - p4/controls/*.p4: written against headers_t above, with if-statements inside actions (DPL:
 *    conditionals only in apply blocks) and header assignments (DPL: only some fixed headers are
 *    L-values). The tables below restate them with the same names, keys and actions.
 *  - Replication (overlay_forwarding.flood, bum_flood, VtepEgress.replication.flood_replica): the
 *    DPL P4Runtime server has no PacketReplicationEngineEntry. BUM frames go to the controller or
 *    are dropped, per VNI (overlay_forwarding.bum_policy); the controller answers ARP/ND itself
 *    (packet-out) and unicasts what must reach several endpoints.
 *  - MTU punts: no clone sessions over P4Runtime; an oversized frame goes to the controller
 *    itself (packet-in reason MTU) instead of a clone while the original is dropped.
 *  - ARP/ND suppression (the core's neighbor_suppression, issue 14): the same tables (arp_answer,
 *    nd_answer, unknown_neighbor), keys and actions. An ARP request from a local workload is
 *    answered here, by rewriting it (Ethernet and our flex-parsed ARP header) and sending it back
 *    out of its port. A Neighbor Advertisement needs a new ICMPv6 checksum, and DPL has no checksum
 *    extern: a known solicitation goes to the controller (packet-in reason NEIGHBOR), which
 *    answers it (src/controller/bum.ts). Requests from the underlay are not answered here (the
 *    core answers them back through the tunnel): they are BUM frames like any other.
 *  - Checksums: DPL has no checksum externs in its public pages; we assume the hardware fills the
 *    outer IPv4 header checksum and leave the outer UDP checksum 0 (allowed over IPv4, RFC 8926
 *    3.3; over IPv6 this needs the hardware's UDP checksum offload: unverified).
 */
#ifdef DPL_ARCH_OURS
#include "arch/dpl_arch_ours.p4"
#else
#include <doca_model.p4>
#include <doca_headers.p4>
#include <doca_externs.p4>
#include <doca_parser.p4>
#endif

#include "../include/constants.p4"

/* Bytes of an Ethernet header (named apart from any core constant, so the two never clash). */
const bit<8> DPL_ETHERNET_HEADER_BYTES = 14;

/* Sizes are powers of two: the DPL runtime holds N-1 regular entries in a table of size N. */
#define DPL_TENANT_SLOTS 4096
/* The core's NEIGHBOR_TABLE_SIZE (issue 14): (VNI, IP) -> MAC bindings, per family. */
#define DPL_NEIGHBOR_TABLE_SIZE 65536

/*
 * ARP and Neighbor Discovery numbers (RFC 826, RFC 4861). Named apart from the core's constants
 * (issue 14 adds ETHERTYPE_ARP & co. to constants.p4), so the two never clash.
 */
const bit<16> DPL_ETHERTYPE_ARP = 0x0806;
const bit<8>  DPL_IP_PROTO_ICMPV6 = 58;
const bit<16> DPL_ARP_REQUEST = 1;
const bit<16> DPL_ARP_REPLY = 2;
const bit<8>  DPL_ND_SOLICITATION = 135;
const bit<8>  DPL_ND_HOP_LIMIT = 255;
const bit<8>  DPL_ND_OPTION_SOURCE_LLA = 1;
/* Packet-in reason of a Neighbor Solicitation whose target nd_answer knows, handed to the controller
 * to answer (no checksum extern for the advertisement): the core's PUNT_NEIGHBOR (constants.p4). */
/* The core's DROP_UNKNOWN_NEIGHBOR (issue 14): an ARP/ND request for an unknown target, tenant drops those. */
const drop_reason_t DPL_DROP_UNKNOWN_NEIGHBOR = 24;

/* What neighbor suppression decided, as the core's neighbor_verdict_t. */
typedef bit<2> dpl_neighbor_verdict_t;
const dpl_neighbor_verdict_t DPL_NEIGHBOR_NOT_A_REQUEST = 0;
const dpl_neighbor_verdict_t DPL_NEIGHBOR_ANSWER = 1;
const dpl_neighbor_verdict_t DPL_NEIGHBOR_UNKNOWN_FLOOD = 2;
const dpl_neighbor_verdict_t DPL_NEIGHBOR_UNKNOWN_DROP = 3;

/* P4 port id of the controller path (the service configuration maps PFs/VFs to port ids). Assumed. */
const nv_logical_port_t CONTROLLER_PORT = 0xFFFFFFFD;

/* The Geneve base header (RFC 8926 3.4), as the core's geneve_h. */
header dpl_geneve_h {
    bit<2>  version;
    bit<6>  opt_len;
    bit<1>  oam;
    bit<1>  critical;
    bit<6>  reserved1;
    bit<16> protocol_type;
    vni_t   vni;
    bit<8>  reserved2;
}

/* An option header word (RFC 8926 3.5): class and type form NvOptionsParser's key. */
struct dpl_geneve_option_t {
    bit<24> option_class_type;
    bit<3>  reserved;
    bit<5>  length;
}

/* The security-ID option, as the core's geneve_security_option_h. */
header dpl_security_option_h {
    bit<16>       option_class;
    bit<1>        critical;
    bit<7>        option_type;
    bit<3>        reserved;
    bit<5>        length;
    security_id_t security_id;
}

/* ARP for IPv4 over Ethernet (RFC 826), parsed after the Ethernet header (a flex header). */
header dpl_arp_h {
    bit<16>     htype;
    bit<16>     ptype;
    bit<8>      hlen;
    bit<8>      plen;
    bit<16>     oper;
    mac_addr_t  sha;
    ipv4_addr_t spa;
    mac_addr_t  tha;
    ipv4_addr_t tpa;
}

/* The first word of an ICMPv6 message (RFC 4443). */
header dpl_icmpv6_h {
    bit<8>  type;
    bit<8>  code;
    bit<16> checksum;
}

/* The rest of a Neighbor Solicitation with one link-layer address option (RFC 4861 4.3, 4.6.1). */
header dpl_nd_h {
    bit<32>     reserved;
    ipv6_addr_t target;
    bit<8>      option_type;
    bit<8>      option_length;
    mac_addr_t  option_lla;
}

/* NvOptionsParser keys of the security-ID option, without and with the critical bit. */
const bit<24> SECURITY_OPTION_KEY = SECURITY_ID_OPTION_CLASS ++ 1w0 ++ SECURITY_ID_OPTION_TYPE;
const bit<24> SECURITY_OPTION_KEY_CRITICAL = SECURITY_ID_OPTION_CLASS ++ 1w1 ++ SECURITY_ID_OPTION_TYPE;

struct headers_t {
    NV_FIXED_HEADERS
    dpl_geneve_h          geneve;
    dpl_security_option_h rx_security_option;
    dpl_security_option_h rx_security_option_critical;
    dpl_arp_h             arp;
    dpl_icmpv6_h          icmpv6;
    dpl_nd_h              nd;
    /* Pushed in front of the frame by encapsulation (experimental push-header extern). */
    dpl_security_option_h tunnel_security_option;
    dpl_geneve_h          tunnel_geneve;
    nv_udp_t              tunnel_udp;
    nv_ipv4_t             tunnel_ipv4;
    nv_ipv6_t             tunnel_ipv6;
    nv_ethernet_t         tunnel_ethernet;
}

/* Packet-in metadata: the core's packet_in fields and widths, within DPL's 32-bit limit. */
@nv_controller_metadata("packet_in")
struct packet_in_t {
    bit<16>       ingress_port;
    punt_reason_t reason;
    bit<8>        pad;
}

/* Packet-out metadata: the core's packet_out fields and widths. */
@nv_controller_metadata("packet_out")
struct packet_out_t {
    bit<16> egress_port;
    bit<16> pad;
}

struct local_metadata_t {
    port_role_t     port_role;
    bit<1>          from_tunnel;
    bit<1>          vtep_trusted;
    bit<1>          bum_to_controller;
    vlan_id_t       src_vlan;
    dpl_neighbor_verdict_t neighbor_verdict;
    mac_addr_t      neighbor_mac;
    vport_id_t      src_vport;
    vni_t           vni;
    tenant_slot_t   tenant_slot;
    security_id_t   src_security_id;
    security_id_t   unknown_security_id;
    delivery_t      delivery;
    vport_id_t      dst_vport;
    vlan_id_t       dst_vlan;
    security_id_t   dst_security_id;
    tunnel_id_t     tunnel_id;
    bit<1>          tunnel_is_ipv6;
    ipv4_addr_t     tunnel_src_ipv4;
    ipv4_addr_t     tunnel_dst_ipv4;
    ipv6_addr_t     tunnel_src_ipv6;
    ipv6_addr_t     tunnel_dst_ipv6;
    mac_addr_t      tunnel_src_mac;
    mac_addr_t      tunnel_dst_mac;
    bit<8>          ip_protocol;
    bit<16>         l4_dst_port;
    bit<32>         flow_hash;
    nv_logical_port_t egress_port;
    bit<16>         mtu;
    drop_reason_t   drop_reason;
    punt_reason_t   punt_reason;
}

/* ------------------------------------------------------------------------------------ parser */

parser VtepParser(packet_in packet, out headers_t headers) {
    NvOptionsParser<dpl_geneve_option_t, bit<24>>() security_options;

    NV_FIXED_PARSER(packet, headers)

    /* Geneve after UDP port 6081, as in NVIDIA's Geneve TLV Parsing Example. */
    @nv_transition_from("nv_parse_udp", GENEVE_UDP_PORT)
    state parse_geneve {
        packet.extract(headers.geneve);
        security_options.extract(packet, (bit<8>) headers.geneve.opt_len, SECURITY_OPTION_KEY,
                                 headers.rx_security_option);
        security_options.extract(packet, (bit<8>) headers.geneve.opt_len, SECURITY_OPTION_KEY_CRITICAL,
                                 headers.rx_security_option_critical);
        transition accept;
    }

    /* ARP and ICMPv6 after the fixed parser's Ethernet / IPv6 states (state names inferred). */
    @nv_transition_from("nv_parse_ethernet", DPL_ETHERTYPE_ARP)
    state parse_arp {
        packet.extract(headers.arp);
        transition accept;
    }

    @nv_transition_from("nv_parse_ipv6", DPL_IP_PROTO_ICMPV6)
    state parse_icmpv6 {
        packet.extract(headers.icmpv6);
        transition select(headers.icmpv6.type) {
            DPL_ND_SOLICITATION: parse_neighbor_solicitation;
            default: accept;
        }
    }

    state parse_neighbor_solicitation {
        packet.extract(headers.nd);
        transition accept;
    }
}

/* ------------------------------------------------------------------------- ingress controls */

control PortClassification(inout headers_t headers, in nv_standard_metadata_t std_meta, inout local_metadata_t meta) {
    vlan_id_t access_vlan = 0;
    nv_logical_port_t ingress_port = std_meta.ingress_port;
    bit<48> own_uplink_mac = 0;

    action set_access_port() { meta.port_role = PORT_ROLE_ACCESS; }
    /* Rule 6: an uplink accepts unicast for its own MAC only. */
    action set_uplink_port(bit<48> uplink_mac) {
        meta.port_role = PORT_ROLE_UPLINK;
        own_uplink_mac = uplink_mac;
    }
    action port_unconfigured() {
        meta.port_role = PORT_ROLE_UNCONFIGURED;
        meta.drop_reason = DROP_PORT_UNCONFIGURED;
    }

    table port_role {
        key = { ingress_port: exact @name("port"); }
        actions = { set_access_port; set_uplink_port; @defaultonly port_unconfigured; }
        const default_action = port_unconfigured();
        size = 512;
    }

    action set_vport(vport_id_t vport, vni_t vni, security_id_t security_id, tenant_slot_t tenant_slot) {
        meta.src_vport = vport;
        meta.vni = vni;
        meta.src_security_id = security_id;
        meta.tenant_slot = tenant_slot;
    }
    action unknown_source() { meta.drop_reason = DROP_UNKNOWN_SOURCE; }

    table vport_classification {
        key = {
            ingress_port:              exact @name("port");
            headers.ethernet.src_addr: exact @name("src_mac");
            access_vlan:               exact @name("vlan_id");
        }
        actions = { set_vport; @defaultonly unknown_source; }
        const default_action = unknown_source();
        size = 16384;
    }

    apply {
        port_role.apply();
        if (meta.port_role == PORT_ROLE_UPLINK && headers.ethernet.dst_addr != own_uplink_mac) {
            meta.drop_reason = DROP_NOT_FOR_UPLINK_MAC;
        }
        if (meta.port_role == PORT_ROLE_ACCESS) {
            if (headers.vlan.isValid()) {
                access_vlan = headers.vlan.vid;
            }
            if (vport_classification.apply().hit) {
                meta.src_vlan = access_vlan;
                if (headers.vlan.isValid()) {
                    /* The overlay carries frames untagged. */
                    nv_pop_header(headers.vlan);
                }
            }
        }
    }
}

control TunnelTermination(inout headers_t headers, inout local_metadata_t meta) {
    action local_vtep() { }
    action not_for_local_vtep() { meta.drop_reason = DROP_NOT_FOR_LOCAL_VTEP; }

    table local_vtep_ipv4 {
        key = { headers.ipv4.dst_addr: exact @name("vtep_address"); }
        actions = { local_vtep; @defaultonly not_for_local_vtep; }
        const default_action = not_for_local_vtep();
        size = 64;
    }
    table local_vtep_ipv6 {
        key = { headers.ipv6.dst_addr: exact @name("vtep_address"); }
        actions = { local_vtep; @defaultonly not_for_local_vtep; }
        const default_action = not_for_local_vtep();
        size = 64;
    }

    action set_tenant(tenant_slot_t tenant_slot, security_id_t unknown_security_id) {
        meta.tenant_slot = tenant_slot;
        meta.unknown_security_id = unknown_security_id;
    }
    action unknown_vni() { meta.drop_reason = DROP_UNKNOWN_VNI; }

    table tenant_by_vni {
        key = { headers.geneve.vni: exact @name("vni"); }
        actions = { set_tenant; @defaultonly unknown_vni; }
        const default_action = unknown_vni();
        size = 4096;
    }

    action vtep_member(bit<1> trusted) { meta.vtep_trusted = trusted; }
    action vtep_not_member() { meta.drop_reason = DROP_VTEP_NOT_MEMBER; }

    table vtep_membership_ipv4 {
        key = {
            headers.geneve.vni:    exact @name("vni");
            headers.ipv4.src_addr: exact @name("remote_vtep");
        }
        actions = { vtep_member; @defaultonly vtep_not_member; }
        const default_action = vtep_not_member();
        size = 16384;
    }
    table vtep_membership_ipv6 {
        key = {
            headers.geneve.vni:    exact @name("vni");
            headers.ipv6.src_addr: exact @name("remote_vtep");
        }
        actions = { vtep_member; @defaultonly vtep_not_member; }
        const default_action = vtep_not_member();
        size = 16384;
    }

    apply {
        bool addressed_to_us = false;
        if (headers.geneve.isValid()) {
            if (headers.ipv4.isValid()) {
                addressed_to_us = local_vtep_ipv4.apply().hit;
            } else if (headers.ipv6.isValid()) {
                addressed_to_us = local_vtep_ipv6.apply().hit;
            }
        }
        if (!addressed_to_us) {
            meta.drop_reason = DROP_NOT_FOR_LOCAL_VTEP;
        } else if (headers.geneve.version != GENEVE_VERSION) {
            meta.drop_reason = DROP_GENEVE_VERSION;
        } else if (headers.geneve.protocol_type != ETHERTYPE_TRANSPARENT_ETHERNET) {
            meta.drop_reason = DROP_GENEVE_PROTOCOL;
        } else if (!headers.inner_ethernet.isValid()) {
            meta.drop_reason = DROP_PARSER_ERROR;
        } else if (headers.geneve.oam == 1) {
            /* RFC 8926 3.4: a control packet goes to the controller whole. */
            meta.punt_reason = PUNT_GENEVE_OAM;
        } else {
            meta.vni = headers.geneve.vni;
            if (tenant_by_vni.apply().hit) {
                if (headers.ipv4.isValid()) {
                    vtep_membership_ipv4.apply();
                } else {
                    vtep_membership_ipv6.apply();
                }
            }
            if (meta.drop_reason == DROP_NONE) {
                meta.from_tunnel = 1;
                meta.src_security_id = meta.unknown_security_id;
                if (meta.vtep_trusted == 1) {
                    /* The first security-ID option counts; the critical form is the same option. */
                    if (headers.rx_security_option.isValid()) {
                        meta.src_security_id = headers.rx_security_option.security_id;
                    } else if (headers.rx_security_option_critical.isValid()) {
                        meta.src_security_id = headers.rx_security_option_critical.security_id;
                    }
                }
                /* Decapsulation: the outer headers and all options leave the packet. */
                nv_pop_header(headers.ethernet);
                if (headers.ipv4.isValid()) {
                    nv_pop_header(headers.ipv4);
                } else {
                    nv_pop_header(headers.ipv6);
                }
                nv_pop_header(headers.udp);
                nv_pop_header(headers.geneve);
                nv_force_reparse(headers);
            }
        }
    }
}

control OverlayForwarding(inout headers_t headers, inout local_metadata_t meta) {
    action to_local_vport(nv_logical_port_t port, vport_id_t vport, vlan_id_t vlan_id, security_id_t security_id) {
        meta.delivery = DELIVERY_LOCAL_VPORT;
        meta.egress_port = port;
        meta.dst_vport = vport;
        meta.dst_vlan = vlan_id;
        meta.dst_security_id = security_id;
    }
    action to_remote_vtep(tunnel_id_t tunnel_id) {
        meta.delivery = DELIVERY_REMOTE_VTEP;
        meta.tunnel_id = tunnel_id;
    }
    action destination_unknown() { meta.drop_reason = DROP_UNKNOWN_DESTINATION; }

    table overlay_mac {
        key = {
            meta.vni:                  exact @name("vni");
            headers.ethernet.dst_addr: exact @name("dst_mac");
        }
        actions = { to_local_vport; to_remote_vtep; @defaultonly destination_unknown; }
        const default_action = destination_unknown();
        size = 65536;
    }

    /* DPL only: what a VNI does with BUM frames, since there is no replication to flood them. */
    action bum_to_controller() { meta.bum_to_controller = 1; }
    action bum_drop() { meta.drop_reason = DROP_UNKNOWN_DESTINATION; }

    table bum_policy {
        key = { meta.vni: exact @name("vni"); }
        actions = { bum_to_controller; bum_drop; }
        const default_action = bum_drop();
        size = 4096;
    }

    apply {
        if (!overlay_mac.apply().hit) {
            /* I/G bit: a group destination without an entry of its own. */
            if (headers.ethernet.dst_addr[40:40] == 1) {
                meta.drop_reason = DROP_NONE;
                bum_policy.apply();
            }
        } else if (meta.delivery == DELIVERY_LOCAL_VPORT && meta.dst_vport == meta.src_vport && meta.from_tunnel == 0) {
            meta.drop_reason = DROP_HAIRPIN;
        } else if (meta.delivery == DELIVERY_REMOTE_VTEP && meta.from_tunnel == 1) {
            meta.drop_reason = DROP_TUNNEL_TO_TUNNEL;
        }
    }
}

/*
 * The core's neighbor_suppression (issue 14): the same tables, keys and actions; the actions only
 * record, the verdict follows in the apply block (DPL: no conditionals in actions).
 */
control NeighborSuppression(inout headers_t headers, inout local_metadata_t meta) {
    action answer_arp(mac_addr_t mac) { meta.neighbor_mac = mac; }
    action answer_neighbor_solicitation(mac_addr_t mac) { meta.neighbor_mac = mac; }
    action target_unknown() { }

    table arp_answer {
        key = {
            meta.vni:           exact @name("vni");
            headers.arp.tpa:    exact @name("target_ipv4");
        }
        actions = { answer_arp; @defaultonly target_unknown; }
        const default_action = target_unknown();
        size = DPL_NEIGHBOR_TABLE_SIZE;
    }

    table nd_answer {
        key = {
            meta.vni:           exact @name("vni");
            headers.nd.target:  exact @name("target_ipv6");
        }
        actions = { answer_neighbor_solicitation; @defaultonly target_unknown; }
        const default_action = target_unknown();
        size = DPL_NEIGHBOR_TABLE_SIZE;
    }

    bit<1> drop_unknown = 0;
    action flood_unknown_neighbor() { drop_unknown = 0; }
    action drop_unknown_neighbor() { drop_unknown = 1; }

    /* Per tenant: a request for an unknown target goes on as BUM (bum_policy) or is dropped. */
    table unknown_neighbor {
        key = { meta.vni: exact @name("vni"); }
        actions = { flood_unknown_neighbor; drop_unknown_neighbor; }
        default_action = flood_unknown_neighbor();
        size = 4096;
    }

    apply {
        meta.neighbor_verdict = DPL_NEIGHBOR_NOT_A_REQUEST;
        /* Requests from local workloads only: an answer to the underlay would need the way back. */
        bool arp_request = false;
        bool solicitation = false;
        if (meta.from_tunnel == 0 && headers.arp.isValid()) {
            if (headers.arp.htype == 1 && headers.arp.ptype == ETHERTYPE_IPV4 && headers.arp.hlen == 6
                && headers.arp.plen == 4 && headers.arp.oper == DPL_ARP_REQUEST
                && headers.arp.spa != 0 && headers.arp.spa != headers.arp.tpa) {
                arp_request = true;
            }
        }
        if (meta.from_tunnel == 0 && headers.nd.isValid() && headers.ipv6.isValid()) {
            if (headers.icmpv6.code == 0 && headers.ipv6.hop_limit == DPL_ND_HOP_LIMIT
                && headers.nd.option_type == DPL_ND_OPTION_SOURCE_LLA && headers.nd.option_length == 1
                && headers.ipv6.src_addr != 0 && headers.nd.target[127:120] != 0xFF) {
                solicitation = true;
            }
        }
        bool known = false;
        if (arp_request) {
            known = arp_answer.apply().hit;
        } else if (solicitation) {
            known = nd_answer.apply().hit;
        }
        if (arp_request || solicitation) {
            unknown_neighbor.apply();
            if (known) {
                meta.neighbor_verdict = DPL_NEIGHBOR_ANSWER;
            } else if (drop_unknown == 1) {
                meta.neighbor_verdict = DPL_NEIGHBOR_UNKNOWN_DROP;
            } else {
                meta.neighbor_verdict = DPL_NEIGHBOR_UNKNOWN_FLOOD;
            }
        }
    }
}

/* The core's neighbor_reply, for ARP only (a Neighbor Advertisement needs a checksum unit). */
control NeighborReply(inout headers_t headers, inout local_metadata_t meta) {
    /* RFC 826: the reply swaps sender and target, the sender being the target asked for.
     * [inferred] that a flex-parsed header is an L-value in DPL. */
    action arp_reply() {
        ipv4_addr_t target = headers.arp.tpa;
        headers.ethernet.dst_addr = headers.ethernet.src_addr;
        headers.ethernet.src_addr = meta.neighbor_mac;
        headers.arp.oper = DPL_ARP_REPLY;
        headers.arp.tha = headers.arp.sha;
        headers.arp.tpa = headers.arp.spa;
        headers.arp.sha = meta.neighbor_mac;
        headers.arp.spa = target;
    }

    apply {
        arp_reply();
        if (meta.src_vlan != 0) {
            /* Back with the access tag it came with (classification removed it). */
            headers.vlan.setValid();
            headers.vlan.pcp = 0;
            headers.vlan.dei = 0;
            headers.vlan.vid = meta.src_vlan;
            headers.vlan.ether_type = headers.ethernet.ether_type;
            headers.ethernet.ether_type = ETHERTYPE_VLAN;
            nv_push_header(headers.vlan);
        }
    }
}

control TunnelResolution(inout local_metadata_t meta) {
    action set_tunnel_ipv4(ipv4_addr_t local_vtep, ipv4_addr_t remote_vtep) {
        meta.tunnel_is_ipv6 = 0;
        meta.tunnel_src_ipv4 = local_vtep;
        meta.tunnel_dst_ipv4 = remote_vtep;
    }
    action set_tunnel_ipv6(ipv6_addr_t local_vtep, ipv6_addr_t remote_vtep) {
        meta.tunnel_is_ipv6 = 1;
        meta.tunnel_src_ipv6 = local_vtep;
        meta.tunnel_dst_ipv6 = remote_vtep;
    }
    action no_tunnel() { meta.drop_reason = DROP_NO_TUNNEL; }

    table tunnel {
        key = { meta.tunnel_id: exact @name("tunnel_id"); }
        actions = { set_tunnel_ipv4; set_tunnel_ipv6; @defaultonly no_tunnel; }
        const default_action = no_tunnel();
        size = 16384;
    }

    action route_via(nv_logical_port_t port, mac_addr_t src_mac, mac_addr_t next_hop_mac) {
        meta.egress_port = port;
        meta.tunnel_src_mac = src_mac;
        meta.tunnel_dst_mac = next_hop_mac;
    }
    action no_route() { meta.drop_reason = DROP_NO_UNDERLAY_ROUTE; }

    table underlay_route_ipv4 {
        key = { meta.tunnel_dst_ipv4: lpm @name("remote_vtep"); }
        actions = { route_via; @defaultonly no_route; }
        const default_action = no_route();
        size = 4096;
    }
    table underlay_route_ipv6 {
        key = { meta.tunnel_dst_ipv6: lpm @name("remote_vtep"); }
        actions = { route_via; @defaultonly no_route; }
        const default_action = no_route();
        size = 4096;
    }

    apply {
        if (tunnel.apply().hit) {
            if (meta.tunnel_is_ipv6 == 1) {
                underlay_route_ipv6.apply();
            } else {
                underlay_route_ipv4.apply();
            }
        }
    }
}

/* ---------------------------------------------------- "egress" controls (VtepEgress names) */

control Policy(inout local_metadata_t meta) {
    NvDirectCounter(NvCounterType.PACKETS_AND_BYTES) policy_rule_hits;

    action allow() { policy_rule_hits.count(); }
    action deny() {
        policy_rule_hits.count();
        meta.drop_reason = DROP_POLICY_DENY;
    }
    action default_deny() { meta.drop_reason = DROP_POLICY_DENY; }

    table policy_rules {
        key = {
            meta.vni:             exact   @name("vni");
            meta.src_security_id: ternary @name("src_security_id");
            meta.dst_security_id: ternary @name("dst_security_id");
            meta.ip_protocol:     ternary @name("ip_protocol");
            meta.l4_dst_port:     range   @name("l4_dst_port");
        }
        actions = { allow; deny; @defaultonly default_deny; }
        const default_action = default_deny();
        direct_counter = policy_rule_hits;
        size = 16384;
    }

    apply {
        policy_rules.apply();
    }
}

control GeneveEncap(inout headers_t headers, inout local_metadata_t meta) {
    action insert_security_option(bit<16> option_class, bit<7> option_type, bit<1> critical) {
        headers.tunnel_security_option.setValid();
        headers.tunnel_security_option.option_class = option_class;
        headers.tunnel_security_option.critical = critical;
        headers.tunnel_security_option.option_type = option_type;
        headers.tunnel_security_option.reserved = 0;
        headers.tunnel_security_option.length = SECURITY_ID_OPTION_DATA_WORDS;
        headers.tunnel_security_option.security_id = meta.src_security_id;
        headers.tunnel_geneve.opt_len = SECURITY_ID_OPTION_TOTAL_WORDS;
        headers.tunnel_geneve.critical = critical;
    }
    action omit_security_option() { }

    /* Fabric-wide option format, set through the default action (MODIFY of the default entry). */
    table security_option_format {
        key = { }
        actions = { insert_security_option; omit_security_option; }
        default_action = omit_security_option();
        size = 1;
    }

    apply {
        headers.tunnel_geneve.setValid();
        headers.tunnel_geneve.version = GENEVE_VERSION;
        headers.tunnel_geneve.opt_len = 0;
        headers.tunnel_geneve.oam = 0;
        headers.tunnel_geneve.critical = 0;
        headers.tunnel_geneve.reserved1 = 0;
        headers.tunnel_geneve.protocol_type = ETHERTYPE_TRANSPARENT_ETHERNET;
        headers.tunnel_geneve.vni = meta.vni;
        headers.tunnel_geneve.reserved2 = 0;
        security_option_format.apply();

        headers.tunnel_udp.setValid();
        headers.tunnel_udp.src_port = GENEVE_SOURCE_PORT_BASE | (meta.flow_hash[15:0] & 0x3FFF);
        headers.tunnel_udp.dst_port = GENEVE_UDP_PORT;
        headers.tunnel_udp.checksum = 0;

        headers.tunnel_ethernet.setValid();
        headers.tunnel_ethernet.dst_addr = meta.tunnel_dst_mac;
        headers.tunnel_ethernet.src_addr = meta.tunnel_src_mac;
        if (meta.tunnel_is_ipv6 == 1) {
            headers.tunnel_ipv6.setValid();
            headers.tunnel_ipv6.version = 6;
            headers.tunnel_ipv6.traffic_class = 0;
            headers.tunnel_ipv6.flow_label = (bit<20>) meta.flow_hash[15:0];
            headers.tunnel_ipv6.next_header = IP_PROTO_UDP;
            headers.tunnel_ipv6.hop_limit = UNDERLAY_TTL;
            headers.tunnel_ipv6.src_addr = meta.tunnel_src_ipv6;
            headers.tunnel_ipv6.dst_addr = meta.tunnel_dst_ipv6;
            headers.tunnel_ethernet.ether_type = ETHERTYPE_IPV6;
        } else {
            headers.tunnel_ipv4.setValid();
            headers.tunnel_ipv4.version = 4;
            headers.tunnel_ipv4.ihl = 5;
            headers.tunnel_ipv4.dscp_ecn = 0;
            headers.tunnel_ipv4.identification = 0;
            headers.tunnel_ipv4.flags = 0b010; /* DF (RFC 8926 4.1.1) */
            headers.tunnel_ipv4.frag_offset = 0;
            headers.tunnel_ipv4.ttl = UNDERLAY_TTL;
            headers.tunnel_ipv4.protocol = IP_PROTO_UDP;
            headers.tunnel_ipv4.src_addr = meta.tunnel_src_ipv4;
            headers.tunnel_ipv4.dst_addr = meta.tunnel_dst_ipv4;
            headers.tunnel_ethernet.ether_type = ETHERTYPE_IPV4;
        }
        /* Innermost first: each push goes in front of what the packet already starts with. Lengths
         * (IPv4 total length, IPv6 payload length, UDP length) are the hardware's to fill: assumed. */
        if (headers.tunnel_security_option.isValid()) {
            nv_push_header(headers.tunnel_security_option);
        }
        nv_push_header(headers.tunnel_geneve);
        nv_push_header(headers.tunnel_udp);
        if (meta.tunnel_is_ipv6 == 1) {
            nv_push_header(headers.tunnel_ipv6);
        } else {
            nv_push_header(headers.tunnel_ipv4);
        }
        nv_push_header(headers.tunnel_ethernet);
    }
}

control MtuCheck(in nv_standard_metadata_t std_meta, inout local_metadata_t meta) {
    nv_logical_port_t egress_port = meta.egress_port;

    action set_uplink_mtu(bit<16> mtu) { meta.mtu = mtu; }

    table uplink_mtu {
        key = { egress_port: exact @name("port"); }
        actions = { set_uplink_mtu; @defaultonly NoAction; }
        const default_action = NoAction();
        size = 512;
    }

    apply {
        meta.mtu = 0;
        uplink_mtu.apply();
        /* Outer IP datagram = frame without its Ethernet header + IP + UDP + Geneve + option. */
        bit<16> overhead = (bit<16>) (UDP_HEADER_BYTES + GENEVE_BASE_HEADER_BYTES + 8) - (bit<16>) DPL_ETHERNET_HEADER_BYTES;
        if (meta.tunnel_is_ipv6 == 1) {
            overhead = overhead + (bit<16>) IPV6_HEADER_BYTES;
        } else {
            overhead = overhead + (bit<16>) IPV4_HEADER_BYTES;
        }
        if (meta.mtu != 0 && std_meta.packet_length + overhead > meta.mtu) {
            meta.drop_reason = DROP_MTU_EXCEEDED;
            meta.punt_reason = PUNT_MTU_EXCEEDED;
        }
    }
}

/* ------------------------------------------------------------------------------ the pipeline */

/*
 * DPL has one control stage for this pipeline, so the "egress" tables of the core live here too;
 * their @name keeps the core's VtepEgress.* P4Info names.
 */
control VtepIngress(inout headers_t headers,
                    in nv_standard_metadata_t std_meta,
                    inout local_metadata_t meta,
                    inout packet_out_t pkt_out_meta) {
    NvCounter<drop_reason_t>(DROP_REASON_COUNT, NvCounterType.PACKETS_AND_BYTES) ingress_drops;
    NvCounter<tenant_slot_t>(DPL_TENANT_SLOTS, NvCounterType.PACKETS_AND_BYTES) tenant_from_network;
    /* Per tenant slot: ARP requests answered here and solicitations handed to the controller to answer. */
    NvCounter<tenant_slot_t>(DPL_TENANT_SLOTS, NvCounterType.PACKETS_AND_BYTES) tenant_neighbor_answers;
    @name(".VtepEgress.egress_drops")
    NvCounter<drop_reason_t>(DROP_REASON_COUNT, NvCounterType.PACKETS_AND_BYTES) egress_drops;
    @name(".VtepEgress.tenant_to_network")
    NvCounter<tenant_slot_t>(DPL_TENANT_SLOTS, NvCounterType.PACKETS_AND_BYTES) tenant_to_network;

    PortClassification() port_classification;
    TunnelTermination() tunnel_termination;
    NeighborSuppression() neighbor_suppression;
    OverlayForwarding() overlay_forwarding;
    NeighborReply() neighbor_reply;
    TunnelResolution() tunnel_resolution;
    @name(".VtepEgress.policy") Policy() policy;
    @name(".VtepEgress.geneve_encap") GeneveEncap() geneve_encap;
    @name(".VtepEgress.mtu_check") MtuCheck() mtu_check;

    packet_in_t to_controller;

    apply {
        if (std_meta.ingress_port == CONTROLLER_PORT) {
            /* Packet-out: leaves the port the controller names, bypassing every table. */
            nv_send_to_port((nv_logical_port_t) pkt_out_meta.egress_port);
            return;
        }
        to_controller.ingress_port = (bit<16>) std_meta.ingress_port;
        to_controller.reason = PUNT_NONE;
        to_controller.pad = 0;
        meta.neighbor_verdict = DPL_NEIGHBOR_NOT_A_REQUEST;

        port_classification.apply(headers, std_meta, meta);
        if (meta.port_role == PORT_ROLE_UPLINK) {
            tunnel_termination.apply(headers, meta);
            if (meta.punt_reason == PUNT_GENEVE_OAM) {
                to_controller.reason = PUNT_GENEVE_OAM;
                nv_send_to_controller(to_controller);
                return;
            }
            if (meta.drop_reason == DROP_NONE) {
                tenant_from_network.count(meta.tenant_slot);
            }
        }
        if (meta.drop_reason == DROP_NONE) {
            neighbor_suppression.apply(headers, meta);
            overlay_forwarding.apply(headers, meta);
        }
        if (meta.drop_reason == DROP_NONE || meta.neighbor_verdict == DPL_NEIGHBOR_ANSWER) {
            /* Whatever forwarding decided for a request the VTEP answers is void (as in the core). */
            if (meta.neighbor_verdict == DPL_NEIGHBOR_ANSWER) {
                tenant_neighbor_answers.count(meta.tenant_slot);
                if (headers.arp.isValid()) {
                    neighbor_reply.apply(headers, meta);
                    nv_send_to_port(std_meta.ingress_port);
                } else {
                    to_controller.reason = PUNT_NEIGHBOR;
                    nv_send_to_controller(to_controller);
                }
                return;
            }
            if (meta.neighbor_verdict == DPL_NEIGHBOR_UNKNOWN_DROP) {
                meta.drop_reason = DPL_DROP_UNKNOWN_NEIGHBOR;
            }
        }
        if (meta.drop_reason == DROP_NONE && meta.bum_to_controller == 1) {
            to_controller.reason = PUNT_BUM;
            nv_send_to_controller(to_controller);
            return;
        }
        if (meta.drop_reason == DROP_NONE && meta.delivery == DELIVERY_REMOTE_VTEP) {
            tunnel_resolution.apply(meta);
        }
        if (meta.drop_reason != DROP_NONE) {
            ingress_drops.count(meta.drop_reason);
            nv_drop();
            return;
        }

        /* From here on, the core's egress work. */
        meta.ip_protocol = 0;
        meta.l4_dst_port = 0;
        if (headers.ipv4.isValid()) {
            meta.ip_protocol = headers.ipv4.protocol;
        } else if (headers.ipv6.isValid()) {
            meta.ip_protocol = headers.ipv6.next_header;
        }
        if (headers.tcp.isValid()) {
            meta.l4_dst_port = headers.tcp.dst_port;
        } else if (headers.udp.isValid()) {
            meta.l4_dst_port = headers.udp.dst_port;
        }
        if (meta.delivery == DELIVERY_LOCAL_VPORT) {
            policy.apply(meta);
            if (meta.drop_reason == DROP_NONE && meta.dst_vlan != 0) {
                headers.vlan.setValid();
                headers.vlan.pcp = 0;
                headers.vlan.dei = 0;
                headers.vlan.vid = meta.dst_vlan;
                headers.vlan.ether_type = headers.ethernet.ether_type;
                headers.ethernet.ether_type = ETHERTYPE_VLAN;
                nv_push_header(headers.vlan);
            }
        } else {
            mtu_check.apply(std_meta, meta);
            if (meta.punt_reason == PUNT_MTU_EXCEEDED) {
                egress_drops.count(meta.drop_reason);
                to_controller.reason = PUNT_MTU_EXCEEDED;
                nv_send_to_controller(to_controller);
                return;
            }
            /* Flow hash: CRC-32 over the inner addresses and ports (DATAPLANE.md lists the key). */
            nv_hash_crc32(meta.flow_hash, { headers.ethernet.dst_addr, headers.ethernet.src_addr,
                                            headers.ethernet.ether_type, headers.ipv4.src_addr,
                                            headers.ipv4.dst_addr, meta.ip_protocol,
                                            headers.tcp.src_port, meta.l4_dst_port });
            geneve_encap.apply(headers, meta);
            tenant_to_network.count(meta.tenant_slot);
        }
        if (meta.drop_reason != DROP_NONE) {
            egress_drops.count(meta.drop_reason);
            nv_drop();
            return;
        }
        nv_send_to_port(meta.egress_port);
    }
}

NvDocaPipeline(VtepParser(), VtepIngress()) main;
