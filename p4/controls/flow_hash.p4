/*
 * Flow hash (ingress): entropy for the outer UDP source port and the IPv6 flow label, so
 * the underlay spreads flows over its paths while keeping each flow in order (RFC 8926
 * 3.3, RFC 6438). The low 16 bits of CRC-32 over the tenant flow; docs/DATAPLANE.md gives
 * the byte layout. Hash units are an architecture extern: the wrapper defines
 *   CRC32_HASH_UNIT(name)               declares a CRC-32 unit (nothing on v1model)
 *   CRC32_LOW16(name, result, fields...) result = low 16 bits of CRC-32 over the fields
 */
#ifndef FLOW_HASH_P4
#define FLOW_HASH_P4

#include "../include/metadata.p4"

#if !defined(CRC32_HASH_UNIT) || !defined(CRC32_LOW16)
#error "the architecture wrapper must define CRC32_HASH_UNIT(name) and CRC32_LOW16(name, result, fields...)"
#endif

control FlowHash(in headers_t hdr, in bit<16> l4_src_port, inout local_metadata_t meta) {
    /* One unit per address family: each hashes the addresses straight from the header, IPv4
     * zero-extended to 128 bits, so no 256-bit copy of them is needed. */
    CRC32_HASH_UNIT(ipv4_flow_hasher)
    CRC32_HASH_UNIT(ipv6_flow_hasher)
    CRC32_HASH_UNIT(l2_flow_hasher)

    apply {
        if (hdr.ipv4.isValid()) {
            CRC32_LOW16(ipv4_flow_hasher, meta.flow_hash,
                        hdr.ethernet.dst_addr, hdr.ethernet.src_addr, hdr.ethernet.ether_type,
                        96w0, hdr.ipv4.src_addr, 96w0, hdr.ipv4.dst_addr,
                        meta.ip_protocol, l4_src_port, meta.l4_dst_port)
        } else if (hdr.ipv6.isValid()) {
            CRC32_LOW16(ipv6_flow_hasher, meta.flow_hash,
                        hdr.ethernet.dst_addr, hdr.ethernet.src_addr, hdr.ethernet.ether_type,
                        hdr.ipv6.src_addr, hdr.ipv6.dst_addr,
                        meta.ip_protocol, l4_src_port, meta.l4_dst_port)
        } else {
            /* Not IP: zero addresses, protocol and ports. */
            CRC32_LOW16(l2_flow_hasher, meta.flow_hash,
                        hdr.ethernet.dst_addr, hdr.ethernet.src_addr, hdr.ethernet.ether_type,
                        256w0, 8w0, 16w0, 16w0)
        }
    }
}

#endif
