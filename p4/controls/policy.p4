/*
 * Identity-based policy (egress, every copy delivered to a local vport). The receiver
 * decides: (VNI, source security ID, destination security ID[, IP protocol, L4
 * destination port range]) -> allow or deny, highest priority first, default deny.
 * The source ID is the sending vport's, or for tunnelled frames the one carried in the
 * Geneve option when the sending VTEP is trusted, else the VNI's unknown ID.
 */
#ifndef POLICY_P4
#define POLICY_P4

#include "../include/metadata.p4"
#include "../include/size.p4"

/* Direct counters are an architecture extern: the wrapper says how to declare one. */
#ifndef DIRECT_PACKETS_AND_BYTES_COUNTER
#error "the architecture wrapper must define DIRECT_PACKETS_AND_BYTES_COUNTER(name)"
#endif

control Policy(inout headers_t hdr, inout local_metadata_t meta) {

    DIRECT_PACKETS_AND_BYTES_COUNTER(policy_rule_hits);

    action allow() {
        policy_rule_hits.count();
    }

    action deny() {
        policy_rule_hits.count();
        meta.drop_reason = DROP_POLICY_DENY;
    }

    action default_deny() {
        meta.drop_reason = DROP_POLICY_DENY;
    }

    table policy_rules {
        key = {
            meta.vni:             exact   @name("vni");
            meta.src_security_id: ternary @name("src_security_id");
            meta.dst_security_id: ternary @name("dst_security_id");
            meta.ip_protocol:     ternary @name("ip_protocol");
            meta.l4_dst_port:     range   @name("l4_dst_port");
        }
        actions = {
            allow;
            deny;
            @defaultonly default_deny;
        }
        const default_action = default_deny();
        counters = policy_rule_hits;
        size = POLICY_TABLE_SIZE;
    }

    apply {
        policy_rules.apply();
    }
}

#endif
