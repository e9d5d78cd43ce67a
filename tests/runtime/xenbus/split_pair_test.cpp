// A block-like split pair in two processes that find each other through vgen-xenstored:
// the frontend (parent, domain 1) and the backend (child, domain 2) run the Xenbus
// handshake over the daemon, share a blkif ring through grants and an event channel, and
// move requests, every one answered once and its data checked. The run goes through:
//   connection 1: handshake, 100,000 requests, closedown initiated by the frontend while
//                 requests are in flight (flushed before Closed);
//   connection 2: the frontend reconnects; the backend initiates closedown (online=0) and
//                 unregisters, removing its directory;
//   connection 3: the backend restarts (the toolstack recreates its directory, a new
//                 driver probes) and the closed frontend reconnects to it; midway the
//                 frontend resumes as after a migration, with requests in flight;
//   connection 4: those requests are re-issued on the new ring; then the frontend closes
//                 and the toolstack destroys the device, which makes the backend exit.
// Grant tables and event-channel links are exchanged once over socketpairs (the part a
// hypervisor would play); everything the drivers learn about each other comes from the store.
#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>
#include <vgen/store/wire_client.hpp>
#include <vgen/xen/blkif.hpp>
#include <vgen/xen/event_channel.hpp>
#include <vgen/xen/grant_mapping.hpp>
#include <vgen/xen/grant_table.hpp>
#include <vgen/xenbus/backend.hpp>
#include <vgen/xenbus/frontend.hpp>
#include <vgen/xenbus/toolstack.hpp>

#include "../store/daemon_process.hpp"
#include "../xen/blkif_workload.hpp"
#include "../xen/support.hpp"

namespace vgen::xenbus {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace blkif = xen::blkif;
using xen::GrantRef;
using xen::Port;

constexpr DomainId kFrontendDomain = 1;
constexpr DomainId kBackendDomain = 2;
const DeviceAddress kDevice{"vbd", kFrontendDomain, kBackendDomain, 51712};

constexpr std::uint64_t kFirstRun = 100'000;          // requests of connection 1
constexpr std::uint64_t kTotal = 150'000;             // requests over the whole run
constexpr std::uint64_t kBackendCloseAfter = 10'000;  // served in connection 2
constexpr std::uint64_t kMigrateAt = 130'000;         // sent when the frontend resumes
constexpr std::uint32_t kRingPages = 2;               // each connection uses the other ring page
constexpr std::uint32_t kDataPages = 32;
constexpr auto kDeadline = 30s;

using xen::test::kDiskSectors;
using xen::test::kSectorsPerPage;
using xen::test::pattern;
using xen::test::Shape;
using xen::test::shape_of;

// Waits for any of `fds` (negative ones are skipped) for up to 10 ms.
void wait_any(std::initializer_list<int> fds) {
  std::vector<pollfd> polled;
  for (int fd : fds) {
    if (fd >= 0) polled.push_back({fd, POLLIN, 0});
  }
  ::poll(polled.data(), polled.size(), 10);
}

// ---- backend (child process, domain 2) ----

class BlockBackend final : public Backend {
 public:
  BlockBackend(store::Client& client, xen::GrantMapper& mapper, xen::EventChannels& events,
               std::vector<std::byte>& disk)
      : Backend(client, kDevice), mapper_(mapper), events_(events), disk_(disk) {}
  ~BlockBackend() override { release(); }

  std::uint64_t served_here = 0;        // requests answered on this driver's connections
  std::uint64_t served_connection = 0;  // requests answered on the current connection
  std::string failure;                  // first data error

  bool ring_up() const { return ring_.has_value(); }
  int event_fd() const { return ring_ ? events_.pollable_fd(port_) : -1; }

  // Answers every waiting request; true if it did something.
  bool serve() {
    if (!ring_) return false;
    events_.wait(port_, 0ns);
    bool did = false;
    do {
      while (std::optional<blkif::Request> request = ring_->take_request()) {
        blkif::Response response;
        response.id = request->id;
        response.operation = request->operation;
        response.status = execute(*request);
        ring_->queue_response(response);
        ++served_here;
        ++served_connection;
        did = true;
      }
      if (ring_->push_responses()) notify();
    } while (ring_->final_check_for_requests());
    return did;
  }

