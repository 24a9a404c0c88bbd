/*
 * ECN across the tunnel, RFC 6040 normal mode (docs/DATAPLANE.md rule 12).
 *  - Encapsulation: the outer ECN field is the tenant frame's (section 4.1, normal mode).
 *  - Decapsulation: the tenant frame's ECN field becomes the combination of figure 4
 *    (section 4.2): outer CE marks an ECT frame CE, outer ECT(1) turns ECT(0) into ECT(1),
 *    and outer CE on a Not-ECT frame means drop (its sender would not understand CE).
 * A tenant frame that is not IPv4/IPv6 as the parser sees it counts as Not-ECT.
 */
#ifndef ECN_P4
#define ECN_P4

#include "../include/metadata.p4"

/* The ECN field of the frame headers (a tenant frame on the access side). */
control TenantEcn(in headers_t hdr, out bit<2> ecn) {
    apply {
        ecn = ECN_NOT_ECT;
        if (hdr.ipv4.isValid()) {
            ecn = hdr.ipv4.ecn;
        } else if (hdr.ipv6.isValid()) {
            ecn = hdr.ipv6.traffic_class[1:0];
        }
    }
}

/* Applied to the inner headers of a tunnel packet we accepted, before the tunnel is removed. */
control EcnDecapsulation(inout headers_t hdr, inout local_metadata_t meta) {
    apply {
        bit<2> outer = ECN_NOT_ECT;
        if (hdr.ipv4.isValid()) {
            outer = hdr.ipv4.ecn;
        } else if (hdr.ipv6.isValid()) {
            outer = hdr.ipv6.traffic_class[1:0];
        }
        bit<2> inner = ECN_NOT_ECT;
        if (hdr.inner_ipv4.isValid()) {
            inner = hdr.inner_ipv4.ecn;
        } else if (hdr.inner_ipv6.isValid()) {
            inner = hdr.inner_ipv6.traffic_class[1:0];
        }
        bit<2> combined = inner;
        if (inner == ECN_NOT_ECT) {
            if (outer == ECN_CE) {
                meta.drop_reason = DROP_ECN_CE_ON_NOT_ECT;
            }
        } else if (inner != ECN_CE) {
            if (outer == ECN_CE) {
                combined = ECN_CE;
            } else if (outer == ECN_ECT1) {
                combined = ECN_ECT1;
            }
        }
        if (combined != inner) {
            if (hdr.inner_ipv4.isValid()) {
                /*
                 * The header checksum follows RFC 1624 equation 3, HC' = ~(~HC + ~m + m'), where
                 * m and m' differ in the ECN bits alone, so ~m + m' is (m' - m) in ones'
                 * complement: +1 (ECT(0) to CE), +2 (ECT(1) to CE), -1 = 0xFFFE (ECT(0) to
                 * ECT(1)). The wrapper's checksum unit computes ~(~HC + delta) from these two
                 * words: a wrong checksum stays wrong by the same amount.
                 */
                meta.ecn_checksum.rewrite = 1;
                meta.ecn_checksum.not_checksum = ~hdr.inner_ipv4.hdr_checksum;
                if (combined == ECN_ECT1) {
                    meta.ecn_checksum.delta = 0xFFFE;
                } else if (inner == ECN_ECT1) {
                    meta.ecn_checksum.delta = 2;
                } else {
                    meta.ecn_checksum.delta = 1;
                }
                hdr.inner_ipv4.ecn = combined;
            } else {
                hdr.inner_ipv6.traffic_class = hdr.inner_ipv6.traffic_class[7:2] ++ combined;
            }
        }
    }
}

#endif
