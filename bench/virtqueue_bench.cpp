// Split virtqueue throughput and latency against boost::lockfree::spsc_queue, in one run.
//  - stream: the driver keeps up to 256 buffers (128 out+in chains) in flight; batches of 1
//    and 32 chains per publish; peer: echo over two spsc queues of capacity 256.
//  - pingpong: one chain in flight; peer: one item in flight over two spsc queues.
//  - two processes, eventfd notification, event idx on and off: messages/s and
//    notifications (kicks + interrupts) per message.
//  - loopback: both sides in one thread, 32 chains a round (add, publish, take, serve, publish,
//    reclaim): the queue's cost per message without any scheduling between threads.
//  - stream/traced, loopback/traced: the stream with both sides recording into a trace::Recorder
//    (snap length 64: every payload byte kept); peer: the same stream untraced. Counters: records written,
//    dropped and overwritten per message. /traced streams the log to the file as the queue
//    runs (RecorderMode::Stream); /traced/flight keeps the latest 1 MiB (the default) of each
//    thread and writes them after the run (RecorderMode::Flight, the recorder to leave on).
//    Both sides say they share the recorder (trace::Ends::Both), so each records the contents
//    of what it produces only: the driver's chains with their bytes, the device's used
//    entries with the bytes written, the other two events their numbers. The driver records
//    the chains it added when it publishes them (docs/trace.md, "Recording").
//  - loopback/null_sink, stream/batch:32/null_sink: with a sink that keeps nothing: what the
//    queues' trace hooks cost (the events and their buffer lists) before any recording.
//  - .../traced/flight/ends:one: both sides recording everything each sees (trace::Ends::One),
//    every payload byte twice.
//  - .../driver_only, .../device_only: the stream with only one side's queue traced
//    (trace::Ends::One), to tell which side's tracing the stream's rate feels.
//  - .../traced/flight/snap:0: both sides recording descriptors but no payload bytes, to tell
//    what the records cost from what copying the bytes costs.
//  - stream/batch:32/minimal_sink/paired: a sink that copies each event's numbers and up to 64
//    bytes of its first buffer into a ring of its thread, and nothing else: the least a recorder
//    behind the queues' hooks could cost.
//  - .../paired: the goal of tracing's cost. The stream untraced and traced in turn, 15 pairs of
//    runs of 2^18 messages on fresh setups, the traced run first in every other pair; counter
//    ratio: the median pair's traced rate over its untraced rate (ratio-low, ratio-high: the
//    extremes). A shared host's speed moves by more than tracing costs within seconds (2.5
//    times, seen), far more than between the two runs of a pair; the table of paired runs at
//    the end holds the goal. The unpaired traced benchmarks stay for their rates and counters.
//  - trace/record_chain (/grouped: in groups of 32): what one record costs in CPU time, which
//    the load of a shared machine disturbs far less than the rates above: one thread records the
//    stream's chain event (two 64-byte buffers) in rounds the buffer holds, the writer draining
//    after each round. CPU column: the recording thread per record; counter writer-ns/rec: the
//    writer thread's CPU time per record written (its copy into the log and the kernel's into
//    the page cache).
// Every message is 64 bytes that the sender writes and the receiver reads, both ways.
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <vgen/cache_line.hpp>
#include <vgen/notify/eventfd.hpp>
#include <vgen/shm/allocator.hpp>
#include <vgen/shm/fd_passing.hpp>
#include <vgen/shm/sharing.hpp>
#include <vgen/trace/recorder.hpp>
#include <vgen/virtqueue/split_device.hpp>
#include <vgen/virtqueue/split_driver.hpp>

#include "bench_recorder.hpp"
#include "cache_line.hpp"
#include "message.hpp"
#include "paired.hpp"
#include "ratio_reporter.hpp"
#include "spsc_peer.hpp"

