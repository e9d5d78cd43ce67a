#include <vgen/store/wire.hpp>

#include <cstring>

#include <vgen/store/error.hpp>

namespace vgen::store {
namespace {

std::uint32_t load_le32(const std::byte* at) noexcept {
  return static_cast<std::uint32_t>(at[0]) | static_cast<std::uint32_t>(at[1]) << 8 |
         static_cast<std::uint32_t>(at[2]) << 16 | static_cast<std::uint32_t>(at[3]) << 24;
}

void store_le32(std::byte* at, std::uint32_t value) noexcept {
  for (int i = 0; i < 4; ++i) at[i] = static_cast<std::byte>((value >> (8 * i)) & 0xFFu);
}

}  // namespace

std::string message_type_name(std::uint32_t type) {
  static constexpr const char* kNames[] = {"CONTROL",
                                           "DIRECTORY",
                                           "READ",
                                           "GET_PERMS",
                                           "WATCH",
                                           "UNWATCH",
                                           "TRANSACTION_START",
                                           "TRANSACTION_END",
                                           "INTRODUCE",
                                           "RELEASE",
                                           "GET_DOMAIN_PATH",
                                           "WRITE",
                                           "MKDIR",
                                           "RM",
                                           "SET_PERMS",
                                           "WATCH_EVENT",
                                           "ERROR",
                                           "IS_DOMAIN_INTRODUCED",
                                           "RESUME",
                                           "SET_TARGET",
                                           nullptr,
                                           "RESET_WATCHES",
                                           "DIRECTORY_PART"};
  if (type < std::size(kNames) && kNames[type] != nullptr) return kNames[type];
  return "type " + std::to_string(type);
}

Header decode_header(std::span<const std::byte, kHeaderSize> bytes) noexcept {
  const std::byte* at = bytes.data();
  return Header{load_le32(at), load_le32(at + 4), load_le32(at + 8), load_le32(at + 12)};
}

std::array<std::byte, kHeaderSize> encode_header(const Header& header) noexcept {
  std::array<std::byte, kHeaderSize> out{};
  store_le32(out.data(), header.type);
  store_le32(out.data() + 4, header.req_id);
  store_le32(out.data() + 8, header.tx_id);
  store_le32(out.data() + 12, header.len);
  return out;
}

std::string encode(const Message& message) {
  if (message.payload.size() > kMaxPayload) {
    throw Error(ErrorCode::TooBig, message_type_name(message.header.type) + " payload of " +
                                       std::to_string(message.payload.size()) + " bytes exceeds " +
                                       std::to_string(kMaxPayload));
  }
  Header header = message.header;
  header.len = static_cast<std::uint32_t>(message.payload.size());
  const auto raw = encode_header(header);
  std::string out(reinterpret_cast<const char*>(raw.data()), raw.size());
  out += message.payload;
  return out;
}

Message reply_to(const Header& request, std::string payload) {
  return Message{Header{request.type, request.req_id, request.tx_id, 0}, std::move(payload)};
}

Message error_reply(const Header& request, std::string_view errno_name) {
  std::string payload(errno_name);
  payload += '\0';
  return Message{Header{static_cast<std::uint32_t>(MessageType::Error), request.req_id, request.tx_id, 0},
                 std::move(payload)};
}

Message watch_event(std::string_view path, std::string_view token) {
  std::string payload(path);
  payload += '\0';
  payload += token;
  payload += '\0';
  return Message{Header{static_cast<std::uint32_t>(MessageType::WatchEvent), 0, 0, 0}, std::move(payload)};
}

void FrameDecoder::feed(std::string_view bytes) {
  if (consumed_ != 0) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes);
}

std::optional<Message> FrameDecoder::next() {
  if (failed_) throw Error(ErrorCode::Protocol, "connection already failed a framing check");
  if (buffered() < kHeaderSize) return std::nullopt;
  const auto* start = reinterpret_cast<const std::byte*>(buffer_.data() + consumed_);
  const Header header = decode_header(std::span<const std::byte, kHeaderSize>(start, kHeaderSize));
  if (header.len > kMaxPayload) {
    failed_ = true;
    throw Error(ErrorCode::Protocol, message_type_name(header.type) + " header announces " +
                                         std::to_string(header.len) + " payload bytes, over the limit of " +
                                         std::to_string(kMaxPayload));
  }
  if (buffered() < kHeaderSize + header.len) return std::nullopt;
  Message message{header, buffer_.substr(consumed_ + kHeaderSize, header.len)};
  consumed_ += kHeaderSize + header.len;
  return message;
}

}  // namespace vgen::store
