#include <vgen/virtqueue/error.hpp>
#include <vgen/virtqueue/ring_observer.hpp>

#include <algorithm>
#include <array>
#include <string>

#include <vgen/format.hpp>

namespace vgen::virtqueue {
namespace {

std::uint64_t le(std::span<const std::byte> bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) value |= std::to_integer<std::uint64_t>(bytes[i]) << (8 * i);
  return value;
}

Descriptor decode_descriptor(const std::array<std::byte, 16>& raw) {
  const std::span<const std::byte> bytes(raw);
  return {le(bytes.subspan(0, 8)), static_cast<std::uint32_t>(le(bytes.subspan(8, 4))),
          static_cast<std::uint16_t>(le(bytes.subspan(12, 2))), static_cast<std::uint16_t>(le(bytes.subspan(14, 2)))};
}

// Most descriptors read from one indirect table (a table may not be longer than a queue).
constexpr std::uint32_t kMaxIndirect = kMaxQueueSize;

}  // namespace

RingObserver::RingObserver(ObservedMemory& memory, trace::TraceSink& sink, const ObservedRing& ring)
    : memory_(memory), sink_(sink), ring_(ring) {
  if (!valid_queue_size(ring.size)) {
    throw Error(ErrorCode::InvalidConfig,
                "queue size " + std::to_string(ring.size) + " is not a power of two from 1 to 32768 (§2.7)");
  }
  struct Part {
    const char* name;
    std::uint64_t address;
    std::uint64_t align;
    std::uint64_t bytes;
  };
  const Part parts[] = {{"descriptor table", ring.addresses.desc, kDescAlign, desc_table_bytes(ring.size)},
                        {"avail ring", ring.addresses.avail, kAvailAlign, avail_ring_bytes(ring.size)},
                        {"used ring", ring.addresses.used, kUsedAlign, used_ring_bytes(ring.size)}};
  for (const Part& part : parts) {
    const std::string what = std::string("the ") + part.name + " at " + hex(part.address) + " (" +
                             std::to_string(part.bytes) + " bytes for " + std::to_string(ring.size) + " entries)";
    if (part.address % part.align != 0) {
      throw Error(ErrorCode::InvalidConfig,
                  what + " is not aligned to " + std::to_string(part.align) + " bytes (§2.7)");
    }
    std::byte probe[1];
    if (part.address + part.bytes < part.address || !memory.read(part.address, probe) ||
        !memory.read(part.address + part.bytes - 1, probe)) {
      throw Error(ErrorCode::InvalidConfig, what + " does not fit in the observed memory");
    }
  }
  if (!ring.from_start) {
    next_avail_ = read_u16(ring.addresses.avail + kRingIdxOffset, "avail idx");
    next_used_ = read_u16(ring.addresses.used + kRingIdxOffset, "used idx");
  }
}

std::uint16_t RingObserver::read_u16(std::uint64_t address, const char* what) {
  std::array<std::byte, 2> raw{};
  if (!memory_.read(address, raw)) {
    throw Error(ErrorCode::InvalidConfig, std::string("cannot read the ") + what + " at " + hex(address) +
                                              ": the observed memory no longer holds it");
  }
  return static_cast<std::uint16_t>(le(raw));
}

void RingObserver::add_buffer(const Descriptor& descriptor) {
  buffers_.push_back({nullptr, descriptor.addr, descriptor.len, descriptor.flags});
}

void RingObserver::walk(std::uint16_t head) {
  buffers_.clear();
  std::uint16_t index = head;
  for (std::uint32_t steps = 0; steps < ring_.size && index < ring_.size; ++steps) {
    std::array<std::byte, 16> raw{};
    if (!memory_.read(ring_.addresses.desc + 16ull * index, raw)) return;
    const Descriptor descriptor = decode_descriptor(raw);
    if ((descriptor.flags & kDescIndirect) != 0) {
      // §2.7.5.3: the buffer is a table of descriptors, chained by their own next fields.
      const std::uint32_t count = std::min(descriptor.len / 16, kMaxIndirect);
      std::uint32_t entry = 0;
      for (std::uint32_t taken = 0; taken < count && entry < count; ++taken) {
        if (!memory_.read(descriptor.addr + 16ull * entry, raw)) return;
        const Descriptor inner = decode_descriptor(raw);
        add_buffer(inner);
        if ((inner.flags & kDescNext) == 0) break;
        entry = inner.next;
      }
      return;
    }
    add_buffer(descriptor);
    if ((descriptor.flags & kDescNext) == 0) return;
    index = descriptor.next;
  }
}

