// Xen shared ring request rates between two processes, vgen's ring ends against ends
// written only with Xen's own ring.h macros (xen_ring_peer.c), in one run.
//  - The frontend process (domain 1) grants a 4-page ring (order 2: 128 blkif entries) and
//    a control page, allocates an event channel; the backend process (domain 0) maps the
//    grants and binds the channel, as a Xen split driver pair does. Both flavours use the
//    same grants and the same event channel (eventfd), only the ring code differs.
//  - The frontend keeps the ring as full as it can, queueing and pushing requests `batch` at
//    a time (1 or 32); the backend answers each request and pushes its responses `batch` at
//    a time or when no more requests wait. Each side sleeps on the event channel only
//    after the final check of ring.h found nothing (so notifications are only sent to a
//    side that asked for one).
//  - Requests are blkif requests (xen_ring_peer.h says what each carries); the backend
//    checks every field of every request and the frontend every response.
//  - .../traced/flight: vgen's ends with both recording into one flight recorder (latest 1 MiB
//    of each thread, written after the run) made before the fork, each end storing the bytes of
//    the entries it queues (trace::Ends::Both), every byte kept (snap length 128, a blkif entry
//    is 112); peer: vgen's untraced ends. Counters: records written, dropped, overwritten per
//    request. Over a whole run both flavours here go at the pace of the event channel's sleeps
//    and wake-ups (a notification each way per 60-odd requests, some 400 ns of CPU a request):
//    an end that takes longer per batch finds more requests waiting when it wakes and sleeps
//    less often, so the traced rate may come out above the untraced one. It says that tracing
//    does not slow this ring down, not what a record costs (bench_virtqueue measures that).
// Reported: requests/s; notifications per request (kicks: frontend to backend; irqs:
// backend to frontend); CPU time per request of both processes together, which the load of
// a shared machine disturbs far less than the rate.
//
// --quick (or VGEN_BENCH_QUICK=1): a short smoke run.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <vgen/shm/fd_passing.hpp>
#include <vgen/xen/blkif.hpp>
#include <vgen/xen/event_channel.hpp>
#include <vgen/xen/grant_mapping.hpp>
#include <vgen/xen/grant_table.hpp>

#include "bench_recorder.hpp"
#include "cache_line.hpp"
#include "paired.hpp"
#include "ratio_reporter.hpp"
#include "xen_ring_peer.h"

namespace vgen::bench {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr xen::DomainId kBackendDomain = 0;
constexpr xen::DomainId kFrontendDomain = 1;
constexpr std::uint32_t kRingPages = 4;
constexpr std::uint32_t kControlFrame = kRingPages;  // the page after the ring
constexpr std::uint64_t kRequestsPerIteration = 4096;
constexpr auto kWait = 1s;                  // a wait this long with work on the ring: lost notification
constexpr auto kStall = 10s;                // no progress this long: give up
constexpr auto kBackendWait = 50ms;         // the backend looks at the stop flag this often
constexpr std::uint32_t kSnapLength = 128;  // a whole blkif ring entry (112 bytes)
constexpr std::uint16_t kTraceRing = 0;     // the ring's id in the trace

enum class Ends : std::uint32_t { Vgen, XenMacros };

// What the frontend sends the backend after the grant table (in Xen: through the store).
struct Setup {
  xen::GrantRef ring_refs[kRingPages];
  xen::GrantRef control_ref;
  xen::Port port;
  Ends ends;
  std::uint32_t batch;
};

std::vector<std::string> failures;  // non-empty: the program exits with status 1

// --- the event channel as the notifier both flavours use ----------------------------------

// One local port: notify() wakes the other domain, wait() sleeps until it notifies.
struct Port {
  xen::EventChannels* events;
  xen::Port port;
};

// Called from C: an exception must not cross it, and a failing event channel ends the run.
void notify_port(void* context) {
  auto* p = static_cast<Port*>(context);
  try {
    p->events->notify(p->port);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_xen_ring: notify failed: %s\n", error.what());
    std::abort();
  }
}
int wait_port(void* context, int timeout_ms) {
  auto* p = static_cast<Port*>(context);
  try {
    return p->events->wait(p->port, std::chrono::milliseconds(timeout_ms)) ? 1 : 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_xen_ring: wait failed: %s\n", error.what());
    std::abort();
  }
}
xr_notifier notifier_of(Port& port) { return {notify_port, wait_port, &port}; }

// CPU time of the calling thread.
std::uint64_t thread_cpu_ns() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(now.tv_nsec);
}

