// Watching a split virtqueue (VirtIO 1.2 §2.7) that two other parties drive, through a
// read-only view of the guest memory: every chain the driver makes available and every used
// entry the device returns, recorded as AvailSeen and UsedSeen events (docs/trace.md). The
// observer writes nothing, so what it reads may be hostile or change under it: every index,
// descriptor and length is checked before it is followed, and a ring that breaks the rules is
// reported and no longer followed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <vgen/shm/memory.hpp>
#include <vgen/trace/hooks.hpp>

namespace vgen::trace_tap {

/// Where a ring's three parts are, as guest addresses, and its size.
struct RingLayout {
  std::uint64_t desc = 0;   ///< descriptor table (§2.7.5)
  std::uint64_t avail = 0;  ///< driver area, the available ring (§2.7.6)
  std::uint64_t used = 0;   ///< device area, the used ring (§2.7.8)
  std::uint16_t size = 0;   ///< Queue Size, a power of two up to 32768
};

/// One observed ring. Not thread-safe; the memory view must outlive it.
class RingObserver {
 public:
  /// Observes ring `queue` laid out as `layout` in `memory`: chains from avail index
  /// `next_avail` on, used entries from `next_used` on (none: the used idx the ring holds
  /// now). A ring whose parts are misaligned or not mapped is broken() from the start, the
  /// reason in error().
  RingObserver(std::uint16_t queue, const RingLayout& layout, const shm::GuestMemory& memory, std::uint16_t next_avail,
               std::optional<std::uint16_t> next_used = std::nullopt);

  /// Records every chain made available and every used entry returned since the last scan
  /// into `sink`; returns how many records it made. After a rule is broken it records one
  /// QueueBroken event, keeps error(), and records nothing more.
  std::size_t scan(trace::TraceSink& sink);
  /// The next avail and used entries scan() looks at (to carry on in a new observer).
  std::uint16_t next_avail() const noexcept { return next_avail_; }
  std::uint16_t next_used() const noexcept { return next_used_; }
  /// The avail idx the driver published, read now (0 for a broken ring).
  std::uint16_t read_avail_idx() const noexcept;
  /// The avail idx the driver published, as last read (for a kick's record).
  std::uint16_t avail_idx() const noexcept { return avail_idx_; }
  /// The used idx the device published, as last read (for an interrupt's record).
  std::uint16_t used_idx() const noexcept { return used_idx_; }
  /// True once the ring broke a rule (or could not be observed at all).
  bool broken() const noexcept { return !error_.empty(); }
  /// Why the ring is not followed, or "".
  const std::string& error() const noexcept { return error_; }

 private:
  struct Buffer {
    std::uint64_t addr;
    std::uint32_t length;
    std::uint16_t flags;
  };

  bool walk(std::uint16_t head, std::vector<Buffer>& out, std::string& why) const;
  void fail(trace::TraceSink& sink, std::uint32_t code, const std::string& why);
  void emit(trace::TraceSink& sink, trace::EventKind kind, std::uint16_t head, std::uint32_t index, std::uint64_t a,
            std::uint64_t b, const std::vector<Buffer>& buffers, bool writable_only);

  std::uint16_t queue_;
  RingLayout layout_;
  const shm::GuestMemory& memory_;
  const std::byte* avail_ = nullptr;
  const std::byte* used_ = nullptr;
  std::uint16_t next_avail_;
  std::uint16_t next_used_ = 0;
  std::uint16_t avail_idx_ = 0;
  std::uint16_t used_idx_ = 0;
  std::vector<std::vector<Buffer>> chains_;  // by head: the chain as it was made available
  std::vector<trace::BufferRef> refs_;       // scratch for one event
  std::string error_;
};

/// QueueBroken error codes this observer records (the event's index).
enum class ObserverError : std::uint32_t {
  Unmapped = 1,     ///< a ring part is not inside one mapped region
  AvailJump = 2,    ///< the avail idx moved by more than the ring size
  BadHead = 3,      ///< a head or next index past the table
  Loop = 4,         ///< a chain longer than the table (a loop)
  BadIndirect = 5,  ///< an indirect table unmapped, misaligned, empty or nested
  UsedJump = 6,     ///< the used idx moved by more than the ring size
};

}  // namespace vgen::trace_tap
