#include "echo_pair.hpp"

#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <vgen/notify/eventfd.hpp>
#include <vgen/notify/mailbox.hpp>
#include <vgen/rpmsg/bus.hpp>
#include <vgen/rpmsg/vrings.hpp>
#include <vgen/shm/fd_passing.hpp>
#include <vgen/shm/region.hpp>
#include <vgen/shm/sharing.hpp>

namespace vgen::test {
namespace {

using namespace std::chrono_literals;

constexpr shm::GuestAddress kBase = 0x40000000;
constexpr std::uint8_t kReplyMask = 0xa5;

// Counters both processes see, placed after the rpmsg layout.
struct Control {
  std::atomic<std::uint32_t> stop;
  std::atomic<std::uint64_t> bad_requests;
  std::atomic<std::uint64_t> received;
  std::atomic<std::uint64_t> rejected;
  std::atomic<std::uint64_t> signals;
};

// What the remote needs besides the memory.
struct WireConfig {
  rpmsg::SharedLayout layout;
  shm::GuestAddress control;
  std::uint32_t channels;
  std::uint32_t notifier;
};

// Payload length of request `seq`: mostly short, every 1000th the largest the buffer holds.
std::uint32_t length_of(std::uint64_t seq, std::uint32_t max_payload) {
  return seq % 1000 == 999 ? max_payload : 8 + static_cast<std::uint32_t>(seq % 121);
}

// Request bytes: the sequence number, the channel, then a pattern of both.
void compose(std::byte* p, std::uint32_t length, std::uint64_t seq, std::uint32_t channel) {
  const auto s = static_cast<std::uint32_t>(seq);
  std::memcpy(p, &s, 4);
  p[4] = static_cast<std::byte>(channel);
  for (std::uint32_t i = 5; i < length; ++i) p[i] = static_cast<std::byte>((seq * 31 + i * 7 + channel) & 0xff);
}

bool payload_matches(std::span<const std::byte> payload, std::uint64_t seq, std::uint32_t channel, std::uint8_t mask,
             std::uint32_t max_payload) {
  const std::uint32_t length = length_of(seq, max_payload);
  if (payload.size() != length) return false;
  std::byte want[rpmsg::kMaxBufferSize];
  compose(want, length, seq, channel);
  for (std::uint32_t i = 0; i < length; ++i) {
    if (payload[i] != (want[i] ^ static_cast<std::byte>(mask))) return false;
  }
  return true;
}

struct Notifiers {
  std::unique_ptr<notify::Notifier> to_remote;
  std::unique_ptr<notify::Notifier> to_host;
};

// --- remote process --------------------------------------------------------------------------

int remote_main(int sock) {
  const shm::GuestMemory memory = shm::receive_memory(sock);
  shm::ReceivedMessage message = shm::receive_with_fds(sock, sizeof(WireConfig));
  WireConfig wire;
  std::memcpy(&wire, message.bytes.data(), sizeof wire);
  wire.layout.validate(memory);
  auto* control = reinterpret_cast<Control*>(memory.translate(wire.control, sizeof(Control)));
  Notifiers lines;
  if (static_cast<EchoNotifier>(wire.notifier) == EchoNotifier::Eventfd) {
    if (message.fds.size() != 2) throw Error("remote: expected 2 eventfds");
    lines.to_remote = std::make_unique<notify::EventfdNotifier>(message.fds[0]);
    lines.to_host = std::make_unique<notify::EventfdNotifier>(message.fds[1]);
  } else {
    lines.to_remote = std::make_unique<notify::MailboxNotifier>(wire.layout.remote_doorbell_in(memory));
    lines.to_host = std::make_unique<notify::MailboxNotifier>(wire.layout.host_doorbell_in(memory));
  }
  rpmsg::RemoteVrings vrings(memory, wire.layout, {lines.to_host.get(), lines.to_remote.get()});
  rpmsg::BusOptions options;
  options.feedback = vrings.feedback();
  rpmsg::Bus bus(vrings.link(), options);
  std::vector<std::uint64_t> expected(wire.channels, 0);
  std::vector<std::byte> reply(bus.max_payload());
  for (std::uint32_t c = 0; c < wire.channels; ++c) {
    bus.create_channel("echo-" + std::to_string(c), [&, c](rpmsg::Endpoint& self, std::span<const std::byte> payload,
                                                          std::uint32_t source) {
      control->received.fetch_add(1, std::memory_order_relaxed);
      if (!payload_matches(payload, expected[c]++, c, 0, bus.max_payload())) control->bad_requests.fetch_add(1);
      for (std::size_t i = 0; i < payload.size(); ++i) reply[i] = payload[i] ^ std::byte{kReplyMask};
      if (!self.send_to(source, std::span(reply).first(payload.size()), 20s)) control->bad_requests.fetch_add(1);
    });
  }
  while (control->stop.load(std::memory_order_acquire) == 0) {
    if (bus.poll() == 0) bus.wait(100ms);
  }
  const rpmsg::Statistics s = bus.statistics();
  control->rejected.store(s.unknown_destination + s.rejected_messages + s.rejected_announcements);
  control->signals.store(lines.to_host->signals_sent());
  return 0;
}

[[noreturn]] void run_remote(int sock) {
  int status = 0;
  try {
    status = remote_main(sock);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rpmsg echo remote: %s\n", e.what());
    status = 3;
  }
  _exit(status);
}

// --- host process ----------------------------------------------------------------------------

// Binds the remote's "echo-N" channels and checks every reply on them, in order.
class EchoDriver : public rpmsg::Driver {
 public:
  EchoDriver(std::uint32_t channels, std::uint32_t max_payload)
      : Driver(names(channels)), max_payload_(max_payload), bound_(channels, nullptr), replied_(channels, 0) {}