// --- vgen's ends, following the contract of xen_ring_peer.h -------------------------------

std::uint8_t operation_for(std::uint64_t id) { return id % 2 == 0 ? xen::blkif::kOpRead : xen::blkif::kOpWrite; }

std::int16_t status_for(std::uint64_t id) {
  return id % 3 == 0   ? xen::blkif::kStatusOkay
         : id % 3 == 1 ? xen::blkif::kStatusError
                       : xen::blkif::kStatusNotSupported;
}

// Sets the fields of request `id`; segments past its count keep what they held, as in the
// ring.h peer, which writes only the used ones into the ring entry.
void fill_request(std::uint64_t id, xen::blkif::Request& request) {
  request.operation = operation_for(id);
  request.segment_count = static_cast<std::uint8_t>(1 + id % xen::blkif::kMaxSegmentsPerRequest);
  request.handle = static_cast<std::uint16_t>(id * 3);
  request.id = id;
  request.sector = id * 8;
  for (std::uint32_t s = 0; s < request.segment_count; ++s) {
    request.segments[s] = {static_cast<xen::GrantRef>(id * 16 + s), static_cast<std::uint8_t>(s % 8), 7, 0};
  }
}

bool request_is_right(std::uint64_t id, const xen::blkif::Request& got) {
  if (got.id != id || got.operation != operation_for(id) ||
      got.segment_count != 1 + id % xen::blkif::kMaxSegmentsPerRequest ||
      got.handle != static_cast<std::uint16_t>(id * 3) || got.sector != id * 8) {
    return false;
  }
  for (std::uint32_t s = 0; s < got.segment_count; ++s) {
    const xen::blkif::Segment& g = got.segments[s];
    if (g.gref != static_cast<xen::GrantRef>(id * 16 + s) || g.first_sector != s % 8 || g.last_sector != 7)
      return false;
  }
  return true;
}

// A request's fields, for the message that says it was wrong.
std::string describe(const xen::blkif::Request& request) {
  std::string text = "id " + std::to_string(request.id) + " operation " + std::to_string(request.operation) +
                     " segments " + std::to_string(request.segment_count) + " handle " +
                     std::to_string(request.handle) + " sector " + std::to_string(request.sector);
  const std::size_t shown = std::min<std::size_t>(request.segment_count, xen::blkif::kMaxSegmentsPerRequest);
  for (std::size_t s = 0; s < shown; ++s) {
    const xen::blkif::Segment& segment = request.segments[s];
    text += ", segment " + std::to_string(s) + ": gref " + std::to_string(segment.gref) + " first " +
            std::to_string(segment.first_sector) + " last " + std::to_string(segment.last_sector);
  }
  return text;
}

void report_failure(xr_control* control, const std::string& what) {
  std::snprintf(control->message, sizeof control->message, "%s", what.c_str());
  std::atomic_ref<std::uint32_t>(control->failed).store(1, std::memory_order_release);
}

