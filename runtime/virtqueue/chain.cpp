#include <vgen/virtqueue/chain.hpp>

#include <algorithm>
#include <cstring>

namespace vgen::virtqueue {

void DescriptorChain::reset(std::uint16_t head) noexcept {
  segments_.clear();
  first_writable_ = 0;
  readable_bytes_ = 0;
  writable_bytes_ = 0;
  descriptors_ = 0;
  head_ = head;
}

// Field by field: the caller has just built `s` in pieces, and one wide load of it, which no
// store can forward, would wait for every store before it to reach the cache. Made in place
// from the three fields where the compiler builds an aggregate from emplace_back()'s arguments
// (GCC 10, clang 16); a copy of a temporary otherwise (clang 14, the sanitizer builds).
inline void DescriptorChain::append(const Segment& s) {
#if defined(__cpp_aggregate_paren_init) && __cpp_aggregate_paren_init >= 201902L
  segments_.emplace_back(s.data, s.length, s.addr);
#else
  segments_.push_back(Segment{s.data, s.length, s.addr});
#endif
}

void DescriptorChain::add_readable(const Segment& s) {
  append(s);
  first_writable_ = segments_.size();
  readable_bytes_ += s.length;
}

void DescriptorChain::add_writable(const Segment& s) {
  append(s);
  writable_bytes_ += s.length;
}

std::size_t ChainReader::read(std::span<std::byte> out) noexcept {
  std::size_t copied = 0;
  while (copied < out.size() && segment_ < segments_.size()) {
    const Segment& s = segments_[segment_];
    const std::size_t n = std::min<std::size_t>(out.size() - copied, s.length - offset_);
    if (n > 0) std::memcpy(out.data() + copied, s.data + offset_, n);
    copied += n;
    offset_ += n;
    if (offset_ == s.length) {
      ++segment_;
      offset_ = 0;
    }
  }
  return copied;
}

std::uint64_t ChainReader::remaining() const noexcept {
  std::uint64_t left = 0;
  for (std::size_t i = segment_; i < segments_.size(); ++i) left += segments_[i].length;
  return left - offset_;
}

std::size_t ChainWriter::write(std::span<const std::byte> in) noexcept {
  return static_cast<std::size_t>(advance(in.size(), in.data()));
}

std::uint64_t ChainWriter::skip(std::uint64_t bytes) noexcept { return advance(bytes, nullptr); }

// Moves the cursor up to `bytes` on, copying from `from` unless it is null.
std::uint64_t ChainWriter::advance(std::uint64_t bytes, const std::byte* from) noexcept {
  std::uint64_t moved = 0;
  while (moved < bytes && segment_ < segments_.size()) {
    const Segment& s = segments_[segment_];
    const std::uint64_t n = std::min<std::uint64_t>(bytes - moved, s.length - offset_);
    if (from != nullptr && n > 0) std::memcpy(s.data + offset_, from + moved, n);
    moved += n;
    offset_ += n;
    if (offset_ == s.length) {
      ++segment_;
      offset_ = 0;
    }
  }
  written_ += moved;
  return moved;
}

std::uint64_t ChainWriter::remaining() const noexcept {
  std::uint64_t left = 0;
  for (std::size_t i = segment_; i < segments_.size(); ++i) left += segments_[i].length;
  return left - offset_;
}

}  // namespace vgen::virtqueue
