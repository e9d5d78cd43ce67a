#include <vgen/virtqueue/error.hpp>
#include <vgen/virtqueue/ring_observer.hpp>

#include <algorithm>
#include <array>
#include <string>

#include <vgen/format.hpp>

namespace vgen::virtqueue {
namespace {

// Ends the sink's trace group when a poll returns, however it returns.
class GroupScope {
 public:
  explicit GroupScope(trace::TraceSink& sink) noexcept : sink_(sink) {}
  GroupScope(const GroupScope&) = delete;
  GroupScope& operator=(const GroupScope&) = delete;
  ~GroupScope() { sink_.end_group(); }

 private:
  trace::TraceSink& sink_;
};

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

constexpr std::uint64_t kDescriptorBytes = 16;
// Most entries followed in one indirect table (§2.7.5.3.1 allows a queue size of them).
constexpr std::uint32_t kMaxIndirect = kMaxQueueSize;
// Most descriptors of one chain, all its tables together.
constexpr std::uint32_t kMaxChain = 2 * kMaxQueueSize;
// Descriptors one poll reads at most (avail and used entries together): a driver that fills a
// large ring with long chains is followed over several polls instead of holding the observer
// up in one.
constexpr std::size_t kPollBudget = std::size_t{1} << 18;

std::string entries(std::uint32_t count) { return std::to_string(count) + (count == 1 ? " entry" : " entries"); }

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
    if (!readable(part.address, part.bytes)) {
      throw Error(ErrorCode::InvalidConfig, what + " does not fit in the observed memory");
    }
  }
  std::array<std::byte, 2> raw{};
  const auto idx = [&](std::uint64_t area, const char* name) {
    if (!memory_.read(area + kRingIdxOffset, raw)) {
      throw Error(ErrorCode::InvalidConfig, std::string("cannot read the ") + name + " at " +
                                                hex(area + kRingIdxOffset) + " in the observed memory");
    }
    return static_cast<std::uint16_t>(le(raw));
  };
  avail_idx_ = idx(ring.addresses.avail, "avail idx");
  used_idx_ = idx(ring.addresses.used, "used idx");
  next_avail_ = ring.first_avail.value_or(avail_idx_);
  next_used_ = ring.first_used.value_or(used_idx_);
  chains_.resize(ring.size);
}

bool RingObserver::readable(std::uint64_t address, std::uint64_t length) {
  std::byte probe[1];
  return length != 0 && address + length >= address && memory_.read(address, probe) &&
         memory_.read(address + length - 1, probe);
}

bool RingObserver::read_part(std::uint64_t address, std::span<std::byte> out, const char* what) {
  if (memory_.read(address, out)) return true;
  const std::string why =
      std::string("cannot read the ") + what + " at " + hex(address) + ": the observed memory no longer holds it";
  if (!stops()) throw Error(ErrorCode::InvalidConfig, why);
  fail(ObserverError::Unmapped, why);
  return false;
}

bool RingObserver::read_u16(std::uint64_t address, const char* what, std::uint16_t& value) {
  std::array<std::byte, 2> raw{};
  if (!read_part(address, raw, what)) return false;
  value = static_cast<std::uint16_t>(le(raw));
  return true;
}

std::uint16_t RingObserver::read_avail_idx() {
  std::array<std::byte, 2> raw{};
  if (!broken() && memory_.read(ring_.addresses.avail + kRingIdxOffset, raw)) {
    avail_idx_ = static_cast<std::uint16_t>(le(raw));
  }
  return avail_idx_;
}

void RingObserver::fail(ObserverError code, std::string why) {
  error_ = std::move(why);
  sink_.record({trace::EventKind::QueueBroken, ring_.queue, 0, static_cast<std::uint32_t>(code), 0, 0});
}

void RingObserver::forget_chains() {
  for (std::vector<trace::BufferRef>& chain : chains_) chain.clear();
}

