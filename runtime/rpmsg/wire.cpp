#include <vgen/rpmsg/wire.hpp>

#include <algorithm>
#include <cstring>
#include <sstream>

#include <vgen/endian.hpp>
#include <vgen/rpmsg/error.hpp>

namespace vgen::rpmsg {
namespace {

template <class T>
void store(std::byte* out, std::size_t offset, T value) noexcept {
  const T wire = little_endian(value);
  std::memcpy(out + offset, &wire, sizeof wire);
}

template <class T>
T load(const std::byte* in, std::size_t offset) noexcept {
  T wire;
  std::memcpy(&wire, in + offset, sizeof wire);
  return little_endian(wire);
}

}  // namespace

void encode_header(const Header& header, std::byte* out) noexcept {
  store(out, kHeaderSourceOffset, header.source);
  store(out, kHeaderDestinationOffset, header.destination);
  store(out, kHeaderReservedOffset, header.reserved);
  store(out, kHeaderLengthOffset, header.length);
  store(out, kHeaderFlagsOffset, header.flags);
}

Header decode_header(const std::byte* in) noexcept {
  return {load<std::uint32_t>(in, kHeaderSourceOffset), load<std::uint32_t>(in, kHeaderDestinationOffset),
          load<std::uint32_t>(in, kHeaderReservedOffset), load<std::uint16_t>(in, kHeaderLengthOffset),
          load<std::uint16_t>(in, kHeaderFlagsOffset)};
}

std::optional<std::string> check_message(std::uint32_t buffer_length, const Header& header, std::uint32_t buffer_size) {
  if (buffer_length < kHeaderSize) {
    return "short message: " + std::to_string(buffer_length) + " bytes, less than the " + std::to_string(kHeaderSize) +
           "-byte header";
  }
  if (buffer_length > buffer_size) {
    return "oversized message: " + std::to_string(buffer_length) + " bytes in a buffer of " +
           std::to_string(buffer_size);
  }
  if (header.length > buffer_length - kHeaderSize) {
    return "header len " + std::to_string(header.length) + " exceeds the " +
           std::to_string(buffer_length - kHeaderSize) + " payload bytes received";
  }
  return std::nullopt;
}

std::optional<std::string> check_name(std::string_view name) {
  if (name.empty()) return std::string("channel name is empty");
  if (name.size() >= kNameSize) {
    return "channel name '" + std::string(name) + "' has " + std::to_string(name.size()) + " bytes; at most " +
           std::to_string(kNameSize - 1) + " fit the 32-byte name field";
  }
  if (name.find('\0') != std::string_view::npos) return std::string("channel name contains a NUL byte");
  return std::nullopt;
}

void encode_announcement(const Announcement& announcement, std::span<std::byte, kAnnouncementSize> out) {
  if (auto problem = check_name(announcement.name)) throw Error(ErrorCode::InvalidName, *problem);
  std::memset(out.data(), 0, kNameSize);
  std::memcpy(out.data() + kAnnouncementNameOffset, announcement.name.data(), announcement.name.size());
  store(out.data(), kAnnouncementAddressOffset, announcement.address);
  store(out.data(), kAnnouncementFlagsOffset, static_cast<std::uint32_t>(announcement.kind));
}

DecodedAnnouncement decode_announcement(std::span<const std::byte> payload) {
  if (payload.size() != kAnnouncementSize) {
    return {std::nullopt, "name-service message of " + std::to_string(payload.size()) + " bytes, not " +
                              std::to_string(kAnnouncementSize)};
  }
  const char* name = reinterpret_cast<const char*>(payload.data() + kAnnouncementNameOffset);
  const std::size_t length = static_cast<std::size_t>(std::find(name, name + kNameSize, '\0') - name);
  if (length == kNameSize) return {std::nullopt, "name-service name is not NUL-terminated within 32 bytes"};
  if (length == 0) return {std::nullopt, "name-service name is empty"};
  const std::uint32_t address = load<std::uint32_t>(payload.data(), kAnnouncementAddressOffset);
  if (address == kAnyAddress) {
    return {std::nullopt, "name-service announcement of '" + std::string(name, length) + "' has address any"};
  }
  const std::uint32_t flags = load<std::uint32_t>(payload.data(), kAnnouncementFlagsOffset);
  if (flags > static_cast<std::uint32_t>(AnnouncementKind::Destroy)) {
    return {std::nullopt, "name-service flags " + std::to_string(flags) + " of '" + std::string(name, length) +
                              "' are neither create (0) nor destroy (1)"};
  }
  return {Announcement{std::string(name, length), address, static_cast<AnnouncementKind>(flags)}, {}};
}

std::string address_text(std::uint32_t address) {
  if (address == kAnyAddress) return "any";
  std::ostringstream out;
  out << "0x" << std::hex << address;
  return out.str();
}

}  // namespace vgen::rpmsg