// The backend with vgen's BackRing; same loop as xr_back_serve.
int serve_vgen(std::span<std::byte> shared, std::uint32_t batch, Port& port, xr_control* control,
               trace::TraceSink* trace) {
  xen::blkif::BackRing ring(shared);
  ring.set_trace(trace, kTraceRing, trace::Ends::Both);
  std::uint64_t handled = 0;
  std::uint64_t notifications = 0;
  auto push = [&] {
    if (!ring.push_responses()) return;
    port.events->notify(port.port);
    ++notifications;
  };
  std::atomic_ref<std::uint32_t>(control->ready).store(1, std::memory_order_release);
  while (std::atomic_ref<std::uint32_t>(control->stop).load(std::memory_order_acquire) == 0) {
    std::uint64_t answered = 0;
    std::uint32_t pending = 0;
    while (const std::optional<xen::blkif::Request> request = ring.take_request()) {
      if (!request_is_right(handled, *request)) {
        report_failure(control, "request " + std::to_string(handled) + " is wrong: " + describe(*request));
        return 1;
      }
      xen::blkif::Response response;
      response.id = request->id;
      response.operation = request->operation;
      response.status = status_for(request->id);
      ring.queue_response(response);
      ++handled;
      ++answered;
      if (++pending == batch) {
        push();
        pending = 0;
      }
    }
    if (pending != 0) push();
    if (answered != 0) continue;
    // Nothing waiting: ask for a notification on the next request, look once more.
    if (!ring.final_check_for_requests()) port.events->wait(port.port, kBackendWait);
  }
  control->handled = handled;
  std::atomic_ref<std::uint64_t>(control->notifications).store(notifications, std::memory_order_release);
  return 0;
}

// A frontend of either flavour: run() sends `count` more requests and returns when all
// their responses were checked; it throws std::runtime_error saying what went wrong.
class Frontend {
 public:
  virtual ~Frontend() = default;
  virtual void run(std::uint64_t count, std::uint32_t batch) = 0;
  /// Notifications sent to the backend so far.
  virtual std::uint64_t notifications() const = 0;
};

class VgenFrontend : public Frontend {
 public:
  VgenFrontend(std::span<std::byte> shared, Port port, const xr_control* control, trace::TraceSink* trace)
      : ring_(shared), port_(port), control_(control) {
    ring_.set_trace(trace, kTraceRing, trace::Ends::Both);
  }

  void run(std::uint64_t count, std::uint32_t batch) override {
    const std::uint64_t end = next_id_ + count;
    auto idle = Clock::duration::zero();
    while (completed_ < end) {
      std::uint64_t progress = 0;
      while (const std::uint32_t sent = send_batch(end, batch)) progress += sent;
      progress += take_responses();
      if (progress != 0) {
        idle = {};
        continue;
      }
      // Nothing moved: ask for a notification on the next response, look once more.
      if (ring_.final_check_for_responses()) continue;
      wait(idle);
    }
  }
  std::uint64_t notifications() const override { return notifications_; }

 private:
  std::uint32_t send_batch(std::uint64_t end, std::uint32_t batch) {
    const auto n = static_cast<std::uint32_t>(std::min<std::uint64_t>(batch, end - next_id_));
    if (n == 0 || ring_.free_requests() < n) return 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      fill_request(next_id_++, request_);
      ring_.queue_request(request_);
    }
    if (ring_.push_requests()) {
      port_.events->notify(port_.port);
      ++notifications_;
    }
    return n;
  }

  std::uint64_t take_responses() {
    std::uint64_t taken = 0;
    while (const std::optional<xen::blkif::Response> response = ring_.take_response()) {
      const std::uint64_t id = completed_;
      if (response->id != id || response->operation != operation_for(id) || response->status != status_for(id)) {
        throw std::runtime_error("response " + std::to_string(id) + ": got id " + std::to_string(response->id) +
                                 " operation " + std::to_string(response->operation) + " status " +
                                 std::to_string(response->status));
      }
      ++completed_;
      ++taken;
    }
    return taken;
  }

  void wait(Clock::duration& idle) {
    if (port_.events->wait(port_.port, kWait)) return;
    if (std::atomic_ref<const std::uint32_t>(control_->failed).load(std::memory_order_acquire) != 0) {
      throw std::runtime_error(std::string("backend failed: ") + control_->message);
    }
    if (ring_.unconsumed_responses() != 0) throw std::runtime_error("lost notification: responses waited 1 s");
    if ((idle += kWait) >= kStall) {
      throw std::runtime_error("no progress for 10 s after " + std::to_string(completed_) + " responses");
    }
  }

  xen::blkif::FrontRing ring_;
  xen::blkif::Request request_;  // reused: only the fields of the next request change
  Port port_;
  const xr_control* control_;
  std::uint64_t next_id_ = 0;
  std::uint64_t completed_ = 0;
  std::uint64_t notifications_ = 0;
};

