// The parts of the pcapng file format (IETF draft "PCAP Next Generation (pcapng) Capture
// File Format") that vgen's logs use: block types, option codes, the link type of vgen's
// records. Every block is: u32 type, u32 total length, body padded to 4 bytes, u32 total
// length again; the section header's byte-order magic says how the section's numbers are
// stored (vgen writes little-endian sections and reads both orders).
#pragma once

#include <cstddef>
#include <cstdint>

namespace vgen::trace::pcapng {

/// Block types.
inline constexpr std::uint32_t kSectionHeader = 0x0A0D0D0A;
inline constexpr std::uint32_t kInterfaceDescription = 0x00000001;
inline constexpr std::uint32_t kInterfaceStatistics = 0x00000005;
inline constexpr std::uint32_t kEnhancedPacket = 0x00000006;

/// The section header's byte-order magic as written in the section's order.
inline constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;
/// The section format version vgen writes; a newer major version is refused.
inline constexpr std::uint16_t kMajorVersion = 1;
inline constexpr std::uint16_t kMinorVersion = 0;

/// Option codes (each option: u16 code, u16 length, value padded to 4 bytes).
inline constexpr std::uint16_t kOptEnd = 0;
inline constexpr std::uint16_t kOptComment = 1;
inline constexpr std::uint16_t kShbUserApplication = 4;
inline constexpr std::uint16_t kIfName = 2;
inline constexpr std::uint16_t kIfDescription = 3;
inline constexpr std::uint16_t kIfTimestampResolution = 9;
inline constexpr std::uint16_t kIsbInterfaceDrop = 5;

/// The link type of interfaces carrying vgen records: LINKTYPE_USER0, reserved for private
/// use, so no other dissector claims it (the Wireshark dissector registers for it).
inline constexpr std::uint16_t kLinkTypeVgen = 147;

/// Bytes of the fixed part of a block: type and both lengths.
inline constexpr std::size_t kBlockOverhead = 12;
/// Largest block vgen reads (a record is far smaller; larger is corruption).
inline constexpr std::uint32_t kMaxBlockBytes = 16u << 20;

/// `n` rounded up to a multiple of 4.
constexpr std::size_t padded(std::size_t n) noexcept { return (n + 3) & ~std::size_t{3}; }

}  // namespace vgen::trace::pcapng
