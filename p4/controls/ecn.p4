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
 * hdr.ipv6); the outer ECN field was kept in meta.outer_ecn. Outer CE on a Not-ECT frame is a
 * drop (facts.ecn_drop, judged by tunnel termination on the received headers).
 *
 * One lookup fixed by the program (not in the P4Info): the combinations that change the frame,
 * with the IPv4 header checksum updated as RFC 1624 equation 3 says, HC' = ~(~HC + ~m + m'),
 * where m and m' differ in the ECN bits alone, so ~m + m' is (m' - m) in ones' complement: +1
 * (ECT(0) to CE), +2 (ECT(1) to CE), -1 (ECT(0) to ECT(1)). Worked out, HC' is HC - d, one less
 * again when the subtraction borrows (HC < d), and for -1 it is HC + 1, one more again when the
 * addition carries (HC >= 0xFFFE): one addition of a constant modulo 2^16 per case (a Tofino
 * action does one operation), no checksum unit. A wrong checksum stays wrong by the same amount.
 */
control EcnDecapsulation(inout headers_t hdr, inout local_metadata_t meta) {

    @hidden
    action ipv4_ecn(bit<2> ecn, bit<16> checksum_add) {
        hdr.ipv4.ecn = ecn;
        hdr.ipv4.hdr_checksum = hdr.ipv4.hdr_checksum + checksum_add;
    }

    @hidden
    action ipv6_ecn(bit<2> ecn) {
        hdr.ipv6.traffic_class[1:0] = ecn;
    }

    @hidden
    action unchanged() {
    }

    @hidden
    table ecn_decapsulation {
        key = {
            meta.outer_ecn:              ternary;
            hdr.ipv4.isValid():          exact;
            hdr.ipv4.ecn:                ternary;
            hdr.ipv4.hdr_checksum:       ternary;
            hdr.ipv6.isValid():          exact;
            hdr.ipv6.traffic_class[1:0]: ternary @name("ipv6_ecn");
        }
        actions = {
            ipv4_ecn;
            ipv6_ecn;
            unchanged;
        }
        const entries = {
            /* Outer CE: an ECT frame becomes CE (RFC 6040 section 4.2, figure 4). */
            (ECN_CE, true, ECN_ECT0, 0, false, _): ipv4_ecn(ECN_CE, 0xFFFE);            /* 0 - 1 - 1 */
            (ECN_CE, true, ECN_ECT0, _, false, _): ipv4_ecn(ECN_CE, 0xFFFF);            /* - 1 */
            (ECN_CE, true, ECN_ECT1, 0 &&& 0xFFFE, false, _): ipv4_ecn(ECN_CE, 0xFFFD); /* - 2 - 1 */
            (ECN_CE, true, ECN_ECT1, _, false, _): ipv4_ecn(ECN_CE, 0xFFFE);            /* - 2 */
            (ECN_CE, false, _, _, true, ECN_ECT0): ipv6_ecn(ECN_CE);
            (ECN_CE, false, _, _, true, ECN_ECT1): ipv6_ecn(ECN_CE);
            /* Outer ECT(1): an ECT(0) frame becomes ECT(1). */
            (ECN_ECT1, true, ECN_ECT0, 0xFFFE &&& 0xFFFE, false, _): ipv4_ecn(ECN_ECT1, 2); /* + 1 + 1 */
            (ECN_ECT1, true, ECN_ECT0, _, false, _): ipv4_ecn(ECN_ECT1, 1);
            (ECN_ECT1, false, _, _, true, ECN_ECT0): ipv6_ecn(ECN_ECT1);
        }
        const default_action = unchanged();
    }

    apply {
        ecn_decapsulation.apply();
    }
}

#endif
