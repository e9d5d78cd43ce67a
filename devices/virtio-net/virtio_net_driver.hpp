// virtio-net: the driver half. vgen wrote the first version of this file; it is the driver's
// own code and vgen never overwrites it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "net_frames.hpp"
#include "virtio_net_driver_base.hpp"

namespace virtio_net {

/// A virtio-net driver that configures the device over the control queue, finds the host at
/// the link's far end with ARP and pings it.
class VirtioNetDriver : public VirtioNetDriverBase {
 public:
  using VirtioNetDriverBase::VirtioNetDriverBase;

  /// The demo run: reads the config, sends control commands (each answered as the device's
  /// features say), resolves 10.0.2.2 with ARP and sends it three ICMP echo requests of
  /// different sizes. True when every command got the expected ack and every echo came back
  /// intact.
  bool run_demo();

 protected:
  void on_receiveq(const NetHdrV1& header, std::span<const std::byte> frame) override;
  void on_controlq_reply(const NetCtrlHeader& request, const NetCtrlAck& reply,
                         std::span<const std::byte> data_in) override;

 private:
  // Sends a control command expecting `expected` back.
  bool command(NetCtrlClass command_class, std::uint8_t command, std::vector<std::byte> data, NetCtrlAckCode expected);
  // Sends `frame` after a header for a whole frame with no offloads.
  bool transmit(const std::vector<std::byte>& frame);

  frames::Mac mac_{};                                      // the driver's own address
  std::optional<frames::Mac> host_mac_;                    // the host's, once ARP answered
  std::deque<NetCtrlAckCode> expected_acks_;               // in the order the commands went
  std::map<std::uint16_t, std::vector<std::byte>> pings_;  // sequence -> payload sent
  std::uint64_t acks_ = 0;
  std::uint64_t echoes_ = 0;
  std::uint64_t wrong_ = 0;  // unexpected acks, bad headers, echoes that differ
};

}  // namespace virtio_net
