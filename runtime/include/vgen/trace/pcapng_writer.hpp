// Writes a pcapng log: one section header, then interface description blocks and enhanced
// packet blocks as they come (pcapng.hpp). Output is buffered and written to the file in
// large pieces; flush() pushes it out. Timestamps are nanoseconds (each interface declares
// if_tsresol 9). Not thread-safe: the recorder's writer thread owns it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace vgen::trace {

/// What an interface description block says about one interface.
struct InterfaceInfo {
  std::string name;               ///< if_name: short, e.g. "vq0"
  std::string description;        ///< if_description: what the interface carries
  std::uint16_t link_type = 147;  ///< LINKTYPE_USER0: vgen records
  std::uint32_t snap_length = 0;  ///< most bytes stored per packet, 0 for no limit
};

/// A pcapng file being written.
class PcapngWriter {
 public:
  /// Creates (or truncates) `path` and writes the section header naming `application`.
  /// Throws trace::Error(System) when the file cannot be created.
  PcapngWriter(const std::string& path, const std::string& application);
  /// Takes ownership of the open file descriptor `fd`, then as above.
  PcapngWriter(int fd, const std::string& application);
  PcapngWriter(const PcapngWriter&) = delete;
  PcapngWriter& operator=(const PcapngWriter&) = delete;
  /// Flushes (errors ignored) and closes the file.
  ~PcapngWriter();

  /// Writes an interface description block; returns the interface's id (0, 1, ... in order).
  std::uint32_t add_interface(const InterfaceInfo& info);
  /// Writes an enhanced packet block for `interface` at `timestamp_ns` (nanoseconds since
  /// the epoch) holding `data`, whose uncut length was `original_length` (>= data.size()).
  void write_packet(std::uint32_t interface, std::uint64_t timestamp_ns, std::span<const std::byte> data,
                    std::uint64_t original_length);
  /// Writes an interface statistics block: `dropped` packets lost on `interface`.
  void write_drops(std::uint32_t interface, std::uint64_t timestamp_ns, std::uint64_t dropped);
  /// Writes `block`, a whole block made elsewhere, as it stands.
  void write_block(std::span<const std::byte> block);
  /// Writes everything buffered to the file. Throws trace::Error(System) on failure.
  void flush();
  /// Bytes written so far, buffered ones included.
  std::uint64_t bytes() const noexcept { return written_ + used_; }

 private:
  void write_section_header(const std::string& application);
  std::byte* reserve(std::size_t bytes);
  void put_option(std::byte*& at, std::uint16_t code, std::span<const std::byte> value) noexcept;

  int fd_ = -1;
  std::vector<std::byte> buffer_;  // output not written yet: the first used_ bytes
  std::size_t used_ = 0;
  std::uint64_t written_ = 0;
  std::uint32_t interfaces_ = 0;
};

}  // namespace vgen::trace
