// virtio-net: the Ethernet frames the demo pair exchanges, built and parsed in network byte
// order: ARP over Ethernet (RFC 826) and ICMP echo over IPv4 (RFC 792, RFC 791), with the
// Internet checksum (RFC 1071). Both halves use it; it is the devices' own code, not vgen's.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace virtio_net::frames {

/// An Ethernet (MAC) address.
using Mac = std::array<std::uint8_t, 6>;
/// An IPv4 address.
using Ipv4 = std::array<std::uint8_t, 4>;

/// The broadcast address, where ARP requests go.
inline constexpr Mac kBroadcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
/// Bytes of an Ethernet header (destination, source, EtherType).
inline constexpr std::size_t kEthernetBytes = 14;
/// ARP operations (RFC 826).
inline constexpr std::uint16_t kArpRequest = 1;
inline constexpr std::uint16_t kArpReply = 2;
/// ICMP message types (RFC 792).
inline constexpr std::uint8_t kEchoReply = 0;
inline constexpr std::uint8_t kEchoRequest = 8;

/// An ARP packet for IPv4 over Ethernet.
struct Arp {
  std::uint16_t operation = 0;
  Mac sender_mac{};
  Ipv4 sender_ip{};
  Mac target_mac{};
  Ipv4 target_ip{};
};

/// An ICMP echo request or reply and the addresses around it.
struct Echo {
  Mac source_mac{};
  Mac destination_mac{};
  Ipv4 source_ip{};
  Ipv4 destination_ip{};
  std::uint8_t type = kEchoRequest;
  std::uint16_t identifier = 0;
  std::uint16_t sequence = 0;
  std::vector<std::byte> payload;
};

/// The Internet checksum of `bytes`: the ones' complement of their ones' complement sum in
/// 16-bit words (RFC 1071). A block that holds its own checksum sums to 0.
std::uint16_t checksum(std::span<const std::byte> bytes);

/// The frame carrying `arp` from `source` to `destination`.
std::vector<std::byte> arp_frame(const Mac& destination, const Mac& source, const Arp& arp);
/// The ARP packet of `frame`, or nothing when it holds no IPv4-over-Ethernet ARP packet.
std::optional<Arp> parse_arp(std::span<const std::byte> frame);

/// The frame carrying `echo`: IPv4 header (TTL 64, checksum) and ICMP message (checksum).
std::vector<std::byte> echo_frame(const Echo& echo);
/// The ICMP echo of `frame`, or nothing when it holds none or a checksum is wrong.
std::optional<Echo> parse_echo(std::span<const std::byte> frame);

/// "52:54:00:12:34:56".
std::string to_string(const Mac& mac);
/// "10.0.2.15".
std::string to_string(const Ipv4& ip);

}  // namespace virtio_net::frames
