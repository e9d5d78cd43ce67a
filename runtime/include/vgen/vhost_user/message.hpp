// One vhost-user message: the 12-byte header, the payload and the file descriptors that came
// with it, plus the checks every received header and payload goes through.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <vgen/vhost_user/error.hpp>
#include <vgen/vhost_user/protocol.hpp>
#include <vgen/vhost_user/unique_fd.hpp>

namespace vgen::vhost_user {

/// The header every message starts with ("Header").
struct Header {
  std::uint32_t request = 0;  ///< a Request (from the front end) or BackendRequest code
  std::uint32_t flags = 0;    ///< version | kFlagReply | kFlagNeedReply
  std::uint32_t size = 0;     ///< payload bytes that follow
};

/// A received request, or a reply to send.
struct Message {
  Header header;
  std::vector<std::byte> payload;
  std::vector<UniqueFd> fds;  ///< owned; closed with the message unless taken

  /// The protocol name of the request, e.g. "VHOST_USER_SET_VRING_NUM".
  std::string name() const { return request_name(header.request); }
  /// True when the front end asked for a REPLY_ACK answer.
  bool needs_reply() const noexcept { return (header.flags & kFlagNeedReply) != 0; }
};

/// Reads the header fields out of its 12 bytes.
Header decode_header(std::span<const std::byte, kHeaderBytes> bytes) noexcept;
/// The 12 bytes of `header`.
std::array<std::byte, kHeaderBytes> encode_header(const Header& header) noexcept;

/// Checks a request header from the front end: version 1, the reply flag clear, no undefined
/// flag bits, a payload of at most kMaxPayloadBytes. Throws Error(Malformed) naming the request
/// and the value.
void check_request_header(const Header& header);

/// The payload of `message` as one `T`; throws Error(Malformed) unless the payload is exactly
/// sizeof(T) bytes.
template <class T>
T payload_as(const Message& message) {
  static_assert(std::is_trivially_copyable_v<T>);
  if (message.payload.size() != sizeof(T)) {
    throw Error(ErrorCode::Malformed, message.name() + ": payload of " + std::to_string(message.payload.size()) +
                                          " bytes, expected " + std::to_string(sizeof(T)));
  }
  T value;
  std::memcpy(&value, message.payload.data(), sizeof(T));
  return value;
}

/// Throws Error(Malformed) unless the payload is empty.
void expect_no_payload(const Message& message);
/// Throws Error(Invalid) unless the message carries exactly `count` fds.
void expect_fds(const Message& message, std::size_t count);

/// A reply to `request` (flags: version 1 | reply) with `payload`.
Message make_reply(const Message& request, std::span<const std::byte> payload);
/// A reply carrying one u64 (GET_FEATURES, REPLY_ACK's status, ...).
Message make_u64_reply(const Message& request, std::uint64_t value);

}  // namespace vgen::vhost_user
