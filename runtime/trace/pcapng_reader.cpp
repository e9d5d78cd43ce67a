#include "vgen/trace/pcapng_reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <vgen/endian.hpp>
#include <vgen/format.hpp>
#include <vgen/trace/error.hpp>
#include <vgen/trace/pcapng.hpp>

namespace vgen::trace {
namespace {

constexpr std::size_t kReadChunk = 64 << 10;

[[noreturn]] void corrupt(std::uint64_t offset, const std::string& why) {
  throw Error(ErrorCode::Corrupt, offset, why);
}

std::string block_name(std::uint32_t type) {
  switch (type) {
    case pcapng::kSectionHeader:
      return "section header block";
    case pcapng::kInterfaceDescription:
      return "interface description block";
    case pcapng::kEnhancedPacket:
      return "enhanced packet block";
    case pcapng::kInterfaceStatistics:
      return "interface statistics block";
    default:
      return "block of type " + std::to_string(type);
  }
}

}  // namespace

PcapngReader::PcapngReader(const std::string& path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw Error(ErrorCode::System, "cannot open trace log '" + path + "': " + std::strerror(errno));
  buffer_.resize(kReadChunk);
}

PcapngReader::~PcapngReader() { ::close(fd_); }

// Makes `bytes` unconsumed bytes available; false when the file ends first.
bool PcapngReader::fill(std::size_t bytes) {
  if (end_ - start_ >= bytes) return true;
  if (start_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
  }
  if (buffer_.size() < bytes) buffer_.resize(bytes);
  while (end_ < bytes) {
    const ssize_t n = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      throw Error(ErrorCode::System, offset_, std::string("cannot read the trace log: ") + std::strerror(errno));
    if (n == 0) return false;
    end_ += static_cast<std::size_t>(n);
  }
  return true;
}

std::uint32_t PcapngReader::peek32(std::size_t at, bool swapped) const noexcept {
  std::uint32_t value;
  std::memcpy(&value, buffer_.data() + start_ + at, 4);
  value = little_endian(value);  // vgen reads as little-endian first
  return swapped ? byte_swap(value) : value;
}

// A section header decides the byte order of what follows: reads its magic (12 bytes must
// be available). False when the file ends first.
bool PcapngReader::section_order(std::uint64_t block_offset, bool& swapped) {
  if (!fill(12)) return false;
  const std::uint32_t magic = peek32(8, false);
  if (magic == pcapng::kByteOrderMagic) {
    swapped = false;
  } else if (magic == byte_swap(pcapng::kByteOrderMagic)) {
    swapped = true;
  } else {
    corrupt(block_offset,
            "section header block with byte-order magic " + hex(magic) + ", not 0x1a2b3c4d in either byte order");
  }
  return true;
}

std::optional<Block> PcapngReader::next() {
  const std::uint64_t at = offset_;
  const auto truncated = [&](const std::string& what) -> std::optional<Block> {
    if (follow_) return std::nullopt;
    throw Error(ErrorCode::Truncated, at,
                "the log ends inside " + what + " (" + std::to_string(end_ - start_) + " bytes of it present)");
  };
  if (!fill(8)) return end_ == start_ ? std::nullopt : truncated("a block header");
  bool swapped = swapped_;
  const std::uint32_t raw_type = peek32(0, false);
  const bool section = raw_type == pcapng::kSectionHeader;
  if (!seen_section_ && !section) corrupt(at, "a pcapng log starts with a section header block; this is not one");
  if (section && !section_order(at, swapped)) return truncated("a section header block");
  const std::uint32_t type = section ? raw_type : peek32(0, swapped);
  const std::uint32_t total = peek32(4, swapped);
  if (total < pcapng::kBlockOverhead || total % 4 != 0 || total > pcapng::kMaxBlockBytes) {
    corrupt(at, block_name(type) + " with total length " + std::to_string(total) +
                    " (a length is a multiple of 4 from 12 to 16 MiB)");
  }
  if (!fill(total)) return truncated("a " + std::to_string(total) + "-byte " + block_name(type));
  const std::uint32_t trailer = peek32(total - 4, swapped);
  if (trailer != total) {
    corrupt(at, block_name(type) + " with total length " + std::to_string(total) + " at its start and " +
                    std::to_string(trailer) + " at its end");
  }
  Block block{type, at, {buffer_.data() + start_ + 8, total - pcapng::kBlockOverhead}, swapped};
  start_ += total;
  offset_ += total;
  if (section) {
    swapped_ = swapped;
    seen_section_ = true;
  }
  return block;
}

}  // namespace vgen::trace
