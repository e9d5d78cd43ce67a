#include "ring_pair.hpp"

#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include <vgen/notify/eventfd.hpp>
#include <vgen/notify/mailbox.hpp>
#include <vgen/shm/allocator.hpp>
#include <vgen/shm/fd_passing.hpp>
#include <vgen/shm/sharing.hpp>
#include <vgen/virtqueue/split_device.hpp>
#include <vgen/virtqueue/split_driver.hpp>

namespace vgen::demo {
namespace {

constexpr shm::GuestAddress kBase = 0x40000000;
constexpr auto kIdleWait = std::chrono::milliseconds(100);

// Counters both processes see, at the start of shared memory.
struct Control {
  std::atomic<std::uint32_t> ready;
  std::atomic<std::uint32_t> stop;
  std::atomic<std::uint64_t> bad_requests;
  std::atomic<std::uint64_t> interrupts;
};

// Everything the device needs besides the memory: sent as bytes over the socket.
struct WireConfig {
  std::uint32_t magic;
  std::uint32_t queue_size;
  std::uint64_t desc, avail, used;
  std::uint32_t event_idx;
  std::uint32_t payload;
  std::uint32_t notifier;
  std::uint32_t reserved;
  std::uint64_t control;
  std::uint64_t kick_register, interrupt_register;  // mailbox kind
};
constexpr std::uint32_t kWireMagic = 0x76676e31;  // "vgn1"

// Request and response bytes of message `seq`: 16 bytes of text, the sequence number, then a
// pattern; the response's text and pattern differ from the request's.
void compose(std::byte* p, std::uint32_t length, std::uint64_t seq, bool response) {
  char text[17];
  std::snprintf(text, sizeof text, "%s %010llu", response ? "pong" : "ping", static_cast<unsigned long long>(seq % 10000000000ull));
  std::memcpy(p, text, 16);
  std::memcpy(p + 16, &seq, 8);
  for (std::uint32_t i = 24; i < length; ++i) {
    p[i] = static_cast<std::byte>(((seq * 131 + i) ^ (response ? 0xa5 : 0)) & 0xff);
  }
}

bool matches(const std::byte* p, std::uint32_t length, std::uint64_t seq, bool response) {
  std::vector<std::byte> want(length);
  compose(want.data(), length, seq, response);
  return std::memcmp(p, want.data(), length) == 0;
}

std::uint64_t sequence_of(const std::byte* p) {
  std::uint64_t seq;
  std::memcpy(&seq, p + 16, 8);
  return seq;
}

std::unique_ptr<notify::Notifier> make_notifier(NotifierKind kind, int fd, notify::MailboxRegister* reg) {
  if (kind == NotifierKind::Eventfd) return std::make_unique<notify::EventfdNotifier>(fd);
  return std::make_unique<notify::MailboxNotifier>(reg);
}

// --- device process -----------------------------------------------------------------------

void serve(virtqueue::SplitDeviceQueue& device, const virtqueue::DescriptorChain& chain, std::uint32_t payload,
           Control& control) {
  std::vector<std::byte> request(payload);
  const bool complete = virtqueue::ChainReader(chain).read(request) == payload;
  const std::uint64_t seq = sequence_of(request.data());
  if (!complete || !matches(request.data(), payload, seq, false)) control.bad_requests.fetch_add(1);
  std::vector<std::byte> response(payload);
  compose(response.data(), payload, seq, true);
  virtqueue::ChainWriter writer(chain);
  writer.write(response);
  device.put(chain.head(), writer.written());
}

int device_main(int sock) {
  const shm::GuestMemory memory = shm::receive_memory(sock);
  shm::ReceivedMessage message = shm::receive_with_fds(sock, sizeof(WireConfig));
  WireConfig wire;
  std::memcpy(&wire, message.bytes.data(), sizeof wire);
  if (wire.magic != kWireMagic) throw Error("device: bad configuration magic");
  const auto kind = static_cast<NotifierKind>(wire.notifier);
  const bool eventfd = kind == NotifierKind::Eventfd;
  if (eventfd && message.fds.size() != 2) throw Error("device: expected 2 eventfds");
  auto* control = reinterpret_cast<Control*>(memory.translate(wire.control, sizeof(Control)));
  auto* kick_reg = reinterpret_cast<notify::MailboxRegister*>(memory.translate(wire.kick_register, 64));
  auto* irq_reg = reinterpret_cast<notify::MailboxRegister*>(memory.translate(wire.interrupt_register, 64));
  auto kick = make_notifier(kind, eventfd ? message.fds[0] : -1, kick_reg);
  auto interrupt = make_notifier(kind, eventfd ? message.fds[1] : -1, irq_reg);

  virtqueue::QueueConfig config;
  config.size = wire.queue_size;
  config.addresses = {wire.desc, wire.avail, wire.used};
  config.features = {false, wire.event_idx != 0};
  virtqueue::SplitDeviceQueue device(memory, config);
  device.set_notifier(interrupt.get());
  virtqueue::DescriptorChain chain;
  control->ready.store(1, std::memory_order_release);
  while (control->stop.load(std::memory_order_acquire) == 0) {
    while (device.take(chain)) serve(device, chain, wire.payload, *control);
    device.notify();
    if (device.enable_notifications()) continue;  // a kick could have been suppressed
    kick->wait(kIdleWait);
    device.disable_notifications();
  }
  control->interrupts.store(interrupt->signals_sent(), std::memory_order_release);
  return 0;
}

[[noreturn]] void run_device(int sock) {
  int status = 0;
  try {
    status = device_main(sock);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vgen-ring-demo: device: %s\n", e.what());
    status = 3;
  }
  _exit(status);
}

// --- driver process -----------------------------------------------------------------------

struct Layout {
  shm::GuestAddress control, kick_register, interrupt_register, slots;
  virtqueue::QueueConfig config;
};

Layout plan(const PairOptions& o, shm::Allocator& alloc) {
  Layout l;
  l.control = alloc.allocate(sizeof(Control), 64);
  l.kick_register = alloc.allocate(64, 64);
  l.interrupt_register = alloc.allocate(64, 64);
  l.config.size = o.queue_size;
  l.config.features = {false, o.event_idx};
  l.config.addresses.desc = alloc.allocate(virtqueue::desc_table_bytes(o.queue_size), 4096);
  l.config.addresses.avail = alloc.allocate(virtqueue::avail_ring_bytes(o.queue_size), 64);
  l.config.addresses.used = alloc.allocate(virtqueue::used_ring_bytes(o.queue_size), 64);
  l.slots = alloc.allocate(std::uint64_t{o.queue_size / 2} * 2 * o.payload, 64);
  return l;
}

class Driver {
 public:
  Driver(const PairOptions& o, const shm::GuestMemory& memory, const Layout& l, notify::Notifier& kick,
         notify::Notifier& interrupt)
      : o_(o), memory_(memory), l_(l), queue_(memory, l.config), interrupt_(interrupt) {
    queue_.set_notifier(&kick);
    for (std::uint32_t s = 0; s < o.queue_size / 2; ++s) free_.push_back(s);
  }

