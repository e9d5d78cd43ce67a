// Reads a pcapng file block by block, streaming: only the block being read is in memory, so
// memory stays flat however long the log is. Every length is checked before it is followed;
// a log that ends inside a block, or a block whose lengths disagree, is a trace::Error
// naming the byte offset where that block starts. Blocks read before it were complete.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace vgen::trace {

/// One block: its type, where it starts, and its body (between the leading type and length
/// and the trailing length), valid until the next call to next().
struct Block {
  std::uint32_t type = 0;           ///< block type, in host order
  std::uint64_t offset = 0;         ///< byte offset of the block in the file
  std::span<const std::byte> body;  ///< the body bytes, in the section's byte order
  bool swapped = false;             ///< true when the section is big-endian on this host
};

/// A pcapng file open for reading.
class PcapngReader {
 public:
  /// Opens `path`. Throws trace::Error(System) when it cannot be opened.
  explicit PcapngReader(const std::string& path);
  PcapngReader(const PcapngReader&) = delete;
  PcapngReader& operator=(const PcapngReader&) = delete;
  ~PcapngReader();

  /// In follow mode, a log that ends inside a block is a log still being written: next()
  /// returns nothing and reads the rest of the block on a later call.
  void set_follow(bool follow) noexcept { follow_ = follow; }
  /// The next block, or nothing at the end of the file. Throws trace::Error: Corrupt (a file
  /// that does not start with a section header, a block length below 12, not a multiple of
  /// 4, over 16 MiB, or different at its two ends, a bad byte-order magic), FutureVersion (a
  /// section of a major version above 1), Truncated (the file ends inside a block, outside
  /// follow mode), System (a read failed).
  std::optional<Block> next();
  /// Bytes of the file consumed so far (the offset of the next block).
  std::uint64_t offset() const noexcept { return offset_; }

 private:
  bool fill(std::size_t bytes);
  std::uint32_t peek32(std::size_t at, bool swapped) const noexcept;
  bool section_order(std::uint64_t block_offset, bool& swapped);

  int fd_ = -1;
  std::vector<std::byte> buffer_;
  std::size_t start_ = 0;  // first unconsumed byte of buffer_
  std::size_t end_ = 0;    // one past the last valid byte of buffer_
  std::uint64_t offset_ = 0;
  bool swapped_ = false;
  bool seen_section_ = false;
  bool follow_ = false;
};

}  // namespace vgen::trace
