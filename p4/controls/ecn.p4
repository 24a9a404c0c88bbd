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

/*
 * Applied to the tenant frame's headers once the tunnel is removed (they are then hdr.ipv4 /
 * hdr.ipv6); the outer ECN field was kept in meta.outer_ecn.
 */
control EcnDecapsulation(inout headers_t hdr, inout local_metadata_t meta) {
    apply {
        bit<2> outer = meta.outer_ecn;
        bit<2> inner = ECN_NOT_ECT;
        if (hdr.ipv4.isValid()) {
            inner = hdr.ipv4.ecn;
        } else if (hdr.ipv6.isValid()) {
            inner = hdr.ipv6.traffic_class[1:0];
        }
        bit<2> combined = inner;
        /* Outer CE on Not-ECT is a drop (facts.ecn_drop, judged by tunnel termination). */
        if (inner != ECN_NOT_ECT && inner != ECN_CE) {
            if (outer == ECN_CE) {
                combined = ECN_CE;
            } else if (outer == ECN_ECT1) {
                combined = ECN_ECT1;
            }
        }
        if (combined != inner) {
            if (hdr.ipv4.isValid()) {
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
                hdr.ipv4.ecn = combined;
                if (combined == ECN_ECT1) {
                    if (hdr.ipv4.hdr_checksum[15:1] == 0x7FFF) {  /* 0xFFFE or 0xFFFF */
                        hdr.ipv4.hdr_checksum = hdr.ipv4.hdr_checksum + 2;
                    } else {
                        hdr.ipv4.hdr_checksum = hdr.ipv4.hdr_checksum + 1;
                    }
                } else if (inner == ECN_ECT1) {
                    if (hdr.ipv4.hdr_checksum < 2) {
                        hdr.ipv4.hdr_checksum = hdr.ipv4.hdr_checksum - 3;
                    } else {
                        hdr.ipv4.hdr_checksum = hdr.ipv4.hdr_checksum - 2;
                    }
                } else {
                    if (hdr.ipv4.hdr_checksum == 0) {
                        hdr.ipv4.hdr_checksum = 0xFFFE;
                    } else {
                        hdr.ipv4.hdr_checksum = hdr.ipv4.hdr_checksum - 1;
                    }
                }
            } else {
                hdr.ipv6.traffic_class = hdr.ipv6.traffic_class[7:2] ++ combined;
            }
        }
    }
}

#endif
