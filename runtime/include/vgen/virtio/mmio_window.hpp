// The shared memory through which a virtio-mmio driver process and device process meet: a bus
// cycle slot, a completion slot, and three doorbells (request, response, interrupt line).
//
// A trapping MMIO access is modelled as a bus cycle: the driver writes {sequence, offset,
// width, direction, value} into the request slot and rings the request doorbell; the device
// process serves it against its register file and posts {sequence, value, fault} in the
// completion slot, then rings the response doorbell. The register file itself lives in the
// device process only, so each access is validated there and side effects (reset on Status 0,
// QueueNotify) happen on the device side, as they would behind a trap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <vgen/notify/mailbox.hpp>

namespace vgen::virtio {

/// The layout, placed at the start of a shared page. Every field is accessed with atomics.
struct MmioWindow {
  /// "vgmw" in little-endian, in header.magic once formatted.
  static constexpr std::uint32_t kMagic = 0x776d6776;
  /// Layout version in header.layout_version.
  static constexpr std::uint32_t kLayoutVersion = 1;
  /// Bytes a window needs (rounded to a page by Region::create).
  static constexpr std::size_t kBytes = 512;

  /// Identification and statistics; `stop` is the host's power switch, not a register.
  struct alignas(64) Header {
    std::uint32_t magic;           ///< kMagic
    std::uint32_t layout_version;  ///< kLayoutVersion
    std::uint32_t stop;            ///< set by the host to stop the device server (not a register)
    std::uint32_t reserved;
    std::uint64_t cycles_served;  ///< accesses the device served (statistics)
    std::uint64_t faults;         ///< accesses the device answered with a fault (statistics)
  };
  /// The bus cycle the driver posts.
  struct alignas(64) Request {
    std::uint32_t sequence;  ///< written last (release): a new request when != completion.sequence
    std::uint32_t offset;    ///< from the register window's base
    std::uint32_t width;     ///< 1, 2 or 4
    std::uint32_t is_write;  ///< 1 for a write, 0 for a read
    std::uint32_t value;     ///< the value written
  };
  /// The device's answer to the last cycle it served.
  struct alignas(64) Completion {
    std::uint32_t sequence;  ///< written last (release): the request it answers
    std::uint32_t value;     ///< the value read
    std::uint32_t fault;     ///< an AccessFault
  };

  Header header;                              ///< written by format(); counters by the device
  Request request;                            ///< written by the driver
  Completion completion;                      ///< written by the device
  notify::MailboxRegister request_doorbell;   ///< driver -> device: a request is posted
  notify::MailboxRegister response_doorbell;  ///< device -> driver: the completion is posted
  notify::MailboxRegister interrupt_line;     ///< device -> driver: the interrupt line

  /// Zero-fills `size` bytes at `memory` and writes the header; returns the window there.
  /// Throws virtio::Error(InvalidArgument) if the memory is smaller than kBytes or not
  /// 64-byte aligned.
  static MmioWindow& format(std::byte* memory, std::size_t size);
  /// The window formatted at `memory` by a peer. Throws virtio::Error(InvalidArgument) for a
  /// small or misaligned area, a wrong magic or layout version.
  static MmioWindow& attach(std::byte* memory, std::size_t size);
};
static_assert(std::is_standard_layout_v<MmioWindow>);
static_assert(std::is_trivially_copyable_v<MmioWindow>);
static_assert(sizeof(MmioWindow) <= MmioWindow::kBytes);

}  // namespace vgen::virtio
