// The recorder's writer side: drains the per-thread buffers (slot_pool.hpp), merges their
// entries by time and writes them to the pcapng log as they stand (each entry is already a
// packet block; the writer patches in the interface of its channel and queue and the
// timestamp in nanoseconds), declaring interfaces as they first appear.
// Runs on the recorder's writer thread; name() may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <vgen/trace/error.hpp>
#include <vgen/trace/hooks.hpp>
#include <vgen/trace/pcapng_writer.hpp>

#include "clock.hpp"
#include "slot_pool.hpp"

namespace vgen::trace::detail {

/// The log file and what the writer knows about its interfaces.
class LogWriter {
 public:
  /// Creates the log at `path`. Throws trace::Error(System).
  LogWriter(const std::string& path, const std::string& application, std::size_t slots);
  /// Sets the description of the interface of (`channel`, `queue`) if not written yet.
  void name(Channel channel, std::uint16_t queue, const std::string& description);
  /// Drains every slot in use once and writes what it held; `unslotted` is the running count
  /// of records lost because no slot was free. Writes a Dropped record when drops grew: after
  /// the records drained, or for a flight recorder before them. When the file cannot be
  /// written, says so once on standard error and empties the buffers from then on without
  /// writing them. Unless `everything` (a flush, the end), entries stamped in the last
  /// kSettleTime stay for the next drain: a thread stamps an entry before it publishes it, so an
  /// entry older than one already drained may still come, and the log must stay in time order.
  void drain(SlotPool& pool, std::uint64_t unslotted, bool everything = true);
  /// How long a streaming drain leaves the newest entries in their buffers (drain()).
  static constexpr std::uint64_t kSettleTimeNs = 2'000'000;
  /// Writes buffered output to the file.
  void flush() { file_.flush(); }
  /// Records written so far, as of the last drain.
  std::uint64_t written() const noexcept { return written_.load(std::memory_order_relaxed); }
  /// Records dropped so far, as last counted by drain().
  std::uint64_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }
  /// Records a flight recorder overwrote before they were written, as last counted by drain().
  std::uint64_t overwritten() const noexcept { return overwritten_.load(std::memory_order_relaxed); }
  /// Bytes of the log so far.
  std::uint64_t bytes() const noexcept { return bytes_.load(std::memory_order_relaxed); }

 private:
  struct Cursor {
    Slot* slot;
    std::byte* ring;
    std::uint64_t position;
    std::uint64_t end;
  };
  std::vector<Cursor> open_cursors(SlotPool& pool);
  bool settle(const SlotPool& pool, Cursor& cursor) const noexcept;
  /// The entry `cursor` is at.
  static std::byte* entry_at(const SlotPool& pool, const Cursor& cursor) noexcept {
    return cursor.ring + (cursor.position & (pool.capacity() - 1));
  }
  Cursor* earliest(const SlotPool& pool, std::vector<Cursor>& cursors,
                   std::uint64_t until = ~std::uint64_t{0}) const noexcept;
  void write_merged(const SlotPool& pool, std::vector<Cursor>& cursors, std::uint64_t until);
  void fail(const Error& error);
  void patch(std::byte* entry);
  std::uint32_t interface_of(Channel channel, std::uint16_t queue);
  std::uint64_t oldest_ticks(const SlotPool& pool, std::vector<Cursor>& cursors) const noexcept;
  void count_drops(SlotPool& pool, std::uint64_t unslotted, std::uint64_t ticks);
  void release(const SlotPool& pool, const std::vector<Cursor>& cursors);

  PcapngWriter file_;
  std::string failure_;  // why the log took no more records (empty while it does)
  Calibration clock_;
  std::mutex names_mutex_;
  std::map<std::uint32_t, std::string> names_;         // key: channel << 16 | queue
  std::map<std::uint32_t, std::uint32_t> interfaces_;  // key -> interface id
  std::uint32_t last_key_ = 0xffffffffu;               // the key last looked up (none at first)
  std::uint32_t last_interface_ = 0;                   // and its interface id
  std::vector<std::uint64_t> slot_drops_;              // drops seen per slot
  std::vector<std::uint64_t> slot_overwritten_;        // entries overwritten, seen per slot
  std::uint64_t lost_ = 0;                             // records the log lacks: dropped and overwritten
  std::uint64_t unslotted_seen_ = 0;
  std::uint64_t rounds_ = 0;
  std::uint64_t written_here_ = 0;  // records written, counted on the writer thread
  std::atomic<std::uint64_t> written_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> overwritten_{0};
  std::atomic<std::uint64_t> bytes_{0};
};

/// The short name and default description of the interface of (`channel`, `queue`).
std::pair<std::string, std::string> default_interface_name(Channel channel, std::uint16_t queue);

}  // namespace vgen::trace::detail
