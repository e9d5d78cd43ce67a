#include <vgen/vhost_user/message.hpp>

#include <vgen/format.hpp>

#include <array>

namespace vgen::vhost_user {
namespace {

constexpr std::uint32_t kDefinedFlags = kVersionMask | kFlagReply | kFlagNeedReply;

std::uint32_t read_u32(const std::byte* p) noexcept {
  std::uint32_t value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

void write_u32(std::byte* p, std::uint32_t value) noexcept { std::memcpy(p, &value, sizeof value); }

}  // namespace

Header decode_header(std::span<const std::byte, kHeaderBytes> bytes) noexcept {
  return {read_u32(bytes.data()), read_u32(bytes.data() + 4), read_u32(bytes.data() + 8)};
}

std::array<std::byte, kHeaderBytes> encode_header(const Header& header) noexcept {
  std::array<std::byte, kHeaderBytes> bytes{};
  write_u32(bytes.data(), header.request);
  write_u32(bytes.data() + 4, header.flags);
  write_u32(bytes.data() + 8, header.size);
  return bytes;
}

// "Header": the lower 2 flag bits are the version (0x01), bit 2 marks replies (sent by the
// back end only), bit 3 is need_reply.
void check_request_header(const Header& header) {
  const std::string what = request_name(header.request) + ": header flags " + hex(header.flags);
  if ((header.flags & kVersionMask) != kVersion) {
    throw Error(ErrorCode::Malformed,
                what + " carry version " + std::to_string(header.flags & kVersionMask) + ", expected 1");
  }
  if ((header.flags & kFlagReply) != 0) {
    throw Error(ErrorCode::Malformed, what + " have the reply bit set on a request");
  }
  if ((header.flags & ~kDefinedFlags) != 0) {
    throw Error(ErrorCode::Malformed, what + " have undefined bits " + hex(header.flags & ~kDefinedFlags));
  }
  if (header.size > kMaxPayloadBytes) {
    throw Error(ErrorCode::Malformed, request_name(header.request) + ": payload size " + std::to_string(header.size) +
                                          " exceeds the largest message (" + std::to_string(kMaxPayloadBytes) +
                                          " bytes)");
  }
}

void expect_no_payload(const Message& message) {
  if (!message.payload.empty()) {
    throw Error(ErrorCode::Malformed,
                message.name() + ": payload of " + std::to_string(message.payload.size()) + " bytes, expected none");
  }
}

void expect_fds(const Message& message, std::size_t count) {
  if (message.fds.size() != count) {
    throw Error(ErrorCode::Invalid, message.name() + ": " + std::to_string(message.fds.size()) +
                                        " file descriptors attached, expected " + std::to_string(count));
  }
}

Message make_reply(const Message& request, std::span<const std::byte> payload) {
  Message reply;
  reply.header = {request.header.request, kVersion | kFlagReply, static_cast<std::uint32_t>(payload.size())};
  reply.payload.assign(payload.begin(), payload.end());
  return reply;
}

Message make_u64_reply(const Message& request, std::uint64_t value) {
  return make_reply(request, std::as_bytes(std::span(&value, 1)));
}

}  // namespace vgen::vhost_user