// The frontend of xen_ring_peer.c.
class MacroFrontend : public Frontend {
 public:
  MacroFrontend(std::span<std::byte> shared, Port port, const xr_control* control)
      : port_(port), notifier_(notifier_of(port_)), control_(control) {
    if (xr_front_init(&front_, shared.data(), shared.size()) == 0) throw std::runtime_error("xr_front_init failed");
  }
  ~MacroFrontend() override { xr_front_destroy(&front_); }
  MacroFrontend(const MacroFrontend&) = delete;
  MacroFrontend& operator=(const MacroFrontend&) = delete;

  void run(std::uint64_t count, std::uint32_t batch) override {
    if (xr_front_run(&front_, count, batch, &notifier_, &notifier_, control_) != 0) {
      throw std::runtime_error(std::string("ring.h frontend: ") + front_.message);
    }
  }
  std::uint64_t notifications() const override { return front_.notifications; }

 private:
  Port port_;
  xr_notifier notifier_;
  const xr_control* control_;
  xr_front front_{};
};

// --- the backend process ------------------------------------------------------------------

// Maps what the frontend granted, binds the channel and serves until told to stop.
int run_backend(int control_socket, int link, trace::TraceSink* trace) {
  xen::GrantMapper mapper = xen::GrantMapper::receive(control_socket, kBackendDomain);
  xen::EventChannels events(kBackendDomain);
  events.connect(kFrontendDomain, link);
  const shm::ReceivedMessage message = shm::receive_with_fds(control_socket, sizeof(Setup));
  Setup setup;
  std::memcpy(&setup, message.bytes.data(), sizeof setup);
  const xen::GrantMapping ring = mapper.map_contiguous(setup.ring_refs, xen::Access::ReadWrite);
  const xen::GrantMapping control_page = mapper.map(setup.control_ref, xen::Access::ReadWrite);
  auto* control = reinterpret_cast<xr_control*>(control_page.writable_bytes().data());
  Port port{&events, events.bind_interdomain(kFrontendDomain, setup.port)};
  const std::uint64_t cpu_at_start = thread_cpu_ns();
  int code = 0;
  if (setup.ends == Ends::Vgen) {
    code = serve_vgen(ring.writable_bytes(), setup.batch, port, control, trace);
  } else {
    const xr_notifier notifier = notifier_of(port);
    const std::span<std::byte> shared = ring.writable_bytes();
    code = xr_back_serve(shared.data(), shared.size(), setup.batch, &notifier, &notifier, control);
  }
  control->cpu_ns = thread_cpu_ns() - cpu_at_start;
  return code;
}

[[noreturn]] void backend_process(int control_socket, int link, trace::Recorder* trace) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the benchmark
  int code = 99;
  try {
    // Its buffer mapped before it reports ready, as in a recorder that has been on for a while.
    if (trace != nullptr) trace->prepare_thread();
    code = run_backend(control_socket, link, trace);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_xen_ring backend: %s\n", error.what());
  }
  trace::close_thread_group();  // _exit() runs no thread-local destructor
  std::fflush(nullptr);
  ::_exit(code);
}

// --- the frontend process: one backend per benchmark run -----------------------------------

struct BackendReport {
  std::uint64_t handled = 0;
  std::uint64_t notifications = 0;
  std::uint64_t cpu_ns = 0;
};

