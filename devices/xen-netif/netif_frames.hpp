// xen-netif's demo frames: Ethernet frames the frontend sends on tx and the backend delivers
// on rx, each numbered by its request id, so each side can tell what arrived is what the
// other meant to send. Part of the device's own code, shared by both halves.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

namespace xen_netif::frames {

/// xen/io/netif.h's status of a transmitted frame that went out, and of one that did not.
inline constexpr std::int16_t kStatusOkay = 0;
inline constexpr std::int16_t kStatusError = -1;
/// The demo frames' EtherType (IEEE 802 local experimental).
inline constexpr std::uint16_t kEtherType = 0x88b5;
/// Bytes of the Ethernet header: destination, source, EtherType.
inline constexpr std::size_t kHeaderBytes = 14;

using Mac = std::array<std::uint8_t, 6>;
/// The guest's MAC (Xen's OUI 00:16:3e) and the backend's bridge.
inline constexpr Mac kGuestMac{0x00, 0x16, 0x3e, 0x00, 0x00, 0x01};
inline constexpr Mac kBridgeMac{0x00, 0x16, 0x3e, 0x00, 0x00, 0xfe};

/// A frame from `source` to `destination` carrying `text`, padded with zeros to at least
/// 60 bytes (Ethernet's minimum without the frame check sequence) and then to `padding` more.
inline std::vector<std::byte> make(const Mac& destination, const Mac& source, const std::string& text,
                                   std::size_t padding) {
  std::vector<std::byte> frame;
  for (std::uint8_t octet : destination) frame.push_back(std::byte{octet});
  for (std::uint8_t octet : source) frame.push_back(std::byte{octet});
  frame.push_back(std::byte{kEtherType >> 8});
  frame.push_back(std::byte{kEtherType & 0xff});
  for (char c : text) frame.push_back(static_cast<std::byte>(c));
  frame.resize(std::max<std::size_t>(frame.size() + 1, 60) + padding, std::byte{0});
  return frame;
}

/// Frame `id` the frontend transmits on tx.
inline std::vector<std::byte> from_frontend(unsigned id) {
  return make(kBridgeMac, kGuestMac, "frontend frame " + std::to_string(id), 10 * id);
}
/// Frame `id` the backend delivers on rx.
inline std::vector<std::byte> from_backend(unsigned id) {
  return make(kGuestMac, kBridgeMac, "backend frame " + std::to_string(id), 30 * id);
}

/// "00:16:3e:00:00:01 -> 00:16:3e:00:00:fe type 0x88b5, 60 bytes: frontend frame 0" (the
/// text up to its first zero), or what is wrong with a frame too short for its header.
inline std::string describe(std::span<const std::byte> frame) {
  if (frame.size() < kHeaderBytes) return std::to_string(frame.size()) + " bytes, shorter than an Ethernet header";
  const auto mac = [&](std::size_t at) {
    char text[18];
    std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", static_cast<unsigned>(frame[at]),
                  static_cast<unsigned>(frame[at + 1]), static_cast<unsigned>(frame[at + 2]),
                  static_cast<unsigned>(frame[at + 3]), static_cast<unsigned>(frame[at + 4]),
                  static_cast<unsigned>(frame[at + 5]));
    return std::string(text);
  };
  char type[8];
  std::snprintf(type, sizeof type, "0x%04x",
                (static_cast<unsigned>(frame[12]) << 8) | static_cast<unsigned>(frame[13]));
  std::string text;
  for (std::size_t at = kHeaderBytes; at < frame.size() && frame[at] != std::byte{0}; ++at) {
    const char c = static_cast<char>(frame[at]);
    text += c >= 0x20 && c < 0x7f ? c : '.';
  }
  return mac(6) + " -> " + mac(0) + " type " + type + ", " + std::to_string(frame.size()) + " bytes: " + text;
}

}  // namespace xen_netif::frames
