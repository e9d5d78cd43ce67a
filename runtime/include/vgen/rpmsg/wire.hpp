// The virtio-rpmsg wire format: the 16-byte message header and the 40-byte name-service
// announcement, both little-endian, with the constants every rpmsg side agrees on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vgen::rpmsg {

/// VirtIO device ID of rpmsg (VirtIO 1.2 §5: "7 rpmsg").
inline constexpr std::uint32_t kDeviceId = 7;
/// Feature bit VIRTIO_RPMSG_F_NS: the remote has a name service and may announce channels.
inline constexpr unsigned kFeatureNameService = 0;

/// Address of the name-service endpoint on both sides (53).
inline constexpr std::uint32_t kNameServiceAddress = 0x35;
/// Addresses below this are reserved; dynamic addresses start here.
inline constexpr std::uint32_t kFirstDynamicAddress = 1024;
/// The "any address" wildcard: never a valid source or destination on the wire.
inline constexpr std::uint32_t kAnyAddress = 0xffffffff;

/// Bytes of the message header.
inline constexpr std::uint32_t kHeaderSize = 16;
/// Default bytes per buffer, header included.
inline constexpr std::uint32_t kDefaultBufferSize = 512;
/// Smallest and largest buffer sizes vgen accepts (the header's len field is 16 bits).
inline constexpr std::uint32_t kMinBufferSize = 32;
inline constexpr std::uint32_t kMaxBufferSize = 65536;

/// Bytes of the name field of an announcement, the terminating NUL included.
inline constexpr std::uint32_t kNameSize = 32;
/// Bytes of a name-service announcement (name[32], addr u32, flags u32).
inline constexpr std::uint32_t kAnnouncementSize = 40;
/// Smallest buffer that carries an announcement.
inline constexpr std::uint32_t kMinNameServiceBufferSize = kHeaderSize + kAnnouncementSize;

/// Byte offsets of the header fields.
inline constexpr std::size_t kHeaderSourceOffset = 0;
inline constexpr std::size_t kHeaderDestinationOffset = 4;
inline constexpr std::size_t kHeaderReservedOffset = 8;
inline constexpr std::size_t kHeaderLengthOffset = 12;
inline constexpr std::size_t kHeaderFlagsOffset = 14;
/// Byte offsets of the announcement fields.
inline constexpr std::size_t kAnnouncementNameOffset = 0;
inline constexpr std::size_t kAnnouncementAddressOffset = 32;
inline constexpr std::size_t kAnnouncementFlagsOffset = 36;

/// A message header in host byte order.
struct Header {
  std::uint32_t source = 0;       ///< sender's endpoint address
  std::uint32_t destination = 0;  ///< receiver's endpoint address
  std::uint32_t reserved = 0;     ///< sent as 0, ignored on receipt
  std::uint16_t length = 0;       ///< payload bytes after the header
  std::uint16_t flags = 0;        ///< sent as 0, ignored on receipt

  friend bool operator==(const Header&, const Header&) = default;
};

/// Writes `header` little-endian into the first 16 bytes at `out`.
void encode_header(const Header& header, std::byte* out) noexcept;
/// Reads a header from the first 16 bytes at `in`.
Header decode_header(const std::byte* in) noexcept;

/// Why a received buffer of `buffer_length` bytes (header included) is not a message, for a
/// side whose buffers hold `buffer_size` bytes; nullopt when the header's length fits.
/// Short: fewer than 16 bytes. Oversized: more than buffer_size bytes, or a len field larger
/// than the bytes after the header.
std::optional<std::string> check_message(std::uint32_t buffer_length, const Header& header, std::uint32_t buffer_size);

/// Name-service announcement flags.
enum class AnnouncementKind : std::uint32_t {
  Create = 0,   ///< a channel with this name now exists at `address`
  Destroy = 1,  ///< the channel at `address` is gone
};

/// A name-service announcement in host byte order.
struct Announcement {
  std::string name;           ///< 1 to 31 bytes, no NUL
  std::uint32_t address = 0;  ///< the announcing side's endpoint address
  AnnouncementKind kind = AnnouncementKind::Create;

  friend bool operator==(const Announcement&, const Announcement&) = default;
};

/// Why `name` cannot be a channel name (empty, longer than 31 bytes, or containing a NUL);
/// nullopt when it can.
std::optional<std::string> check_name(std::string_view name);

/// Writes the 40 bytes of `announcement` (name NUL-padded). Throws rpmsg::Error(InvalidName)
/// for a name check_name() refuses.
void encode_announcement(const Announcement& announcement, std::span<std::byte, kAnnouncementSize> out);

/// The result of decoding an announcement: the value, or why the bytes are not one.
struct DecodedAnnouncement {
  std::optional<Announcement> announcement;
  std::string problem;  ///< empty when `announcement` is set
};
/// Decodes a name-service payload: exactly 40 bytes, a NUL-terminated non-empty name, an
/// address other than kAnyAddress, and flags create (0) or destroy (1).
DecodedAnnouncement decode_announcement(std::span<const std::byte> payload);

/// "0x400"-style text of an address ("any" for kAnyAddress), for messages.
std::string address_text(std::uint32_t address);

}  // namespace vgen::rpmsg
