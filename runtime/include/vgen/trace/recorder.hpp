// The recorder: a TraceSink cheap enough to leave on while debugging. record() encodes the
// event into the calling thread's own buffer (no lock, no system call, no allocation); a
// background writer thread drains every buffer, merges the records by time and writes them
// to a pcapng log (docs/trace.md), one interface per channel and queue. When a
// buffer is full the record is dropped and counted, never waited for: the ring being
// traced does not slow down because the disk does. Drops are written into the log as
// Dropped records and reported by statistics().
//
// The buffers live in shared memory, so a process forked after the recorder was made
// records into them too and the parent's writer drains them (the pair runner's two
// processes end up in one log).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include <vgen/cache_line.hpp>
#include <vgen/trace/hooks.hpp>
#include <vgen/trace/record.hpp>

namespace vgen::trace {

namespace detail {
class SlotPool;
class LogWriter;
struct Slot;
}  // namespace detail

/// True when `bytes` may size a thread's buffer: a power of two from 4 KiB to 1 GiB.
constexpr bool valid_buffer_bytes(std::size_t bytes) noexcept {
  return bytes >= 4096 && bytes <= (std::size_t{1} << 30) && (bytes & (bytes - 1)) == 0;
}

/// When a recorder writes its log.
enum class RecorderMode {
  /// The writer drains the buffers all along; when a buffer is full the new record is dropped.
  Stream,
  /// A flight recorder: the buffers keep each thread's latest records, a full buffer giving up
  /// its oldest ones, and the log is written only by flush() and at the end. Recording costs
  /// the traced threads the same and the writer nothing while they run; the log holds the
  /// last buffer_bytes of each thread before each flush.
  Flight,
};

/// How a recorder records.
struct RecorderOptions {
  /// Streaming, or keeping the latest records until flush().
  RecorderMode mode = RecorderMode::Stream;
  /// Payload bytes kept per record (chain contents, messages); the rest is counted only.
  std::uint32_t snap_length = 256;
  /// Bytes of each thread's buffer: a power of two from 4 KiB to 1 GiB (valid_buffer_bytes()).
  std::size_t buffer_bytes = std::size_t{1} << 20;
  /// Threads (of this process and forked ones) that can record at once; a thread beyond
  /// that many has its records dropped and counted.
  std::size_t threads = 64;
  /// How often the writer thread drains the buffers (flush() and the destructor wake it
  /// at once; the rest of the time it sleeps this long between drains).
  std::chrono::milliseconds interval{2};
  /// The writer thread's nice value (Linux setpriority, 0 to 19). 0 shares the CPU evenly
  /// with the traced threads; 19 lets them run first when every core is busy, at the price of
  /// the records the buffers then cannot hold (dropped and counted).
  int writer_nice = 0;
  /// What the log calls this program (the section header's application).
  std::string application = "vgen";
};

/// What a recorder did so far.
struct RecorderStatistics {
  std::uint64_t written = 0;      ///< records in the log
  std::uint64_t dropped = 0;      ///< records lost to full buffers or a thread limit
  std::uint64_t overwritten = 0;  ///< records a flight recorder gave up for newer ones
  std::uint64_t bytes = 0;        ///< bytes of the log
};

/// Records events into a pcapng log. On its own cache line pairs: every recording thread reads
/// it on every record, and the writer thread's fields sit on a pair of their own.
class alignas(kCacheLinePair) Recorder final : public TraceSink {
 public:
  /// Creates (or truncates) the log at `path` and starts the writer thread. Throws
  /// trace::Error: System when the file or the buffers cannot be made, Invalid for options
  /// out of range.
  explicit Recorder(const std::string& path, RecorderOptions options = {});
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;
  /// Writes everything recorded and closes the log (in the process that made it; a forked
  /// copy leaves the log to its parent).
  ~Recorder() override;

