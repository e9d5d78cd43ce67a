// The rpmsg checks. The remote under test runs its own bus on a thread over the remote side of
// a pair of vrings in shared memory; the harness holds the host side's link and speaks raw
// messages on it, so it sees every byte the remote sends and can send what no bus would.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <vgen/conform/isolation.hpp>
#include <vgen/conform/trace.hpp>
#include <vgen/error.hpp>
#include <vgen/notify/eventfd.hpp>
#include <vgen/rpmsg/bus.hpp>
#include <vgen/rpmsg/vrings.hpp>
#include <vgen/shm/allocator.hpp>
#include <vgen/shm/region.hpp>

#include "half_process.hpp"
#include "rpmsg_suite.hpp"

namespace vgen::conform::rpmsg_checks {
namespace {

using namespace std::chrono_literals;
constexpr auto kStep = 3000ms;  // the longest the remote may take to answer
constexpr shm::GuestAddress kBase = 0x40000000;
constexpr std::uint32_t kHostAddress = 2048;  // the harness host's endpoint

/// One message as it crossed the link, bytes copied.
struct Message {
  std::uint32_t written = 0;  ///< bytes the sender wrote (header included)
  std::vector<std::byte> bytes;
  std::uint32_t src = 0, dst = 0, reserved = 0;
  std::uint16_t len = 0, flags = 0;
};

std::uint32_t u32(const std::byte* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;  // little-endian hosts only, as the runtime's wire code
}
std::uint16_t u16(const std::byte* p) {
  std::uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

std::vector<std::byte> header(std::uint32_t src, std::uint32_t dst, std::uint16_t len) {
  std::vector<std::byte> out(rpmsg::kHeaderSize);
  std::memcpy(out.data(), &src, 4);
  std::memcpy(out.data() + 4, &dst, 4);
  std::memcpy(out.data() + 12, &len, 2);
  return out;
}

// A well-formed message: the header, then `payload`.
std::vector<std::byte> message(std::uint32_t src, std::uint32_t dst, const std::vector<std::byte>& payload) {
  std::vector<std::byte> bytes = header(src, dst, static_cast<std::uint16_t>(payload.size()));
  bytes.insert(bytes.end(), payload.begin(), payload.end());
  return bytes;
}

// The shared memory of one run and both sides' vrings: `kick` goes from the host to the
// remote, `interrupt` back.
struct SharedRings {
  explicit SharedRings(std::uint32_t buffer_size) {
    rpmsg::LayoutOptions options;
    options.buffer_size = buffer_size;
    const std::uint64_t bytes = (rpmsg::SharedLayout::bytes(options) + 4095) & ~std::uint64_t{4095};
    memory.add(kBase, std::make_shared<shm::Region>(shm::Region::create("conform-rpmsg", bytes)));
    shm::Allocator allocator(kBase, bytes);
    layout = rpmsg::SharedLayout::plan(allocator, options);
    host = std::make_unique<rpmsg::HostVrings>(memory, layout, rpmsg::Notifiers{&kick, &interrupt});
    remote = std::make_unique<rpmsg::RemoteVrings>(memory, layout, rpmsg::Notifiers{&interrupt, &kick});
    // --trace: both sides' vrings record their chains, whichever side the harness plays.
    host->set_trace(check_trace());
    remote->set_trace(check_trace());
  }

  shm::GuestMemory memory;
  rpmsg::SharedLayout layout{};
  notify::EventfdNotifier kick, interrupt;
  std::unique_ptr<rpmsg::HostVrings> host;
  std::unique_ptr<rpmsg::RemoteVrings> remote;
};

// The next message on the harness's `link`, copied (its header decoded when it holds a whole
// one) and appended to `log`. Waits on `wake` up to `timeout`; nullopt then, or as soon as
// `ended()` holds with nothing received.
std::optional<Message> receive_on(rpmsg::Link& link, std::uint32_t buffer_size, notify::EventfdNotifier& wake,
                                  std::chrono::milliseconds timeout, const std::function<bool()>& ended,
                                  std::vector<Message>& log) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto buffer = link.receive()) {
      Message m;
      m.written = buffer->length;
      const std::uint32_t readable = std::min(buffer->length, buffer_size);
      m.bytes.assign(buffer->data, buffer->data + readable);
      if (readable >= rpmsg::kHeaderSize) {
        m.src = u32(buffer->data);
        m.dst = u32(buffer->data + 4);
        m.reserved = u32(buffer->data + 8);
        m.len = u16(buffer->data + 12);
        m.flags = u16(buffer->data + 14);
      }
      link.release_rx(*buffer);
      link.flush_rx();
      log.push_back(m);
      return m;
    }
    if (ended()) return std::nullopt;
    if (link.arm_rx()) continue;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return std::nullopt;
    wake.wait(deadline - now);
  }
}

