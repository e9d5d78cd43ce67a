#include "vgen/trace/pcapng_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include <vgen/trace/detail/bytes.hpp>
#include <vgen/trace/error.hpp>
#include <vgen/trace/pcapng.hpp>

namespace vgen::trace {
namespace {

using detail::store_le;

constexpr std::size_t kFlushThreshold = 256 << 10;
constexpr std::uint8_t kNanoseconds = 9;  // if_tsresol: 10^-9 s

std::size_t option_bytes(std::size_t value_bytes) noexcept { return 4 + pcapng::padded(value_bytes); }

std::span<const std::byte> text_bytes(const std::string& text) noexcept {
  return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}

[[noreturn]] void system_error(const std::string& what) {
  throw Error(ErrorCode::System, what + ": " + std::strerror(errno));
}

int create(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) system_error("cannot create trace log '" + path + "'");
  return fd;
}

// Writes the block frame (type, total length at both ends) around `body_bytes` at `at`.
void frame(std::byte* at, std::uint32_t type, std::size_t total) noexcept {
  store_le<std::uint32_t>(at, type);
  store_le<std::uint32_t>(at + 4, static_cast<std::uint32_t>(total));
  store_le<std::uint32_t>(at + total - 4, static_cast<std::uint32_t>(total));
}

}  // namespace

PcapngWriter::PcapngWriter(const std::string& path, const std::string& application)
    : PcapngWriter(create(path), application) {}

PcapngWriter::PcapngWriter(int fd, const std::string& application) : fd_(fd) {
  buffer_.resize(kFlushThreshold);
  write_section_header(application);
}

PcapngWriter::~PcapngWriter() {
  try {
    flush();
  } catch (const Error&) {
  }
  ::close(fd_);
}

std::byte* PcapngWriter::reserve(std::size_t bytes) {
  if (used_ + bytes > kFlushThreshold) flush();
  if (used_ + bytes > buffer_.size()) buffer_.resize(used_ + bytes);  // a block larger than the threshold
  const std::size_t at = used_;
  used_ += bytes;
  return buffer_.data() + at;
}

void PcapngWriter::put_option(std::byte*& at, std::uint16_t code, std::span<const std::byte> value) noexcept {
  store_le<std::uint16_t>(at, code);
  store_le<std::uint16_t>(at + 2, static_cast<std::uint16_t>(value.size()));
  if (!value.empty()) std::memcpy(at + 4, value.data(), value.size());
  std::memset(at + 4 + value.size(), 0, pcapng::padded(value.size()) - value.size());
  at += option_bytes(value.size());
}

void PcapngWriter::write_section_header(const std::string& application) {
  const std::size_t total = pcapng::kBlockOverhead + 16 + option_bytes(application.size()) + 4;
  std::byte* block = reserve(total);
  frame(block, pcapng::kSectionHeader, total);
  store_le<std::uint32_t>(block + 8, pcapng::kByteOrderMagic);
  store_le<std::uint16_t>(block + 12, pcapng::kMajorVersion);
  store_le<std::uint16_t>(block + 14, pcapng::kMinorVersion);
  store_le<std::int64_t>(block + 16, -1);  // section length not known
  std::byte* at = block + 24;
  put_option(at, pcapng::kShbUserApplication, text_bytes(application));
  put_option(at, pcapng::kOptEnd, {});
}

std::uint32_t PcapngWriter::add_interface(const InterfaceInfo& info) {
  const std::byte resolution[1] = {std::byte{kNanoseconds}};
  const std::size_t total = pcapng::kBlockOverhead + 8 + option_bytes(info.name.size()) +
                            option_bytes(info.description.size()) + option_bytes(1) + 4;
  std::byte* block = reserve(total);
  frame(block, pcapng::kInterfaceDescription, total);
  store_le<std::uint16_t>(block + 8, info.link_type);
  store_le<std::uint16_t>(block + 10, 0);
  store_le<std::uint32_t>(block + 12, info.snap_length);
  std::byte* at = block + 16;
  put_option(at, pcapng::kIfName, text_bytes(info.name));
  put_option(at, pcapng::kIfDescription, text_bytes(info.description));
  put_option(at, pcapng::kIfTimestampResolution, resolution);
  put_option(at, pcapng::kOptEnd, {});
  return interfaces_++;
}

void PcapngWriter::write_packet(std::uint32_t interface, std::uint64_t timestamp_ns, std::span<const std::byte> data,
                                std::uint64_t original_length) {
  const std::size_t total = pcapng::kBlockOverhead + 20 + pcapng::padded(data.size());
  std::byte* block = reserve(total);
  frame(block, pcapng::kEnhancedPacket, total);
  store_le<std::uint32_t>(block + 8, interface);
  store_le<std::uint32_t>(block + 12, static_cast<std::uint32_t>(timestamp_ns >> 32));
  store_le<std::uint32_t>(block + 16, static_cast<std::uint32_t>(timestamp_ns));
  store_le<std::uint32_t>(block + 20, static_cast<std::uint32_t>(data.size()));
  constexpr std::uint64_t kMaxLength = std::numeric_limits<std::uint32_t>::max();
  store_le<std::uint32_t>(block + 24, static_cast<std::uint32_t>(std::min(original_length, kMaxLength)));
  if (!data.empty()) std::memcpy(block + 28, data.data(), data.size());
  std::memset(block + 28 + data.size(), 0, pcapng::padded(data.size()) - data.size());
}

void PcapngWriter::write_drops(std::uint32_t interface, std::uint64_t timestamp_ns, std::uint64_t dropped) {
  std::byte count[8];
  store_le<std::uint64_t>(count, dropped);
  const std::size_t total = pcapng::kBlockOverhead + 12 + option_bytes(8) + 4;
  std::byte* block = reserve(total);
  frame(block, pcapng::kInterfaceStatistics, total);
  store_le<std::uint32_t>(block + 8, interface);
  store_le<std::uint32_t>(block + 12, static_cast<std::uint32_t>(timestamp_ns >> 32));
  store_le<std::uint32_t>(block + 16, static_cast<std::uint32_t>(timestamp_ns));
  std::byte* at = block + 20;
  put_option(at, pcapng::kIsbInterfaceDrop, count);
  put_option(at, pcapng::kOptEnd, {});
}

void PcapngWriter::write_block(std::span<const std::byte> block) {
  std::memcpy(reserve(block.size()), block.data(), block.size());
}

void PcapngWriter::flush() {
  std::size_t done = 0;
  while (done < used_) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, used_ - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::memmove(buffer_.data(), buffer_.data() + done, used_ - done);
      used_ -= done;
      written_ += done;
      system_error("cannot write the trace log");
    }
    done += static_cast<std::size_t>(n);
  }
  written_ += done;
  used_ = 0;
}

}  // namespace vgen::trace
