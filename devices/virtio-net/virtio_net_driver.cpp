// virtio-net: the driver half's commands, ARP and pings.
#include "virtio_net_driver.hpp"

#include <chrono>
#include <cstdio>

namespace virtio_net {
namespace {

constexpr frames::Ipv4 kDriverIp{10, 0, 2, 15};
constexpr frames::Ipv4 kHostIp{10, 0, 2, 2};
constexpr frames::Mac kNewMac{0x52, 0x54, 0x00, 0x12, 0x34, 0x57};  // set with MAC_ADDR_SET
constexpr std::uint16_t kPingIdentifier = 0x7667;
constexpr std::size_t kPingSizes[] = {10, 56, 1400};
constexpr auto kTimeout = std::chrono::seconds(10);

void log(const std::string& line) {
  std::printf("driver: %s\n", line.c_str());
  std::fflush(stdout);
}

std::vector<std::byte> bytes_of(std::initializer_list<std::uint8_t> values) {
  std::vector<std::byte> bytes;
  for (std::uint8_t value : values) bytes.push_back(std::byte{value});
  return bytes;
}

}  // namespace

bool VirtioNetDriver::run_demo() {
  const VirtioNetConfig config = read_config();
  for (std::size_t i = 0; i < mac_.size(); ++i) mac_[i] = config.mac(i);
  log("mac " + frames::to_string(mac_) + ", link " + ((config.status() & 1) != 0 ? "up" : "down") + ", mtu " +
      std::to_string(config.mtu()) + ", " + std::to_string(config.max_virtqueue_pairs()) + " queue pair(s)");
  post_receiveq(kQueueReceiveqSize);
  bool sent = true;
  if (has_controlq()) {
    using Code = NetCtrlAckCode;
    sent = command(NetCtrlClass::RX, 0, bytes_of({1}), Code::OK) &&  // promiscuous on
           command(NetCtrlClass::MAC, 1,
                   bytes_of({kNewMac[0], kNewMac[1], kNewMac[2], kNewMac[3], kNewMac[4], kNewMac[5]}), Code::OK) &&
           command(NetCtrlClass::MQ, 0, bytes_of({2, 0}), Code::ERR) &&  // 2 pairs: more than the device has
           command(NetCtrlClass::VLAN, 0, bytes_of({1, 0}), Code::ERR);  // VLAN filtering was not offered
    sent = sent && run_until([&] { return expected_acks_.empty(); }, kTimeout);
    mac_ = kNewMac;
  }
  const frames::Arp request{frames::kArpRequest, mac_, kDriverIp, {}, kHostIp};
  sent = sent && transmit(frames::arp_frame(frames::kBroadcast, mac_, request));
  sent = sent && run_until([&] { return host_mac_.has_value(); }, kTimeout);
  for (std::uint16_t sequence = 0; sent && sequence < std::size(kPingSizes); ++sequence) {
    frames::Echo echo{mac_, *host_mac_, kDriverIp, kHostIp, frames::kEchoRequest, kPingIdentifier, sequence, {}};
    for (std::size_t i = 0; i < kPingSizes[sequence]; ++i)
      echo.payload.push_back(static_cast<std::byte>('a' + (i + sequence) % 26));
    pings_[sequence] = echo.payload;
    sent = transmit(frames::echo_frame(echo));
    log("echo request " + std::to_string(sequence) + " to " + frames::to_string(kHostIp) + ", " +
        std::to_string(echo.payload.size()) + " bytes");
  }
  const bool complete = sent && run_until([&] { return echoes_ == std::size(kPingSizes); }, kTimeout);
  log("demo " + std::string(complete && wrong_ == 0 ? "complete" : "incomplete") + ": " + std::to_string(acks_) +
      " control acks, " + std::to_string(echoes_) + " of " + std::to_string(std::size(kPingSizes)) + " echo replies, " +
      std::to_string(wrong_) + " wrong");
  return complete && wrong_ == 0;
}

bool VirtioNetDriver::command(NetCtrlClass command_class, std::uint8_t command, std::vector<std::byte> data,
                              NetCtrlAckCode expected) {
  NetCtrlHeader header;
  header.set_command_class(command_class);
  header.set_command(command);
  if (!request_controlq(header, data, 0)) return false;
  expected_acks_.push_back(expected);
  return true;
}

bool VirtioNetDriver::transmit(const std::vector<std::byte>& frame) {
  NetHdrV1 header;  // no checksum offload, no segmentation: all zeros (§5.1.6.2)
  return send_transmitq(header, frame);
}

void VirtioNetDriver::on_controlq_reply(const NetCtrlHeader& request, const NetCtrlAck& reply,
                                        std::span<const std::byte> data_in) {
  static_cast<void>(data_in);
  ++acks_;
  const bool as_expected = !expected_acks_.empty() && expected_acks_.front() == reply.ack();
  if (!expected_acks_.empty()) expected_acks_.pop_front();
  if (!as_expected) ++wrong_;
  log("controlq: " + describe(request) + " acked " + describe(reply) + (as_expected ? "" : " (UNEXPECTED)"));
}

void VirtioNetDriver::on_receiveq(const NetHdrV1& header, std::span<const std::byte> frame) {
  post_receiveq(1);  // the buffer goes back to the device
  if (header.num_buffers() != 1 || header.hdr().gso_type() != NetGsoType::NONE) {
    ++wrong_;
    log("receiveq: bad header " + describe(header));
    return;
  }
  if (const std::optional<frames::Arp> arp = frames::parse_arp(frame)) {
    if (arp->operation == frames::kArpReply && arp->sender_ip == kHostIp && arp->target_mac == mac_) {
      host_mac_ = arp->sender_mac;
      log("receiveq: " + frames::to_string(kHostIp) + " is at " + frames::to_string(arp->sender_mac));
      return;
    }
  }
  if (const std::optional<frames::Echo> echo = frames::parse_echo(frame)) {
    const auto sent = pings_.find(echo->sequence);
    const bool intact = echo->type == frames::kEchoReply && echo->identifier == kPingIdentifier &&
                        echo->source_ip == kHostIp && echo->destination_mac == mac_ && sent != pings_.end() &&
                        sent->second == echo->payload;
    if (intact) {
      ++echoes_;
      pings_.erase(sent);
    } else {
      ++wrong_;
    }
    log("receiveq: echo reply " + std::to_string(echo->sequence) + " from " + frames::to_string(echo->source_ip) +
        ", " + std::to_string(echo->payload.size()) + " bytes" + (intact ? "" : " (DIFFERENT)"));
    return;
  }
  ++wrong_;
  log("receiveq: an unexpected " + std::to_string(frame.size()) + "-byte frame");
}

}  // namespace virtio_net