// Sends `bytes` as one buffer on the harness's `link`, of which the peer is told `written`
// bytes were written; throws vgen::Error(`when_full`) when no buffer is free.
void send_on(rpmsg::Link& link, const std::vector<std::byte>& bytes, std::uint32_t written, const char* when_full) {
  std::optional<rpmsg::TxBuffer> buffer = link.acquire_tx();
  if (!buffer) throw vgen::Error(when_full);
  std::memcpy(buffer->data, bytes.data(), std::min<std::size_t>(bytes.size(), buffer->capacity));
  link.submit_tx(*buffer, std::min(written, buffer->capacity));
}

// The remote under test over its side of the vrings: its bus, its endpoints, started.
struct RemoteHalf {
  RemoteHalf(const RpmsgTarget& target, SharedRings& rings) {
    rpmsg::Link* link = &rings.remote->link();
    if (target.wrap_remote_link) {
      wrapped = target.wrap_remote_link(*link);
      link = wrapped.get();
    }
    rpmsg::BusOptions bus_options;
    bus_options.feedback = rings.remote->feedback();
    bus_options.log = [](const std::string& line) { std::fprintf(stderr, "remote: %s\n", line.c_str()); };
    bus_options.trace = check_trace();  // the messages and channels of the half under test
    bus = std::make_unique<rpmsg::Bus>(*link, bus_options);
    remote = target.halves.make_remote(*bus);
    remote->start();
  }
  /// Polls the bus once, or waits a little for work; false when nothing came.
  bool step() {
    if (bus->poll() > 0) return true;
    bus->wait(std::chrono::milliseconds(20));
    return false;
  }

  std::unique_ptr<rpmsg::Link> wrapped;
  std::unique_ptr<rpmsg::Bus> bus;
  std::unique_ptr<halves::RpmsgRemoteEndpoints> remote;
};

// The remote under test and the harness's raw host side: the remote on a thread of this
// process, or (`processes`) in a process of its own over the same shared memory.
class World {
 public:
  World(const RpmsgTarget& target, bool processes) : rings_(target.halves.spec->buffer_size) {
    if (processes) {
      half_ = std::make_unique<HalfProcess>([this, &target](HalfReport& report) {
        RemoteHalf remote(target, rings_);
        while (!report.stopping()) {
          remote.step();
          report.publish(remote.bus->statistics());
        }
      });
      return;
    }
    remote_ = std::make_unique<RemoteHalf>(target, rings_);
    thread_ = std::thread([this] { loop(); });
  }

  ~World() {
    if (half_) return;  // HalfProcess stops and reaps the child
    stop_ = true;
    rings_.kick.signal();
    thread_.join();
    remote_.reset();
  }

  std::uint32_t buffer_size() const { return rings_.layout.buffer_size; }
  rpmsg::Statistics statistics() const { return half_ ? half_->statistics() : remote_->bus->statistics(); }
  std::string error() const {
    if (half_) return half_->error();
    std::lock_guard lock(mutex_);
    return error_;
  }

  // The next message the remote sent, waiting up to `timeout` for it.
  std::optional<Message> receive(std::chrono::milliseconds timeout) {
    return receive_on(
        rings_.host->link(), buffer_size(), rings_.interrupt, timeout, [] { return false; }, received_);
  }

  // The next message the remote sent to `dst`, the ones before it kept too.
  std::optional<Message> receive_to(std::uint32_t dst, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto m =
          receive(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
      if (!m) return std::nullopt;
      if (m->dst == dst) return m;
    }
    return std::nullopt;
  }

  // Sends `bytes` as one buffer of which the remote is told `written` bytes were written.
  void send_raw(const std::vector<std::byte>& bytes, std::uint32_t written) {
    send_on(rings_.host->link(), bytes, written, "the remote holds every transmit buffer");
  }

  // A well-formed message from the harness host to `dst`.
  void send(std::uint32_t dst, const std::vector<std::byte>& payload) {
    const std::vector<std::byte> bytes = message(kHostAddress, dst, payload);
    send_raw(bytes, static_cast<std::uint32_t>(bytes.size()));
  }

  const std::vector<Message>& received() const { return received_; }

