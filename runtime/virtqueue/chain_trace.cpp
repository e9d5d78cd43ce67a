#include <vgen/virtqueue/chain_trace.hpp>

#include <vgen/virtqueue/layout.hpp>

namespace vgen::virtqueue {

void ChainTrace::keep_writable(std::uint16_t head) {
  if (writable_.size() <= head) writable_.resize(std::size_t{head} + 1);
  std::vector<trace::BufferRef>& kept = writable_[head];
  kept.clear();
  for (const trace::BufferRef& buffer : scratch_) {
    if ((buffer.flags & kDescWrite) != 0) kept.push_back(buffer);
  }
}

std::span<const trace::BufferRef> ChainTrace::taken(const DescriptorChain& chain) {
  scratch_.clear();
  for (const Segment& s : chain.readable()) scratch_.push_back({s.data, s.addr, s.length, kDescNext});
  for (const Segment& s : chain.writable()) {
    scratch_.push_back({s.data, s.addr, s.length, static_cast<std::uint16_t>(kDescNext | kDescWrite)});
  }
  if (!scratch_.empty()) scratch_.back().flags &= static_cast<std::uint16_t>(~kDescNext);
  keep_writable(chain.head());
  return scratch_;
}

std::span<const trace::BufferRef> ChainTrace::added(std::uint16_t head, std::span<const Buffer> readable,
                                                    std::span<const Buffer> writable, const shm::GuestMemory& memory) {
  scratch_.clear();
  for (const Buffer& b : readable) scratch_.push_back({memory.find(b.addr, b.length), b.addr, b.length, kDescNext});
  for (const Buffer& b : writable) {
    scratch_.push_back(
        {memory.find(b.addr, b.length), b.addr, b.length, static_cast<std::uint16_t>(kDescNext | kDescWrite)});
  }
  if (!scratch_.empty()) scratch_.back().flags &= static_cast<std::uint16_t>(~kDescNext);
  keep_writable(head);
  return scratch_;
}

std::span<const trace::BufferRef> ChainTrace::used(std::uint16_t head) const noexcept {
  if (head >= writable_.size()) return {};
  return writable_[head];
}

}  // namespace vgen::virtqueue