 protected:
  Nodes on_probe() override { return {{"feature-persistent", "1"}, {"max-ring-page-order", "0"}}; }
  Nodes on_connect() override {
    // Xenbus: backend reads ring-ref and event-channel, maps the ring, binds the channel.
    const auto ring_ref =
        static_cast<GrantRef>(read_number(client(), node_path(other_path(), kRingRefNode), UINT32_MAX));
    const auto remote =
        static_cast<Port>(read_number(client(), node_path(other_path(), kEventChannelNode), UINT32_MAX));
    served_connection = 0;
    mapping_.emplace(mapper_.map(ring_ref, xen::Access::ReadWrite));
    ring_.emplace(mapping_->writable_bytes());
    port_ = events_.bind_interdomain(kFrontendDomain, remote);
    return {{"sectors", std::to_string(kDiskSectors)}, {"sector-size", "512"}};
  }
  void on_disconnect() override { release(); }

 private:
  void release() {
    if (!ring_) return;
    ring_.reset();
    mapping_.reset();
    events_.close(port_);
  }
  void notify() {
    try {
      events_.notify(port_);
    } catch (const xen::Error&) {
      // The frontend closed its port (it reset or closed): nobody is waiting any more.
    }
  }
  std::int16_t execute(const blkif::Request& request) {
    const blkif::Segment& segment = request.segments[0];
    if (request.segment_count != 1 || segment.first_sector > segment.last_sector ||
        segment.last_sector >= kSectorsPerPage) {
      return blkif::kStatusError;
    }
    const std::size_t sectors = segment.last_sector - segment.first_sector + 1u;
    if (request.sector + sectors > kDiskSectors) return blkif::kStatusError;
    auto found = data_.find(segment.gref);
    if (found == data_.end())
      found = data_.emplace(segment.gref, mapper_.map(segment.gref, xen::Access::ReadWrite)).first;
    std::span<std::byte> data =
        found->second.writable_bytes().subspan(segment.first_sector * blkif::kSectorSize, sectors * blkif::kSectorSize);
    std::byte* disk = disk_.data() + request.sector * blkif::kSectorSize;
    if (request.operation == blkif::kOpWrite) {
      for (std::size_t i = 0; i < data.size(); ++i) {
        if (data[i] != pattern(request.id, i) && failure.empty()) {
          failure = "request " + std::to_string(request.id) + " byte " + std::to_string(i) + " is wrong";
        }
      }
      std::memcpy(disk, data.data(), data.size());
    } else {
      std::memcpy(data.data(), disk, data.size());
    }
    return blkif::kStatusOkay;
  }

  xen::GrantMapper& mapper_;
  xen::EventChannels& events_;
  std::vector<std::byte>& disk_;
  std::optional<xen::GrantMapping> mapping_;
  std::optional<blkif::BackRing> ring_;
  Port port_ = 0;
  std::unordered_map<GrantRef, xen::GrantMapping> data_;  // persistent grants, mapped once
};

// The backend process: serves until the device is destroyed. 0 on success.
int run_backend(const std::string& socket, int control, int link) {
  xen::GrantMapper mapper = xen::GrantMapper::receive(control, kBackendDomain);
  xen::EventChannels events(kBackendDomain);
  events.connect(kFrontendDomain, link);
  store::WireClient client(socket, kBackendDomain);
  store::WireClient toolstack(socket);  // domain 0: recreates the directory on restart
  std::vector<std::byte> disk(kDiskSectors * blkif::kSectorSize);
  std::uint64_t served = 0;
  int restarts = 0;
  const auto deadline = Clock::now() + kDeadline;
  auto backend = std::make_unique<BlockBackend>(client, mapper, events, disk);
  backend->probe();
  int connections = 0;
  bool was_up = false;
  while (Clock::now() < deadline) {
    const bool changed = backend->process();
    if (backend->ring_up() && !was_up) ++connections;
    was_up = backend->ring_up();
    const bool served_some = backend->serve();
    if (!backend->failure.empty()) {
      std::fprintf(stderr, "backend: %s\n", backend->failure.c_str());
      return 3;
    }
    // Connection 2 is closed by the backend (xenbus: online=0, Closing; keeps serving).
    if (connections == 2 && backend->served_connection >= kBackendCloseAfter && backend->state() == State::Connected &&
        restarts == 0) {
      backend->close();
    }
    if (backend->unregistered()) {
      served += backend->served_here;
      // The scripted restart follows connection 2; any later unregistration is the device
      // being destroyed at the end of the run.
      if (restarts == 1 || !toolstack.exists(frontend_path(kDevice))) break;
      // Restart: the toolstack recreates the backend directory; a fresh driver probes.
      backend.reset();
      create_device(toolstack, kDevice);
      backend = std::make_unique<BlockBackend>(client, mapper, events, disk);
      backend->probe();
      ++restarts;
      continue;
    }
    if (!changed && !served_some) wait_any({backend->event_fd(), backend->pollable_fd()});
  }
  std::fprintf(stderr, "backend: served %llu requests, %d restart(s)\n", static_cast<unsigned long long>(served),
               restarts);
  if (restarts != 1) return 4;
  return served >= kTotal ? 0 : 5;
}

// ---- frontend (parent process, domain 1) ----

struct InFlight {
  std::uint64_t id;
  std::uint32_t page;               // data page index
  std::vector<std::byte> expected;  // reads: what the disk must hold
};

class BlockFrontend final : public Frontend {
 public:
  BlockFrontend(store::Client& client, xen::GrantTable& table, xen::EventChannels& events)
      : Frontend(client, kDevice), table_(table), events_(events) {
    for (std::uint32_t i = 0; i < kDataPages; ++i) {
      data_refs_.push_back(table_.grant_access(kBackendDomain, kRingPages + i, xen::Access::ReadWrite));
      free_pages_.push_back(kDataPages - 1 - i);
    }
  }

