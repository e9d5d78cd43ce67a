// devices/virtio-net's generated structs against <linux/virtio_net.h>, for what `from:` cannot
// compare: the control header (whose field `class` no spec field may be called), the ack byte
// (a typedef), the config space (not a type of the spec) and virtio_net_hdr_v1 (an anonymous
// union, which the spec describes through virtio_net_hdr_mrg_rxbuf's identical layout).
#include "virtio_net_messages.hpp"

#define class class_
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#undef class

#include "layout.hpp"

VGEN_SAME_SIZE(virtio_net::NetHdrV1, virtio_net_hdr_v1);
static_assert(offsetof(virtio_net::NetHdrV1, num_buffers_) == offsetof(virtio_net_hdr_v1, num_buffers));
static_assert(offsetof(virtio_net::NetHdrV1, hdr_) + offsetof(virtio_net::NetHdr, csum_start_) ==
              offsetof(virtio_net_hdr_v1, csum_start));
static_assert(offsetof(virtio_net::NetHdrV1, hdr_) + offsetof(virtio_net::NetHdr, csum_offset_) ==
              offsetof(virtio_net_hdr_v1, csum_offset));
static_assert(virtio_net::net_hdr_flags::NEEDS_CSUM == VIRTIO_NET_HDR_F_NEEDS_CSUM);
static_assert(virtio_net::net_hdr_flags::DATA_VALID == VIRTIO_NET_HDR_F_DATA_VALID);
static_assert(static_cast<unsigned>(virtio_net::NetGsoType::TCPV6) == VIRTIO_NET_HDR_GSO_TCPV6);

VGEN_SAME_SIZE(virtio_net::NetCtrlHeader, virtio_net_ctrl_hdr);
static_assert(offsetof(virtio_net::NetCtrlHeader, command_class_) == offsetof(virtio_net_ctrl_hdr, class_));
static_assert(offsetof(virtio_net::NetCtrlHeader, command_) == offsetof(virtio_net_ctrl_hdr, cmd));
static_assert(static_cast<unsigned>(virtio_net::NetCtrlClass::RX) == VIRTIO_NET_CTRL_RX);
static_assert(static_cast<unsigned>(virtio_net::NetCtrlClass::MAC) == VIRTIO_NET_CTRL_MAC);
static_assert(static_cast<unsigned>(virtio_net::NetCtrlClass::VLAN) == VIRTIO_NET_CTRL_VLAN);
static_assert(static_cast<unsigned>(virtio_net::NetCtrlClass::ANNOUNCE) == VIRTIO_NET_CTRL_ANNOUNCE);
static_assert(static_cast<unsigned>(virtio_net::NetCtrlClass::MQ) == VIRTIO_NET_CTRL_MQ);
VGEN_SAME_SIZE(virtio_net::NetCtrlAck, virtio_net_ctrl_ack);
static_assert(static_cast<unsigned>(virtio_net::NetCtrlAckCode::OK) == VIRTIO_NET_OK);
static_assert(static_cast<unsigned>(virtio_net::NetCtrlAckCode::ERR) == VIRTIO_NET_ERR);

VGEN_SAME_OFFSET(virtio_net::VirtioNetConfig, virtio_net_config, mac);
VGEN_SAME_OFFSET(virtio_net::VirtioNetConfig, virtio_net_config, status);
VGEN_SAME_OFFSET(virtio_net::VirtioNetConfig, virtio_net_config, max_virtqueue_pairs);
VGEN_SAME_OFFSET(virtio_net::VirtioNetConfig, virtio_net_config, mtu);
static_assert(virtio_net::kConfigBytes == offsetof(virtio_net_config, mtu) + sizeof(virtio_net_config::mtu));

static_assert(virtio_net::kDeviceId == VIRTIO_ID_NET);
static_assert(virtio_net::kFeatureVirtioNetFMtu == VIRTIO_NET_F_MTU);
static_assert(virtio_net::kFeatureVirtioNetFMac == VIRTIO_NET_F_MAC);
static_assert(virtio_net::kFeatureVirtioNetFStatus == VIRTIO_NET_F_STATUS);
static_assert(virtio_net::kFeatureVirtioNetFCtrlVq == VIRTIO_NET_F_CTRL_VQ);
static_assert(virtio_net::kFeatureVirtioNetFCtrlRx == VIRTIO_NET_F_CTRL_RX);
static_assert(virtio_net::kFeatureVirtioNetFMq == VIRTIO_NET_F_MQ);
static_assert(virtio_net::kFeatureVirtioNetFCtrlMacAddr == VIRTIO_NET_F_CTRL_MAC_ADDR);