 private:
  void loop() {
    while (!stop_) {
      try {
        remote_->step();
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex_);
        error_ = e.what();
        return;
      }
    }
  }

  SharedRings rings_;
  std::unique_ptr<RemoteHalf> remote_;
  std::unique_ptr<HalfProcess> half_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::string error_;
  std::thread thread_;
  std::vector<Message> received_;
};

// --- what a run leaves for the checks -----------------------------------------------------

struct Run {
  std::optional<Message> announcement;  ///< the first name-service message
  std::uint32_t service = 0;            ///< the announced address
  std::optional<Message> reply;         ///< the answer to a well-formed request
  std::vector<Message> received;        ///< everything the remote sent
  rpmsg::Statistics before{}, after{};  ///< the remote's counters around the hostile message
  std::string hostile;                  ///< what the hostile message was
  std::string errors;                   ///< why the remote's loop stopped
  std::uint32_t buffer_size = 0;
  std::string outcome;
};

// A request the service takes: endpoint 0's message size of zeros, with a recognisable first byte.
std::vector<std::byte> request(const RpmsgTarget& target, std::byte mark) {
  const halves::RpmsgSpec& spec = *target.halves.spec;
  std::uint32_t size =
      spec.endpoints.empty() || spec.endpoints[0].message_bytes == 0 ? 8 : spec.endpoints[0].message_bytes;
  std::vector<std::byte> out(size);
  out[0] = mark;
  return out;
}

using Hostile = std::function<std::string(World&, std::uint32_t service)>;

Run run(const RpmsgTarget& target, const Hostile& hostile, bool processes) {
  World world(target, processes);
  Run r;
  r.buffer_size = world.buffer_size();
  r.announcement = world.receive_to(rpmsg::kNameServiceAddress, kStep);
  if (!r.announcement) {
    r.outcome = "no name-service announcement";
  } else {
    r.service = r.announcement->bytes.size() >= rpmsg::kHeaderSize + 36
                    ? u32(r.announcement->bytes.data() + rpmsg::kHeaderSize + 32)
                    : 0;
    if (hostile) {
      r.before = world.statistics();
      r.hostile = hostile(world, r.service);
    }
    world.send(r.service, request(target, std::byte{0x5a}));
    r.reply = world.receive_to(kHostAddress, kStep);
    r.after = world.statistics();
    r.outcome = r.reply ? "answered a request" : "no answer to a request";
  }
  r.errors = world.error();
  r.received = world.received();
  return r;
}

// --- judging ------------------------------------------------------------------------------

Verdict announces(const Run& r, const RpmsgTarget& t) {
  if (!r.announcement) return fail("sent no message to the name service (0x35) after starting");
  const Message& m = *r.announcement;
  if (m.len != rpmsg::kAnnouncementSize || m.bytes.size() < rpmsg::kHeaderSize + rpmsg::kAnnouncementSize) {
    return fail("announcement of " + std::to_string(m.len) + " bytes, not 40");
  }
  const std::byte* p = m.bytes.data() + rpmsg::kHeaderSize;
  const std::size_t name_length = ::strnlen(reinterpret_cast<const char*>(p), rpmsg::kNameSize);
  if (name_length == rpmsg::kNameSize) return fail("announced name has no NUL within 32 bytes");
  if (name_length == 0) return fail("announced an empty name");
  const std::string name(reinterpret_cast<const char*>(p), name_length);
  const std::uint32_t flags = u32(p + 36);
  if (flags != 0) return fail("first announcement has flags " + std::to_string(flags) + ", not 0 (create)");
  if (r.service == rpmsg::kAnyAddress || r.service == rpmsg::kNameServiceAddress)
    return fail("announced address " + std::to_string(r.service));
  if (name != t.halves.spec->service)
    return fail("announced \"" + name + "\", not the service \"" + std::string(t.halves.spec->service) + "\"");
  return pass("announced \"" + name + "\" at " + std::to_string(r.service) + " (create)");
}

Verdict headers(const Run& r) {
  if (r.received.empty()) return fail("sent nothing (" + r.outcome + ")");
  for (const Message& m : r.received) {
    if (m.written < rpmsg::kHeaderSize)
      return fail("sent a buffer of " + std::to_string(m.written) + " bytes, shorter than a header");
    if (m.written > r.buffer_size)
      return fail("claims " + std::to_string(m.written) + " bytes written in a " + std::to_string(r.buffer_size) +
                  "-byte buffer");
    if (m.len + rpmsg::kHeaderSize != m.written) {
      return fail("header len " + std::to_string(m.len) + " with " + std::to_string(m.written) +
                  " bytes written (message to " + std::to_string(m.dst) + ")");
    }
  }
  return pass("all " + std::to_string(r.received.size()) + " messages: len + 16 = bytes written, within the buffer");
}