std::optional<RingObserver::Problem> RingObserver::walk(std::uint16_t head, std::vector<trace::BufferRef>& out) {
  out.clear();
  // One table at a time: the ring's own, or an indirect one (§2.7.5.3).
  std::uint64_t table = ring_.addresses.desc;
  std::uint32_t table_entries = ring_.size;
  std::uint32_t index = head;
  bool in_indirect = false;
  // Every entry of a table is visited at most once by a chain that ends: more visits than the
  // table has entries is a loop.
  std::uint32_t ring_steps = 0;
  std::uint32_t indirect_steps = 0;
  std::uint32_t total = 0;
  // An indirect descriptor with NEXT (§2.7.5.3.1 forbids it) goes on in the ring's table after
  // its own table ends.
  bool resumes = false;
  std::uint16_t resume = 0;
  for (;;) {
    const char* table_name = in_indirect ? "the indirect table at " : "the descriptor table at ";
    if (index >= table_entries) {
      return Problem{ObserverError::BadHead, "chain at head " + std::to_string(head) + ": descriptor index " +
                                                 std::to_string(index) + " past " + table_name + hex(table) + " of " +
                                                 entries(table_entries)};
    }
    std::uint32_t& steps = in_indirect ? indirect_steps : ring_steps;
    if (++steps > table_entries) {
      return Problem{ObserverError::Loop, "chain at head " + std::to_string(head) + " visits more than the " +
                                              entries(table_entries) + " of " + table_name + hex(table) + " (a loop)"};
    }
    if (++total > kMaxChain) {
      return Problem{ObserverError::Loop, "chain at head " + std::to_string(head) + " does not end within " +
                                              std::to_string(kMaxChain) + " descriptors (a loop)"};
    }
    const std::uint64_t address = table + kDescriptorBytes * index;
    std::array<std::byte, 16> raw{};
    if (!memory_.read(address, raw)) {
      return Problem{in_indirect ? ObserverError::BadIndirect : ObserverError::Unmapped,
                     "chain at head " + std::to_string(head) + ": descriptor at " + hex(address) + " cannot be read"};
    }
    const Descriptor descriptor = decode_descriptor(raw);
    if ((descriptor.flags & kDescIndirect) != 0) {
      // §2.7.5.3: the buffer is a table of descriptors, chained by their own next fields.
      const char* wrong = in_indirect                                  ? "inside an indirect table (§2.7.5.3.1)"
                          : descriptor.len == 0                        ? "empty"
                          : descriptor.len % kDescriptorBytes != 0     ? "not a multiple of 16 bytes"
                          : !readable(descriptor.addr, descriptor.len) ? "not in the observed memory"
                                                                       : nullptr;
      if (wrong != nullptr) {
        return Problem{ObserverError::BadIndirect, "chain at head " + std::to_string(head) + ": indirect descriptor {" +
                                                       hex(descriptor.addr) + ", " + std::to_string(descriptor.len) +
                                                       " bytes} is " + wrong};
      }
      resumes = (descriptor.flags & kDescNext) != 0;
      resume = descriptor.next;
      table = descriptor.addr;
      table_entries = std::min(static_cast<std::uint32_t>(descriptor.len / kDescriptorBytes), kMaxIndirect);
      index = 0;
      indirect_steps = 0;
      in_indirect = true;
      continue;
    }
    out.push_back({nullptr, descriptor.addr, descriptor.len, descriptor.flags});
    if ((descriptor.flags & kDescNext) != 0) {
      index = descriptor.next;
      continue;
    }
    if (in_indirect && resumes) {
      table = ring_.addresses.desc;
      table_entries = ring_.size;
      index = resume;
      resumes = false;
      in_indirect = false;
      continue;
    }
    return std::nullopt;
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
  sink_.record_in_group(event);
}

bool RingObserver::catch_up(std::uint16_t idx, std::uint16_t& next, ObserverError jump, const char* ring,
                            std::uint16_t& pending) {
  pending = static_cast<std::uint16_t>(idx - next);
  if (pending <= ring_.size) return true;
  if (stops()) {
    fail(jump, std::string(ring) + " idx moved from " + std::to_string(next) + " to " + std::to_string(idx) +
                   ", more than the ring's " + entries(ring_.size));
    return false;
  }
  missed_ += pending - ring_.size;
  next = static_cast<std::uint16_t>(idx - ring_.size);
  pending = static_cast<std::uint16_t>(ring_.size);
  forget_chains();
  return true;
}

std::size_t RingObserver::poll() {
  if (broken()) return 0;
  const GroupScope group(sink_);  // what one poll sees shares a trace group
  const std::uint32_t size = ring_.size;
  std::size_t reported = 0;
  if (!read_u16(ring_.addresses.avail + kRingIdxOffset, "avail idx", avail_idx_)) return reported + 1;
  std::uint16_t pending = 0;
  if (!catch_up(avail_idx_, next_avail_, ObserverError::AvailJump, "avail", pending)) return reported + 1;
  std::size_t descriptors = 0;
  for (; pending > 0 && descriptors < kPollBudget; --pending, ++next_avail_, ++reported, ++avail_seen_) {
    const std::uint16_t slot = next_avail_ & (size - 1);
    std::uint16_t head = 0;
    if (!read_u16(ring_.addresses.avail + kRingEntriesOffset + 2ull * slot, "avail ring entry", head)) {
      return reported + 1;
    }
    if (head >= size && stops()) {
      fail(ObserverError::BadHead, "avail entry " + std::to_string(next_avail_) + " names head " +
                                       std::to_string(head) + " past the table of " + entries(size));
      return reported + 1;
    }
    std::optional<Problem> problem = walk(head, buffers_);
    if (problem && stops()) {
      fail(problem->code, std::move(problem->why));
      return reported + 1;
    }
    if (head < size) chains_[head] = buffers_;
    descriptors += buffers_.size() + 1;
    std::uint64_t readable = 0;
    std::uint64_t writable = 0;
    for (const trace::BufferRef& buffer : buffers_) {
      ((buffer.flags & kDescWrite) != 0 ? writable : readable) += buffer.length;
    }
    report(trace::EventKind::AvailSeen, head, next_avail_, readable, writable);
  }
  if (!read_u16(ring_.addresses.used + kRingIdxOffset, "used idx", used_idx_)) return reported + 1;
  if (!catch_up(used_idx_, next_used_, ObserverError::UsedJump, "used", pending)) return reported + 1;
  for (; pending > 0 && descriptors < kPollBudget; --pending, ++next_used_, ++reported, ++used_seen_) {
    const std::uint16_t slot = next_used_ & (size - 1);
    std::array<std::byte, 8> raw{};
    if (!read_part(ring_.addresses.used + kRingEntriesOffset + 8ull * slot, raw, "used ring entry")) {
      return reported + 1;
    }
    const auto id = static_cast<std::uint32_t>(le(std::span(raw).first(4)));
    const auto len = static_cast<std::uint32_t>(le(std::span(raw).subspan(4)));
    buffers_.clear();
    if (id < size) {
      // The chain as it was made available; one made available before the observer saw it
      // is read from the table now (what breaks a rule in it ends it, without stopping the
      // ring: the driver may be reusing its descriptors already).
      std::vector<trace::BufferRef>& known = chains_[id];
      if (known.empty()) {
        walk(static_cast<std::uint16_t>(id), buffers_);
      } else {
        buffers_.swap(known);
        known.clear();
      }
      descriptors += buffers_.size();
      std::erase_if(buffers_, [](const trace::BufferRef& b) { return (b.flags & kDescWrite) == 0; });
    } else if (stops()) {
      fail(ObserverError::BadHead, "used entry " + std::to_string(next_used_) + " names id " + std::to_string(id) +
                                       " past the table of " + entries(size));
      return reported + 1;
    }
    ++descriptors;
    report(trace::EventKind::UsedSeen, static_cast<std::uint16_t>(std::min<std::uint32_t>(id, 0xffff)), next_used_, len,
           0);
  }
  return reported;
}

}  // namespace vgen::virtqueue
