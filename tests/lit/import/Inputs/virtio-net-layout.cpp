// The struct vgen generated from the imported virtio_net.h spec against the header's own.
#include "virtio_net_messages.hpp"

// virtio_net.h names a field `class`, a C++ keyword: it is spelt otherwise while the header is read.
#define class class_
#include <linux/virtio_net.h>
#undef class

#include "layout.hpp"

VGEN_SAME_SIZE(virtio_net::VirtioNetHdr, virtio_net_hdr);
VGEN_SAME_OFFSET(virtio_net::VirtioNetHdr, virtio_net_hdr, flags);
VGEN_SAME_OFFSET(virtio_net::VirtioNetHdr, virtio_net_hdr, gso_type);
VGEN_SAME_OFFSET(virtio_net::VirtioNetHdr, virtio_net_hdr, hdr_len);
VGEN_SAME_OFFSET(virtio_net::VirtioNetHdr, virtio_net_hdr, gso_size);
VGEN_SAME_OFFSET(virtio_net::VirtioNetHdr, virtio_net_hdr, csum_start);
VGEN_SAME_OFFSET(virtio_net::VirtioNetHdr, virtio_net_hdr, csum_offset);

static_assert(static_cast<unsigned>(virtio_net::NetHdrFlags::NEEDS_CSUM) == VIRTIO_NET_HDR_F_NEEDS_CSUM);
static_assert(static_cast<unsigned>(virtio_net::NetHdrGso::ECN) == VIRTIO_NET_HDR_GSO_ECN);