  PairResult run() {
    PairResult r;
    const auto start = std::chrono::steady_clock::now();
    while (received_ < o_.messages) {
      fill();
      if (reclaim(r)) continue;
      if (queue_.enable_interrupts()) continue;  // used buffers arrived while re-arming
      interrupt_.wait(kIdleWait);
      queue_.disable_interrupts();
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.messages = received_;
    return r;
  }

 private:
  shm::GuestAddress out(std::uint64_t slot) const { return l_.slots + slot * 2 * o_.payload; }
  shm::GuestAddress in(std::uint64_t slot) const { return out(slot) + o_.payload; }

  void fill() {
    bool added = false;
    while (!free_.empty() && sent_ < o_.messages) {
      const std::uint32_t slot = free_.back();
      free_.pop_back();
      compose(memory_.translate(out(slot), o_.payload), o_.payload, sent_, false);
      std::memset(memory_.translate(in(slot), o_.payload), 0, o_.payload);
      const virtqueue::Buffer r[] = {{out(slot), o_.payload}};
      const virtqueue::Buffer w[] = {{in(slot), o_.payload}};
      queue_.add(r, w, (sent_ << 16) | slot);
      ++sent_;
      added = true;
    }
    if (added) queue_.kick();
  }

  bool reclaim(PairResult& r) {
    bool any = false;
    while (const auto used = queue_.reclaim()) {
      const std::uint32_t slot = used->token & 0xffff;
      const std::uint64_t seq = used->token >> 16;
      const std::byte* response = memory_.translate(in(slot), o_.payload);
      if (used->length != o_.payload || !matches(response, o_.payload, seq, true)) ++r.bad_responses;
      if (seq < o_.show && o_.on_exchange) report(seq, slot, used->length);
      free_.push_back(slot);
      ++received_;
      any = true;
    }
    return any;
  }

  void report(std::uint64_t seq, std::uint32_t slot, std::uint32_t length) const {
    Exchange e;
    e.sequence = seq;
    e.request.assign(reinterpret_cast<const char*>(memory_.translate(out(slot), 16)), 15);
    e.response.assign(reinterpret_cast<const char*>(memory_.translate(in(slot), 16)), 15);
    e.used_length = length;
    o_.on_exchange(e);
  }

  const PairOptions& o_;
  const shm::GuestMemory& memory_;
  const Layout& l_;
  virtqueue::SplitDriverQueue queue_;
  notify::Notifier& interrupt_;
  std::vector<std::uint32_t> free_;
  std::uint64_t sent_ = 0;
  std::uint64_t received_ = 0;
};

void send_config(int sock, const PairOptions& o, const Layout& l, const int* fds, std::size_t fd_count) {
  WireConfig wire{};
  wire.magic = kWireMagic;
  wire.queue_size = o.queue_size;
  wire.desc = l.config.addresses.desc;
  wire.avail = l.config.addresses.avail;
  wire.used = l.config.addresses.used;
  wire.event_idx = o.event_idx ? 1 : 0;
  wire.payload = o.payload;
  wire.notifier = static_cast<std::uint32_t>(o.notifier);
  wire.control = l.control;
  wire.kick_register = l.kick_register;
  wire.interrupt_register = l.interrupt_register;
  shm::send_with_fds(sock, std::as_bytes(std::span(&wire, 1)), std::span(fds, fd_count));
}

}  // namespace

const char* to_string(NotifierKind kind) noexcept { return kind == NotifierKind::Eventfd ? "eventfd" : "mailbox"; }

PairResult run_two_process_pair(const PairOptions& o) {
  if (o.payload < 24) throw Error("payload must be at least 24 bytes, not " + std::to_string(o.payload));
  if (o.queue_size < 2 || !virtqueue::valid_queue_size(o.queue_size)) {
    throw Error("queue size must be a power of two from 2 to 32768, not " + std::to_string(o.queue_size));
  }
  const std::uint64_t bytes = (std::uint64_t{o.queue_size} * (16 + 2 + 8 + 2 * o.payload) + 3 * 4096 + 4095) & ~4095ull;
  shm::GuestMemory memory;
  memory.add(kBase, std::make_shared<shm::Region>(shm::Region::create("vgen-ring-demo", bytes)));
  shm::Allocator alloc(kBase, bytes);
  const Layout l = plan(o, alloc);

  int socks[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, socks) != 0) throw Error("socketpair failed");
  std::fflush(nullptr);
  const pid_t child = fork();
  if (child < 0) throw Error("fork failed");
  if (child == 0) {
    close(socks[0]);
    run_device(socks[1]);
  }
  close(socks[1]);

