/*
 * Constants of the Geneve VTEP data plane: protocol numbers, the Geneve option we
 * understand, drop and punt reason codes. The control plane mirrors the reason codes
 * (src/controller/reasons.ts), so a code here never changes meaning once assigned.
 */
#ifndef GENEVE_CONSTANTS_P4
#define GENEVE_CONSTANTS_P4

/* Whether the data plane answers ARP requests and Neighbor Solicitations itself (rule 15: the
 * neighbor_suppression lookups, NeighborReply, its counter). A wrapper short of PHV and stages
 * (Tofino, docs/TOFINO.md) sets 0: the parser only marks a request (nothing extracted) and the
 * ingress verdict punts one that would be flooded or dropped as unknown to the controller (packet-in
 * reason NEIGHBOR), which answers it from the intent or delivers it (rule 15a). */
#ifndef NEIGHBOR_SUPPRESSION
#define NEIGHBOR_SUPPRESSION 1
#endif
#if !NEIGHBOR_SUPPRESSION && !defined(NEIGHBOR_REQUESTS_IN_TUNNELS)
#define NEIGHBOR_REQUESTS_IN_TUNNELS 0
#endif
#if !NEIGHBOR_SUPPRESSION && NEIGHBOR_REQUESTS_IN_TUNNELS
#error "NEIGHBOR_REQUESTS_IN_TUNNELS needs NEIGHBOR_SUPPRESSION (an answer through a tunnel is the data plane's)"
#endif

/* ---- EtherTypes and IP protocol numbers ---- */
const bit<16> ETHERTYPE_IPV4 = 0x0800;
const bit<16> ETHERTYPE_IPV6 = 0x86DD;
const bit<16> ETHERTYPE_VLAN = 0x8100;
const bit<16> ETHERTYPE_ARP = 0x0806;
/* Geneve "Protocol Type" for an Ethernet payload (RFC 8926 3.4: Transparent Ethernet Bridging). */
const bit<16> ETHERTYPE_TRANSPARENT_ETHERNET = 0x6558;

const bit<8> IP_PROTO_TCP = 6;
const bit<8> IP_PROTO_UDP = 17;
const bit<8> IP_PROTO_ICMPV6 = 58;

/* ---- ARP (RFC 826) and Neighbor Discovery (RFC 4861) ---- */
/* What the parser checks of a request (a program without neighbor suppression still marks one). */
/* The first 4 bytes of an ARP packet for IPv4 over Ethernet: hardware type 1, protocol 0x0800. */
const bit<32> ARP_ETHERNET_IPV4 = 0x00010800;
const bit<8>  ICMPV6_NEIGHBOR_SOLICITATION = 135;
/* RFC 4861 7.1.1: a Neighbor Discovery message arrives with hop limit 255, and we send 255. */
const bit<8>  ND_HOP_LIMIT = 255;
/* Bytes of ICMPv6 in a Neighbor Solicitation with exactly one source link-layer address option:
 * header (4), reserved (4), target (16), option (8). Only those are answered. */
const bit<16> ND_SOLICITATION_WITH_SLLA_BYTES = 32;
#if NEIGHBOR_SUPPRESSION
/* What the data plane's answer needs (bf-p4c refuses constants a program does not use). */
const bit<16> ARP_OPER_REQUEST = 1;
const bit<16> ARP_OPER_REPLY = 2;
const bit<8>  ICMPV6_NEIGHBOR_ADVERTISEMENT = 136;
/* Source / target link-layer address options (RFC 4861 4.6.1), length 1 (8 bytes). */
const bit<8>  ND_OPTION_SOURCE_LLA = 1;
const bit<8>  ND_OPTION_TARGET_LLA = 2;
/* Neighbor Advertisement flags word: R 0 (we answer for hosts), S 1 (solicited), O 1 (the
 * controller's binding is authoritative, as Linux's bridge neighbour suppression sends it). */
const bit<32> ND_ADVERTISEMENT_FLAGS = 0x60000000;
#else
/* Bytes 4-7 of an ARP request for IPv4 over Ethernet: address lengths 6 and 4, operation 1. */
const bit<32> ARP_IPV4_REQUEST_LENGTHS = 0x06040001;
#endif

/* IANA-assigned UDP destination port for Geneve (RFC 8926 3.3). */
const bit<16> GENEVE_UDP_PORT = 6081;
/* Outer UDP source ports are taken from the dynamic range 49152-65535 (RFC 8926 3.3
 * recommends entropy there): 0xC000 | 14 bits of the inner flow hash. */
const bit<16> GENEVE_SOURCE_PORT_BASE = 0xC000;

