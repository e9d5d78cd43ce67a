#include "vgen/pair/split_pair.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <initializer_list>
#include <optional>
#include <string>
#include <thread>

#include <vgen/store/local_client.hpp>
#include <vgen/store/server.hpp>
#include <vgen/store/wire_client.hpp>
#include <vgen/trace/recorder.hpp>
#include <vgen/xenbus/toolstack.hpp>
#include <vgen/xenbus/vbus.hpp>

#include "two_processes.hpp"

namespace vgen::pair {
namespace {

using Clock = std::chrono::steady_clock;
constexpr xenbus::DomainId kFrontendDomain = 1;
constexpr xenbus::DomainId kBackendDomain = 2;
constexpr auto kDeadline = std::chrono::seconds(10);
constexpr std::uint32_t kGrantEntries = 16;

xenbus::DeviceAddress device_of(const SplitHalves& halves) {
  return {std::string(halves.spec->device_type), kFrontendDomain, kBackendDomain, 0};
}

bool is_vbus(const SplitHalves& halves) { return !halves.spec->frontend_compatible.empty(); }

// Waits up to a millisecond for any of `fds` (negative ones are skipped).
void wait_any(std::initializer_list<int> fds) {
  std::vector<pollfd> polled;
  for (int fd : fds) {
    if (fd >= 0) polled.push_back({fd, POLLIN, 0});
  }
  ::poll(polled.data(), polled.size(), 1);
}

// The toolstack's part (xenbus: both device directories), or the platform's (vbus: the
// store entries of the topology's enabled devices).
void create(const SplitHalves& halves, store::Client& toolstack) {
  const xenbus::DeviceAddress device = device_of(halves);
  if (!is_vbus(halves)) {
    xenbus::create_device(toolstack, device);
    return;
  }
  xenbus::TopologyDevice entry;
  entry.type = device.type;
  entry.devid = device.devid;
  entry.frontend_id = device.frontend_id;
  entry.backend_id = device.backend_id;
  xenbus::populate(toolstack, xenbus::Topology(1, entry));
}

// The frontend domain's driver: made directly (xenbus), or attached by the domain's bus by
// compatible string (vbus).
class FrontendSide {
 public:
  FrontendSide(const SplitHalves& halves, store::Client& client, xen::GrantTable& table, xen::EventChannels& events,
               trace::TraceSink* trace) {
    const auto make = [&halves, &table, &events, trace](store::Client& owner, const xenbus::DeviceAddress& device) {
      std::unique_ptr<halves::SplitFrontendLink> made = halves.make_frontend(owner, device, table, events);
      made->set_trace(trace, trace::Ends::Both);  // the other half records into it too
      return made;
    };
    if (!is_vbus(halves)) {
      frontend_ = make(client, device_of(halves));
      return;
    }
    bus_.emplace(client);
    bus_->register_frontend(halves.spec->frontend_compatible, make);
    device_ = device_of(halves);
  }
  halves::SplitFrontendLink* frontend() const {
    if (!bus_) return frontend_.get();
    return dynamic_cast<halves::SplitFrontendLink*>(bus_->driver(device_));
  }
  bool step() {
    if (!bus_) return frontend_->step();
    const bool changed = bus_->process();
    halves::SplitFrontendLink* driver = frontend();
    return (driver != nullptr && driver->collect() > 0) || changed;
  }
  int fd() const { return bus_ ? bus_->pollable_fd() : frontend_->pollable_fd(); }