  std::vector<std::uint8_t> answered = std::vector<std::uint8_t>(kTotal, 0);
  std::uint64_t completed = 0;
  std::uint64_t next_id = 0;
  std::uint64_t reissued = 0;
  int connections = 0;
  std::string failure;

  bool ring_up() const { return ring_.has_value(); }
  int event_fd() const { return ring_ ? events_.pollable_fd(port_) : -1; }
  std::size_t in_flight() const { return in_flight_.size() + requeue_.size(); }
  std::size_t on_ring() const { return in_flight_.size(); }

  // Issues re-queued requests first, then new ones up to `limit`; pushes and notifies.
  void issue(std::uint64_t limit) {
    if (!ring_ || state() != State::Connected) return;
    while (ring_->free_requests() > 0 && !requeue_.empty()) {
      InFlight flight = std::move(requeue_.front());
      requeue_.pop_front();
      ++reissued;
      send(std::move(flight));
    }
    while (requeue_.empty() && next_id < limit && ring_->free_requests() > 0 && !free_pages_.empty()) {
      InFlight flight{next_id++, free_pages_.back(), {}};
      free_pages_.pop_back();
      prepare(flight);
      send(std::move(flight));
    }
    if (ring_->push_requests()) notify();
  }

  // Takes and checks every response.
  void collect() {
    if (!ring_) return;
    events_.wait(port_, 0ns);
    do {
      while (std::optional<blkif::Response> response = ring_->take_response()) check(*response);
    } while (ring_->final_check_for_responses());
  }

  // Revokes ring grants of earlier connections once the backend let go of them.
  void revoke_retired() {
    for (auto it = retired_.begin(); it != retired_.end();) {
      if (table_.is_mapped(*it)) {
        ++it;
      } else {
        table_.end_access(*it);
        it = retired_.erase(it);
      }
    }
  }
  std::size_t retired() const { return retired_.size(); }

 protected:
  Nodes on_initialise() override {
    revoke_retired();
    ring_page_ = (ring_page_ + 1) % kRingPages;  // a fresh page: the old backend may still write the old one
    std::memset(table_.page(ring_page_).data(), 0, xen::kPageSize);
    ring_ref_ = table_.grant_access(kBackendDomain, ring_page_, xen::Access::ReadWrite);
    ring_.emplace(table_.page(ring_page_));
    port_ = events_.alloc_unbound(kBackendDomain);
    return {{std::string(kRingRefNode), std::to_string(ring_ref_)},
            {std::string(kEventChannelNode), std::to_string(port_)},
            {std::string(kProtocolNode), "x86_64-abi"}};
  }
  void on_connect() override {
    ++connections;
    if (client().read(node_path(other_path(), "sectors")) != std::to_string(kDiskSectors)) failure = "wrong sectors";
  }
  bool on_flush() override {
    collect();
    return in_flight_.empty();
  }
  void on_disconnect() override {
    // Unanswered requests go back in order, to be re-issued on the next ring.
    std::map<std::uint64_t, InFlight> ordered;
    for (auto& [id, flight] : in_flight_) ordered.emplace(id, std::move(flight));
    in_flight_.clear();
    for (auto& [id, flight] : ordered) requeue_.push_back(std::move(flight));
    ring_.reset();
    events_.close(port_);
    retired_.push_back(ring_ref_);
  }