// A frontend in this process and its backend in a child, connected and ready; with `trace`,
// vgen's ends record into it (a recorder made before the fork records the child's records too).
class RingPair {
 public:
  RingPair(Ends ends, std::uint32_t batch, trace::Recorder* trace = nullptr) {
    int control[2];
    int link[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, control) != 0 ||
        ::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, link) != 0) {
      throw std::runtime_error("socketpair failed");
    }
    std::fflush(nullptr);
    child_ = ::fork();
    if (child_ < 0) throw std::runtime_error("fork failed");
    if (child_ == 0) {
      ::close(control[0]);
      ::close(link[0]);
      backend_process(control[1], link[1], trace);
    }
    ::close(control[1]);
    ::close(link[1]);
    control_socket_ = control[0];
    connect(ends, batch, link[0], trace);
  }
  RingPair(const RingPair&) = delete;
  RingPair& operator=(const RingPair&) = delete;
  ~RingPair() {
    if (child_ > 0) {
      ::kill(child_, SIGKILL);
      ::waitpid(child_, nullptr, 0);
    }
    if (control_socket_ >= 0) ::close(control_socket_);
  }

  Frontend& frontend() { return *frontend_; }

  /// Stops the backend and returns what it counted; throws if it failed or exited badly.
  BackendReport stop() {
    std::atomic_ref<std::uint32_t>(control_->stop).store(1, std::memory_order_release);
    events_.notify(port_.port);
    const int status = wait_child();
    if (control_->failed != 0) throw std::runtime_error(std::string("backend failed: ") + control_->message);
    if (status != 0) throw std::runtime_error("backend exited with status " + std::to_string(status));
    return {control_->handled, control_->notifications, control_->cpu_ns};  // written before the child exited
  }

 private:
  // Grants the ring and control pages, allocates the channel, sends both to the backend.
  void connect(Ends ends, std::uint32_t batch, int link, trace::TraceSink* trace) {
    table_.emplace(xen::GrantTable::create(kFrontendDomain, kRingPages + 1, 16));
    Setup setup{};
    for (std::uint32_t i = 0; i < kRingPages; ++i) {
      setup.ring_refs[i] = table_->grant_access(kBackendDomain, i, xen::Access::ReadWrite);
    }
    setup.control_ref = table_->grant_access(kBackendDomain, kControlFrame, xen::Access::ReadWrite);
    events_.connect(kBackendDomain, link);
    port_ = {&events_, events_.alloc_unbound(kBackendDomain)};
    setup.port = port_.port;
    setup.ends = ends;
    setup.batch = batch;
    control_ = reinterpret_cast<xr_control*>(table_->page(kControlFrame).data());
    // The pages of one table are contiguous: the ring's 4 pages start at frame 0.
    const std::span<std::byte> ring(table_->page(0).data(), kRingPages * xen::kPageSize);
    if (ends == Ends::Vgen) {
      frontend_ = std::make_unique<VgenFrontend>(ring, port_, control_, trace);
    } else {
      frontend_ = std::make_unique<MacroFrontend>(ring, port_, control_);
    }
    // The ring is initialised before the backend learns where it is.
    table_->share(control_socket_);
    shm::send_with_fds(control_socket_, std::as_bytes(std::span(&setup, 1)), {});
    wait_ready();
  }

  void wait_ready() {
    const auto deadline = Clock::now() + 10s;
    while (std::atomic_ref<std::uint32_t>(control_->ready).load(std::memory_order_acquire) == 0) {
      if (::waitpid(child_, nullptr, WNOHANG) == child_) {
        child_ = -1;
        throw std::runtime_error("backend exited during set-up");
      }
      if (Clock::now() > deadline) throw std::runtime_error("backend not ready after 10 s");
      std::this_thread::sleep_for(1ms);
    }
  }

  int wait_child() {
    const auto deadline = Clock::now() + 10s;
    int status = 0;
    while (::waitpid(child_, &status, WNOHANG) != child_) {
      if (Clock::now() > deadline) throw std::runtime_error("backend did not stop within 10 s");
      std::this_thread::sleep_for(1ms);
    }
    child_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  pid_t child_ = -1;
  int control_socket_ = -1;
  std::optional<xen::GrantTable> table_;
  xen::EventChannels events_{kFrontendDomain};
  Port port_{};
  xr_control* control_ = nullptr;
  std::unique_ptr<Frontend> frontend_;
};

