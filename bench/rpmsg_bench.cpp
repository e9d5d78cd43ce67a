// rpmsg message rates against boost::lockfree::spsc_queue, in one run. Every message carries
// a 64-byte payload that the sender writes and the receiver reads.
//  - two threads, both busy polling (no notifier): one-way messages/s; ping-pong with one
//    message in flight; pipelined echo with a window of 128. The peer does the same work over
//    two spsc queues of capacity 256.
//  - two processes (fork), sleeping on eventfd or on the mailbox doorbells when idle:
//    pipelined echo, window 128, with notifications per round trip.
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstring>
#include <memory>
#include <thread>

#include <vgen/cache_line.hpp>
#include <vgen/notify/eventfd.hpp>
#include <vgen/notify/mailbox.hpp>
#include <vgen/rpmsg/bus.hpp>
#include <vgen/rpmsg/vrings.hpp>
#include <vgen/shm/fd_passing.hpp>
#include <vgen/shm/region.hpp>
#include <vgen/shm/sharing.hpp>

#include "cache_line.hpp"
#include "message.hpp"
#include "ratio_reporter.hpp"
#include "spsc_peer.hpp"

namespace vgen::bench {
namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t kWindow = 128;
constexpr std::uint32_t kRemoteAddress = 2000;
constexpr shm::GuestAddress kBase = 0x100000;

// --- vgen: rpmsg host and remote in two threads -------------------------------------------------

// Shared memory with one rpmsg layout (256 buffers each way, 512 bytes each) and both sides.
struct Pair {
  explicit Pair(rpmsg::Notifiers host_lines = {}, rpmsg::Notifiers remote_lines = {}) {
    const std::uint64_t bytes = (rpmsg::SharedLayout::bytes({}) + 4096 + 4095) & ~4095ull;
    memory.add(kBase, std::make_shared<shm::Region>(shm::Region::create("vgen-rpmsg-bench", bytes)));
    shm::Allocator allocator(kBase, bytes);
    layout = rpmsg::SharedLayout::plan(allocator, {});
    control = allocator.allocate(64, 64);
    host_vrings = std::make_unique<rpmsg::HostVrings>(memory, layout, host_lines);
    remote_lines_ = remote_lines;
  }
  // Only in the process (or thread) that plays the remote.
  void make_remote() { remote_vrings = std::make_unique<rpmsg::RemoteVrings>(memory, layout, remote_lines_); }

  static rpmsg::BusOptions quiet() {
    rpmsg::BusOptions o;
    o.name_service = false;  // the benchmark binds fixed addresses
    o.log = [](const std::string&) {};
    return o;
  }

  shm::GuestMemory memory;
  rpmsg::SharedLayout layout;
  shm::GuestAddress control = 0;
  std::unique_ptr<rpmsg::HostVrings> host_vrings;
  std::unique_ptr<rpmsg::RemoteVrings> remote_vrings;

 private:
  rpmsg::Notifiers remote_lines_;
};

// The remote's echo: read the 64 bytes, answer with 64 bytes derived from them.
rpmsg::EndpointCallback echo_callback() {
  return [](rpmsg::Endpoint& self, std::span<const std::byte> payload, std::uint32_t source) {
    Message reply;
    fill(reply.data(), sum(payload.data()));
    while (!self.try_send_to(source, reply)) {
    }
  };
}

// Runs the remote bus on its own thread, busy polling, until destroyed. On its own cache lines:
// that thread reads it on every poll.
class alignas(kCacheLinePair) RemoteThread {
 public:
  RemoteThread(Pair& pair, rpmsg::EndpointCallback callback) {
    pair.make_remote();
    bus_ = std::make_unique<rpmsg::Bus>(pair.remote_vrings->link(), Pair::quiet());
    bus_->create_endpoint(std::move(callback), kRemoteAddress);
    thread_ = std::thread([this] {
      while (!stop_.load(std::memory_order_relaxed)) bus_->poll();
    });
  }
  ~RemoteThread() {
    stop_ = true;
    thread_.join();
  }

