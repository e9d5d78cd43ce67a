// virtio-net: the device half's frames and control commands (§5.1.6).
#include "virtio_net_device.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

namespace virtio_net {
namespace {

// §5.1.6.5: the commands of the classes the device takes.
constexpr std::uint8_t kRxPromisc = 0;
constexpr std::uint8_t kRxAllMulticast = 1;
constexpr std::uint8_t kMacAddrSet = 1;
constexpr std::uint8_t kMqVqPairsSet = 0;
// §5.1.4: status bit 0, the link is up.
constexpr std::uint16_t kLinkUp = 1;

void log(const std::string& line) {
  std::printf("device: %s\n", line.c_str());
  std::fflush(stdout);
}

NetCtrlAck ack(bool ok) {
  NetCtrlAck reply;
  reply.set_ack(ok ? NetCtrlAckCode::OK : NetCtrlAckCode::ERR);
  return reply;
}

}  // namespace

VirtioNetConfig VirtioNetDevice::config_defaults() const {
  VirtioNetConfig config;
  for (std::size_t i = 0; i < kDriverMac.size(); ++i) config.set_mac(i, kDriverMac[i]);
  config.set_status(kLinkUp);
  config.set_max_virtqueue_pairs(1);
  config.set_mtu(kMtu);
  return config;
}

void VirtioNetDevice::on_reset() {
  driver_mac_ = kDriverMac;
  dropped_ = 0;
}

void VirtioNetDevice::on_transmitq(const NetHdrV1& header, std::span<const std::byte> frame) {
  if (header.hdr().gso_type() != NetGsoType::NONE) {  // no GSO feature was offered (§5.1.6.2)
    ++dropped_;
    log("transmitq: dropped a segmentation offload frame");
    return;
  }
  if (frame.size() < frames::kEthernetBytes ||
      !std::equal(driver_mac_.begin(), driver_mac_.end(), frame.begin() + 6,
                  [](std::uint8_t mac, std::byte sent) { return std::byte{mac} == sent; })) {
    ++dropped_;
    log("transmitq: dropped a frame not from the driver's address " + frames::to_string(driver_mac_));
    return;
  }
  if (const std::optional<frames::Arp> arp = frames::parse_arp(frame)) {
    if (arp->operation == frames::kArpRequest && arp->target_ip == kHostIp) {
      log("transmitq: ARP who-has " + frames::to_string(arp->target_ip) + " tell " + frames::to_string(arp->sender_ip));
      const frames::Arp answer{frames::kArpReply, kHostMac, kHostIp, arp->sender_mac, arp->sender_ip};
      deliver(frames::arp_frame(arp->sender_mac, kHostMac, answer));
      return;
    }
  }
  if (std::optional<frames::Echo> echo = frames::parse_echo(frame)) {
    if (echo->type == frames::kEchoRequest && echo->destination_ip == kHostIp && echo->destination_mac == kHostMac) {
      log("transmitq: echo request " + std::to_string(echo->sequence) + " from " + frames::to_string(echo->source_ip) +
          ", " + std::to_string(echo->payload.size()) + " bytes");
      std::swap(echo->source_mac, echo->destination_mac);
      std::swap(echo->source_ip, echo->destination_ip);
      echo->type = frames::kEchoReply;
      deliver(frames::echo_frame(*echo));
      return;
    }
  }
  ++dropped_;
  log("transmitq: dropped a " + std::to_string(frame.size()) + "-byte frame");
}

void VirtioNetDevice::deliver(std::span<const std::byte> frame) {
  NetHdrV1 header;
  header.hdr().set_flags(net_hdr_flags::DATA_VALID);  // §5.1.6.4: checksums verified
  header.hdr().set_gso_type(NetGsoType::NONE);
  header.set_num_buffers(1);  // §5.1.6.4: one buffer per frame without VIRTIO_NET_F_MRG_RXBUF
  send_receiveq(header, frame);
}

NetCtrlAck VirtioNetDevice::on_controlq(const NetCtrlHeader& request, std::span<const std::byte> data_in,
                                        std::span<std::byte> data_out, std::uint32_t& written) {
  static_cast<void>(data_out);
  written = 0;
  const bool ok = control(request.command_class(), request.command(), data_in);
  log("controlq: " + describe(request) + " with " + std::to_string(data_in.size()) +
      " data bytes: " + (ok ? "OK" : "ERR"));
  return ack(ok);
}

bool VirtioNetDevice::control(NetCtrlClass command_class, std::uint8_t command, std::span<const std::byte> data) {
  switch (command_class) {
    case NetCtrlClass::RX:  // one byte: on or off
      if (!has_feature(kFeatureVirtioNetFCtrlRx) || data.size() != 1) return false;
      return command == kRxPromisc || command == kRxAllMulticast;
    case NetCtrlClass::MAC:  // MAC_ADDR_SET: six bytes
      if (!has_feature(kFeatureVirtioNetFCtrlMacAddr) || command != kMacAddrSet || data.size() != driver_mac_.size()) {
        return false;
      }
      std::transform(data.begin(), data.end(), driver_mac_.begin(),
                     [](std::byte value) { return std::to_integer<std::uint8_t>(value); });
      return true;
    case NetCtrlClass::MQ: {  // VQ_PAIRS_SET: a little-endian u16 from 1 to max_virtqueue_pairs
      if (!has_feature(kFeatureVirtioNetFMq) || command != kMqVqPairsSet || data.size() != 2) return false;
      const unsigned pairs = std::to_integer<unsigned>(data[0]) | (std::to_integer<unsigned>(data[1]) << 8);
      return pairs >= 1 && pairs <= config().max_virtqueue_pairs();
    }
    default:
      return false;
  }
}

}  // namespace virtio_net