 private:
  std::unique_ptr<halves::SplitFrontendLink> frontend_;
  std::optional<xenbus::Bus> bus_;
  xenbus::DeviceAddress device_;
};

// The backend domain's driver: made directly and probed (xenbus: InitWait after probe), or
// attached and probed by the domain's bus (vbus).
class BackendSide {
 public:
  BackendSide(const SplitHalves& halves, store::Client& client, xen::GrantMapper& mapper, xen::EventChannels& events,
              trace::TraceSink* trace) {
    const auto make = [&halves, &mapper, &events, trace](store::Client& owner, const xenbus::DeviceAddress& device) {
      std::unique_ptr<halves::SplitBackendLink> made = halves.make_backend(owner, device, mapper, events);
      made->set_trace(trace, trace::Ends::Both);  // the other half records into it too
      return made;
    };
    if (!is_vbus(halves)) {
      backend_ = make(client, device_of(halves));
      backend_->probe();
      return;
    }
    bus_.emplace(client);
    bus_->register_backend(halves.spec->backend_compatible, make);
    device_ = device_of(halves);
  }
  bool step() {
    if (!bus_) return backend_->step();
    const bool changed = bus_->process();
    auto* driver = dynamic_cast<halves::SplitBackendLink*>(bus_->driver(device_));
    if (driver == nullptr) return changed;
    attached_ = true;
    const std::size_t answered = driver->serve();
    served_ += answered;
    return answered > 0 || changed;
  }
  // The device was destroyed: the backend removed its directory, or the bus dropped it.
  bool gone() const { return bus_ ? attached_ && bus_->driver(device_) == nullptr : backend_->unregistered(); }
  std::uint64_t served() const { return bus_ ? served_ : backend_->served(); }
  int fd() const {
    if (bus_) return bus_->pollable_fd();
    return backend_->ring_up() ? backend_->event_fd() : backend_->pollable_fd();
  }