  notify::EventfdNotifier kick_fd, interrupt_fd;
  auto* kick_reg = reinterpret_cast<notify::MailboxRegister*>(memory.translate(l.kick_register, 64));
  auto* irq_reg = reinterpret_cast<notify::MailboxRegister*>(memory.translate(l.interrupt_register, 64));
  std::unique_ptr<notify::Notifier> kick_mailbox, interrupt_mailbox;
  notify::Notifier* kick = &kick_fd;
  notify::Notifier* interrupt = &interrupt_fd;
  if (o.notifier == NotifierKind::Mailbox) {
    kick_mailbox = std::make_unique<notify::MailboxNotifier>(kick_reg);
    interrupt_mailbox = std::make_unique<notify::MailboxNotifier>(irq_reg);
    kick = kick_mailbox.get();
    interrupt = interrupt_mailbox.get();
  }
  shm::send_memory(socks[0], memory);
  const int fds[] = {kick_fd.fd(), interrupt_fd.fd()};
  send_config(socks[0], o, l, fds, o.notifier == NotifierKind::Eventfd ? 2 : 0);
  auto* control = reinterpret_cast<Control*>(memory.translate(l.control, sizeof(Control)));

  PairResult result;
  {
    Driver driver(o, memory, l, *kick, *interrupt);
    result = driver.run();
  }
  control->stop.store(1, std::memory_order_release);
  kick->signal();
  int status = 0;
  waitpid(child, &status, 0);
  close(socks[0]);
  result.device_exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.kicks = kick->signals_sent() - 1;  // the last one only woke the device to stop
  result.interrupts = control->interrupts.load(std::memory_order_acquire);
  result.bad_requests = control->bad_requests.load(std::memory_order_acquire);
  return result;
}

}  // namespace vgen::demo