namespace vgen::bench {
namespace {

constexpr std::uint32_t kQueueSize = 256;
constexpr std::uint32_t kSlots = kQueueSize / 2;  // out + in buffer per chain
constexpr shm::GuestAddress kBase = 0x100000;
constexpr std::uint64_t kMemoryBytes = 1 << 20;

// --- vgen: split virtqueue, two threads -------------------------------------------------------

// Guest memory with one queue and kSlots message slots (out 64 B + in 64 B each).
struct QueueMemory {
  explicit QueueMemory(bool event_idx)
      : region(std::make_shared<shm::Region>(shm::Region::create("vgen-bench", kMemoryBytes))) {
    memory.add(kBase, region);
    shm::Allocator alloc(kBase, kMemoryBytes);
    config.size = kQueueSize;
    config.features = {false, event_idx};
    config.addresses.desc = alloc.allocate(virtqueue::desc_table_bytes(kQueueSize), 4096);
    config.addresses.avail = alloc.allocate(virtqueue::avail_ring_bytes(kQueueSize), 64);
    config.addresses.used = alloc.allocate(virtqueue::used_ring_bytes(kQueueSize), 64);
    slots = alloc.allocate(kSlots * 2 * kPayload, 64);
    control = alloc.allocate(64, 64);
  }
  shm::GuestAddress out(std::uint64_t slot) const { return slots + slot * 2 * kPayload; }
  shm::GuestAddress in(std::uint64_t slot) const { return out(slot) + kPayload; }

  std::shared_ptr<shm::Region> region;
  shm::GuestMemory memory;
  virtqueue::QueueConfig config;
  shm::GuestAddress slots = 0;
  shm::GuestAddress control = 0;  // two-process runs: stop flag and the device's counters
};

// The device's work for one chain: read 64 bytes, write 64 bytes derived from them.
inline void serve(virtqueue::SplitDeviceQueue& device, const virtqueue::DescriptorChain& chain) {
  Message m;
  virtqueue::ChainReader(chain).read(m);
  fill(m.data(), sum(m.data()));
  virtqueue::ChainWriter writer(chain);
  writer.write(m);
  device.put(chain.head(), writer.written());
}

void device_loop(virtqueue::SplitDeviceQueue& device, std::uint32_t batch, const std::atomic<bool>& stop) {
  virtqueue::DescriptorChain chain;
  std::uint32_t pending = 0;
  while (!stop.load(std::memory_order_relaxed)) {
    if (device.take(chain)) {
      serve(device, chain);
      if (++pending < batch) continue;
    }
    if (pending > 0) device.notify();  // no notifier: publish without the suppression check
    pending = 0;
  }
}

// Driver side shared by the threaded and two-process runs: keeps `window` chains in flight,
// publishing every `batch` additions; each benchmark iteration is one reclaimed chain. On its
// own cache lines: the driver's thread writes it on every chain.
class alignas(kCacheLinePair) StreamDriver {
 public:
  StreamDriver(QueueMemory& q, virtqueue::SplitDriverQueue& driver, std::uint32_t window, std::uint32_t batch)
      : q_(q), driver_(driver), window_(window), batch_(batch) {
    for (std::uint32_t s = 0; s < kSlots; ++s) free_.push_back(s);
  }
  // Adds chains up to the window in batches; returns whether anything was added.
  bool fill() {
    bool added = false;
    while (free_.size() >= batch_ && kSlots - free_.size() + batch_ <= window_) {
      for (std::uint32_t i = 0; i < batch_; ++i) add_one();
      added = true;
      driver_.kick();  // without a notifier this only publishes
    }
    return added;
  }
  // Reclaims one chain if any; checks its bytes.
  bool reclaim_one() {
    const auto used = driver_.reclaim();
    if (!used) return false;
    benchmark::DoNotOptimize(sum(q_.memory.translate(q_.in(used->token), kPayload)));
    free_.push_back(static_cast<std::uint32_t>(used->token));
    return true;
  }