Verdict zero_fields(const Run& r) {
  if (r.received.empty()) return fail("sent nothing (" + r.outcome + ")");
  for (const Message& m : r.received) {
    if (m.reserved != 0 || m.flags != 0)
      return fail("message to " + std::to_string(m.dst) + " has reserved " + std::to_string(m.reserved) + ", flags " +
                  std::to_string(m.flags));
  }
  return pass("reserved and flags 0 in all " + std::to_string(r.received.size()) + " messages");
}

Verdict destinations(const Run& r) {
  if (r.received.empty()) return fail("sent nothing (" + r.outcome + ")");
  for (const Message& m : r.received) {
    if (m.dst != rpmsg::kNameServiceAddress && m.dst < rpmsg::kFirstDynamicAddress)
      return fail("sent a message to reserved address " + std::to_string(m.dst));
    if (m.dst == rpmsg::kAnyAddress) return fail("sent a message to the any-address");
  }
  return pass("every destination is the name service or an address from 1024");
}

Verdict answers_source(const Run& r) {
  if (!r.reply) return skip("the service sent no answer to a request; nothing to judge (" + r.outcome + ")");
  if (r.reply->src != r.service)
    return fail("answered from " + std::to_string(r.reply->src) + ", not the announced " + std::to_string(r.service));
  return pass("answered from " + std::to_string(r.reply->src) + " to the request's source " +
              std::to_string(kHostAddress));
}

// The hostile message was refused (counted as dropped, not delivered), the remote kept running
// and answered the next request.
Verdict refused(const Run& r) {
  if (!r.announcement) return fail("no name-service announcement to start from");
  if (!r.errors.empty()) return fail("the remote's loop stopped: " + r.errors);
  const std::uint64_t dropped_before =
      r.before.unknown_destination + r.before.rejected_messages + r.before.rejected_announcements;
  const std::uint64_t dropped_after =
      r.after.unknown_destination + r.after.rejected_messages + r.after.rejected_announcements;
  if (r.after.callback_failures != r.before.callback_failures) return fail(r.hostile + ": a callback failed on it");
  if (dropped_after == dropped_before) {
    return fail(r.hostile + ": not dropped (" + std::to_string(r.after.received - r.before.received) +
                " delivered to endpoints)");
  }
  if (!r.reply) return fail(r.hostile + ": dropped, but no answer to the next request");
  return pass(r.hostile + ": dropped; the next request answered");
}

std::map<std::string, Hostile> hostile_messages() {
  return {
      {"reserved-destination",
       [](World& w, std::uint32_t) {
         std::vector<std::byte> payload(8);
         w.send(0x20, payload);
         return std::string("a message to reserved address 0x20");
       }},
      {"oversized",
       [](World& w, std::uint32_t service) {
         const std::uint32_t size = w.buffer_size();
         std::vector<std::byte> bytes =
             header(kHostAddress, service, static_cast<std::uint16_t>(size - rpmsg::kHeaderSize + 1));
         bytes.resize(size);
         w.send_raw(bytes, size);
         return "len " + std::to_string(size - rpmsg::kHeaderSize + 1) + " in a " + std::to_string(size) +
                "-byte buffer";
       }},
      {"truncated-header",
       [](World& w, std::uint32_t service) {
         std::vector<std::byte> bytes = header(kHostAddress, service, 0);
         w.send_raw(bytes, 8);
         return std::string("a buffer of 8 bytes");
       }},
      {"truncated-payload",
       [](World& w, std::uint32_t service) {
         std::vector<std::byte> bytes = header(kHostAddress, service, 100);
         bytes.resize(rpmsg::kHeaderSize + 10);
         w.send_raw(bytes, rpmsg::kHeaderSize + 10);
         return std::string("len 100 with 10 payload bytes written");
       }},
      {"bad-announcement",
       [](World& w, std::uint32_t) {
         std::vector<std::byte> payload(20, std::byte{'x'});
         w.send(rpmsg::kNameServiceAddress, payload);
         return std::string("a 20-byte name-service message");
       }},
  };
}

// --- the host under test: the harness plays the remote ------------------------------------

constexpr std::uint32_t kRemoteAddress = 1024;  // where the harness remote announces the service

