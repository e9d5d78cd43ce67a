#include "vgen/pair/rpmsg_pair.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>

#include <vgen/notify/eventfd.hpp>
#include <vgen/rpmsg/vrings.hpp>
#include <vgen/shm/fd_passing.hpp>
#include <vgen/shm/region.hpp>
#include <vgen/shm/sharing.hpp>

#include "two_processes.hpp"

namespace vgen::pair {
namespace {

constexpr shm::GuestAddress kBase = 0x40000000;

// What the remote needs besides the memory: the rings' layout and the stop flag's place.
struct Wire {
  rpmsg::SharedLayout layout;
  shm::GuestAddress stop;
};

std::atomic<std::uint32_t>& stop_flag(const shm::GuestMemory& memory, const Wire& wire) {
  return *reinterpret_cast<std::atomic<std::uint32_t>*>(memory.translate(wire.stop, sizeof(std::uint32_t)));
}

// The rpmsg memory, its layout, and a stop flag both sides see.
struct RpmsgMemory {
  explicit RpmsgMemory(const RpmsgHalves& halves) {
    rpmsg::LayoutOptions options;
    options.buffer_size = halves.spec->buffer_size;
    const std::uint64_t bytes = (rpmsg::SharedLayout::bytes(options) + 64 + 4095) & ~std::uint64_t{4095};
    memory.add(kBase,
               std::make_shared<shm::Region>(shm::Region::create(std::string(halves.spec->name) + "-rpmsg", bytes)));
    shm::Allocator allocator(kBase, bytes);
    wire.layout = rpmsg::SharedLayout::plan(allocator, options);
    wire.stop = allocator.allocate(sizeof(std::atomic<std::uint32_t>), 64);
  }
  Wire wire{};
  shm::GuestMemory memory;
};

rpmsg::BusOptions bus_options(rpmsg::Feedback feedback, trace::TraceSink* trace) {
  rpmsg::BusOptions options;
  options.feedback = feedback;
  options.trace = trace;
  options.log = [](const std::string& line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  };
  return options;
}

// The remote: announces the service and serves until the stop flag is set.
bool run_remote(const RpmsgHalves& halves, const shm::GuestMemory& memory, const Wire& wire, rpmsg::Notifiers lines,
                const RunContext& context) {
  rpmsg::RemoteVrings vrings(memory, wire.layout, lines);
  vrings.set_trace(context.trace, trace::Ends::Both);  // the other half records into it too
  rpmsg::Bus bus(vrings.link(), bus_options(vrings.feedback(), context.trace));
  const std::unique_ptr<halves::RpmsgRemoteEndpoints> remote = halves.make_remote(bus);
  remote->start();
  const std::atomic<std::uint32_t>& stop = stop_flag(memory, wire);
  while (stop.load(std::memory_order_acquire) == 0) {
    if (bus.poll() == 0) bus.wait(std::chrono::milliseconds(20));
  }
  const rpmsg::Statistics statistics = bus.statistics();
  const std::uint64_t dropped =
      statistics.unknown_destination + statistics.rejected_messages + statistics.rejected_announcements;
  std::printf("device: %llu messages dropped, %llu malformed\n", static_cast<unsigned long long>(dropped),
              static_cast<unsigned long long>(remote->malformed()));
  std::fflush(stdout);
  return dropped == 0 && remote->malformed() == 0;
}

// The host: binds the remote's channel and runs the demo.
bool run_host(const RpmsgHalves& halves, rpmsg::HostVrings& vrings, const RunContext& context) {
  vrings.set_trace(context.trace, trace::Ends::Both);  // the other half records into it too
  rpmsg::Bus bus(vrings.link(), bus_options(vrings.feedback(), context.trace));
  const std::unique_ptr<halves::RpmsgHostDriver> host = halves.make_host(bus);
  const bool complete = halves.run_demo(*host);
  return complete && host->malformed() == 0;
}

// Ends the remote's loop: the flag, then a kick so that a sleeping remote sees it.
void stop_remote(RpmsgMemory& shared, notify::EventfdNotifier& kick) {
  stop_flag(shared.memory, shared.wire).store(1, std::memory_order_release);
  kick.signal();
}

bool run_threads(const RpmsgHalves& halves, const RunContext& context) {
  RpmsgMemory shared(halves);
  notify::EventfdNotifier kick;
  notify::EventfdNotifier interrupt;
  rpmsg::HostVrings vrings(shared.memory, shared.wire.layout, {&kick, &interrupt});
  bool remote_clean = false;
  std::thread remote([&] {
    try {
      remote_clean = run_remote(halves, shared.memory, shared.wire, {&interrupt, &kick}, context);
    } catch (const std::exception& error) {
      std::printf("device: %s\n", error.what());
    }
  });
  bool complete = false;
  try {
    complete = run_host(halves, vrings, context);
  } catch (const std::exception& error) {
    std::printf("driver: %s\n", error.what());
  }
  stop_remote(shared, kick);
  remote.join();
  return complete && remote_clean;
}

// The remote process: maps what it was sent and runs the remote.
bool remote_process(const RpmsgHalves& halves, int socket, const RunContext& context) {
  const shm::GuestMemory memory = shm::receive_memory(socket);
  shm::ReceivedMessage message = shm::receive_with_fds(socket, sizeof(Wire));
  Wire wire;
  std::memcpy(&wire, message.bytes.data(), sizeof(wire));
  if (message.fds.size() != 2) throw std::runtime_error("expected two eventfds");
  wire.layout.validate(memory);
  notify::EventfdNotifier kick(message.fds[0]);
  notify::EventfdNotifier interrupt(message.fds[1]);
  return run_remote(halves, memory, wire, {&interrupt, &kick}, context);
}

bool run_processes(const RpmsgHalves& halves, const RunContext& context) {
  RpmsgMemory shared(halves);
  notify::EventfdNotifier kick;
  notify::EventfdNotifier interrupt;
  const ProcessHalf host{"driver", [&](int socket) {
                           // The host initialises the rings before the remote sees the layout.
                           rpmsg::HostVrings vrings(shared.memory, shared.wire.layout, {&kick, &interrupt});
                           shm::send_memory(socket, shared.memory);
                           const int fds[] = {kick.fd(), interrupt.fd()};
                           shm::send_with_fds(socket, std::as_bytes(std::span(&shared.wire, 1)), fds);
                           return run_host(halves, vrings, context);
                         }};
  const ProcessHalf remote{"device", [&](int socket) { return remote_process(halves, socket, context); }};
  return run_two_processes(host, remote, [&] { stop_remote(shared, kick); });
}

}  // namespace

std::vector<Connection> rpmsg_connections(const RpmsgHalves& halves) {
  return {
      {"threads", "as two threads", "The remote runs on a thread of this process", "",
       [halves](const RunContext& context, const std::string&) { return run_threads(halves, context); }},
      {"processes", "as two processes", "The remote runs in a child process sharing the rpmsg memory", "",
       [halves](const RunContext& context, const std::string&) { return run_processes(halves, context); }},
  };
}

}  // namespace vgen::pair
