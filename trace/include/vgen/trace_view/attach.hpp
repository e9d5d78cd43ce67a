// `vgen trace attach`: records a split virtqueue that a driver and a device of any origin
// share, without their cooperation. The ring lives in a file or a memfd (another process's,
// opened as /proc/PID/fd/N); attach reads it with pread() every interval and writes what
// appears in its avail and used rings to a trace log (virtqueue::RingObserver: AvailSeen and
// UsedSeen records on interface vqN). docs/trace.md, "Attaching to a ring".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace vgen::trace_view {

/// What `vgen trace attach` was asked to do.
struct AttachOptions {
  std::string file;                                 ///< the file or memfd holding the ring (and its buffers)
  std::string log;                                  ///< the trace log to write
  std::uint32_t queue_size = 0;                     ///< entries of the queue
  std::optional<std::uint64_t> ring;                ///< vring_init()'s layout at this guest address, or
  std::uint64_t align = 4096;                       ///< with `ring`: the used ring's alignment
  std::optional<std::uint64_t> desc;                ///< the descriptor table's guest address
  std::optional<std::uint64_t> avail;               ///< the avail ring's guest address
  std::optional<std::uint64_t> used;                ///< the used ring's guest address
  std::uint64_t base = 0;                           ///< the guest address of the file's first byte
  std::uint16_t queue = 0;                          ///< queue index the records carry
  bool from_start = false;                          ///< report the ring's entries from index 0
  std::optional<std::uint64_t> count;               ///< stop after this many used entries
  std::optional<double> duration;                   ///< stop after this many seconds
  std::uint32_t interval_us = 1000;                 ///< pause between two polls, in microseconds
  std::uint32_t snap = 256;                         ///< payload bytes kept per record
  bool flight = false;                              ///< keep only the latest records (trace::RecorderMode::Flight)
  std::size_t buffer_bytes = std::size_t{1} << 20;  ///< the recorder's buffer
};

/// Exit statuses of attach().
inline constexpr int kAttachDone = 0;        ///< stopped as asked (count, duration or a signal)
inline constexpr int kAttachRingLost = 1;    ///< the ring could no longer be read; the log holds what was seen
inline constexpr int kAttachBadOptions = 2;  ///< the addresses do not describe a ring in the file
inline constexpr int kAttachNoFile = 4;      ///< the file cannot be opened or the log created

/// Runs attach until a stop condition or SIGINT/SIGTERM; writes errors and the closing
/// summary ("N avail and M used entries seen, K missed") to `err`.
int attach(const AttachOptions& options, std::ostream& err);

}  // namespace vgen::trace_view
