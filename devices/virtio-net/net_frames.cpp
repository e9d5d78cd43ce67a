// virtio-net: building and parsing the demo's frames.
#include "net_frames.hpp"

#include <algorithm>
#include <cstdio>

namespace virtio_net::frames {
namespace {

constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint16_t kEtherTypeArp = 0x0806;
constexpr std::size_t kArpBytes = 28;
constexpr std::size_t kIpv4Bytes = 20;  // without options
constexpr std::size_t kIcmpEchoBytes = 8;
constexpr std::uint8_t kProtocolIcmp = 1;

void put16(std::vector<std::byte>& out, std::uint16_t value) {
  out.push_back(static_cast<std::byte>(value >> 8));
  out.push_back(static_cast<std::byte>(value & 0xff));
}
template <std::size_t N>
void put(std::vector<std::byte>& out, const std::array<std::uint8_t, N>& bytes) {
  for (std::uint8_t value : bytes) out.push_back(static_cast<std::byte>(value));
}
std::uint16_t get16(std::span<const std::byte> in, std::size_t at) {
  return static_cast<std::uint16_t>((std::to_integer<unsigned>(in[at]) << 8) | std::to_integer<unsigned>(in[at + 1]));
}
template <std::size_t N>
std::array<std::uint8_t, N> get(std::span<const std::byte> in, std::size_t at) {
  std::array<std::uint8_t, N> bytes{};
  for (std::size_t i = 0; i < N; ++i) bytes[i] = std::to_integer<std::uint8_t>(in[at + i]);
  return bytes;
}
void set16(std::vector<std::byte>& out, std::size_t at, std::uint16_t value) {
  out[at] = static_cast<std::byte>(value >> 8);
  out[at + 1] = static_cast<std::byte>(value & 0xff);
}
void ethernet(std::vector<std::byte>& out, const Mac& destination, const Mac& source, std::uint16_t type) {
  put(out, destination);
  put(out, source);
  put16(out, type);
}

}  // namespace

std::uint16_t checksum(std::span<const std::byte> bytes) {
  std::uint32_t sum = 0;
  for (std::size_t at = 0; at < bytes.size(); at += 2) {
    const unsigned high = std::to_integer<unsigned>(bytes[at]);
    const unsigned low = at + 1 < bytes.size() ? std::to_integer<unsigned>(bytes[at + 1]) : 0;
    sum += (high << 8) | low;
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::vector<std::byte> arp_frame(const Mac& destination, const Mac& source, const Arp& arp) {
  std::vector<std::byte> out;
  ethernet(out, destination, source, kEtherTypeArp);
  put16(out, 1);               // hardware: Ethernet
  put16(out, kEtherTypeIpv4);  // protocol: IPv4
  out.push_back(std::byte{6});
  out.push_back(std::byte{4});
  put16(out, arp.operation);
  put(out, arp.sender_mac);
  put(out, arp.sender_ip);
  put(out, arp.target_mac);
  put(out, arp.target_ip);
  return out;
}

std::optional<Arp> parse_arp(std::span<const std::byte> frame) {
  if (frame.size() < kEthernetBytes + kArpBytes || get16(frame, 12) != kEtherTypeArp) return std::nullopt;
  const std::span<const std::byte> arp = frame.subspan(kEthernetBytes);
  if (get16(arp, 0) != 1 || get16(arp, 2) != kEtherTypeIpv4 || arp[4] != std::byte{6} || arp[5] != std::byte{4}) {
    return std::nullopt;
  }
  return Arp{get16(arp, 6), get<6>(arp, 8), get<4>(arp, 14), get<6>(arp, 18), get<4>(arp, 24)};
}

std::vector<std::byte> echo_frame(const Echo& echo) {
  std::vector<std::byte> out;
  ethernet(out, echo.destination_mac, echo.source_mac, kEtherTypeIpv4);
  const std::size_t ip = out.size();
  out.push_back(std::byte{0x45});  // version 4, 5 words of header
  out.push_back(std::byte{0});
  put16(out, static_cast<std::uint16_t>(kIpv4Bytes + kIcmpEchoBytes + echo.payload.size()));
  put16(out, echo.sequence);  // identification
  put16(out, 0x4000);         // don't fragment
  out.push_back(std::byte{64});
  out.push_back(std::byte{kProtocolIcmp});
  put16(out, 0);
  put(out, echo.source_ip);
  put(out, echo.destination_ip);
  set16(out, ip + 10, checksum(std::span(out).subspan(ip, kIpv4Bytes)));
  const std::size_t icmp = out.size();
  out.push_back(static_cast<std::byte>(echo.type));
  out.push_back(std::byte{0});
  put16(out, 0);
  put16(out, echo.identifier);
  put16(out, echo.sequence);
  out.insert(out.end(), echo.payload.begin(), echo.payload.end());
  set16(out, icmp + 2, checksum(std::span(out).subspan(icmp)));
  return out;
}

std::optional<Echo> parse_echo(std::span<const std::byte> frame) {
  if (frame.size() < kEthernetBytes + kIpv4Bytes + kIcmpEchoBytes || get16(frame, 12) != kEtherTypeIpv4) {
    return std::nullopt;
  }
  const std::span<const std::byte> ip = frame.subspan(kEthernetBytes);
  const std::size_t header = (std::to_integer<std::size_t>(ip[0]) & 0xf) * 4;
  const std::size_t total = get16(ip, 2);
  if ((std::to_integer<unsigned>(ip[0]) >> 4) != 4 || header < kIpv4Bytes || total > ip.size() ||
      total < header + kIcmpEchoBytes || ip[9] != std::byte{kProtocolIcmp} || checksum(ip.first(header)) != 0) {
    return std::nullopt;
  }
  const std::span<const std::byte> icmp = ip.subspan(header, total - header);
  const auto type = std::to_integer<std::uint8_t>(icmp[0]);
  if ((type != kEchoRequest && type != kEchoReply) || checksum(icmp) != 0) return std::nullopt;
  Echo echo{
      get<6>(frame, 6), get<6>(frame, 0), get<4>(ip, 12), get<4>(ip, 16), type, get16(icmp, 4), get16(icmp, 6), {}};
  echo.payload.assign(icmp.begin() + kIcmpEchoBytes, icmp.end());
  return echo;
}

std::string to_string(const Mac& mac) {
  char text[18];
  std::snprintf(text, sizeof(text), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
  return text;
}

std::string to_string(const Ipv4& ip) {
  return std::to_string(ip[0]) + "." + std::to_string(ip[1]) + "." + std::to_string(ip[2]) + "." +
         std::to_string(ip[3]);
}

}  // namespace virtio_net::frames