/* ---- Geneve header ---- */
const bit<2> GENEVE_VERSION = 0;
/* Opt Len counts 4-byte words and is 6 bits wide (up to 63 words, 252 bytes). The parser
 * walks at most this many words (32 bytes); a packet with more is refused as an option
 * length error (docs/DATAPLANE.md, "Parsing limits"). The bound keeps the walk within a
 * Tofino parser and its PHV; p4/geneve_options.p4 is generated for it. */
#define GENEVE_MAX_OPTION_WORDS 8
const bit<8> GENEVE_BASE_HEADER_BYTES = 8;
const bit<8> UDP_HEADER_BYTES = 8;
const bit<8> IPV4_HEADER_BYTES = 20;
const bit<8> IPV6_HEADER_BYTES = 40;
const bit<8> ETHERNET_HEADER_BYTES = 14;
const bit<8> VLAN_TAG_BYTES = 4;

/*
 * The security-ID option. Its class and type are chosen at run time, for both directions: the
 * sending VTEP takes class, type and critical flag from geneve_encap.security_option_format, the
 * receiving VTEP recognizes the class and type set in tunnel_termination.security_option_recognition
 * (both default actions, written over P4Runtime). These constants are only the defaults the
 * program starts with: class 0xFFF0 lies in IANA's "Experimental Use" range of Geneve option
 * classes. The type is compared without its high bit, which is the critical flag (RFC 8926 3.5).
 */
#if !GENEVE_OPTION_RECOGNITION_IN_PARSER
/* (Where the parser recognizes the option, the control plane's value set holds them from the
 * start and nothing here uses them: bf-p4c would warn of unused constants.) */
const bit<16> SECURITY_ID_OPTION_CLASS = 0xFFF0;
const bit<7>  SECURITY_ID_OPTION_TYPE = 0x01;
#endif
/* Option length counts 4-byte words of data after the 4-byte option header. */
const bit<5>  SECURITY_ID_OPTION_DATA_WORDS = 1;
const bit<6>  SECURITY_ID_OPTION_TOTAL_WORDS = 2;

/* ECN codepoints (RFC 3168). */
const bit<2> ECN_NOT_ECT = 0;
const bit<2> ECN_ECT1 = 1;
const bit<2> ECN_ECT0 = 2;
const bit<2> ECN_CE = 3;

/* IPv6 next headers the parser does not walk (DATAPLANE.md rule 6). */
const bit<8> IPV6_HOP_BY_HOP = 0;
const bit<8> IPV6_ROUTING = 43;
const bit<8> IPV6_FRAGMENT = 44;
const bit<8> IPV6_DESTINATION_OPTIONS = 60;

/* Defaults written into the outer headers we build. */
const bit<8> UNDERLAY_TTL = 64;

/* ---- Parser verdicts on the Geneve header, acted upon by tunnel termination ---- */
typedef bit<4> geneve_status_t;
/* 0: the Geneve header and its options are fine (metadata starts zeroed). */
const geneve_status_t GENEVE_STATUS_BAD_VERSION = 1;
const geneve_status_t GENEVE_STATUS_BAD_PROTOCOL = 2;
const geneve_status_t GENEVE_STATUS_BAD_OPTION_LENGTH = 3;
/* 4 was "unknown critical option": the control decides that now (GeneveSecurityId), against the
 * option the control plane chose. */

/* ---- Port roles ---- */
typedef bit<2> port_role_t;
const port_role_t PORT_ROLE_UNCONFIGURED = 0;
const port_role_t PORT_ROLE_ACCESS = 1;
const port_role_t PORT_ROLE_UPLINK = 2;

/* ---- Where a frame is headed after overlay forwarding ---- */
typedef bit<2> delivery_t;
const delivery_t DELIVERY_NONE = 0;
const delivery_t DELIVERY_LOCAL_VPORT = 1;
const delivery_t DELIVERY_REMOTE_VTEP = 2;
const delivery_t DELIVERY_FLOOD = 3;

/*
 * ---- Drop reasons: index into the drop counters (ingress_drops / egress_drops) ----
 * Zero means "not dropped". Each reason has its own counter cell.
 */
