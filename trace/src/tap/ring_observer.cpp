#include "vgen/trace_tap/ring_observer.hpp"

#include <cstring>

#include <vgen/format.hpp>

namespace vgen::trace_tap {
namespace {

// VIRTQ_DESC_F_* (§2.7.5).
constexpr std::uint16_t kNext = 1;
constexpr std::uint16_t kWrite = 2;
constexpr std::uint16_t kIndirect = 4;
constexpr std::uint64_t kDescriptorBytes = 16;

// The index fields are written by the other parties while we read them: one atomic load each.
std::uint16_t load_u16(const std::byte* at) noexcept {
  return __atomic_load_n(reinterpret_cast<const std::uint16_t*>(at), __ATOMIC_ACQUIRE);
}

std::uint32_t load_u32(const std::byte* at) noexcept {
  return __atomic_load_n(reinterpret_cast<const std::uint32_t*>(at), __ATOMIC_RELAXED);
}

// Bytes of each part for a ring of `size` (§2.7.5, §2.7.6, §2.7.8), event fields included.
std::uint64_t avail_bytes(std::uint16_t size) { return 6 + 2ull * size; }
std::uint64_t used_bytes(std::uint16_t size) { return 6 + 8ull * size; }

}  // namespace

RingObserver::RingObserver(std::uint16_t queue, const RingLayout& layout, const shm::GuestMemory& memory,
                           std::uint16_t next_avail, std::optional<std::uint16_t> next_used)
    : queue_(queue), layout_(layout), memory_(memory), next_avail_(next_avail) {
  const std::uint16_t size = layout.size;
  if (size == 0 || (size & (size - 1)) != 0) {
    error_ = "ring size " + std::to_string(size) + " is not a power of two";
    return;
  }
  if (layout.desc % 16 != 0 || layout.avail % 2 != 0 || layout.used % 4 != 0) {
    error_ = "ring parts misaligned: desc " + hex(layout.desc) + ", avail " + hex(layout.avail) + ", used " +
             hex(layout.used);
    return;
  }
  avail_ = memory.find(layout.avail, avail_bytes(size));
  used_ = memory.find(layout.used, used_bytes(size));
  if (memory.find(layout.desc, kDescriptorBytes * size) == nullptr || avail_ == nullptr || used_ == nullptr) {
    error_ = "ring parts not inside the mapped memory: desc " + hex(layout.desc) + ", avail " + hex(layout.avail) +
             ", used " + hex(layout.used) + " for " + std::to_string(size) + " entries";
    avail_ = used_ = nullptr;
    return;
  }
  used_idx_ = load_u16(used_ + 2);
  next_used_ = next_used.value_or(used_idx_);
  avail_idx_ = load_u16(avail_ + 2);
  chains_.resize(size);
}

std::uint16_t RingObserver::read_avail_idx() const noexcept {
  return broken() || avail_ == nullptr ? 0 : load_u16(avail_ + 2);
}

bool RingObserver::walk(std::uint16_t head, std::vector<Buffer>& out, std::string& why) const {
  out.clear();
  const std::uint16_t size = layout_.size;
  // One table at a time: the ring's own, or an indirect one (§2.7.5.3).
  std::uint64_t table = layout_.desc;
  std::uint32_t entries = size;
  std::uint32_t index = head;
  std::uint32_t steps = 0;
  bool in_indirect = false;
  std::uint16_t resume = 0;  // the ring table's next after an indirect descriptor with NEXT
  bool has_resume = false;
  for (;;) {
    if (index >= entries) {
      why = "descriptor index " + std::to_string(index) + " past a table of " + std::to_string(entries);
      return false;
    }
    // §2.7.5.3.1 and §2.7.4: a chain is at most Queue Size descriptors, an indirect one's
    // table included; twice that is surely a loop.
    if (++steps > 2u * size + 2u) {
      why = "chain at head " + std::to_string(head) + " does not end within " + std::to_string(2u * size + 2u) +
            " descriptors (a loop)";
      return false;
    }
    const std::byte* at = memory_.find(table + kDescriptorBytes * index, kDescriptorBytes);
    if (at == nullptr) {
      why = "descriptor at " + hex(table + kDescriptorBytes * index) + " not mapped";
      return false;
    }
    std::uint64_t addr;
    std::uint32_t length;
    std::uint16_t flags;
    std::uint16_t next;
    std::memcpy(&addr, at, 8);
    std::memcpy(&length, at + 8, 4);
    std::memcpy(&flags, at + 12, 2);
    std::memcpy(&next, at + 14, 2);
    if ((flags & kIndirect) != 0) {
      if (in_indirect || length == 0 || length % kDescriptorBytes != 0 || memory_.find(addr, length) == nullptr) {
        why = "indirect descriptor {" + hex(addr) + ", " + std::to_string(length) + " bytes} is " +
              (in_indirect                      ? "inside an indirect table"
               : length == 0                    ? "empty"
               : length % kDescriptorBytes != 0 ? "not a multiple of 16 bytes"
                                                : "not in the mapped memory");
        return false;
      }
      has_resume = (flags & kNext) != 0;
      resume = next;
      table = addr;
      entries = length / static_cast<std::uint32_t>(kDescriptorBytes);
      index = 0;
      in_indirect = true;
      continue;
    }
    out.push_back({addr, length, static_cast<std::uint16_t>(flags & (kNext | kWrite))});
    if ((flags & kNext) != 0) {
      index = next;
      continue;
    }
    if (in_indirect && has_resume) {
      table = layout_.desc;
      entries = size;
      index = resume;
      in_indirect = false;
      has_resume = false;
      continue;
    }
    return true;
  }
}

void RingObserver::fail(trace::TraceSink& sink, std::uint32_t code, const std::string& why) {
  error_ = why;
  sink.record({trace::EventKind::QueueBroken, queue_, 0, code, 0, 0});
}

void RingObserver::emit(trace::TraceSink& sink, trace::EventKind kind, std::uint16_t head, std::uint32_t index,
                        std::uint64_t a, std::uint64_t b, const std::vector<Buffer>& buffers, bool writable_only) {
  refs_.clear();
  for (const Buffer& buffer : buffers) {
    if (writable_only && (buffer.flags & kWrite) == 0) continue;
    refs_.push_back({memory_.find(buffer.addr, buffer.length), buffer.addr, buffer.length, buffer.flags});
  }
  trace::Event event{kind, queue_, head, index, a, b};
  event.buffers = refs_;
  sink.record(event);
}

std::size_t RingObserver::scan(trace::TraceSink& sink) {
  if (broken() || avail_ == nullptr) return 0;
  const std::uint16_t size = layout_.size;
  std::size_t records = 0;
  std::string why;
  avail_idx_ = load_u16(avail_ + 2);
  if (static_cast<std::uint16_t>(avail_idx_ - next_avail_) > size) {
    fail(sink, static_cast<std::uint32_t>(ObserverError::AvailJump),
         "avail idx moved from " + std::to_string(next_avail_) + " to " + std::to_string(avail_idx_) +
             ", more than the ring's " + std::to_string(size) + " entries");
    return records + 1;
  }
  std::vector<Buffer> chain;
  // Descriptors one scan reads at most: a driver that fills a large ring with long chains is
  // followed over several scans instead of holding the tap up in one.
  constexpr std::size_t kScanBudget = std::size_t{1} << 18;
  std::size_t read = 0;
  for (; next_avail_ != avail_idx_ && read < kScanBudget; ++next_avail_) {
    const std::uint16_t head = load_u16(avail_ + 4 + 2 * (next_avail_ % size));
    if (head >= size) {
      fail(sink, static_cast<std::uint32_t>(ObserverError::BadHead),
           "avail entry " + std::to_string(next_avail_) + " names head " + std::to_string(head) + " past the table");
      return records + 1;
    }
    if (!walk(head, chain, why)) {
      fail(sink,
           static_cast<std::uint32_t>(why.find("loop") != std::string::npos       ? ObserverError::Loop
                                      : why.find("indirect") != std::string::npos ? ObserverError::BadIndirect
                                                                                  : ObserverError::BadHead),
           why);
      return records + 1;
    }
    std::uint64_t readable = 0;
    std::uint64_t writable = 0;
    for (const Buffer& buffer : chain) ((buffer.flags & kWrite) != 0 ? writable : readable) += buffer.length;
    emit(sink, trace::EventKind::AvailSeen, head, next_avail_, readable, writable, chain, false);
    read += chain.size() + 1;
    chains_[head] = chain;
    ++records;
  }
  used_idx_ = load_u16(used_ + 2);
  if (static_cast<std::uint16_t>(used_idx_ - next_used_) > size) {
    fail(sink, static_cast<std::uint32_t>(ObserverError::UsedJump),
         "used idx moved from " + std::to_string(next_used_) + " to " + std::to_string(used_idx_) +
             ", more than the ring's " + std::to_string(size) + " entries");
    return records + 1;
  }
  for (; next_used_ != used_idx_; ++next_used_) {
    const std::byte* entry = used_ + 4 + 8 * (next_used_ % size);
    const std::uint32_t id = load_u32(entry);
    const std::uint32_t length = load_u32(entry + 4);
    if (id >= size) {
      fail(sink, static_cast<std::uint32_t>(ObserverError::BadHead),
           "used entry " + std::to_string(next_used_) + " names id " + std::to_string(id) + " past the table");
      return records + 1;
    }
    // The chain as it was made available; one made available before the observer started is
    // read from the table now.
    std::vector<Buffer>& known = chains_[id];
    if (known.empty() && !walk(static_cast<std::uint16_t>(id), known, why)) known.clear();
    emit(sink, trace::EventKind::UsedSeen, static_cast<std::uint16_t>(id), next_used_, length, 0, known, true);
    known.clear();
    ++records;
  }
  return records;
}

}  // namespace vgen::trace_tap