  void probe(rpmsg::Channel& channel) override { bound_.at(index_of(channel)) = &channel; }
  void receive(rpmsg::Channel& channel, std::span<const std::byte> payload, std::uint32_t) override {
    const std::uint32_t c = index_of(channel);
    if (!payload_matches(payload, replied_[c]++, c, kReplyMask, max_payload_)) ++bad_replies;
    ++round_trips;
  }

  rpmsg::Channel* channel(std::uint32_t c) const { return bound_[c]; }
  std::uint64_t replied(std::uint32_t c) const { return replied_[c]; }
  std::uint32_t bound() const {
    std::uint32_t n = 0;
    for (const rpmsg::Channel* c : bound_) n += c != nullptr ? 1 : 0;
    return n;
  }

  std::uint64_t round_trips = 0;
  std::uint64_t bad_replies = 0;

 private:
  static std::vector<std::string> names(std::uint32_t channels) {
    std::vector<std::string> all;
    for (std::uint32_t c = 0; c < channels; ++c) all.push_back("echo-" + std::to_string(c));
    return all;
  }
  static std::uint32_t index_of(const rpmsg::Channel& channel) {
    return static_cast<std::uint32_t>(std::stoul(channel.name().substr(5)));
  }

  std::uint32_t max_payload_;
  std::vector<rpmsg::Channel*> bound_;
  std::vector<std::uint64_t> replied_;
};

void run_host(rpmsg::Bus& bus, EchoDriver& driver, const EchoOptions& o, EchoResult& r) {
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (driver.bound() < o.channels) {
    if (bus.poll() == 0) bus.wait(100ms);
    if (std::chrono::steady_clock::now() > deadline) throw Error("host: the remote's channels did not appear");
  }
  const std::uint64_t per_channel = o.round_trips / o.channels;
  std::vector<std::uint64_t> sent(o.channels, 0);
  std::vector<std::byte> request(bus.max_payload());
  const auto start = std::chrono::steady_clock::now();
  while (driver.round_trips < per_channel * o.channels) {
    for (std::uint32_t c = 0; c < o.channels; ++c) {
      while (sent[c] < per_channel && sent[c] - driver.replied(c) < o.window) {
        const std::uint32_t length = length_of(sent[c], bus.max_payload());
        compose(request.data(), length, sent[c], c);
        if (!driver.channel(c)->send(std::span(request).first(length), 20s)) throw Error("host: send timed out");
        ++sent[c];
      }
    }
    if (bus.poll() == 0) bus.wait(100ms);
    if (std::chrono::steady_clock::now() > deadline) throw Error("host: replies stopped coming");
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

const char* to_string(EchoNotifier kind) noexcept { return kind == EchoNotifier::Eventfd ? "eventfd" : "mailbox"; }

EchoResult run_echo_pair(const EchoOptions& o) {
  if (o.channels == 0 || o.channels > 64) throw Error("channels must be 1 to 64, not " + std::to_string(o.channels));
  rpmsg::LayoutOptions layout_options;
  const std::uint64_t bytes = (rpmsg::SharedLayout::bytes(layout_options) + sizeof(Control) + 64 + 4095) & ~4095ull;
  shm::GuestMemory memory;
  memory.add(kBase, std::make_shared<shm::Region>(shm::Region::create("vgen-rpmsg-echo", bytes)));
  shm::Allocator allocator(kBase, bytes);
  WireConfig wire{};
  wire.layout = rpmsg::SharedLayout::plan(allocator, layout_options);
  wire.control = allocator.allocate(sizeof(Control), 64);
  wire.channels = o.channels;
  wire.notifier = static_cast<std::uint32_t>(o.notifier);
  if (o.window * o.channels > wire.layout.queue_size) {
    throw Error("window * channels must not exceed the " + std::to_string(wire.layout.queue_size) + " buffers");
  }

  int socks[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, socks) != 0) throw Error("socketpair failed");
  std::fflush(nullptr);
  const pid_t child = ::fork();
  if (child < 0) throw Error("fork failed");
  if (child == 0) {
    ::close(socks[0]);
    run_remote(socks[1]);
  }
  ::close(socks[1]);

  Notifiers lines;
  std::vector<int> fds;
  if (o.notifier == EchoNotifier::Eventfd) {
    auto kick = std::make_unique<notify::EventfdNotifier>();
    auto interrupt = std::make_unique<notify::EventfdNotifier>();
    fds = {kick->fd(), interrupt->fd()};
    lines.to_remote = std::move(kick);
    lines.to_host = std::move(interrupt);
  } else {
    lines.to_remote = std::make_unique<notify::MailboxNotifier>(wire.layout.remote_doorbell_in(memory));
    lines.to_host = std::make_unique<notify::MailboxNotifier>(wire.layout.host_doorbell_in(memory));
  }
  auto* control = reinterpret_cast<Control*>(memory.translate(wire.control, sizeof(Control)));
  EchoResult r;
  {
    // The host initialises the rings before the remote sees the configuration.
    rpmsg::HostVrings vrings(memory, wire.layout, {lines.to_remote.get(), lines.to_host.get()});
    shm::send_memory(socks[0], memory);
    shm::send_with_fds(socks[0], std::as_bytes(std::span(&wire, 1)), fds);
    rpmsg::BusOptions options;
    options.feedback = vrings.feedback();
    rpmsg::Bus bus(vrings.link(), options);
    EchoDriver driver(o.channels, bus.max_payload());
    bus.register_driver(driver);
    try {
      run_host(bus, driver, o, r);
    } catch (...) {
      control->stop.store(1);
      lines.to_remote->signal();
      ::waitpid(child, nullptr, 0);
      throw;
    }
    r.round_trips = driver.round_trips;
    r.bad_replies = driver.bad_replies;
    r.channels_bound = driver.bound();
    const rpmsg::Statistics s = bus.statistics();
    r.host_rejected = s.unknown_destination + s.rejected_messages + s.rejected_announcements;
    control->stop.store(1, std::memory_order_release);
    lines.to_remote->signal();
    int status = 0;
    ::waitpid(child, &status, 0);
    r.remote_exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  ::close(socks[0]);
  r.bad_requests = control->bad_requests.load();
  r.remote_received = control->received.load();
  r.remote_rejected = control->rejected.load();
  r.signals = control->signals.load() + lines.to_remote->signals_sent() - 1;  // the last kick only stopped it
  return r;
}

}  // namespace vgen::test