// Where the harness remote takes messages: the announced channel and every endpoint the spec
// gives a fixed address (the host knows those without an announcement).
std::set<std::uint32_t> remote_addresses(const RpmsgTarget& target) {
  std::set<std::uint32_t> out{kRemoteAddress};
  for (const halves::EndpointSpec& e : target.halves.spec->endpoints) {
    if (e.address != rpmsg::kAnyAddress) out.insert(e.address);
  }
  return out;
}

// The host under test, running its demo on a thread over the host side of the vrings; the
// harness holds the remote side's link, announces the service and echoes what comes.
// The host under test over its side of the vrings: its bus and its driver.
struct HostHalf {
  HostHalf(const RpmsgTarget& target, SharedRings& rings) {
    rpmsg::BusOptions bus_options;
    bus_options.feedback = rings.host->feedback();
    bus_options.log = [](const std::string& line) { std::fprintf(stderr, "host: %s\n", line.c_str()); };
    bus_options.trace = check_trace();  // the messages and channels of the half under test
    rpmsg::Link* link = &rings.host->link();
    if (target.wrap_host_link) {
      wrapped = target.wrap_host_link(*link);
      link = wrapped.get();
    }
    bus = std::make_unique<rpmsg::Bus>(*link, bus_options);
    host = target.halves.make_host(*bus);
  }

  std::unique_ptr<rpmsg::Link> wrapped;
  std::unique_ptr<rpmsg::Bus> bus;
  std::unique_ptr<halves::RpmsgHostDriver> host;
};

class HostWorld {
 public:
  HostWorld(const RpmsgTarget& target, bool processes) : target_(target), rings_(target.halves.spec->buffer_size) {
    if (processes) {
      half_ = std::make_unique<HalfProcess>([this](HalfReport& report) {
        HostHalf half(target_, rings_);
        std::atomic<bool> ended{false};
        std::thread publisher([&] {
          while (!ended) {
            report.publish(half.bus->statistics());
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
          }
        });
        bool complete = false;
        try {
          complete = target_.halves.run_demo(*half.host);
        } catch (const std::exception& e) {
          report.fail(e.what());
        }
        ended = true;
        publisher.join();
        report.publish(half.bus->statistics());
        report.finish(complete);
        rings_.kick.signal();  // wakes the harness remote waiting for messages
      });
      return;
    }
    host_ = std::make_unique<HostHalf>(target, rings_);
    thread_ = std::thread([this] {
      bool complete = false;
      try {
        complete = target_.halves.run_demo(*host_->host);
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex_);
        error_ = e.what();
      }
      complete_ = complete;
      done_ = true;
      rings_.kick.signal();  // wakes the harness remote waiting for messages
    });
  }

  ~HostWorld() {
    if (half_) return;  // HalfProcess stops and reaps the child
    thread_.join();
    host_.reset();
  }

  std::uint32_t buffer_size() const { return rings_.layout.buffer_size; }
  rpmsg::Statistics statistics() const { return half_ ? half_->statistics() : host_->bus->statistics(); }
  bool done() const { return half_ ? half_->done() : done_.load(); }
  bool complete() const { return half_ ? half_->complete() : complete_.load(); }
  std::string error() const {
    if (half_) return half_->error();
    std::lock_guard lock(mutex_);
    return error_;
  }

  // The next message the host sent; nullopt once the demo ended or after `timeout`.
  std::optional<Message> receive(std::chrono::milliseconds timeout) {
    return receive_on(
        rings_.remote->link(), buffer_size(), rings_.kick, timeout, [this] { return done(); }, received_);
  }

  void send_raw(const std::vector<std::byte>& bytes, std::uint32_t written) {
    send_on(rings_.remote->link(), bytes, written, "the host offers no empty buffer");
  }

  void send(std::uint32_t src, std::uint32_t dst, const std::vector<std::byte>& payload) {
    const std::vector<std::byte> bytes = message(src, dst, payload);
    send_raw(bytes, static_cast<std::uint32_t>(bytes.size()));
  }

  void announce() {
    std::vector<std::byte> payload(rpmsg::kAnnouncementSize);
    const std::string_view name = target_.halves.spec->service;
    std::memcpy(payload.data(), name.data(), std::min<std::size_t>(name.size(), rpmsg::kNameSize - 1));
    std::memcpy(payload.data() + 32, &kRemoteAddress, 4);
    send(kRemoteAddress, rpmsg::kNameServiceAddress, payload);
  }

  const std::vector<Message>& received() const { return received_; }

 private:
  const RpmsgTarget& target_;
  SharedRings rings_;
  std::unique_ptr<HostHalf> host_;
  std::unique_ptr<HalfProcess> half_;
  std::atomic<bool> done_{false}, complete_{false};
  mutable std::mutex mutex_;
  std::string error_;
  std::thread thread_;
  std::vector<Message> received_;
};

