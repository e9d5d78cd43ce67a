// The record codec: how one trace event is stored as the data of one pcapng packet block
// (docs/trace.md, "Record payload"). Little-endian. A single event's record, version 1:
//
//   offset  size  field
//        0     1  format version (1)
//        1     1  channel (trace::Channel)
//        2     1  kind (trace::EventKind)
//        3     1  reserved, 0
//        4     2  queue
//        6     2  head
//        8     4  index
//       12     2  descriptors recorded (at most kMaxRecordedDescriptors)
//       14     2  descriptors in the chain (saturating at 65535)
//       16     8  a
//       24     8  b
//       32  16*n  descriptors: u64 addr, u32 len, u16 flags, u16 reserved
//        …     …  payload, cut at the snap length
//
// The packet block's captured length covers what is stored; its original length is what
// the record would take with the whole payload. The payload of a chain event is the bytes
// its buffers hold: the device-readable buffers for a chain made available (ChainAdded,
// ChainTaken, AvailSeen), the first `a` bytes of the device-writable ones for a chain used
// (UsedPushed, UsedReclaimed, UsedSeen). Any other event's payload is its `bytes`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include <vgen/trace/hooks.hpp>

namespace vgen::trace {

/// The newest record format this vgen reads: 2, which brought group records.
inline constexpr std::uint8_t kRecordVersion = 2;
/// The version of a single event's record.
inline constexpr std::uint8_t kSingleRecordVersion = 1;
/// The version of a group record.
inline constexpr std::uint8_t kGroupRecordVersion = 2;
/// Bytes before each record a group holds: its captured and original lengths.
inline constexpr std::size_t kGroupMemberPrefix = 8;
/// Bytes of the fixed record header.
inline constexpr std::size_t kRecordHeaderBytes = 32;
/// Bytes of one stored descriptor.
inline constexpr std::size_t kDescriptorBytes = 16;
/// Descriptors stored per record at most; a longer chain keeps its first ones and its count.
inline constexpr std::size_t kMaxRecordedDescriptors = 64;
/// The last EventKind this version knows.
inline constexpr EventKind kLastEventKind = EventKind::Group;
/// The last Channel this version knows.
inline constexpr Channel kLastChannel = Channel::Recorder;
/// VIRTQ_DESC_F_WRITE: a device-writable buffer.
inline constexpr std::uint16_t kDescriptorWritable = 2;

/// How long a record is: stored bytes and the length it would have uncut.
struct RecordSize {
  std::size_t captured = 0;    ///< header, descriptors and the payload up to the snap length
  std::uint64_t original = 0;  ///< header, descriptors and the whole payload
};

/// The size `event` encodes to with its payload cut at `snap` bytes.
RecordSize encoded_size(const Event& event, std::uint32_t snap) noexcept;

/// Writes the record of `event` to `out`, whose size must be encoded_size(event, snap).captured.
void encode(const Event& event, std::uint32_t snap, std::span<std::byte> out) noexcept;

/// Bytes a record of `captured` bytes takes inside a group record: its lengths, itself, padding.
constexpr std::size_t group_member_bytes(std::size_t captured) noexcept {
  return kGroupMemberPrefix + ((captured + 7) & ~std::size_t{7});
}

/// Where the payload of an event's record comes from (the comment at the top says which).
enum class PayloadSource { Bytes, Readable, Written };

/// The payload source of `kind`.
constexpr PayloadSource payload_source(EventKind kind) noexcept {
  switch (kind) {
    case EventKind::ChainAdded:
    case EventKind::ChainTaken:
    case EventKind::AvailSeen:
      return PayloadSource::Readable;
    case EventKind::UsedPushed:
    case EventKind::UsedReclaimed:
    case EventKind::UsedSeen:
      return PayloadSource::Written;
    default:
      return PayloadSource::Bytes;
  }
}

/// Descriptors the record of `event` stores: its chain's, at most kMaxRecordedDescriptors.
constexpr std::size_t stored_descriptors(const Event& event) noexcept {
  return event.buffers.size() < kMaxRecordedDescriptors ? event.buffers.size() : kMaxRecordedDescriptors;
}

/// Bytes of the record of `event` before its payload: the header and the descriptors stored.
constexpr std::size_t fixed_bytes(const Event& event) noexcept {
  return kRecordHeaderBytes + stored_descriptors(event) * kDescriptorBytes;
}

/// The most bytes the record of `event` can take inside a group at `snap`: its lengths, header,
/// descriptors and `snap` payload bytes (fewer for a shorter message), padded.
inline std::size_t group_member_bound(const Event& event, std::uint32_t snap) noexcept {
  const bool message = payload_source(event.kind) == PayloadSource::Bytes;
  const std::size_t payload = message && event.bytes.size() < snap ? event.bytes.size() : snap;
  return group_member_bytes(fixed_bytes(event) + payload);
}

/// Writes the record of `event` as a member of a group record to `out`, which has room for
/// group_member_bound() bytes, in one pass over its buffers. Returns the bytes it took
/// (group_member_bytes() of its captured length); `cut` is set to the payload bytes left out.
/// Inline (vgen/trace/detail/encode.hpp): the recorder's hot path.
inline std::size_t encode_group_member(const Event& event, std::uint32_t snap, std::byte* out,
                                       std::uint64_t& cut) noexcept;

/// Writes the header of a group record of `count` records on `channel` and `queue` to `out`
/// (kRecordHeaderBytes).
void encode_group_header(Channel channel, std::uint16_t queue, std::uint32_t count, std::byte* out) noexcept;

/// One stored descriptor.
struct Descriptor {
  std::uint64_t addr = 0;    ///< guest address
  std::uint32_t length = 0;  ///< bytes
  std::uint16_t flags = 0;   ///< VIRTQ_DESC_F_*
};

/// A decoded record: views into the bytes it was decoded from.
struct Record {
  EventKind kind = EventKind::ChainAdded;       ///< what happened
  Channel channel = Channel::Virtqueue;         ///< which kind of channel (never Auto)
  std::uint16_t queue = 0;                      ///< queue, ring or channel number
  std::uint16_t head = 0;                       ///< head, id or direction, by kind
  std::uint32_t index = 0;                      ///< ring index, offset or port, by kind
  std::uint64_t a = 0;                          ///< first value, by kind
  std::uint64_t b = 0;                          ///< second value, by kind
  std::uint16_t chain_descriptors = 0;          ///< descriptors the chain had (more than stored when long)
  std::span<const std::byte> descriptor_bytes;  ///< the stored descriptors, 16 bytes each
  std::span<const std::byte> payload;           ///< the stored payload
  std::uint64_t payload_length = 0;             ///< the payload's length uncut (>= payload.size())

