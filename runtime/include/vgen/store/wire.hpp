// XenStore wire format (xs_wire.h): every message is a 16-byte little-endian header
// {u32 type, u32 req_id, u32 tx_id, u32 len} followed by `len` payload bytes, len at most
// XENSTORE_PAYLOAD_MAX (4096). Replies echo type (or XS_ERROR), req_id and tx_id; watch
// events are XS_WATCH_EVENT with req_id 0 and tx_id 0.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vgen::store {

/// Message types, numbered as xs_wire.h's `enum xsd_sockmsg_type`.
enum class MessageType : std::uint32_t {
  Control = 0,
  Directory = 1,
  Read = 2,
  GetPermissions = 3,
  Watch = 4,
  Unwatch = 5,
  TransactionStart = 6,
  TransactionEnd = 7,
  Introduce = 8,
  Release = 9,
  GetDomainPath = 10,
  Write = 11,
  Mkdir = 12,
  Remove = 13,
  SetPermissions = 14,
  WatchEvent = 15,
  Error = 16,
  IsDomainIntroduced = 17,
  Resume = 18,
  SetTarget = 19,
  // 20 was XS_RESTRICT, removed from the protocol.
  ResetWatches = 21,
  DirectoryPart = 22,
};

/// The name xs_wire.h gives `type` without its "XS_" prefix ("READ"), or "type <n>".
std::string message_type_name(std::uint32_t type);

/// Size of the header.
inline constexpr std::size_t kHeaderSize = 16;
/// xs_wire.h XENSTORE_PAYLOAD_MAX: the largest payload either side may send.
inline constexpr std::size_t kMaxPayload = 4096;

/// The header fields in host order.
struct Header {
  std::uint32_t type = 0;    ///< a MessageType value (unknown values are possible on input)
  std::uint32_t req_id = 0;  ///< chosen by the client, echoed in the reply
  std::uint32_t tx_id = 0;   ///< transaction the request belongs to, 0 for none
  std::uint32_t len = 0;     ///< payload length
};

/// A whole message.
struct Message {
  Header header;
  std::string payload;  ///< `header.len` bytes (encode() sets len from payload.size())
};

/// Header from 16 raw little-endian bytes.
Header decode_header(std::span<const std::byte, kHeaderSize> bytes) noexcept;
/// 16 little-endian bytes for `header`.
std::array<std::byte, kHeaderSize> encode_header(const Header& header) noexcept;
/// Header + payload as bytes, with len = payload size. Throws store::Error(TooBig) if the
/// payload exceeds kMaxPayload.
std::string encode(const Message& message);

/// A reply to `request` of the same type carrying `payload`.
Message reply_to(const Header& request, std::string payload);
/// An XS_ERROR reply to `request` carrying the errno name (e.g. "ENOENT") and its NUL.
Message error_reply(const Header& request, std::string_view errno_name);
/// An XS_WATCH_EVENT carrying "path\0token\0".
Message watch_event(std::string_view path, std::string_view token);

/// Cuts a byte stream into messages. Feed whatever arrived; take complete messages with
/// next(). A header announcing more than kMaxPayload bytes is a protocol violation:
/// next() throws store::Error(Protocol) and the connection must be closed (as XenStore
/// daemons do); the decoder stays failed.
class FrameDecoder {
 public:
  /// Appends received bytes. Keeps at most one message beyond what next() has consumed
  /// plus the new data, so memory is bounded by the caller's read size + one message.
  void feed(std::string_view bytes);
  /// The next complete message, or nullopt if more bytes are needed.
  std::optional<Message> next();
  /// Bytes received but not yet returned as messages.
  std::size_t buffered() const noexcept { return buffer_.size() - consumed_; }
  /// Those bytes themselves (a refused header or a message cut short, when the peer goes);
  /// valid until the next feed() or next().
  std::string_view pending() const noexcept { return std::string_view(buffer_).substr(consumed_); }

 private:
  std::string buffer_;
  std::size_t consumed_ = 0;
  bool failed_ = false;
};

}  // namespace vgen::store