using HostileToHost = std::function<std::string(HostWorld&, std::uint32_t host_address)>;

Run run_host(const RpmsgTarget& target, const HostileToHost& hostile, bool processes) {
  auto owned = std::make_unique<HostWorld>(target, processes);
  HostWorld& world = *owned;
  Run r;
  r.buffer_size = world.buffer_size();
  r.service = kRemoteAddress;
  world.announce();
  const std::set<std::uint32_t> addresses = remote_addresses(target);
  bool injected = !hostile;
  // Echo every request until the demo ends; the hostile message goes out before the first echo.
  for (;;) {
    const std::optional<Message> m = world.receive(kStep);
    if (!m) break;
    if (!addresses.contains(m->dst) || m->bytes.size() < rpmsg::kHeaderSize) continue;
    if (!injected) {
      r.before = world.statistics();
      r.hostile = hostile(world, m->src);
      injected = true;
    }
    const std::vector<std::byte> payload(
        m->bytes.begin() + rpmsg::kHeaderSize,
        m->bytes.begin() + std::min<std::size_t>(m->bytes.size(), rpmsg::kHeaderSize + m->len));
    world.send(m->dst, m->src, payload);
    r.reply = m;
  }
  r.after = world.statistics();
  r.errors = world.error();
  r.outcome =
      world.done() ? (world.complete() ? "the demo completed" : "the demo did not complete") : "the demo still ran";
  r.received = world.received();
  // A demo still running (waiting for answers that went astray) is not waited for: this runs
  // in a check's own process, whose end stops it.
  if (!world.done()) (void)owned.release();
  return r;
}

// Every message goes to the announced channel or to an endpoint the spec fixes an address for.
Verdict host_sends_to_channel(const Run& r, const RpmsgTarget& target) {
  const std::set<std::uint32_t> addresses = remote_addresses(target);
  int requests = 0, fixed = 0;
  for (const Message& m : r.received) {
    if (m.dst == rpmsg::kNameServiceAddress) continue;
    if (!addresses.contains(m.dst))
      return fail("sent to " + std::to_string(m.dst) + ", not the announced " + std::to_string(kRemoteAddress) +
                  " nor an endpoint address of the spec");
    ++(m.dst == kRemoteAddress ? requests : fixed);
  }
  if (requests == 0) return fail("sent nothing to the announced channel (" + r.outcome + ")");
  return pass(std::to_string(requests) + " messages to the announced address " + std::to_string(kRemoteAddress) +
              (fixed > 0 ? ", " + std::to_string(fixed) + " to fixed endpoint addresses of the spec" : ""));
}

Verdict host_source(const Run& r) {
  if (r.received.empty()) return fail("sent nothing (" + r.outcome + ")");
  for (const Message& m : r.received) {
    if (m.src < rpmsg::kFirstDynamicAddress || m.src == rpmsg::kAnyAddress)
      return fail("sent from address " + std::to_string(m.src));
  }
  return pass("every message from an address from 1024 (" + std::to_string(r.received.front().src) + ")");
}

// The hostile message was dropped, the host kept running and its demo completed.
Verdict host_refused(const Run& r) {
  if (!r.errors.empty()) return fail("the host stopped: " + r.errors);
  if (r.hostile.empty()) return fail("the host sent no request to answer (" + r.outcome + ")");
  const std::uint64_t dropped_before =
      r.before.unknown_destination + r.before.rejected_messages + r.before.rejected_announcements;
  const std::uint64_t dropped_after =
      r.after.unknown_destination + r.after.rejected_messages + r.after.rejected_announcements;
  if (r.after.callback_failures != r.before.callback_failures) return fail(r.hostile + ": a callback failed on it");
  if (dropped_after == dropped_before) return fail(r.hostile + ": not dropped");
  if (r.outcome != "the demo completed") return fail(r.hostile + ": dropped, but " + r.outcome);
  return pass(r.hostile + ": dropped; " + r.outcome);
}