void RingObserver::report(trace::EventKind kind, std::uint16_t head, std::uint32_t position, std::uint64_t a,
                          std::uint64_t b) {
  // Copy the payload the event carries: the readable buffers of an available chain, the
  // first `a` written bytes of a used one; up to the snap length, stopping at the first
  // buffer that cannot be read (the recorder stops copying at a buffer without bytes).
  const bool written = kind == trace::EventKind::UsedSeen;
  std::uint64_t limit = written ? a : ~std::uint64_t{0};
  std::uint32_t room = ring_.snap;
  copies_.resize(buffers_.size());
  bool readable = true;
  for (std::size_t i = 0; i < buffers_.size(); ++i) {
    trace::BufferRef& buffer = buffers_[i];
    if (((buffer.flags & kDescWrite) != 0) != written || limit == 0 || !readable) continue;
    const auto take = static_cast<std::uint32_t>(std::min<std::uint64_t>({buffer.length, limit, room}));
    copies_[i].resize(take);
    readable = take == 0 || memory_.read(buffer.addr, copies_[i]);
    if (readable) buffer.host = copies_[i].data();
    limit -= std::min<std::uint64_t>(buffer.length, limit);
    room -= take;
  }
  trace::Event event{kind, ring_.queue, head, position, a, b};
  event.buffers = buffers_;
  sink_.record(event);
}

std::size_t RingObserver::poll() {
  std::size_t reported = 0;
  const std::uint16_t avail_idx = read_u16(ring_.addresses.avail + kRingIdxOffset, "avail idx");
  auto pending = static_cast<std::uint16_t>(avail_idx - next_avail_);
  if (pending > ring_.size) {
    missed_ += pending - ring_.size;
    next_avail_ = static_cast<std::uint16_t>(avail_idx - ring_.size);
    pending = static_cast<std::uint16_t>(ring_.size);
  }
  for (; pending > 0; --pending, ++next_avail_, ++reported, ++avail_seen_) {
    const std::uint16_t slot = next_avail_ & (ring_.size - 1);
    const std::uint16_t head = read_u16(ring_.addresses.avail + kRingEntriesOffset + 2ull * slot, "avail ring entry");
    walk(head);
    std::uint64_t in = 0;
    std::uint64_t out = 0;
    for (const trace::BufferRef& buffer : buffers_) ((buffer.flags & kDescWrite) != 0 ? in : out) += buffer.length;
    report(trace::EventKind::AvailSeen, head, next_avail_, out, in);
  }
  const std::uint16_t used_idx = read_u16(ring_.addresses.used + kRingIdxOffset, "used idx");
  pending = static_cast<std::uint16_t>(used_idx - next_used_);
  if (pending > ring_.size) {
    missed_ += pending - ring_.size;
    next_used_ = static_cast<std::uint16_t>(used_idx - ring_.size);
    pending = static_cast<std::uint16_t>(ring_.size);
  }
  for (; pending > 0; --pending, ++next_used_, ++reported, ++used_seen_) {
    const std::uint16_t slot = next_used_ & (ring_.size - 1);
    std::array<std::byte, 8> raw{};
    const std::uint64_t address = ring_.addresses.used + kRingEntriesOffset + 8ull * slot;
    if (!memory_.read(address, raw)) {
      throw Error(ErrorCode::InvalidConfig,
                  "cannot read the used ring entry at " + hex(address) + ": the observed memory no longer holds it");
    }
    const auto id = static_cast<std::uint32_t>(le(std::span(raw).first(4)));
    const auto len = static_cast<std::uint32_t>(le(std::span(raw).subspan(4)));
    buffers_.clear();
    if (id < ring_.size) {
      walk(static_cast<std::uint16_t>(id));
      std::erase_if(buffers_, [](const trace::BufferRef& b) { return (b.flags & kDescWrite) == 0; });
    }
    report(trace::EventKind::UsedSeen, static_cast<std::uint16_t>(std::min<std::uint32_t>(id, 0xffff)), next_used_, len,
           0);
  }
  return reported;
}

}  // namespace vgen::virtqueue
