/*
 * Local delivery (egress): a frame leaving on an access port gets the destination
 * vport's access VLAN tag back, if it has one. Frames travel the overlay untagged.
 */
#ifndef LOCAL_DELIVERY_P4
#define LOCAL_DELIVERY_P4

#include "../include/metadata.p4"

control LocalDelivery(inout headers_t hdr, inout local_metadata_t meta) {
    apply {
        if (meta.dst_vlan != 0) {
            hdr.vlan.setValid();
            hdr.vlan.pcp = 0;
            hdr.vlan.dei = 0;
            hdr.vlan.vid = meta.dst_vlan;
            hdr.vlan.ether_type = hdr.ethernet.ether_type;
            hdr.ethernet.ether_type = ETHERTYPE_VLAN;
        }
    }
}

#endif