 private:
  void add_one() {
    const std::uint32_t slot = free_.back();
    free_.pop_back();
    fill_payload(slot);
    const virtqueue::Buffer r[] = {{q_.out(slot), kPayload}};
    const virtqueue::Buffer w[] = {{q_.in(slot), kPayload}};
    driver_.add(r, w, slot);
  }
  void fill_payload(std::uint32_t slot) { vgen::bench::fill(q_.memory.translate(q_.out(slot), kPayload), seq_++); }

  QueueMemory& q_;
  virtqueue::SplitDriverQueue& driver_;
  std::uint32_t window_;
  std::uint32_t batch_;
  IsolatedVector<std::uint32_t> free_;  // written on every chain
  std::uint64_t seq_ = 0;
};

// A sink that keeps nothing: what the queues' trace hooks cost before any recording.
struct alignas(kCacheLinePair) NullSink final : trace::TraceSink {
  void record(const trace::Event&) noexcept override {}
};

// A sink that keeps the least a record of the queues' events could: each event's numbers and
// up to 64 bytes of its first buffer, copied into a 64 KiB ring of the calling thread, with no
// clock read, no group and no framing. What the recorder costs above it is its own work; what it
// costs above the null sink is the least any recorder behind these hooks costs.
struct alignas(kCacheLinePair) MinimalSink final : trace::TraceSink {
  void record(const trace::Event& event) noexcept override {
    constexpr std::size_t kRing = 1 << 16;
    constexpr std::size_t kEntry = 96;  // the numbers (32 bytes) and 64 payload bytes
    alignas(64) thread_local std::array<std::byte, kRing> ring;
    thread_local std::size_t at = 0;
    std::byte* out = ring.data() + at;
    const std::uint64_t numbers[4] = {static_cast<std::uint64_t>(event.kind) | std::uint64_t{event.queue} << 16 |
                                          std::uint64_t{event.head} << 32,
                                      event.index, event.a, event.b};
    std::memcpy(out, numbers, sizeof numbers);
    if (!event.buffers.empty() && event.buffers[0].host != nullptr) {
      std::memcpy(out + sizeof numbers, event.buffers[0].host, std::min<std::size_t>(event.buffers[0].length, 64));
    }
    at = (at + kEntry) % (kRing / kEntry * kEntry);
  }
};

// Where a run's queues hand their events: nowhere (untraced), a NullSink, a MinimalSink, or a
// recorder.
enum class Sink { None, Null, Minimal, Recorder };

// The sink of `kind` a run hands its queues: for Sink::Recorder a new recorder in `mode` at snap
// length `snap`, kept in `recording`. The null and minimal sinks keep no state of their own (the
// minimal one writes to its caller's thread), so every run shares one of each.
trace::TraceSink* run_sink(Sink kind, trace::RecorderMode mode, std::unique_ptr<BenchRecorder>& recording,
                           std::uint32_t snap = kPayload) {
  static NullSink nothing;
  static MinimalSink least;
  switch (kind) {
    case Sink::None:
      return nullptr;
    case Sink::Null:
      return &nothing;
    case Sink::Minimal:
      return &least;
    case Sink::Recorder:
      break;
  }
  recording = std::make_unique<BenchRecorder>(mode, snap);
  return &recording->recorder();
}

// Which sides of a traced stream hand their events to the sink. Both: the two ends say so
// (trace::Ends::Both: each records the contents of what it produces only); BothAll: each end
// records everything it sees (trace::Ends::One), as if the other were not recorded.
enum class Sides { Both, BothAll, DriverOnly, DeviceOnly };

// How a stream is traced: into `sink` (a recorder in `mode` at snap length `snap`); `sides`:
// which sides hand it their events.
struct Tracing {
  Sink sink = Sink::None;
  trace::RecorderMode mode = trace::RecorderMode::Stream;
  Sides sides = Sides::Both;
  std::uint32_t snap = kPayload;
};

// A driver in the calling thread and a device in a thread of its own, set up and stopped outside
// any clock; message() is one message: adds chains up to the window, then reclaims one.
class ThreadedStream {
 public:
  ThreadedStream(std::uint32_t window, std::uint32_t batch, const Tracing& tracing)
      : q_(false), driver_(q_.memory, q_.config), device_(q_.memory, q_.config) {
    trace::TraceSink* sink = run_sink(tracing.sink, tracing.mode, recording_, tracing.snap);
    const trace::Ends ends = tracing.sides == Sides::Both ? trace::Ends::Both : trace::Ends::One;
    const bool driver_records = tracing.sides != Sides::DeviceOnly;
    const bool device_records = tracing.sides != Sides::DriverOnly;
    if (driver_records) driver_.set_trace(sink, ends);
    if (device_records) device_.set_trace(sink, ends);
    // Everything that may throw comes before the device's thread starts.
    stream_ = std::make_unique<StreamDriver>(q_, driver_, window, batch);
    // A recording thread's buffer is mapped before the clock starts, as it is in a recorder that
    // has been on for a while: a fresh one takes a page fault every 4 KiB of its first records.
    if (recording_ && driver_records) recording_->recorder().prepare_thread();
    const bool device_prepares = recording_ && device_records;
    std::atomic<bool> device_prepared{false};  // the thread stores it last, before serving
    device_thread_ = std::thread([this, batch, device_prepares, &device_prepared] {
      if (device_prepares) recording_->recorder().prepare_thread();
      device_prepared = true;
      device_loop(device_, batch, stop_);
    });
    while (!device_prepared) std::this_thread::yield();
  }
  ThreadedStream(const ThreadedStream&) = delete;
  ThreadedStream& operator=(const ThreadedStream&) = delete;
  ~ThreadedStream() { stop(); }