 private:
  std::unique_ptr<rpmsg::Bus> bus_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

void vgen_oneway(benchmark::State& state) {
  Pair pair;
  alignas(kCacheLinePair) std::uint64_t checksum = 0;  // the remote thread's, written per message
  RemoteThread remote(pair, [&](auto&, std::span<const std::byte> payload, auto) { checksum += sum(payload.data()); });
  rpmsg::Bus host(pair.host_vrings->link(), Pair::quiet());
  rpmsg::Endpoint& endpoint = host.create_endpoint([](auto&, auto, auto) {});
  Message m;
  std::uint64_t seq = 0;
  for (auto _ : state) {
    fill(m.data(), seq++);
    while (!endpoint.try_send_to(kRemoteAddress, m)) {
    }
  }
  set_rate(state);
}

void vgen_echo(benchmark::State& state, std::uint32_t window) {
  Pair pair;
  RemoteThread remote(pair, echo_callback());
  rpmsg::Bus host(pair.host_vrings->link(), Pair::quiet());
  std::uint32_t in_flight = 0;
  std::uint64_t replies = 0;
  rpmsg::Endpoint& endpoint = host.create_endpoint([&](auto&, std::span<const std::byte> payload, auto) {
    benchmark::DoNotOptimize(sum(payload.data()));
    --in_flight;
    ++replies;
  });
  Message m;
  std::uint64_t seq = 0;
  for (auto _ : state) {
    while (in_flight < window) {
      fill(m.data(), seq++);
      if (!endpoint.try_send_to(kRemoteAddress, m)) break;
      ++in_flight;
    }
    // One iteration consumes one reply; a poll may bring several.
    while (replies == 0) host.poll();
    --replies;
  }
  // Let the remote finish what is in flight before the buses go.
  while (in_flight > 0) host.poll();
  set_rate(state);
}

// --- vgen: two processes, sleeping on a notifier when idle -------------------------------------

enum class Line { Eventfd, Mailbox };

struct Control {
  std::atomic<std::uint32_t> stop;
  std::atomic<std::uint32_t> ready;
  std::atomic<std::uint64_t> signals;
};

[[noreturn]] void remote_process(int sock, Line line, const rpmsg::SharedLayout& layout, shm::GuestAddress control_at) {
  const shm::GuestMemory memory = shm::receive_memory(sock);
  shm::ReceivedMessage message = shm::receive_with_fds(sock, 1);
  std::unique_ptr<notify::Notifier> kick, interrupt;
  if (line == Line::Eventfd) {
    kick = std::make_unique<notify::EventfdNotifier>(message.fds.at(0));
    interrupt = std::make_unique<notify::EventfdNotifier>(message.fds.at(1));
  } else {
    kick = std::make_unique<notify::MailboxNotifier>(layout.remote_doorbell_in(memory));
    interrupt = std::make_unique<notify::MailboxNotifier>(layout.host_doorbell_in(memory));
  }
  auto* control = reinterpret_cast<Control*>(memory.translate(control_at, sizeof(Control)));
  rpmsg::RemoteVrings vrings(memory, layout, {interrupt.get(), kick.get()});
  rpmsg::Bus bus(vrings.link(), Pair::quiet());
  bus.create_endpoint(echo_callback(), kRemoteAddress);
  control->ready.store(1, std::memory_order_release);
  while (control->stop.load(std::memory_order_acquire) == 0) {
    if (bus.poll() == 0) bus.wait(50ms);
  }
  control->signals.store(interrupt->signals_sent(), std::memory_order_release);
  _exit(0);
}

void vgen_processes(benchmark::State& state, Line line) {
  std::unique_ptr<notify::EventfdNotifier> kick_fd, interrupt_fd;
  std::unique_ptr<notify::Notifier> kick, interrupt;
  // The layout is planned before the notifiers exist: the mailbox doorbells live in it.
  Pair plan;
  if (line == Line::Eventfd) {
    kick_fd = std::make_unique<notify::EventfdNotifier>();
    interrupt_fd = std::make_unique<notify::EventfdNotifier>();
  } else {
    kick = std::make_unique<notify::MailboxNotifier>(plan.layout.remote_doorbell_in(plan.memory));
    interrupt = std::make_unique<notify::MailboxNotifier>(plan.layout.host_doorbell_in(plan.memory));
  }
  notify::Notifier* to_remote = kick_fd ? kick_fd.get() : kick.get();
  notify::Notifier* to_host = interrupt_fd ? interrupt_fd.get() : interrupt.get();
  plan.host_vrings =
      std::make_unique<rpmsg::HostVrings>(plan.memory, plan.layout, rpmsg::Notifiers{to_remote, to_host});

  int socks[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, socks) != 0) {
    state.SkipWithError("socketpair failed");
    return;
  }
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(socks[0]);
    remote_process(socks[1], line, plan.layout, plan.control);
  }
  ::close(socks[1]);
  shm::send_memory(socks[0], plan.memory);
  const std::byte one{1};
  std::vector<int> fds;
  if (kick_fd) fds = {kick_fd->fd(), interrupt_fd->fd()};
  shm::send_with_fds(socks[0], {&one, 1}, fds);
  auto* control = reinterpret_cast<Control*>(plan.memory.translate(plan.control, sizeof(Control)));
  while (control->ready.load(std::memory_order_acquire) == 0) std::this_thread::yield();

