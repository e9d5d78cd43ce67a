#include "vgen/trace/log_reader.hpp"

#include <string>

#include <vgen/endian.hpp>
#include <vgen/trace/detail/bytes.hpp>
#include <vgen/trace/error.hpp>
#include <vgen/trace/pcapng.hpp>

namespace vgen::trace {
namespace {

[[noreturn]] void corrupt(const Block& block, const std::string& why) {
  throw Error(ErrorCode::Corrupt, block.offset, why);
}

// Integers of a block body in its section's byte order.
template <class T>
T field(const Block& block, std::size_t at) noexcept {
  const T value = detail::load_le<T>(block.body.data() + at);
  return block.swapped ? byte_swap(value) : value;
}

void require_body(const Block& block, std::size_t bytes, const char* what) {
  if (block.body.size() < bytes) {
    corrupt(block, std::string(what) + " of " + std::to_string(block.body.size() + pcapng::kBlockOverhead) +
                       " bytes is too short for its fixed fields");
  }
}

// Calls `visit(code, value)` for each option from `at` to the end of the body.
template <class Visit>
void for_each_option(const Block& block, std::size_t at, Visit&& visit) {
  while (at + 4 <= block.body.size()) {
    const std::uint16_t code = field<std::uint16_t>(block, at);
    const std::uint16_t length = field<std::uint16_t>(block, at + 2);
    if (code == pcapng::kOptEnd) return;
    if (at + 4 + pcapng::padded(length) > block.body.size()) {
      corrupt(block, "option " + std::to_string(code) + " of " + std::to_string(length) + " bytes runs past its block");
    }
    visit(code, block.body.subspan(at + 4, length));
    at += 4 + pcapng::padded(length);
  }
}

std::string text(std::span<const std::byte> value) {
  return {reinterpret_cast<const char*>(value.data()), value.size()};
}

// Multiplies `ticks` by 10^exponent (positive or negative) without overflow for sane values.
std::uint64_t scale10(std::uint64_t ticks, int exponent) noexcept {
  for (; exponent > 0; --exponent) ticks *= 10;
  for (; exponent < 0; ++exponent) ticks /= 10;
  return ticks;
}

std::uint64_t to_nanoseconds(std::uint64_t ticks, std::uint8_t resolution) noexcept {
  if ((resolution & 0x80) == 0) return scale10(ticks, 9 - static_cast<int>(resolution));
  const unsigned shift = resolution & 0x7f;
  if (shift >= 64) return 0;
  return static_cast<std::uint64_t>((static_cast<unsigned __int128>(ticks) * 1000000000u) >> shift);
}

}  // namespace

LogReader::LogReader(const std::string& path) : blocks_(path) {}

void LogReader::read_section(const Block& block) {
  require_body(block, 16, "section header block");
  const std::uint16_t major = field<std::uint16_t>(block, 4);
  const std::uint16_t minor = field<std::uint16_t>(block, 6);
  if (major > pcapng::kMajorVersion) {
    throw Error(ErrorCode::FutureVersion, block.offset,
                "pcapng section version " + std::to_string(major) + "." + std::to_string(minor) +
                    " is newer than this vgen reads (1.x)");
  }
  if (major == 0) corrupt(block, "pcapng section version 0." + std::to_string(minor) + " does not exist");
  interfaces_.clear();
  ++sections_;
}

void LogReader::read_interface(const Block& block) {
  require_body(block, 8, "interface description block");
  LogInterface interface;
  interface.link_type = field<std::uint16_t>(block, 0);
  interface.snap_length = field<std::uint32_t>(block, 4);
  for_each_option(block, 8, [&](std::uint16_t code, std::span<const std::byte> value) {
    if (code == pcapng::kIfName) interface.name = text(value);
    if (code == pcapng::kIfDescription) interface.description = text(value);
    if (code == pcapng::kIfTimestampResolution) {
      if (value.size() != 1) corrupt(block, "if_tsresol of " + std::to_string(value.size()) + " bytes, not 1");
      interface.resolution = static_cast<std::uint8_t>(value[0]);
      const unsigned exponent = interface.resolution & 0x7f;
      if ((interface.resolution & 0x80) == 0 && exponent > 18) {
        corrupt(block, "if_tsresol 10^-" + std::to_string(exponent) + " is finer than vgen reads (10^-18)");
      }
    }
  });
  interfaces_.push_back(std::move(interface));
}

// Decodes an enhanced packet block into current_; false for a packet to skip.
bool LogReader::read_packet(const Block& block) {
  require_body(block, 20, "enhanced packet block");
  const std::uint32_t interface = field<std::uint32_t>(block, 0);
  const std::uint32_t captured = field<std::uint32_t>(block, 12);
  const std::uint32_t original = field<std::uint32_t>(block, 16);
  if (interface >= interfaces_.size()) {
    corrupt(block, "packet on interface " + std::to_string(interface) + ", but the section declared " +
                       std::to_string(interfaces_.size()));
  }
  if (20 + pcapng::padded(captured) > block.body.size()) {
    corrupt(block, "packet of " + std::to_string(captured) + " captured bytes in a block with room for " +
                       std::to_string(block.body.size() - 20));
  }
  if (!interfaces_[interface].carries_records()) {
    ++foreign_packets_;
    return false;
  }
  const std::uint64_t ticks = (std::uint64_t{field<std::uint32_t>(block, 4)} << 32) | field<std::uint32_t>(block, 8);
  current_.offset = block.offset;
  current_.section = sections_ - 1;
  current_.interface = interface;
  current_.timestamp_ns = to_nanoseconds(ticks, interfaces_[interface].resolution);
  try {
    current_.record = decode(block.body.subspan(20, captured), original);
  } catch (const Error& error) {
    throw Error(error.code(), block.offset, error.what());
  }
  return true;
}

// The next record of the group being read into current_; false after its last.
bool LogReader::next_in_group() {
  try {
    if (group_->next(current_.record)) return true;
  } catch (const Error& error) {
    group_.reset();
    throw Error(error.code(), current_.offset, error.what());
  }
  group_.reset();
  return false;
}

const LogRecord* LogReader::next() {
  if (group_ && next_in_group()) return &current_;
  while (const std::optional<Block> block = blocks_.next()) {
    switch (block->type) {
      case pcapng::kSectionHeader:
        read_section(*block);
        break;
      case pcapng::kInterfaceDescription:
        read_interface(*block);
        break;
      case pcapng::kEnhancedPacket:
        if (!read_packet(*block)) break;
        if (current_.record.kind != EventKind::Group) return &current_;
        group_.emplace(current_.record);
        if (next_in_group()) return &current_;
        break;
      default:
        break;  // other blocks carry nothing vgen records
    }
  }
  return nullptr;
}

}  // namespace vgen::trace
