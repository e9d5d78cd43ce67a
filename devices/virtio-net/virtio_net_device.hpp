// virtio-net: the device half, the far end of a point-to-point link (VirtIO 1.2 §5.1). vgen
// wrote the first version of this file; it is the device's own code and vgen never overwrites it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "net_frames.hpp"
#include "virtio_net_device_base.hpp"

namespace virtio_net {

/// The address the device gives the driver in config (VIRTIO_NET_F_MAC).
inline constexpr frames::Mac kDriverMac{0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
/// The host at the link's far end, which the device plays: its addresses.
inline constexpr frames::Mac kHostMac{0x52, 0x54, 0x00, 0x12, 0x35, 0x02};
inline constexpr frames::Ipv4 kHostIp{10, 0, 2, 2};
/// The MTU the device announces (VIRTIO_NET_F_MTU).
inline constexpr std::uint16_t kMtu = 1500;

/// A network device whose link ends at one host: it answers ARP requests for kHostIp and ICMP
/// echo requests sent to it from the driver's address, and drops every other frame. The
/// control queue takes receive-mode commands (accepted, as every frame reaches the driver
/// anyway), the driver's MAC address and the number of queue pairs (§5.1.6.5).
class VirtioNetDevice : public VirtioNetDeviceBase {
 public:
  /// Frames the device dropped: not for the host, or not ARP or ICMP echo.
  std::uint64_t dropped() const noexcept { return dropped_; }

 protected:
  VirtioNetConfig config_defaults() const override;
  void on_transmitq(const NetHdrV1& header, std::span<const std::byte> frame) override;
  NetCtrlAck on_controlq(const NetCtrlHeader& request, std::span<const std::byte> data_in,
                         std::span<std::byte> data_out, std::uint32_t& written) override;
  void on_reset() override;

 private:
  // Sends `frame` to the driver after a header for a whole, checksummed frame.
  void deliver(std::span<const std::byte> frame);
  // VIRTIO_NET_CTRL_RX, _MAC and _MQ commands; false for what the device does not support.
  bool control(NetCtrlClass command_class, std::uint8_t command, std::span<const std::byte> data);

  frames::Mac driver_mac_ = kDriverMac;  // the driver's address (MAC_ADDR_SET changes it)
  std::uint64_t dropped_ = 0;
};

}  // namespace virtio_net
