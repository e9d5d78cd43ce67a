#include "vgen/trace/record.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include <vgen/trace/detail/bytes.hpp>
#include <vgen/trace/detail/encode.hpp>
#include <vgen/trace/error.hpp>

namespace vgen::trace {
namespace {

using detail::copy_payload;
using detail::load_le;
using detail::PayloadCopy;
using detail::store_le;
using detail::write_header;

[[noreturn]] void corrupt(const std::string& why) { throw Error(ErrorCode::Corrupt, why); }

}  // namespace

RecordSize encoded_size(const Event& event, std::uint32_t snap) noexcept {
  const std::size_t fixed = fixed_bytes(event);
  const PayloadCopy payload = copy_payload(event, nullptr, snap);
  return {fixed + payload.copied, fixed + payload.whole};
}

void encode(const Event& event, std::uint32_t snap, std::span<std::byte> out) noexcept {
  write_header(event, out.data());
  const std::size_t fixed = fixed_bytes(event);
  copy_payload(event, out.data() + fixed, std::min<std::size_t>(out.size() - fixed, snap));
}

void encode_group_header(Channel channel, std::uint16_t queue, std::uint32_t count, std::byte* out) noexcept {
  std::memset(out, 0, kRecordHeaderBytes);
  out[0] = std::byte{kGroupRecordVersion};
  out[1] = static_cast<std::byte>(channel);
  out[2] = static_cast<std::byte>(EventKind::Group);
  store_le<std::uint16_t>(out + 4, queue);
  store_le<std::uint32_t>(out + 8, count);
}

Descriptor Record::descriptor(std::size_t i) const noexcept {
  const std::byte* d = descriptor_bytes.data() + i * kDescriptorBytes;
  return {load_le<std::uint64_t>(d), load_le<std::uint32_t>(d + 8), load_le<std::uint16_t>(d + 12)};
}

Record decode(std::span<const std::byte> captured, std::uint64_t original) {
  if (captured.size() < kRecordHeaderBytes) {
    corrupt("record of " + std::to_string(captured.size()) + " bytes is shorter than the " +
            std::to_string(kRecordHeaderBytes) + "-byte record header");
  }
  const std::byte* p = captured.data();
  const auto version = static_cast<unsigned>(p[0]);
  if (version > kRecordVersion) {
    throw Error(ErrorCode::FutureVersion, "record format version " + std::to_string(version) +
                                              " is newer than this vgen reads (" + std::to_string(kRecordVersion) +
                                              ")");
  }
  if (version == 0) corrupt("record format version 0 does not exist");
  const auto channel = static_cast<unsigned>(p[1]);
  const auto kind = static_cast<unsigned>(p[2]);
  if (channel == 0 || channel > static_cast<unsigned>(kLastChannel))
    corrupt("unknown channel " + std::to_string(channel));
  if (kind > static_cast<unsigned>(kLastEventKind)) corrupt("unknown event kind " + std::to_string(kind));
  Record r;
  r.channel = static_cast<Channel>(channel);
  r.kind = static_cast<EventKind>(kind);
  r.queue = load_le<std::uint16_t>(p + 4);
  r.head = load_le<std::uint16_t>(p + 6);
  r.index = load_le<std::uint32_t>(p + 8);
  const std::size_t stored = load_le<std::uint16_t>(p + 12);
  r.chain_descriptors = load_le<std::uint16_t>(p + 14);
  r.a = load_le<std::uint64_t>(p + 16);
  r.b = load_le<std::uint64_t>(p + 24);
  if (stored > kMaxRecordedDescriptors || stored > r.chain_descriptors) {
    corrupt(std::to_string(stored) + " descriptors stored of a chain of " + std::to_string(r.chain_descriptors) +
            " (at most " + std::to_string(kMaxRecordedDescriptors) + ")");
  }
  const std::size_t fixed = kRecordHeaderBytes + stored * kDescriptorBytes;
  if (captured.size() < fixed) {
    corrupt("record of " + std::to_string(captured.size()) + " bytes is shorter than its header and " +
            std::to_string(stored) + " descriptors (" + std::to_string(fixed) + " bytes)");
  }
  if (original < captured.size()) {
    corrupt("original length " + std::to_string(original) + " is below the " + std::to_string(captured.size()) +
            " bytes stored");
  }
  if (r.kind == EventKind::Group && version < kGroupRecordVersion) {
    corrupt("group record of format version " + std::to_string(version) + " (groups came with version " +
            std::to_string(kGroupRecordVersion) + ")");
  }
  r.descriptor_bytes = captured.subspan(kRecordHeaderBytes, stored * kDescriptorBytes);
  r.payload = captured.subspan(fixed);
  r.payload_length = original - fixed;
  return r;
}

GroupReader::GroupReader(const Record& group) noexcept
    : channel_(group.channel), queue_(group.queue), count_(group.index), rest_(group.payload) {}

std::string GroupReader::where() const {
  return "record " + std::to_string(done_ + 1) + " of the group's " + std::to_string(count_) + ": ";
}

void GroupReader::corrupt(const std::string& why) const { throw Error(ErrorCode::Corrupt, where() + why); }

bool GroupReader::next(Record& out) {
  if (done_ == count_) {
    if (!rest_.empty()) {
      throw Error(ErrorCode::Corrupt, std::to_string(rest_.size()) + " bytes after the last of the group's " +
                                          std::to_string(count_) + " records");
    }
    return false;
  }
  if (rest_.size() < kGroupMemberPrefix) {
    corrupt("its lengths need 8 bytes, " + std::to_string(rest_.size()) + " are left in the group");
  }
  const std::uint32_t captured = load_le<std::uint32_t>(rest_.data());
  const std::uint32_t original = load_le<std::uint32_t>(rest_.data() + 4);
  const std::size_t bytes = group_member_bytes(captured);
  if (bytes > rest_.size()) {
    corrupt(std::to_string(captured) + " captured bytes run past the group (" +
            std::to_string(rest_.size() - kGroupMemberPrefix) + " left)");
  }
  try {
    out = decode(rest_.subspan(kGroupMemberPrefix, captured), original);
  } catch (const Error& error) {
    throw Error(error.code(), where() + error.what());
  }
  if (out.kind == EventKind::Group) corrupt("a group inside a group");
  if (out.channel != channel_ || out.queue != queue_) {
    corrupt("channel " + std::to_string(static_cast<unsigned>(out.channel)) + " queue " + std::to_string(out.queue) +
            " in a group of channel " + std::to_string(static_cast<unsigned>(channel_)) + " queue " +
            std::to_string(queue_));
  }
  rest_ = rest_.subspan(bytes);
  ++done_;
  return true;
}

}  // namespace vgen::trace
