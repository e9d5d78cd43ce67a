// A descriptor chain as the device sees it after validation, and cursors over its buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <vgen/shm/memory.hpp>
#include <vgen/virtqueue/layout.hpp>

namespace vgen::virtqueue {

/// One buffer of a chain, already bounds-checked and translated into this process.
struct Segment {
  std::byte* data = nullptr;   ///< host pointer to the first byte
  std::uint32_t length = 0;    ///< bytes
  shm::GuestAddress addr = 0;  ///< guest address (for tracing and diagnostics)
};

/// A validated chain: device-readable segments first, then device-writable ones (§2.7.4).
/// The descriptors were copied once when the chain was taken, so a peer rewriting the table
/// afterwards changes nothing here. Reused across take() calls to avoid allocation.
class DescriptorChain {
 public:
  /// Head index to return in the used ring.
  std::uint16_t head() const noexcept { return head_; }
  /// Buffers the device may read.
  std::span<const Segment> readable() const noexcept { return {segments_.data(), first_writable_}; }
  /// Buffers the device may write.
  std::span<const Segment> writable() const noexcept {
    return {segments_.data() + first_writable_, segments_.size() - first_writable_};
  }
  /// Total bytes of readable() / writable().
  std::uint64_t readable_bytes() const noexcept { return readable_bytes_; }
  std::uint64_t writable_bytes() const noexcept { return writable_bytes_; }
  /// Number of descriptors the chain used (indirect ones count their table entries).
  std::size_t descriptor_count() const noexcept { return descriptors_; }

  /// Empties the chain and sets its head (used by the queue that fills it).
  void reset(std::uint16_t head) noexcept;
  /// Appends a readable segment; the caller has checked that no writable one came before.
  void add_readable(const Segment& s);
  /// Appends a writable segment.
  void add_writable(const Segment& s);
  /// Counts one more descriptor walked.
  void count_descriptor() noexcept { ++descriptors_; }

 private:
  void append(const Segment& s);

  std::vector<Segment> segments_;
  // The two totals apart: next to each other, a reader of both (a trace event) may load them
  // as one 16-byte block, which the two stores that just set them cannot forward, so that the
  // load waits for every store before them to reach the cache.
  std::uint64_t readable_bytes_ = 0;
  std::size_t first_writable_ = 0;
  std::uint64_t writable_bytes_ = 0;
  std::size_t descriptors_ = 0;
  std::uint16_t head_ = 0;
};

/// Reads the readable part of a chain as one byte stream.
class ChainReader {
 public:
  explicit ChainReader(const DescriptorChain& chain) noexcept : segments_(chain.readable()) {}
  /// Copies up to out.size() bytes; returns how many were copied (less at the end).
  std::size_t read(std::span<std::byte> out) noexcept;
  /// Bytes not read yet.
  std::uint64_t remaining() const noexcept;

 private:
  std::span<const Segment> segments_;
  std::size_t segment_ = 0;
  std::size_t offset_ = 0;
};

/// Writes the writable part of a chain as one byte stream; written() is the used length.
class ChainWriter {
 public:
  explicit ChainWriter(const DescriptorChain& chain) noexcept : segments_(chain.writable()) {}
  /// Copies up to in.size() bytes; returns how many fit.
  std::size_t write(std::span<const std::byte> in) noexcept;
  /// Moves on up to `bytes` without copying, for a device that filled the segments itself
  /// (through writable(), e.g. with readv()); returns how far it moved.
  std::uint64_t skip(std::uint64_t bytes) noexcept;
  /// Bytes written so far, the len to put in the used element (§2.7.8.2). Only a chain of
  /// exactly 2^32 writable bytes (§2.7.5.2 allows it) holds more than the 32-bit len can
  /// state: written in full it reports kMaxUsedLength, as a device may write more than len.
  std::uint32_t written() const noexcept {
    return written_ > kMaxUsedLength ? kMaxUsedLength : static_cast<std::uint32_t>(written_);
  }
  /// Room left.
  std::uint64_t remaining() const noexcept;

 private:
  std::uint64_t advance(std::uint64_t bytes, const std::byte* from) noexcept;

  std::span<const Segment> segments_;
  std::size_t segment_ = 0;
  std::size_t offset_ = 0;
  std::uint64_t written_ = 0;
};

}  // namespace vgen::virtqueue
