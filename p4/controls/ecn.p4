/*
 * ECN across the tunnel, RFC 6040 normal mode (docs/DATAPLANE.md rule 12).
 *  - Encapsulation: the outer ECN field is the tenant frame's (section 4.1, normal mode),
 *    taken in ingress by FrameFacts (frame_facts.p4) and written by GeneveEncap (encap.p4).
 *  - Decapsulation: the tenant frame's ECN field becomes the combination of figure 4
 *    (section 4.2): outer CE marks an ECT frame CE, outer ECT(1) turns ECT(0) into ECT(1),
 *    and outer CE on a Not-ECT frame means drop (its sender would not understand CE).
 * A tenant frame that is not IPv4/IPv6 as the parser sees it counts as Not-ECT.
 */
#ifndef ECN_P4
#define ECN_P4

#include "../include/metadata.p4"

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
                 * complement: +1 (ECT(0) to CE), +2 (ECT(1) to CE), -1 (ECT(0) to ECT(1)).
                 * Worked out, HC' is HC - d, one less again when the subtraction borrows
                 * (HC < d), and for -1 it is HC + 1, one more again when the addition carries
                 * (HC >= 0xFFFE): constant arithmetic after a constant comparison, one
                 * operation each (Tofino), no checksum unit. A wrong checksum stays wrong by
                 * the same amount.
                 */
                hdr.inner_ipv4.ecn = combined;
                if (combined == ECN_ECT1) {
                    if (hdr.inner_ipv4.hdr_checksum[15:1] == 0x7FFF) {  /* 0xFFFE or 0xFFFF */
                        hdr.inner_ipv4.hdr_checksum = hdr.inner_ipv4.hdr_checksum + 2;
                    } else {
                        hdr.inner_ipv4.hdr_checksum = hdr.inner_ipv4.hdr_checksum + 1;
                    }
                } else if (inner == ECN_ECT1) {
                    if (hdr.inner_ipv4.hdr_checksum < 2) {
                        hdr.inner_ipv4.hdr_checksum = hdr.inner_ipv4.hdr_checksum - 3;
                    } else {
                        hdr.inner_ipv4.hdr_checksum = hdr.inner_ipv4.hdr_checksum - 2;
                    }
                } else {
                    if (hdr.inner_ipv4.hdr_checksum == 0) {
                        hdr.inner_ipv4.hdr_checksum = 0xFFFE;
                    } else {
                        hdr.inner_ipv4.hdr_checksum = hdr.inner_ipv4.hdr_checksum - 1;
                    }
                }
            } else {
                hdr.inner_ipv6.traffic_class = hdr.inner_ipv6.traffic_class[7:2] ++ combined;
            }
        }
    }
}

#endif