 private:
  void prepare(InFlight& flight) {
    const Shape shape = shape_of(flight.id);
    std::span<std::byte> page = table_.page(kRingPages + flight.page);
    std::byte* disk = model_.data() + shape.sector * blkif::kSectorSize;
    if (shape.operation == blkif::kOpWrite) {
      for (std::size_t i = 0; i < shape.bytes(); ++i) page[shape.page_offset() + i] = pattern(flight.id, i);
      std::memcpy(disk, page.data() + shape.page_offset(), shape.bytes());
    } else {
      flight.expected.assign(disk, disk + shape.bytes());
    }
  }
  void send(InFlight flight) {
    const Shape shape = shape_of(flight.id);
    if (shape.operation == blkif::kOpRead)
      std::memset(table_.page(kRingPages + flight.page).data(), 0xEE, xen::kPageSize);
    blkif::Request request;
    request.operation = shape.operation;
    request.segment_count = 1;
    request.id = flight.id;
    request.sector = shape.sector;
    request.segments[0] = {data_refs_[flight.page], shape.first, shape.last, 0};
    ring_->queue_request(request);
    in_flight_.emplace(flight.id, std::move(flight));
  }
  void check(const blkif::Response& response) {
    auto found = in_flight_.find(response.id);
    if (found == in_flight_.end()) {
      if (failure.empty()) failure = "response for unknown id " + std::to_string(response.id);
      return;
    }
    const InFlight& flight = found->second;
    const Shape shape = shape_of(flight.id);
    if (response.status != blkif::kStatusOkay || response.operation != shape.operation) {
      if (failure.empty()) failure = "request " + std::to_string(flight.id) + " failed";
    }
    if (shape.operation == blkif::kOpRead &&
        std::memcmp(table_.page(kRingPages + flight.page).data() + shape.page_offset(), flight.expected.data(),
                    shape.bytes()) != 0 &&
        failure.empty()) {
      failure = "read " + std::to_string(flight.id) + " returned wrong data";
    }
    if (answered[flight.id]++ != 0 && failure.empty())
      failure = "request " + std::to_string(flight.id) + " answered twice";
    ++completed;
    free_pages_.push_back(flight.page);
    in_flight_.erase(found);
  }
  void notify() {
    try {
      events_.notify(port_);
    } catch (const xen::Error&) {
      // The backend closed its port; the ring is about to go.
    }
  }