  /// Number of stored descriptors.
  std::size_t descriptor_count() const noexcept { return descriptor_bytes.size() / kDescriptorBytes; }
  /// Stored descriptor `i` (< descriptor_count()).
  Descriptor descriptor(std::size_t i) const noexcept;
  /// True when the payload was cut at the snap length.
  bool truncated() const noexcept { return payload_length > payload.size(); }
};

/// Decodes `captured` (a packet block's data) whose uncut length was `original`. Throws
/// trace::Error: FutureVersion for a record newer than kRecordVersion, Corrupt for a record
/// shorter than its header or its descriptors, an unknown kind or channel, or an original
/// length below the captured one. The message says which field and value; the caller adds
/// where the record is. A group record decodes with kind Group, index its count and payload
/// the records it holds; GroupReader reads them.
Record decode(std::span<const std::byte> captured, std::uint64_t original);

/// Reads the records a group record holds, one by one.
class GroupReader {
 public:
  /// Reads `group`, a decoded record of kind Group; views into the same bytes.
  explicit GroupReader(const Record& group) noexcept;
  /// The next record into `out`; false after the last. Throws trace::Error as decode() does,
  /// and Corrupt for a record that runs past the group, a group inside a group, a record of
  /// another channel or queue than the group's, or bytes after the last record; the message
  /// says which record of how many.
  bool next(Record& out);

 private:
  std::string where() const;
  [[noreturn]] void corrupt(const std::string& why) const;

  Channel channel_;
  std::uint16_t queue_;
  std::uint32_t count_;
  std::uint32_t done_ = 0;
  std::span<const std::byte> rest_;
};

}  // namespace vgen::trace

#include <vgen/trace/detail/encode.hpp>  // encode_group_member()