std::map<std::string, HostileToHost> hostile_to_host() {
  return {
      {"reserved-destination",
       [](HostWorld& w, std::uint32_t) {
         w.send(kRemoteAddress, 0x20, std::vector<std::byte>(8));
         return std::string("a message to reserved address 0x20");
       }},
      {"oversized",
       [](HostWorld& w, std::uint32_t host) {
         const std::uint32_t size = w.buffer_size();
         std::vector<std::byte> bytes =
             header(kRemoteAddress, host, static_cast<std::uint16_t>(size - rpmsg::kHeaderSize + 1));
         bytes.resize(size);
         w.send_raw(bytes, size);
         return "len " + std::to_string(size - rpmsg::kHeaderSize + 1) + " in a " + std::to_string(size) +
                "-byte buffer";
       }},
      {"truncated-header",
       [](HostWorld& w, std::uint32_t host) {
         w.send_raw(header(kRemoteAddress, host, 0), 8);
         return std::string("a buffer of 8 bytes");
       }},
      {"truncated-payload",
       [](HostWorld& w, std::uint32_t host) {
         std::vector<std::byte> bytes = header(kRemoteAddress, host, 100);
         bytes.resize(rpmsg::kHeaderSize + 10);
         w.send_raw(bytes, rpmsg::kHeaderSize + 10);
         return std::string("len 100 with 10 payload bytes written");
       }},
      {"bad-announcement",
       [](HostWorld& w, std::uint32_t) {
         w.send(kRemoteAddress, rpmsg::kNameServiceAddress, std::vector<std::byte>(20, std::byte{'x'}));
         return std::string("a 20-byte name-service message");
       }},
  };
}

struct RpmsgCheck {
  CheckInfo info;
  std::string hostile;  ///< the hostile message ("" for faithful)
  std::function<Verdict(const Run&, const RpmsgTarget&)> judge;
  std::string role = "remote";  ///< the half it judges
};

const std::vector<RpmsgCheck>& table() {
  static const std::vector<RpmsgCheck> checks = {
      {{"rpmsg.remote.announces",
        {"rpmsg/ns/remote-announces", "rpmsg/ns/announcement-format"},
        Mode::Faithful,
        "announces its service to 0x35"},
       "",
       announces},
      {{"rpmsg.remote.header-length",
        {"rpmsg/wire/len-matches-written"},
        Mode::Faithful,
        "len + 16 = bytes written, within the buffer"},
       "",
       [](const Run& r, const RpmsgTarget&) { return headers(r); }},
      {{"rpmsg.remote.zero-fields", {"rpmsg/wire/reserved-flags-zero"}, Mode::Faithful, "reserved and flags sent as 0"},
       "",
       [](const Run& r, const RpmsgTarget&) { return zero_fields(r); }},
      {{"rpmsg.remote.no-reserved-destination",
        {"rpmsg/addr/no-reserved-destination"},
        Mode::Faithful,
        "sends only to 0x35 or addresses from 1024"},
       "",
       [](const Run& r, const RpmsgTarget&) { return destinations(r); }},
      {{"rpmsg.remote.answers-from-service",
        {"rpmsg/addr/answer-source"},
        Mode::Faithful,
        "answers from the announced address"},
       "",
       [](const Run& r, const RpmsgTarget&) { return answers_source(r); }},
      {{"hostile-host.reserved-destination",
        {"rpmsg/addr/no-reserved-destination-host"},
        Mode::Hostile,
        "a message to a reserved address"},
       "reserved-destination",
       [](const Run& r, const RpmsgTarget&) { return refused(r); }},
      {{"hostile-host.oversized", {"rpmsg/wire/payload-limit"}, Mode::Hostile, "a header len beyond the buffer"},
       "oversized",
       [](const Run& r, const RpmsgTarget&) { return refused(r); }},
      {{"hostile-host.truncated-header", {"rpmsg/wire/whole-header"}, Mode::Hostile, "a buffer shorter than a header"},
       "truncated-header",
       [](const Run& r, const RpmsgTarget&) { return refused(r); }},
      {{"hostile-host.truncated-payload",
        {"rpmsg/wire/len-matches-written-host"},
        Mode::Hostile,
        "a len beyond the bytes written"},
       "truncated-payload",
       [](const Run& r, const RpmsgTarget&) { return refused(r); }},
      {{"hostile-host.bad-announcement",
        {"rpmsg/ns/announcement-size-host"},
        Mode::Hostile,
        "a name-service message of 20 bytes"},
       "bad-announcement",
       [](const Run& r, const RpmsgTarget&) { return refused(r); }},
      // The host, the harness playing the remote.
      {{"rpmsg.host.header-length",
        {"rpmsg/wire/len-matches-written-host"},
        Mode::Faithful,
        "len + 16 = bytes written, within the buffer"},
       "",
       [](const Run& r, const RpmsgTarget&) { return headers(r); },
       "host"},
      {{"rpmsg.host.zero-fields",
        {"rpmsg/wire/reserved-flags-zero-host"},
        Mode::Faithful,
        "reserved and flags sent as 0"},
       "",
       [](const Run& r, const RpmsgTarget&) { return zero_fields(r); },
       "host"},
      {{"rpmsg.host.no-reserved-destination",
        {"rpmsg/addr/no-reserved-destination-host"},
        Mode::Faithful,
        "sends only to 0x35 or addresses from 1024"},
       "",
       [](const Run& r, const RpmsgTarget&) { return destinations(r); },
       "host"},
      {{"rpmsg.host.sends-to-channel",
        {"rpmsg/addr/host-sends-to-channel"},
        Mode::Faithful,
        "requests go to the announced address"},
       "",
       [](const Run& r, const RpmsgTarget& t) { return host_sends_to_channel(r, t); },
       "host"},
      {{"rpmsg.host.dynamic-source", {"rpmsg/addr/dynamic-source"}, Mode::Faithful, "sends from an address from 1024"},
       "",
       [](const Run& r, const RpmsgTarget&) { return host_source(r); },
       "host"},
      {{"hostile-remote.reserved-destination",
        {"rpmsg/addr/no-reserved-destination"},
        Mode::Hostile,
        "a message to a reserved address"},
       "reserved-destination",
       [](const Run& r, const RpmsgTarget&) { return host_refused(r); },
       "host"},
      {{"hostile-remote.oversized",
        {"rpmsg/wire/remote-payload-limit"},
        Mode::Hostile,
        "a header len beyond the buffer"},
       "oversized",
       [](const Run& r, const RpmsgTarget&) { return host_refused(r); },
       "host"},
      {{"hostile-remote.truncated-header",
        {"rpmsg/wire/remote-whole-header"},
        Mode::Hostile,
        "a buffer shorter than a header"},
       "truncated-header",
       [](const Run& r, const RpmsgTarget&) { return host_refused(r); },
       "host"},
      {{"hostile-remote.truncated-payload",
        {"rpmsg/wire/len-matches-written"},
        Mode::Hostile,
        "a len beyond the bytes written"},
       "truncated-payload",
       [](const Run& r, const RpmsgTarget&) { return host_refused(r); },
       "host"},
      {{"hostile-remote.bad-announcement",
        {"rpmsg/ns/announcement-format"},
        Mode::Hostile,
        "a name-service message of 20 bytes"},
       "bad-announcement",
       [](const Run& r, const RpmsgTarget&) { return host_refused(r); },
       "host"},
  };
  return checks;
}

}  // namespace

