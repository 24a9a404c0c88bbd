/*
 * OUR description of the DOCA target architecture, for p4test only -- NOT NVIDIA's files.
 *
 * dplp4c compiles p4/dpl/main.p4 against NVIDIA's own includes (doca_model.p4, doca_headers.p4,
 * doca_externs.p4, doca_parser.p4), which ship only in NVIDIA's DPL development container. This
 * file declares what main.p4 uses so that p4c's front end can type-check it here. Every
 * declaration is marked:
 *   [published] its name and shape appear on a public NVIDIA page (docs/BLUEFIELD.md, "Sources");
 *   [inferred]  we needed it and guessed its shape; check it against NVIDIA's includes.
 * Nothing here says how the hardware behaves.
 */
#ifndef DPL_ARCH_OURS_P4
#define DPL_ARCH_OURS_P4

#include <core.p4>

/* [published] P4 port ids are 32-bit values (Connection Tracking Example: `const bit<32> WIRE_PORT = 32w0`). */
typedef bit<32> nv_logical_port_t;
/* [published] name, VXLAN gateway example (`nv_mac_addr_t underlay_src_...`); widths from the wire. */
typedef bit<48> nv_mac_addr_t;
/* [inferred] by analogy with nv_mac_addr_t. */
typedef bit<32> nv_ipv4_addr_t;
typedef bit<128> nv_ipv6_addr_t;

/* [inferred] a range match kind (core.p4 has exact, ternary and lpm only). */
match_kind { range }

/* [published] type names of the control's parameters (Connection Tracking Example); fields [inferred]. */
struct nv_standard_metadata_t {
    nv_logical_port_t ingress_port;
    bit<16>           packet_length;
}
struct nv_empty_metadata_t {}

/*
 * [published] the macros NV_FIXED_HEADERS and NV_FIXED_PARSER(packet, headers) exist (Geneve TLV
 * Parsing Example, VXLAN gateway example) and the fixed headers include ethernet, ipv4, tcp, udp
 * with fields src_addr, dst_addr, protocol, src_port, dst_port (Connection Tracking Example).
 * [inferred] everything else: the vlan and ipv6 headers, the inner group, the other field names.
 */
header nv_ethernet_t {
    nv_mac_addr_t dst_addr;
    nv_mac_addr_t src_addr;
    bit<16>       ether_type;
}
header nv_vlan_t {
    bit<3>  pcp;
    bit<1>  dei;
    bit<12> vid;
    bit<16> ether_type;
}
header nv_ipv4_t {
    bit<4>         version;
    bit<4>         ihl;
    bit<8>         dscp_ecn;
    bit<16>        total_len;
    bit<16>        identification;
    bit<3>         flags;
    bit<13>        frag_offset;
    bit<8>         ttl;
    bit<8>         protocol;
    bit<16>        checksum;
    nv_ipv4_addr_t src_addr;
    nv_ipv4_addr_t dst_addr;
}
header nv_ipv6_t {
    bit<4>         version;
    bit<8>         traffic_class;
    bit<20>        flow_label;
    bit<16>        payload_len;
    bit<8>         next_header;
    bit<8>         hop_limit;
    nv_ipv6_addr_t src_addr;
    nv_ipv6_addr_t dst_addr;
}
header nv_tcp_t {
    bit<16> src_port;
    bit<16> dst_port;
    bit<32> seq_no;
    bit<32> ack_no;
    bit<16> flags;
    bit<16> window;
    bit<16> checksum;
    bit<16> urgent_ptr;
}
header nv_udp_t {
    bit<16> src_port;
    bit<16> dst_port;
    bit<16> length;
    bit<16> checksum;
}

#define NV_FIXED_HEADERS \
    nv_ethernet_t ethernet; \
    nv_vlan_t     vlan; \
    nv_ipv4_t     ipv4; \
    nv_ipv6_t     ipv6; \
    nv_tcp_t      tcp; \
    nv_udp_t      udp; \
    nv_ethernet_t inner_ethernet; \
    nv_ipv4_t     inner_ipv4; \
    nv_ipv6_t     inner_ipv6; \
    nv_tcp_t      inner_tcp; \
    nv_udp_t      inner_udp;

/*
 * [inferred] The hardware parser. Here it only extracts the outer Ethernet header: user states
 * hang off it through @nv_transition_from (published annotation name), which p4test does not
 * know, so they are type-checked but unreachable in this stand-in.
 */
#define NV_FIXED_PARSER(PACKET, HEADERS) \
    state start { \
        PACKET.extract(HEADERS.ethernet); \
        transition accept; \
    }

/* [published] counter types and the counter externs' names (Connection Tracking Example). */
enum NvCounterType {
    PACKETS,
    BYTES,
    PACKETS_AND_BYTES
}
/* [published] bound to a table by the table property `direct_counter = <instance>`. */
extern NvDirectCounter {
    NvDirectCounter(NvCounterType type);
    void count();
}
/* [inferred] an indexed counter: (size, type) and count(index). */
extern NvCounter<I> {
    NvCounter(bit<32> size, NvCounterType type);
    void count(in I index);
}

/* [published] nv_drop() (VXLAN gateway example). */
extern void nv_drop();
/* [inferred] forwarding to a P4 port id. */
extern void nv_send_to_port(in nv_logical_port_t port);
/*
 * [inferred] sending the packet to the P4Runtime controller with the struct annotated
 * @nv_controller_metadata("packet_in") (published: at most 32 bits, Connection Tracking Example).
 */
extern void nv_send_to_controller<T>(in T packet_in_metadata);

/*
 * [published] NvOptionsParser parses TLV options such as Geneve's (Geneve TLV Parsing Example;
 * the P4 Language Support page spells it NvOptionParser). [inferred] this signature: the option
 * header layout is given by a struct, options are told apart by a key built from class and type,
 * and `extract` fills the header of the option whose key is `option_key`, if present.
 */
extern NvOptionsParser<OPT_HDR, KEY> {
    NvOptionsParser();
    void extract<H>(packet_in packet, in bit<8> options_length_words, in KEY option_key, out H option);
}

/*
 * [published] "Extern to push and pop new headers into the packet (experimental feature)" and
 * "Extern to force a reparse after pushing and popping headers" (DPL Release Notes, beta v1.1.0).
 * [inferred] names and signatures.
 */
extern void nv_push_header<H>(in H header_to_push);
extern void nv_pop_header<H>(inout H header_to_remove);
extern void nv_force_reparse<H>(inout H headers);

/* [published] "Extern support for calculating a CRC32 hash over a custom set of header fields". [inferred] shape. */
extern void nv_hash_crc32<T>(out bit<32> result, in T data);

/* [published] the control and package shapes (Connection Tracking Example; DOCA Target Architecture). */
parser NvDocaParser<H>(packet_in packet, out H headers);
control NvDocaControl<H, M, O>(
    inout H headers,
    in nv_standard_metadata_t std_meta,
    inout M user_meta,
    inout O pkt_out_meta);
package NvDocaPipeline<H, M, O>(NvDocaParser<H> p, NvDocaControl<H, M, O> c);

#endif