  xen::GrantTable& table_;
  xen::EventChannels& events_;
  std::vector<GrantRef> data_refs_;
  std::vector<std::uint32_t> free_pages_;
  std::vector<std::byte> model_ = std::vector<std::byte>(kDiskSectors * blkif::kSectorSize);
  std::unordered_map<std::uint64_t, InFlight> in_flight_;
  std::deque<InFlight> requeue_;
  std::uint32_t ring_page_ = kRingPages - 1;
  GrantRef ring_ref_ = 0;
  Port port_ = 0;
  std::optional<blkif::FrontRing> ring_;
  std::vector<GrantRef> retired_;
};

struct FrontendReport {
  std::vector<unsigned> states;  // the frontend's state after each step of the script
  double first_run_seconds = 0;
  std::uint64_t reissued = 0;
};

// Runs `frontend` (and its ring) until `done()`, asked right after each issue; false on
// timeout or a data error.
bool drive(BlockFrontend& frontend, std::uint64_t limit, const std::function<bool()>& done) {
  const auto deadline = Clock::now() + kDeadline;
  while (Clock::now() < deadline) {
    const std::uint64_t before = frontend.completed + frontend.next_id + frontend.reissued;
    const bool changed = frontend.process();
    frontend.collect();
    frontend.issue(limit);
    // Between issuing and collecting, what was just issued is certainly still in flight.
    if (done()) return frontend.failure.empty();
    frontend.collect();
    if (!frontend.failure.empty()) return false;
    // Sleep only when nothing moved: the ring's final check armed the event index.
    if (!changed && frontend.completed + frontend.next_id + frontend.reissued == before) {
      wait_any({frontend.event_fd(), frontend.pollable_fd()});
    }
  }
  return false;
}

void run_frontend(const std::string& socket, xen::GrantTable& table, int link, FrontendReport& report) {
  xen::EventChannels events(kFrontendDomain);
  events.connect(kBackendDomain, link);
  store::WireClient client(socket, kFrontendDomain);
  BlockFrontend frontend(client, table, events);
  auto expect = [&](bool ok, const char* step) {
    if (!ok) {
      ADD_FAILURE() << step << ": frontend " << to_string(frontend.state()) << ", backend "
                    << to_string(frontend.other_state()) << ", " << frontend.completed << " completed, "
                    << frontend.in_flight() << " in flight; " << frontend.failure;
    }
    report.states.push_back(static_cast<unsigned>(frontend.state()));
    return ok;
  };

  // Connection 1: handshake, 100,000 requests, closedown by the frontend with requests in flight.
  const auto started = Clock::now();
  bool closing = false;
  bool closed_with_in_flight = false;
  if (!expect(drive(frontend, kFirstRun,
                    [&] {
                      if (!closing && frontend.next_id == kFirstRun && frontend.on_ring() > 0) {
                        closed_with_in_flight = true;
                        frontend.close();
                        closing = true;
                      }
                      return frontend.state() == State::Closed && frontend.other_state() == State::Closed;
                    }),
              "connection 1")) {
    return;
  }
  report.first_run_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  EXPECT_TRUE(closed_with_in_flight);
  EXPECT_EQ(frontend.completed, kFirstRun) << "closed before every in-flight request was answered";

  // Connection 2: reconnect; the backend closes it and unregisters.
  frontend.resume();
  if (!expect(drive(frontend, kTotal, [&] { return frontend.connections == 2 && frontend.state() == State::Closed; }),
              "connection 2")) {
    return;
  }
  EXPECT_EQ(frontend.in_flight(), 0u) << "backend-initiated close must flush";

  // Connection 3: the restarted backend waits; the closed frontend reconnects on its own.
  bool migrated = false;
  if (!expect(drive(frontend, kTotal,
                    [&] {
                      if (frontend.connections == 3 && frontend.next_id >= kMigrateAt && frontend.on_ring() > 0 &&
                          frontend.state() == State::Connected) {
                        frontend.resume();  // migration with requests in flight
                        migrated = true;
                      }
                      return migrated;
                    }),
              "connection 3")) {
    return;
  }

  // Connection 4: re-issue what was in flight, finish, close from the frontend.
  if (!expect(drive(frontend, kTotal, [&] { return frontend.completed == kTotal && frontend.in_flight() == 0; }),
              "connection 4")) {
    return;
  }
  EXPECT_EQ(frontend.connections, 4);
  frontend.close();
  if (!expect(drive(frontend, kTotal,
                    [&] { return frontend.state() == State::Closed && frontend.other_state() == State::Closed; }),
              "final close")) {
    return;
  }
  for (std::uint64_t id = 0; id < kTotal; ++id) {
    if (frontend.answered[id] != 1) {
      ADD_FAILURE() << "request " << id << " answered " << int{frontend.answered[id]} << " times";
      break;
    }
  }
  report.reissued = frontend.reissued;
  EXPECT_GT(frontend.reissued, 0u) << "the migration found no request in flight";
  store::WireClient toolstack(socket);
  destroy_device(toolstack, kDevice);  // the backend sees its frontend vanish, unregisters and exits
  // Every ring grant can be revoked once the backend has unmapped it (it exits after this).
  const auto deadline = Clock::now() + 5s;
  while (frontend.retired() > 0 && Clock::now() < deadline) {
    frontend.revoke_retired();
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(frontend.retired(), 0u);
}

TEST(XenbusSplitPair, HandshakeRequestsClosedownsAndReconnection) {
  store::testing::Daemon daemon;
  {
    store::WireClient toolstack(daemon.socket_path());
    create_device(toolstack, kDevice);
  }
  xen::test::SocketPair control;
  xen::test::SocketPair link;
  xen::GrantTable table = xen::GrantTable::create(kFrontendDomain, kRingPages + kDataPages, 64);
  FrontendReport report;
  auto backend = [&]() -> int {
    control.close_first();
    link.close_first();
    return run_backend(daemon.socket_path(), control.second(), link.take_second());
  };
  auto frontend = [&] {
    control.close_second();
    link.close_second();
    table.share(control.first());
    run_frontend(daemon.socket_path(), table, link.take_first(), report);
  };
  EXPECT_EQ(xen::test::run_in_child(backend, frontend), 0);
  EXPECT_EQ(report.states, (std::vector<unsigned>{6, 6, 1, 4, 6}));  // after each step of the script
  std::printf("first run: %llu requests in %.2f s with the Xenbus handshake; %llu requests re-issued after migration\n",
              static_cast<unsigned long long>(kFirstRun), report.first_run_seconds,
              static_cast<unsigned long long>(report.reissued));
}

}  // namespace
}  // namespace vgen::xenbus