std::vector<CheckInfo> rpmsg_check_infos() {
  std::vector<CheckInfo> infos;
  for (const RpmsgCheck& c : table()) infos.push_back(c.info);
  return infos;
}

void run_rpmsg(const RpmsgPlan& plan, Report& report, const std::map<std::string, std::string>& deviations) {
  if (plan.target == nullptr)
    throw vgen::Error(
        "the rpmsg suite needs an rpmsg pair linked into the harness (run the pair's program with --conform)");
  if (plan.role != "remote" && plan.role != "host")
    throw vgen::Error("unknown rpmsg role '" + plan.role + "' (host, remote)");
  if (plan.transport != "threads" && plan.transport != "processes")
    throw vgen::Error("unknown rpmsg transport '" + plan.transport + "' (threads, processes)");
  const bool processes = plan.transport == "processes";
  std::map<std::string, std::vector<const RpmsgCheck*>> groups;
  for (const RpmsgCheck& c : table()) {
    if (c.role != plan.role || (c.info.mode == Mode::Faithful ? !plan.faithful : !plan.hostile)) continue;
    if (plan.only && !std::regex_search(c.info.id, *plan.only)) continue;
    groups[c.hostile].push_back(&c);
  }
  for (const auto& group : groups) {
    const std::string& hostile = group.first;
    const std::vector<const RpmsgCheck*>& list = group.second;
    const auto verdicts = run_isolated_batch(
        [&] {
          const Run r =
              plan.role == "host"
                  ? run_host(*plan.target, hostile.empty() ? HostileToHost{} : hostile_to_host().at(hostile), processes)
                  : run(*plan.target, hostile.empty() ? Hostile{} : hostile_messages().at(hostile), processes);
          std::vector<Verdict> out;
          for (const RpmsgCheck* c : list) out.push_back(c->judge(r, *plan.target));
          return out;
        },
        list.size(), plan.timeout);
    for (std::size_t i = 0; i < list.size(); ++i) report.add(judged(list[i]->info, verdicts[i], deviations));
  }
}

}  // namespace vgen::conform::rpmsg_checks