 private:
  std::unique_ptr<halves::SplitBackendLink> backend_;
  std::optional<xenbus::Bus> bus_;
  xenbus::DeviceAddress device_;
  bool attached_ = false;
  std::uint64_t served_ = 0;
};

// The backend: serves until the device is destroyed. True if it ended that way.
bool run_backend(const SplitHalves& halves, store::Client& client, xen::GrantMapper& mapper, xen::EventChannels& events,
                 trace::TraceSink* trace) {
  BackendSide side(halves, client, mapper, events, trace);
  const auto deadline = Clock::now() + kDeadline;
  while (!side.gone() && Clock::now() < deadline) {
    if (!side.step()) wait_any({side.fd()});
  }
  std::printf("backend: answered %llu requests\n", static_cast<unsigned long long>(side.served()));
  std::fflush(stdout);
  return side.gone();
}

// Steps `side` until `done()` or the deadline; false on timeout.
template <class Done>
bool step_until(FrontendSide& side, Done done) {
  const auto deadline = Clock::now() + kDeadline;
  while (Clock::now() < deadline) {
    const bool moved = side.step();
    if (done()) return true;
    halves::SplitFrontendLink* frontend = side.frontend();
    if (!moved) wait_any({side.fd(), frontend != nullptr ? frontend->event_fd() : -1});
  }
  return false;
}

// The frontend: connects, waits for every answer, closes (flushing), then the toolstack
// destroys the device. True if every request was answered once.
bool run_frontend(const SplitHalves& halves, store::Client& client, store::Client& toolstack, xen::GrantTable& table,
                  xen::EventChannels& events, trace::TraceSink* trace) {
  FrontendSide side(halves, client, table, events, trace);
  const auto progress = [&] { return side.frontend() != nullptr ? halves.progress(*side.frontend()) : Progress{}; };
  const bool answered = step_until(side, [&] {
    const Progress now = progress();
    return side.frontend() != nullptr && now.answered >= now.expected;
  });
  halves::SplitFrontendLink* frontend = side.frontend();
  bool closed = false;
  if (frontend != nullptr) {
    frontend->close();
    closed = step_until(side, [&] {
      return frontend->state() == xenbus::State::Closed && frontend->other_state() == xenbus::State::Closed;
    });
  }
  const Progress last = progress();
  std::printf("frontend: demo complete: %zu of %zu answers, %zu mismatched, %s\n", last.answered, last.expected,
              last.mismatches, closed ? "closed" : "not closed");
  std::fflush(stdout);
  xenbus::destroy_device(toolstack, device_of(halves));  // the backend sees it go and stops
  return answered && closed && last.mismatches == 0;
}

xen::GrantTable grant_table(const SplitHalves& halves) {
  return xen::GrantTable::create(kFrontendDomain, halves.spec->ring_frames() + halves.data_pages, kGrantEntries);
}

bool run_threads(const SplitHalves& halves, trace::TraceSink* trace) {
  store::LocalStore store;
  store.set_trace(trace);
  store::LocalClient toolstack(store, 0);
  store::LocalClient frontend_client(store, kFrontendDomain);
  store::LocalClient backend_client(store, kBackendDomain);
  create(halves, toolstack);
  xen::GrantTable table = grant_table(halves);
  xen::GrantMapper mapper = xen::GrantMapper::attach(table, kBackendDomain);
  xen::EventChannels frontend_events(kFrontendDomain);
  xen::EventChannels backend_events(kBackendDomain);
  xen::EventChannels::link(frontend_events, backend_events);
  mapper.set_trace(trace);
  frontend_events.set_trace(trace);
  backend_events.set_trace(trace);
  bool backend_clean = false;
  std::thread backend([&] {
    try {
      backend_clean = run_backend(halves, backend_client, mapper, backend_events, trace);
    } catch (const std::exception& error) {
      std::printf("backend: %s\n", error.what());
    }
  });
  bool complete = false;
  try {
    complete = run_frontend(halves, frontend_client, toolstack, table, frontend_events, trace);
  } catch (const std::exception& error) {
    std::printf("frontend: %s\n", error.what());
    xenbus::destroy_device(toolstack, device_of(halves));
  }
  backend.join();
  return complete && backend_clean;
}

// The backend process: attaches to the grant table and event channel it is sent, then
// talks to the store server as the backend domain.
[[noreturn]] void backend_process(const SplitHalves& halves, const std::string& socket, int control, int link,
                                  trace::TraceSink* trace) {
  int status = 1;
  try {
    xen::GrantMapper mapper = xen::GrantMapper::receive(control, kBackendDomain);
    xen::EventChannels events(kBackendDomain);
    events.connect(kFrontendDomain, link);
    mapper.set_trace(trace);
    events.set_trace(trace);
    store::WireClient client(socket, kBackendDomain);
    status = run_backend(halves, client, mapper, events, trace) ? 0 : 1;
  } catch (const std::exception& error) {
    std::printf("backend: %s\n", error.what());
  }
  std::fflush(stdout);
  trace::close_thread_group();  // _exit runs no thread-local destructor that would
  _exit(status);
}

// The frontend's part of the process run, beside the store server thread.
bool run_frontend_process(const SplitHalves& halves, const std::string& socket, int control, int link,
                          trace::TraceSink* trace) {
  store::WireClient toolstack(socket);
  store::WireClient client(socket, kFrontendDomain);
  create(halves, toolstack);
  xen::GrantTable table = grant_table(halves);
  xen::EventChannels events(kFrontendDomain);
  events.connect(kBackendDomain, link);
  events.set_trace(trace);
  table.share(control);  // after create(): the backend starts once it has the table
  return run_frontend(halves, client, toolstack, table, events, trace);
}

bool run_processes(const SplitHalves& halves, trace::TraceSink* trace) {
  std::string folder = "/tmp/" + std::string(halves.spec->name) + "-demo-XXXXXX";
  if (mkdtemp(folder.data()) == nullptr) return false;
  const std::string socket = folder + "/store.socket";
  int control[2];
  int link[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, control) != 0 ||
      socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, link) != 0) {
    return false;
  }
  bool complete = false;
  bool backend_passed = false;
  {
    store::ServerOptions options;
    options.socket_path = socket;
    options.trace = trace;          // the daemon sees every domain's messages
    store::Server server(options);  // listening before the child connects
    std::fflush(nullptr);
    const pid_t child = fork();
    if (child < 0) return false;
    if (child == 0) {
      close(control[0]);
      close(link[0]);
      backend_process(halves, socket, control[1], link[1], trace);
    }
    close(control[1]);
    close(link[1]);
    std::thread serving([&server] { server.run(); });
    try {
      complete = run_frontend_process(halves, socket, control[0], link[0], trace);
    } catch (const std::exception& error) {
      std::printf("frontend: %s\n", error.what());
    }
    close(control[0]);
    backend_passed = child_passed(child);
    server.stop();
    serving.join();
  }
  std::remove(socket.c_str());
  rmdir(folder.c_str());
  return complete && backend_passed;
}

}  // namespace

std::vector<Connection> split_connections(const SplitHalves& halves) {
  return {
      {"threads", "as two threads", "Both halves in this process over an in-process store", "",
       [halves](const RunContext& context, const std::string&) { return run_threads(halves, context.trace); }},
      {"processes", "as two processes", "The backend in a child process, both halves talking to a store server", "",
       [halves](const RunContext& context, const std::string&) { return run_processes(halves, context.trace); }},
  };
}

}  // namespace vgen::pair