  {
    rpmsg::Bus host(plan.host_vrings->link(), Pair::quiet());
    std::uint32_t in_flight = 0;
    std::uint64_t replies = 0;
    rpmsg::Endpoint& endpoint = host.create_endpoint([&](auto&, std::span<const std::byte> payload, auto) {
      benchmark::DoNotOptimize(sum(payload.data()));
      --in_flight;
      ++replies;
    });
    Message m;
    std::uint64_t seq = 0;
    for (auto _ : state) {
      while (in_flight < kWindow) {
        fill(m.data(), seq++);
        if (!endpoint.try_send_to(kRemoteAddress, m)) break;
        ++in_flight;
      }
      while (replies == 0) {
        if (host.poll() == 0) host.wait(50ms);
      }
      --replies;
    }
    while (in_flight > 0) {
      if (host.poll() == 0) host.wait(50ms);
    }
  }
  control->stop.store(1, std::memory_order_release);
  to_remote->signal();
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(socks[0]);
  const double messages = static_cast<double>(state.iterations());
  set_rate(state);
  state.counters["kicks/rt"] = static_cast<double>(to_remote->signals_sent() - 1) / messages;
  state.counters["irqs/rt"] = static_cast<double>(control->signals.load()) / messages;
}

void register_benchmarks() {
  register_cache_line_benchmark();
  auto reg = [](const char* name, auto fn) {
    return benchmark::RegisterBenchmark(name, fn)->UseRealTime()->MinTime(0.5);
  };
  reg("boost_spsc/oneway", spsc_oneway);
  reg("boost_spsc/pingpong", [](benchmark::State& s) { spsc_echo(s, 1); });
  reg("boost_spsc/echo/window:128", [](benchmark::State& s) { spsc_echo(s, kWindow); });
  reg("vgen_rpmsg/oneway", vgen_oneway);
  reg("vgen_rpmsg/pingpong", [](benchmark::State& s) { vgen_echo(s, 1); });
  reg("vgen_rpmsg/echo/window:128", [](benchmark::State& s) { vgen_echo(s, kWindow); });
  reg("vgen_rpmsg/2proc_eventfd/echo/window:128", [](benchmark::State& s) { vgen_processes(s, Line::Eventfd); });
  reg("vgen_rpmsg/2proc_mailbox/echo/window:128", [](benchmark::State& s) { vgen_processes(s, Line::Mailbox); });
}

}  // namespace
}  // namespace vgen::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  vgen::bench::register_benchmarks();
  vgen::bench::RatioReporter reporter("msgs/s");
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintSummary({{"vgen_rpmsg/oneway", "boost_spsc/oneway", 0},
                         {"vgen_rpmsg/pingpong", "boost_spsc/pingpong", 0.6},
                         {"vgen_rpmsg/echo/window:128", "boost_spsc/echo/window:128", 0.2},
                         {"vgen_rpmsg/2proc_eventfd/echo/window:128", "boost_spsc/echo/window:128", 0},
                         {"vgen_rpmsg/2proc_mailbox/echo/window:128", "boost_spsc/echo/window:128", 0}},
                        "cache_line_round_trip");
  benchmark::Shutdown();
  return 0;
}
