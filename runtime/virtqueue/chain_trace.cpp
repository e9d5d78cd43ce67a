#include <vgen/virtqueue/chain_trace.hpp>

#include <vgen/virtqueue/layout.hpp>

namespace vgen::virtqueue {

trace::BufferRef* ChainTrace::scratch(std::size_t count) {
  if (scratch_.size() < count) scratch_.resize(count);
  return scratch_.data();
}

ChainTrace::Kept& ChainTrace::kept(std::uint16_t head) {
  if (kept_.size() <= head) kept_.resize(std::size_t{head} + 1);
  Kept& kept = kept_[head];
  kept.rest.clear();
  kept.count = 0;
  return kept;
}

namespace {

// Sets a BufferRef field by field. Copying one whole from a value just built in memory would
// load 16 bytes that were stored in pieces, and such a load waits until the stores are done.
void set(trace::BufferRef& to, const std::byte* host, std::uint64_t addr, std::uint32_t length,
         std::uint16_t flags) noexcept {
  to.host = host;
  to.addr = addr;
  to.length = length;
  to.flags = flags;
}

constexpr auto kWritableFlags = static_cast<std::uint16_t>(kDescNext | kDescWrite);

}  // namespace

void ChainTrace::keep(Kept& kept, const std::byte* host, std::uint64_t addr, std::uint32_t length) {
  if (kept.count < kept.first.size()) {
    set(kept.first[kept.count], host, addr, length, kWritableFlags);
  } else {
    kept.rest.push_back({host, addr, length, kWritableFlags});
  }
  ++kept.count;
}

std::span<const trace::BufferRef> ChainTrace::taken(const DescriptorChain& chain) {
  const std::span<const Segment> readable = chain.readable();
  const std::span<const Segment> writable = chain.writable();
  const std::size_t count = readable.size() + writable.size();
  trace::BufferRef* out = scratch(count);
  for (const Segment& s : readable) set(*out++, s.data, s.addr, s.length, kDescNext);
  Kept& writable_kept = kept(chain.head());
  for (const Segment& s : writable) {
    set(*out++, s.data, s.addr, s.length, kWritableFlags);
    keep(writable_kept, s.data, s.addr, s.length);
  }
  if (count != 0) scratch_[count - 1].flags &= static_cast<std::uint16_t>(~kDescNext);
  return {scratch_.data(), count};
}

void ChainTrace::keep_writable(const DescriptorChain& chain) {
  Kept& writable_kept = kept(chain.head());
  for (const Segment& s : chain.writable()) keep(writable_kept, s.data, s.addr, s.length);
}

void ChainTrace::reserve_added(std::uint16_t head, std::size_t readable, std::size_t writable, bool keep_for_used) {
  scratch(readable + writable);
  if (!keep_for_used) return;
  if (kept_.size() <= head) kept_.resize(std::size_t{head} + 1);
  Kept& kept = kept_[head];
  if (writable > kept.first.size()) {
    kept.rest.reserve(writable - kept.first.size());  // clear() keeps it
    joined_.reserve(writable);                        // used() joins them at reclaim
  }
}

std::span<const trace::BufferRef> ChainTrace::added(std::uint16_t head, std::span<const Buffer> readable,
                                                    std::span<const Buffer> writable, const shm::GuestMemory& memory,
                                                    bool keep_for_used) {
  const std::size_t count = readable.size() + writable.size();
  trace::BufferRef* out = scratch(count);
  for (const Buffer& b : readable) set(*out++, memory.find(b.addr, b.length), b.addr, b.length, kDescNext);
  if (keep_for_used) {
    Kept& writable_kept = kept(head);
    for (const Buffer& b : writable) {
      const std::byte* host = memory.find(b.addr, b.length);
      set(*out++, host, b.addr, b.length, kWritableFlags);
      keep(writable_kept, host, b.addr, b.length);
    }
  } else {
    // Nobody reads a writable buffer's bytes from here: the device's UsedPushed holds them.
    for (const Buffer& b : writable) set(*out++, nullptr, b.addr, b.length, kWritableFlags);
  }
  if (count != 0) scratch_[count - 1].flags &= static_cast<std::uint16_t>(~kDescNext);
  return {scratch_.data(), count};
}

std::span<const trace::BufferRef> ChainTrace::used(std::uint16_t head) {
  if (head >= kept_.size()) return {};
  const Kept& kept = kept_[head];
  if (kept.count <= kept.first.size()) return {kept.first.data(), kept.count};
  joined_.assign(kept.first.begin(), kept.first.end());
  joined_.insert(joined_.end(), kept.rest.begin(), kept.rest.end());
  return joined_;
}

}  // namespace vgen::virtqueue