  void message() {
    do {
      stream_->fill();
    } while (!stream_->reclaim_one());
  }
  // Stops the device's thread (the destructor does it too).
  void stop() {
    if (!device_thread_.joinable()) return;
    stop_ = true;
    device_thread_.join();
  }
  // The recorder, when the stream is traced into one.
  BenchRecorder* recording() { return recording_.get(); }

 private:
  QueueMemory q_;
  virtqueue::SplitDriverQueue driver_;
  virtqueue::SplitDeviceQueue device_;
  std::unique_ptr<BenchRecorder> recording_;
  alignas(kCacheLinePair) std::atomic<bool> stop_{false};  // read by the device's every poll
  std::thread device_thread_;
  std::unique_ptr<StreamDriver> stream_;
};

void vgen_threads(benchmark::State& state, std::uint32_t window, std::uint32_t batch, const Tracing& tracing = {}) {
  // On the heap, aligned as its members ask: none of them shares a line with the stack.
  const auto stream = std::make_unique<ThreadedStream>(window, batch, tracing);
  for (auto _ : state) stream->message();
  stream->stop();
  set_rate(state);
  if (BenchRecorder* recording = stream->recording()) {
    count_records(state, recording->recorder(), static_cast<double>(state.iterations()), "msg");
  }
}

// Seconds `messages` messages of a fresh stream take.
double timed_stream(std::uint32_t batch, const Tracing& tracing, std::uint64_t messages) {
  const auto stream = std::make_unique<ThreadedStream>(kSlots, batch, tracing);
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < messages; ++i) stream->message();
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  return seconds.count();
}

// The stream untraced and traced in turn (paired.hpp): 15 pairs of runs of 2^18 messages on
// fresh setups. Counters: ratio, the median pair's traced rate over its untraced rate (ratio-low,
// ratio-high: the extremes); msgs/s the traced runs' rate, peer-msgs/s the untraced runs'.
void paired_stream(benchmark::State& state, std::uint32_t batch, const Tracing& tracing) {
  constexpr int kPairs = 15;
  constexpr std::uint64_t kPairMessages = 1 << 18;
  PairedTimes times;
  for (auto _ : state) {
    times = run_pairs(
        kPairs, [&] { return timed_stream(batch, {}, kPairMessages); },
        [&] { return timed_stream(batch, tracing, kPairMessages); });
  }
  report_pairs(state, times, static_cast<double>(kPairMessages), "msgs/s");
}

// Both sides in one thread: each iteration is one message; rounds of 32 chains. Both hand their
// events to a sink of `kind` (a recorder in `mode`).
void vgen_loopback(benchmark::State& state, Sink kind, trace::RecorderMode mode = trace::RecorderMode::Stream) {
  constexpr std::uint32_t kRound = 32;
  QueueMemory q(false);
  virtqueue::SplitDriverQueue driver(q.memory, q.config);
  virtqueue::SplitDeviceQueue device(q.memory, q.config);
  std::unique_ptr<BenchRecorder> recording;
  trace::TraceSink* sink = run_sink(kind, mode, recording);
  driver.set_trace(sink, trace::Ends::Both);
  device.set_trace(sink, trace::Ends::Both);
  if (recording) recording->recorder().prepare_thread();  // as vgen_threads() does
  StreamDriver stream(q, driver, kRound, kRound);
  virtqueue::DescriptorChain chain;
  std::uint32_t in_round = 0;
  for (auto _ : state) {
    if (in_round == 0) {
      stream.fill();
      while (device.take(chain)) serve(device, chain);
      device.notify();
      in_round = kRound;
    }
    stream.reclaim_one();
    --in_round;
  }
  set_rate(state);
  if (recording) count_records(state, recording->recorder(), static_cast<double>(state.iterations()), "msg");
}

// CPU time of the calling thread and of the whole process, in nanoseconds.
double cpu_ns(clockid_t clock) {
  timespec now;
  clock_gettime(clock, &now);
  return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

// `grouped`: each record goes into a group (record_in_group()), 32 to a group, as a batch:32
// stream's chain events do.
void trace_record_chain(benchmark::State& state, bool grouped) {
  // 5000 entries of 152 bytes (and their group headers) fit the default 1 MiB buffer, so no
  // record is dropped: the counter dropped/rec must read 0.
  constexpr std::uint32_t kRound = 5000;
  BenchRecorder recording(trace::RecorderMode::Stream, kPayload);
  trace::Recorder& recorder = recording.recorder();
  recorder.prepare_thread();  // as vgen_threads() does
  alignas(64) static std::array<std::byte, 2 * kPayload> bytes{};
  const trace::BufferRef buffers[] = {{bytes.data(), kBase, kPayload, 1},
                                      {bytes.data() + kPayload, kBase + kPayload, kPayload, 2}};
  std::uint32_t in_round = 0;
  std::uint32_t index = 0;
  const double process_start = cpu_ns(CLOCK_PROCESS_CPUTIME_ID);
  const double thread_start = cpu_ns(CLOCK_THREAD_CPUTIME_ID);
  for (auto _ : state) {
    trace::Event event{
        trace::EventKind::ChainAdded, 0, static_cast<std::uint16_t>(index % kSlots), ++index, kPayload, kPayload};
    event.buffers = buffers;
    if (!grouped) {
      recorder.record(event);
    } else {
      recorder.record_in_group(event);
      if (index % 32 == 0) recorder.end_group();
    }
    if (++in_round == kRound) {
      state.PauseTiming();
      recorder.flush();
      in_round = 0;
      state.ResumeTiming();
    }
  }
  recorder.flush();
  const double thread = cpu_ns(CLOCK_THREAD_CPUTIME_ID) - thread_start;
  const double process = cpu_ns(CLOCK_PROCESS_CPUTIME_ID) - process_start;
  const trace::RecorderStatistics stats = recorder.statistics();
  state.counters["writer-ns/rec"] = stats.written != 0 ? (process - thread) / static_cast<double>(stats.written) : 0;
  state.counters["dropped/rec"] = static_cast<double>(stats.dropped) / static_cast<double>(state.iterations());
}

// --- vgen: two processes, eventfd notifications ---------------------------------------------

struct Control {
  std::atomic<std::uint32_t> stop;
  std::atomic<std::uint32_t> ready;
  std::atomic<std::uint64_t> interrupts;
};

// Runs in the child: maps what the parent shares, serves until told to stop.
[[noreturn]] void device_process(int sock, const virtqueue::QueueConfig& config, shm::GuestAddress control_addr) {
  const shm::GuestMemory memory = shm::receive_memory(sock);
  shm::ReceivedMessage fds = shm::receive_with_fds(sock, 1);
  notify::EventfdNotifier kick(fds.fds.at(0));
  notify::EventfdNotifier interrupt(fds.fds.at(1));
  auto* control = reinterpret_cast<Control*>(memory.translate(control_addr, sizeof(Control)));
  virtqueue::SplitDeviceQueue device(memory, config);
  device.set_notifier(&interrupt);
  virtqueue::DescriptorChain chain;
  control->ready.store(1, std::memory_order_release);
  while (control->stop.load(std::memory_order_acquire) == 0) {
    while (device.take(chain)) serve(device, chain);
    device.notify();
    if (device.enable_notifications()) continue;  // more arrived while re-arming
    kick.wait(std::chrono::milliseconds(50));
    device.disable_notifications();
  }
  control->interrupts.store(interrupt.signals_sent(), std::memory_order_release);
  _exit(0);
}

void vgen_processes(benchmark::State& state, bool event_idx) {
  QueueMemory q(event_idx);
  int socks[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, socks) != 0) {
    state.SkipWithError("socketpair failed");
    return;
  }
  const pid_t child = fork();
  if (child == 0) {
    close(socks[0]);
    device_process(socks[1], q.config, q.control);
  }
  close(socks[1]);
  notify::EventfdNotifier kick;
  notify::EventfdNotifier interrupt;
  shm::send_memory(socks[0], q.memory);
  const std::byte one{1};
  const int fds[] = {kick.fd(), interrupt.fd()};
  shm::send_with_fds(socks[0], {&one, 1}, fds);
  auto* control = reinterpret_cast<Control*>(q.memory.translate(q.control, sizeof(Control)));
  while (control->ready.load(std::memory_order_acquire) == 0) std::this_thread::yield();

  virtqueue::SplitDriverQueue driver(q.memory, q.config);
  driver.set_notifier(&kick);
  StreamDriver stream(q, driver, kSlots, 1);
  for (auto _ : state) {
    for (;;) {
      stream.fill();
      if (stream.reclaim_one()) break;
      if (driver.enable_interrupts()) continue;  // used buffers arrived while re-arming
      interrupt.wait(std::chrono::milliseconds(50));
      driver.disable_interrupts();
    }
  }
  control->stop.store(1, std::memory_order_release);
  kick.signal();
  int status = 0;
  waitpid(child, &status, 0);
  close(socks[0]);
  const double messages = static_cast<double>(state.iterations());
  set_rate(state);
  state.counters["kicks/msg"] = static_cast<double>(kick.signals_sent() - 1) / messages;
  state.counters["irqs/msg"] = static_cast<double>(control->interrupts.load()) / messages;
}

void register_benchmarks() {
  register_cache_line_benchmark();
  auto reg = [](const char* name, auto fn) {
    return benchmark::RegisterBenchmark(name, fn)->UseRealTime()->MinTime(0.5);
  };
  reg("boost_spsc/echo", [](benchmark::State& s) { spsc_echo(s, 256); });
  reg("boost_spsc/pingpong", [](benchmark::State& s) { spsc_echo(s, 1); });
  reg("vgen_split/stream/batch:1", [](benchmark::State& s) { vgen_threads(s, kSlots, 1); });
  reg("vgen_split/stream/batch:32", [](benchmark::State& s) { vgen_threads(s, kSlots, 32); });
  reg("vgen_split/pingpong", [](benchmark::State& s) { vgen_threads(s, 1, 1); });
  reg("vgen_split/loopback", [](benchmark::State& s) { vgen_loopback(s, Sink::None); });
  reg("vgen_split/loopback/null_sink",
      [](benchmark::State& s) { vgen_loopback(s, Sink::Null); });
  reg("vgen_split/loopback/traced", [](benchmark::State& s) { vgen_loopback(s, Sink::Recorder); });
  reg("vgen_split/stream/batch:32/null_sink",
      [](benchmark::State& s) { vgen_threads(s, kSlots, 32, {.sink = Sink::Null}); });
  reg("vgen_split/stream/batch:32/null_sink/driver_only", [](benchmark::State& s) {
    vgen_threads(s, kSlots, 32, {.sink = Sink::Null, .sides = Sides::DriverOnly});
  });
  reg("vgen_split/stream/batch:32/null_sink/device_only", [](benchmark::State& s) {
    vgen_threads(s, kSlots, 32, {.sink = Sink::Null, .sides = Sides::DeviceOnly});
  });
  reg("vgen_split/stream/batch:1/traced", [](benchmark::State& s) { vgen_threads(s, kSlots, 1, {.sink = Sink::Recorder}); });
  reg("vgen_split/stream/batch:32/traced", [](benchmark::State& s) { vgen_threads(s, kSlots, 32, {.sink = Sink::Recorder}); });
  benchmark::RegisterBenchmark("trace/record_chain", trace_record_chain, false)->MinTime(0.5);
  benchmark::RegisterBenchmark("trace/record_chain/grouped", trace_record_chain, true)->MinTime(0.5);
  constexpr auto kFlight = trace::RecorderMode::Flight;
  static constexpr Tracing kFlightBoth{Sink::Recorder, kFlight};
  reg("vgen_split/loopback/traced/flight", [](benchmark::State& s) { vgen_loopback(s, Sink::Recorder, kFlight); });
  reg("vgen_split/stream/batch:1/traced/flight",
      [](benchmark::State& s) { vgen_threads(s, kSlots, 1, kFlightBoth); });
  reg("vgen_split/stream/batch:32/traced/flight",
      [](benchmark::State& s) { vgen_threads(s, kSlots, 32, kFlightBoth); });
  reg("vgen_split/stream/batch:32/traced/flight/driver_only",
      [](benchmark::State& s) { vgen_threads(s, kSlots, 32, {Sink::Recorder, kFlight, Sides::DriverOnly}); });
  reg("vgen_split/stream/batch:32/traced/flight/device_only",
      [](benchmark::State& s) { vgen_threads(s, kSlots, 32, {Sink::Recorder, kFlight, Sides::DeviceOnly}); });
  reg("vgen_split/stream/batch:32/traced/flight/ends:one",
      [](benchmark::State& s) { vgen_threads(s, kSlots, 32, {Sink::Recorder, kFlight, Sides::BothAll}); });
  reg("vgen_split/stream/batch:32/traced/flight/snap:0",
      [](benchmark::State& s) { vgen_threads(s, kSlots, 32, {Sink::Recorder, kFlight, Sides::Both, 0}); });
  const auto paired = [](const char* name, std::uint32_t batch, Tracing tracing) {
    benchmark::RegisterBenchmark(name, paired_stream, batch, tracing)->UseManualTime()->Iterations(1);
  };
  paired("vgen_split/stream/batch:1/traced/flight/paired", 1, kFlightBoth);
  paired("vgen_split/stream/batch:32/traced/flight/paired", 32, kFlightBoth);
  paired("vgen_split/stream/batch:32/traced/paired", 32, {.sink = Sink::Recorder});
  paired("vgen_split/stream/batch:32/null_sink/paired", 32, {.sink = Sink::Null});
  paired("vgen_split/stream/batch:32/minimal_sink/paired", 32, {.sink = Sink::Minimal});
  paired("vgen_split/stream/batch:32/null_sink/driver_only/paired", 32, {.sink = Sink::Null, .sides = Sides::DriverOnly});
  paired("vgen_split/stream/batch:32/null_sink/device_only/paired", 32, {.sink = Sink::Null, .sides = Sides::DeviceOnly});
  paired("vgen_split/stream/batch:32/traced/flight/snap:0/paired", 32, {Sink::Recorder, kFlight, Sides::Both, 0});
  paired("vgen_split/stream/batch:32/traced/flight/driver_only/paired", 32, {Sink::Recorder, kFlight, Sides::DriverOnly});
  paired("vgen_split/stream/batch:32/traced/flight/device_only/paired", 32, {Sink::Recorder, kFlight, Sides::DeviceOnly});
  reg("vgen_split/2proc_eventfd/event_idx:1", [](benchmark::State& s) { vgen_processes(s, true); });
  reg("vgen_split/2proc_eventfd/event_idx:0", [](benchmark::State& s) { vgen_processes(s, false); });
}

}  // namespace
}  // namespace vgen::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  vgen::bench::register_benchmarks();
  vgen::bench::RatioReporter reporter("msgs/s");
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintSummary({{"vgen_split/stream/batch:32", "boost_spsc/echo", 0.5},
                         {"vgen_split/stream/batch:1", "boost_spsc/echo", 0},
                         {"vgen_split/pingpong", "boost_spsc/pingpong", 0.8},
                         {"vgen_split/loopback/null_sink", "vgen_split/loopback", 0},
                         {"vgen_split/stream/batch:32/null_sink", "vgen_split/stream/batch:32", 0},
                         {"vgen_split/stream/batch:32/null_sink/driver_only", "vgen_split/stream/batch:32", 0},
                         {"vgen_split/stream/batch:32/null_sink/device_only", "vgen_split/stream/batch:32", 0},
                         {"vgen_split/loopback/traced", "vgen_split/loopback", 0},
                         {"vgen_split/stream/batch:1/traced", "vgen_split/stream/batch:1", 0},
                         {"vgen_split/stream/batch:32/traced", "vgen_split/stream/batch:32", 0},
                         {"vgen_split/loopback/traced/flight", "vgen_split/loopback", 0},
                         {"vgen_split/stream/batch:1/traced/flight", "vgen_split/stream/batch:1", 0},
                         {"vgen_split/stream/batch:32/traced/flight", "vgen_split/stream/batch:32", 0},
                         {"vgen_split/stream/batch:32/traced/flight/ends:one", "vgen_split/stream/batch:32", 0},
                         {"vgen_split/stream/batch:32/traced/flight/driver_only", "vgen_split/stream/batch:32", 0},
                         {"vgen_split/stream/batch:32/traced/flight/device_only", "vgen_split/stream/batch:32", 0},
                         {"vgen_split/stream/batch:32/traced/flight/snap:0", "vgen_split/stream/batch:32", 0}},
                        "cache_line_round_trip");
  reporter.PrintPaired({{"vgen_split/stream/batch:1/traced/flight/paired", "untraced", 0.9},
                        {"vgen_split/stream/batch:32/traced/flight/paired", "untraced", 0.9},
                        {"vgen_split/stream/batch:32/traced/paired", "untraced", 0.9},
                        {"vgen_split/stream/batch:32/null_sink/paired", "untraced", 0},
                        {"vgen_split/stream/batch:32/minimal_sink/paired", "untraced", 0},
                        {"vgen_split/stream/batch:32/null_sink/driver_only/paired", "untraced", 0},
                        {"vgen_split/stream/batch:32/null_sink/device_only/paired", "untraced", 0},
                        {"vgen_split/stream/batch:32/traced/flight/snap:0/paired", "untraced", 0},
                        {"vgen_split/stream/batch:32/traced/flight/driver_only/paired", "untraced", 0},
                        {"vgen_split/stream/batch:32/traced/flight/device_only/paired", "untraced", 0}});
  benchmark::Shutdown();
  return 0;
}