  /// Encodes `event` into this thread's buffer; drops and counts it when the buffer is full.
  void record(const Event& event) noexcept override;
  /// Encodes `event` into the group record this thread is filling (opening one when it has
  /// none, or the event's channel or queue differs, or the group is full), which reaches the
  /// log with one timestamp when end_group() closes it: one clock read and one entry for many
  /// records. A group still open is not seen by flush() from another thread.
  void record_in_group(const Event& event) noexcept override;
  /// Closes this thread's group, if open, stamping it now.
  void end_group() noexcept override;
  /// Claims the calling thread's buffer now and maps every page of it, so that its first
  /// records do not each take a page fault: for a thread about to run a loop whose timing
  /// matters (a benchmark, a real-time loop). Returns false when every buffer is taken.
  bool prepare_thread() noexcept;
  /// Names the interface of `channel` and `queue` in the log (its if_description), e.g.
  /// "requestq" for virtqueue 0. Takes effect for interfaces not written yet.
  void name_interface(Channel channel, std::uint16_t queue, const std::string& description);
  /// Waits until every record made before the call (by threads whose records happen
  /// before it, and whose groups are closed) is in the log file. Closes the calling thread's
  /// group first.
  void flush();
  /// Counts so far (after flush(), exact for what was recorded before it).
  RecorderStatistics statistics() const;

 private:
  void run_writer();
  detail::SlotPool& pool() const noexcept { return *pool_; }
  // The calling thread's slot, claimed on its first record; null (and the loss counted) when
  // every slot is taken.
  detail::Slot* thread_slot() noexcept;
  // The calling thread's slot in fork `generation`, claimed if it has none; null when every
  // slot is taken.
  detail::Slot* claim_thread_slot(std::uint64_t generation) noexcept;
  void append_alone(detail::Slot& slot, const Event& event, RecordSize size) noexcept;

  RecorderOptions options_;
  std::uint64_t id_;
  pid_t owner_;
  std::shared_ptr<detail::SlotPool> pool_;
  std::unique_ptr<detail::LogWriter> writer_;
  alignas(kCacheLinePair) std::mutex mutex_;  // guards the three fields below
  std::condition_variable wake_;              // the writer: a flush was asked for, or stop
  std::condition_variable done_;              // flush(): the writer finished a round
  bool stop_ = false;
  std::uint64_t flush_requests_ = 0;
  std::uint64_t flushes_done_ = 0;
  std::atomic<std::uint64_t> lost_without_slot_{0};
  void* thread_ = nullptr;  // the writer's std::thread, leaked in a forked child
};

/// Closes the calling thread's open group, whichever recorder it is filling, so that it reaches
/// the log. For a process about to end with _exit(), which runs no thread-local destructors:
/// a thread's exit closes its group otherwise. Does nothing when the thread has none open.
void close_thread_group() noexcept;

/// The environment variable that sets the snap length of `--trace LOG` (bytes, 0 to 65536).
inline constexpr const char* kSnapLengthVariable = "VGEN_TRACE_SNAP";
/// The environment variable that makes `--trace LOG` a flight recorder ("flight") or not ("stream").
inline constexpr const char* kModeVariable = "VGEN_TRACE_MODE";
/// The environment variable that sets the bytes of each thread's buffer of `--trace LOG`.
inline constexpr const char* kBufferVariable = "VGEN_TRACE_BUFFER";

/// Opens a recorder on `path` with default options, but for what $VGEN_TRACE_SNAP,
/// $VGEN_TRACE_MODE and $VGEN_TRACE_BUFFER say: the TraceOpener of `--trace LOG`
/// (pair::TraceOpener). Prints a line to standard error when the recorder dropped or
/// overwrote records. Unless the program handles them itself, SIGUSR1 then writes the log
/// out (a flight recorder's latest records) and the program goes on, and SIGTERM and SIGINT
/// write it out and end the program as they would have. Throws std::invalid_argument naming
/// the variable and its value when it is not a snap length (bytes, 0 to 65536), a mode, or a
/// buffer size (valid_buffer_bytes()).
std::unique_ptr<TraceSink> open_recorder(const std::string& path);

}  // namespace vgen::trace