// The flight recorder vgen's ends record into when `traced`, its buffer for the calling thread
// mapped (as the backend does with its own); null otherwise.
std::unique_ptr<BenchRecorder> prepared_recorder(bool traced) {
  if (!traced) return nullptr;
  auto recording = std::make_unique<BenchRecorder>(trace::RecorderMode::Flight, kSnapLength);
  recording->recorder().prepare_thread();
  return recording;
}

// Throws unless the backend answered `requests` requests.
void check_answered(const BackendReport& backend, std::uint64_t requests) {
  if (backend.handled != requests) {
    throw std::runtime_error("backend answered " + std::to_string(backend.handled) + " requests, expected " +
                             std::to_string(requests));
  }
}

// `traced`: vgen's ends record into a flight recorder (only with Ends::Vgen).
void ring_requests(benchmark::State& state, Ends ends, std::uint32_t batch, bool traced = false) {
  try {
    const std::unique_ptr<BenchRecorder> recording = prepared_recorder(traced);
    RingPair pair(ends, batch, recording ? &recording->recorder() : nullptr);
    const std::uint64_t cpu_at_start = thread_cpu_ns();
    for (auto _ : state) pair.frontend().run(kRequestsPerIteration, batch);
    const std::uint64_t frontend_cpu_ns = thread_cpu_ns() - cpu_at_start;
    const BackendReport backend = pair.stop();
    check_answered(backend, state.iterations() * kRequestsPerIteration);
    const auto requests = static_cast<double>(state.iterations() * kRequestsPerIteration);
    const auto kicks = static_cast<double>(pair.frontend().notifications());
    const auto irqs = static_cast<double>(backend.notifications);
    state.counters["reqs/s"] = benchmark::Counter(requests, benchmark::Counter::kIsRate);
    state.counters["kicks/req"] = kicks / requests;
    state.counters["irqs/req"] = irqs / requests;
    state.counters["notifs/req"] = (kicks + irqs) / requests;
    state.counters["cpu_ns/req"] = static_cast<double>(frontend_cpu_ns + backend.cpu_ns) / requests;
    if (recording) count_records(state, recording->recorder(), requests, "req");
  } catch (const std::exception& error) {
    failures.push_back(error.what());
    state.SkipWithError(error.what());
  }
}

// Seconds `requests` requests of a fresh pair take (its set-up and stop not counted); `traced`
// as for ring_requests(). Throws if the backend did not answer every request.
double timed_requests(Ends ends, std::uint32_t batch, std::uint64_t requests, bool traced = false) {
  const std::unique_ptr<BenchRecorder> recording = prepared_recorder(traced);
  RingPair pair(ends, batch, recording ? &recording->recorder() : nullptr);
  const auto start = Clock::now();
  pair.frontend().run(requests, batch);
  const std::chrono::duration<double> seconds = Clock::now() - start;
  check_answered(pair.stop(), requests);
  return seconds.count();
}