typedef bit<8> drop_reason_t;
const drop_reason_t DROP_NONE = 0;
const drop_reason_t DROP_PARSER_ERROR = 1;            /* truncated or unparsable frame */
const drop_reason_t DROP_PORT_UNCONFIGURED = 2;       /* ingress port has no role */
const drop_reason_t DROP_UNKNOWN_SOURCE = 3;          /* (port, source MAC, VLAN) is no vport: anti-spoofing */
const drop_reason_t DROP_UNKNOWN_DESTINATION = 4;     /* (VNI, destination MAC) miss */
const drop_reason_t DROP_NO_TUNNEL = 5;               /* tunnel id has no tunnel entry */
const drop_reason_t DROP_NO_UNDERLAY_ROUTE = 6;       /* remote VTEP address has no route */
const drop_reason_t DROP_NOT_FOR_LOCAL_VTEP = 7;      /* underlay traffic not addressed to a local VTEP */
const drop_reason_t DROP_OUTER_IPV4_CHECKSUM = 8;     /* outer IPv4 header checksum wrong */
const drop_reason_t DROP_GENEVE_VERSION = 9;          /* Geneve version != 0 */
const drop_reason_t DROP_GENEVE_PROTOCOL = 10;        /* protocol type != 0x6558 */
const drop_reason_t DROP_GENEVE_OPTION_LENGTH = 11;   /* option lengths overrun Opt Len */
const drop_reason_t DROP_GENEVE_CRITICAL_OPTION = 12; /* unknown option with the critical flag */
const drop_reason_t DROP_UNKNOWN_VNI = 13;            /* VNI not configured */
const drop_reason_t DROP_VTEP_NOT_MEMBER = 14;        /* sending VTEP not a member of the VNI */
const drop_reason_t DROP_TUNNEL_TO_TUNNEL = 15;       /* decapsulated frame headed to another VTEP */
const drop_reason_t DROP_POLICY_DENY = 16;            /* policy denied (or no policy allowed) */
const drop_reason_t DROP_MTU_EXCEEDED = 17;           /* encapsulated packet larger than the uplink MTU */
const drop_reason_t DROP_HAIRPIN = 18;                /* unicast back to the vport it came from */
const drop_reason_t DROP_UNKNOWN_REPLICA = 19;        /* multicast replica id has no replica entry */
const drop_reason_t DROP_NOT_FOR_UPLINK_MAC = 20;     /* uplink frame not unicast to the uplink's MAC */
const drop_reason_t DROP_OUTER_LENGTH = 21;           /* outer IP/UDP lengths disagree with the frame */
const drop_reason_t DROP_OUTER_FRAGMENT = 22;         /* outer IP fragment addressed to us */
const drop_reason_t DROP_OUTER_IP_OPTIONS = 23;       /* IPv4 options / IPv6 option headers addressed to us */
const drop_reason_t DROP_ECN_CE_ON_NOT_ECT = 24;      /* outer CE on a Not-ECT tenant frame (RFC 6040) */
const drop_reason_t DROP_ENCAP_LENGTH_OVERFLOW = 25;  /* outer IPv4 total or UDP length would exceed 65535 */
const drop_reason_t DROP_OAM_PUNT_METER = 26;         /* Geneve OAM punt over its meter */
const drop_reason_t DROP_MTU_PUNT_METER = 27;         /* MTU punt over its meter */
const drop_reason_t DROP_PACKET_OUT_PORT = 28;        /* packet-out to a port the device does not have */
#if NEIGHBOR_SUPPRESSION
const drop_reason_t DROP_UNKNOWN_NEIGHBOR = 29;       /* ARP/ND request for an unknown target, tenant set to drop */
#endif
#define DROP_REASON_COUNT 32

/* ---- Packet-in reasons (packet_in.reason) ---- */
typedef bit<8> punt_reason_t;
const punt_reason_t PUNT_NONE = 0;
const punt_reason_t PUNT_MTU_EXCEEDED = 1;   /* copy of a too-large frame, before encapsulation */
const punt_reason_t PUNT_GENEVE_OAM = 2;     /* Geneve control packet (O bit): the whole packet */
const punt_reason_t PUNT_BUM = 3;            /* BUM frame of a tenant that sends BUM to the controller (no replication) */
/* An ARP request or Neighbor Solicitation handed to the controller to answer (rule 15a): sent by
 * the core without data-plane neighbor suppression (NEIGHBOR_SUPPRESSION 0, the Tofino wrappers)
 * and by the DPL program for the solicitations it cannot answer. */
const punt_reason_t PUNT_NEIGHBOR = 4;

/* Whether ARP / Neighbor Solicitations are parsed inside tunnels too (rule 15: answered back
 * through the tunnel). A wrapper short of PHV may leave them payload (docs/TOFINO.md): then no
 * answer goes back through a tunnel, and what only such an answer needs is left out. */
#ifndef NEIGHBOR_REQUESTS_IN_TUNNELS
#define NEIGHBOR_REQUESTS_IN_TUNNELS 1
#endif

/* Underlay ECMP: next hops per route at most (one action selector group). */
#define UNDERLAY_ECMP_MAX_PATHS 16

/* Per-tenant traffic counters are indexed by a tenant slot the controller assigns. */
#define TENANT_SLOTS 4096
typedef bit<12> tenant_slot_t;

typedef bit<24> vni_t;
typedef bit<32> security_id_t;
typedef bit<16> vport_id_t;
typedef bit<16> tunnel_id_t;
typedef bit<48> mac_addr_t;
typedef bit<32> ipv4_addr_t;
typedef bit<128> ipv6_addr_t;
typedef bit<12> vlan_id_t;

#endif
