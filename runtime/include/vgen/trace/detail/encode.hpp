// How an event becomes the bytes of its record (record.hpp), inline: the recorder encodes each
// record a queue end hands it into the thread's open group, and a call per record would cost
// about as much as the rest of the record.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>

#include <vgen/trace/detail/bytes.hpp>
#include <vgen/trace/hooks.hpp>
#include <vgen/trace/record.hpp>

namespace vgen::trace::detail {

/// True for a device-writable buffer.
constexpr bool writable(const BufferRef& buffer) noexcept { return (buffer.flags & kDescriptorWritable) != 0; }

/// What copy_payload() did: the payload's whole length and the bytes it copied.
struct PayloadCopy {
  std::uint64_t whole = 0;  ///< bytes of the payload uncut
  std::size_t copied = 0;   ///< bytes copied (at most the room given)
};

/// Copies up to `room` bytes of the payload of `event` (record.hpp says what it is) to `out`, in
/// one pass that also measures the whole payload; with `out` null, only measures. A chain's copy
/// ends at the first buffer not mapped here.
[[gnu::always_inline]] inline PayloadCopy copy_payload(const Event& event, std::byte* out, std::size_t room) noexcept {
  const PayloadSource source = payload_source(event.kind);
  if (source == PayloadSource::Bytes) {
    const std::size_t take = std::min(room, event.bytes.size());
    if (take > 0 && out != nullptr) copy_bytes(out, event.bytes.data(), take);
    return {event.bytes.size(), take};
  }
  PayloadCopy done;
  std::uint64_t limit = source == PayloadSource::Written ? event.a : std::numeric_limits<std::uint64_t>::max();
  bool mapped = true;
  for (const BufferRef& buffer : event.buffers) {
    if (writable(buffer) != (source == PayloadSource::Written) || limit == 0) continue;
    const std::uint64_t take = std::min<std::uint64_t>(buffer.length, limit);
    limit -= take;
    done.whole += take;
    mapped = mapped && buffer.host != nullptr;
    if (!mapped || done.copied == room) continue;
    const std::size_t piece = static_cast<std::size_t>(std::min<std::uint64_t>(take, room - done.copied));
    if (out != nullptr) copy_bytes(out + done.copied, buffer.host, piece);
    done.copied += piece;
  }
  return done;
}

/// Writes the fixed header and the stored descriptors of the record of `event` to `out`
/// (fixed_bytes(event) bytes).
[[gnu::always_inline]] inline void write_header(const Event& event, std::byte* out) noexcept {
  const std::size_t stored = stored_descriptors(event);
  const std::uint64_t chain = std::min<std::size_t>(event.buffers.size(), 0xffff);
  // Whole words: the fields of each 8 bytes in one store.
  store_le<std::uint64_t>(out, std::uint64_t{kSingleRecordVersion} |
                                   std::uint64_t{static_cast<std::uint8_t>(channel_of(event))} << 8 |
                                   std::uint64_t{static_cast<std::uint8_t>(event.kind)} << 16 |
                                   std::uint64_t{event.queue} << 32 | std::uint64_t{event.head} << 48);
  store_le<std::uint64_t>(out + 8, std::uint64_t{event.index} | std::uint64_t{stored} << 32 | chain << 48);
  store_le<std::uint64_t>(out + 16, event.a);
  store_le<std::uint64_t>(out + 24, event.b);
  std::byte* at = out + kRecordHeaderBytes;
  for (std::size_t i = 0; i < stored; ++i, at += kDescriptorBytes) {
    const BufferRef& buffer = event.buffers[i];
    store_le<std::uint64_t>(at, buffer.addr);
    store_le<std::uint64_t>(at + 8, std::uint64_t{buffer.length} | std::uint64_t{buffer.flags} << 32);
  }
}

}  // namespace vgen::trace::detail

namespace vgen::trace {

[[gnu::always_inline]] inline std::size_t encode_group_member(const Event& event, std::uint32_t snap, std::byte* out,
                                                              std::uint64_t& cut) noexcept {
  std::byte* record = out + kGroupMemberPrefix;
  detail::write_header(event, record);
  const std::size_t fixed = fixed_bytes(event);
  const detail::PayloadCopy payload = detail::copy_payload(event, record + fixed, snap);
  const std::size_t captured = fixed + payload.copied;
  const std::size_t bytes = group_member_bytes(captured);
  // Up to 7 bytes of padding: stores in place, not a call to memset.
  for (std::size_t at = kGroupMemberPrefix + captured; at < bytes; ++at) out[at] = std::byte{0};
  detail::store_le<std::uint32_t>(out, static_cast<std::uint32_t>(captured));
  detail::store_le<std::uint32_t>(
      out + 4, static_cast<std::uint32_t>(std::min<std::uint64_t>(fixed + payload.whole, 0xffffffffu)));
  cut = payload.whole - payload.copied;
  return bytes;
}

}  // namespace vgen::trace