// `subject` and `peer` in turn (paired.hpp): 15 pairs of runs of 2^18 requests, each on a fresh
// pair of processes. Counters: ratio, the median pair's subject rate over its peer's.
void paired_requests(benchmark::State& state, std::uint32_t batch, bool subject_traced, Ends peer_ends) {
  constexpr int kPairs = 15;
  constexpr std::uint64_t kRequests = std::uint64_t{1} << 18;
  try {
    PairedTimes times;
    for (auto _ : state) {
      times = run_pairs(
          kPairs, [&] { return timed_requests(peer_ends, batch, kRequests); },
          [&] { return timed_requests(Ends::Vgen, batch, kRequests, subject_traced); });
    }
    report_pairs(state, times, static_cast<double>(kRequests), "reqs/s");
  } catch (const std::exception& error) {
    failures.push_back(error.what());
    state.SkipWithError(error.what());
  }
}

void register_benchmarks(bool quick) {
  if (!quick) register_cache_line_benchmark();
  const auto reg = [quick](const std::string& name, auto run) {
    auto* bench = benchmark::RegisterBenchmark(name.c_str(), run);
    bench->UseRealTime();
    if (quick) {
      bench->Iterations(16);
    } else {
      bench->MinTime(2.0);
    }
  };
  for (const std::uint32_t batch : {1u, 32u}) {
    const std::string batched = "/2proc_eventfd/batch:" + std::to_string(batch);
    for (const Ends ends : {Ends::XenMacros, Ends::Vgen}) {
      reg(std::string(ends == Ends::Vgen ? "vgen_ring" : "xen_ring_h") + batched,
          [ends, batch](benchmark::State& s) { ring_requests(s, ends, batch); });
    }
    reg("vgen_ring" + batched + "/traced/flight",
        [batch](benchmark::State& s) { ring_requests(s, Ends::Vgen, batch, true); });
    if (quick) continue;
    const auto paired = [](const std::string& name, auto run) {
      benchmark::RegisterBenchmark(name.c_str(), run)->UseManualTime()->Iterations(1);
    };
    paired("vgen_ring" + batched + "/paired",
           [batch](benchmark::State& s) { paired_requests(s, batch, false, Ends::XenMacros); });
    paired("vgen_ring" + batched + "/traced/flight/paired",
           [batch](benchmark::State& s) { paired_requests(s, batch, true, Ends::Vgen); });
  }
}

bool quick_requested(int& argc, char** argv) {
  const char* env = std::getenv("VGEN_BENCH_QUICK");
  bool quick = env != nullptr && *env != '\0' && std::strcmp(env, "0") != 0;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  return quick;
}

int run(int argc, char** argv) {
  const bool quick = quick_requested(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  register_benchmarks(quick);
  RatioReporter reporter("reqs/s");
  benchmark::RunSpecifiedBenchmarks(&reporter);
  // The goals are read from the paired runs (PrintPaired below).
  reporter.PrintSummary({{"vgen_ring/2proc_eventfd/batch:1", "xen_ring_h/2proc_eventfd/batch:1", 0},
                         {"vgen_ring/2proc_eventfd/batch:32", "xen_ring_h/2proc_eventfd/batch:32", 0},
                         {"vgen_ring/2proc_eventfd/batch:1/traced/flight", "vgen_ring/2proc_eventfd/batch:1", 0},
                         {"vgen_ring/2proc_eventfd/batch:32/traced/flight", "vgen_ring/2proc_eventfd/batch:32", 0}},
                        "cache_line_round_trip");
  reporter.PrintPaired({{"vgen_ring/2proc_eventfd/batch:1/paired", "xen_ring_h", 1.0},
                        {"vgen_ring/2proc_eventfd/batch:32/paired", "xen_ring_h", 1.0},
                        {"vgen_ring/2proc_eventfd/batch:1/traced/flight/paired", "untraced", 0},
                        {"vgen_ring/2proc_eventfd/batch:32/traced/flight/paired", "untraced", 0}});
  benchmark::Shutdown();
  for (const std::string& failure : failures) std::fprintf(stderr, "bench_xen_ring: FAILED: %s\n", failure.c_str());
  return failures.empty() ? 0 : 1;
}

}  // namespace
}  // namespace vgen::bench

int main(int argc, char** argv) { return vgen::bench::run(argc, argv); }
