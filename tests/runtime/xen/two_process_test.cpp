// A block-device frontend and backend in two processes: the frontend (parent, domain 1)
// grants a ring page and 32 data pages and allocates an event channel; the backend (child,
// domain 0) receives the grant table by fd passing, maps the grants, binds the channel and
// serves 100,000 reads and writes against a private 1 MiB disk. Every byte written is
// checked by the backend, every byte read by the frontend.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <vector>

#include <vgen/shm/fd_passing.hpp>
#include <vgen/xen/blkif.hpp>
#include <vgen/xen/event_channel.hpp>
#include <vgen/xen/grant_mapping.hpp>
#include <vgen/xen/grant_table.hpp>

#include "blkif_workload.hpp"
#include "support.hpp"

namespace vgen::xen {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kRequests = 100'000;
constexpr DomainId kBackendDomain = 0;
constexpr DomainId kFrontendDomain = 1;
constexpr std::uint32_t kDataPages = 32;
constexpr auto kStall = 20s;
// A wait that times out while work is waiting means a notification was lost.
constexpr auto kWait = 1s;

// What the frontend publishes for the backend (in a real system: in the store).
struct Setup {
  GrantRef ring_ref;
  Port port;
  GrantRef data_refs[kDataPages];
};

using test::kDiskSectors;
using test::kSectorsPerPage;
using test::pattern;
using test::Shape;
using test::shape_of;

// ---- backend (child process) ----

class Backend {
 public:
  Backend(int control, int link) : mapper_(GrantMapper::receive(control, kBackendDomain)), events_(kBackendDomain) {
    events_.connect(kFrontendDomain, link);
    const shm::ReceivedMessage message = shm::receive_with_fds(control, sizeof(Setup));
    std::memcpy(&setup_, message.bytes.data(), sizeof setup_);
    ring_mapping_.emplace(mapper_.map(setup_.ring_ref, Access::ReadWrite));
    ring_.emplace(ring_mapping_->writable_bytes());
    port_ = events_.bind_interdomain(kFrontendDomain, setup_.port);
  }

  // 0 when all requests were served and every written byte was right.
  int run() {
    std::uint64_t handled = 0;
    auto idle = Clock::duration::zero();
    while (handled < kRequests) {
      const std::uint64_t before = handled;
      while (std::optional<blkif::Request> request = ring_->take_request()) {
        blkif::Response response;
        response.id = request->id;
        response.operation = request->operation;
        response.status = serve(*request);
        if (response.status == kDataMismatch) return 3;
        ring_->queue_response(response);
        ++handled;
      }
      if (ring_->push_responses()) events_.notify(port_);
      if (handled != before || ring_->final_check_for_requests()) {
        idle = {};
        continue;
      }
      const auto start = Clock::now();
      if (events_.wait(port_, kWait)) continue;
      if (ring_->unconsumed_requests() != 0) {
        std::fprintf(stderr, "backend: lost wakeup after %llu requests\n", static_cast<unsigned long long>(handled));
        return 5;
      }
      if ((idle += Clock::now() - start) > kStall) {
        std::fprintf(stderr, "backend: stalled after %llu requests\n", static_cast<unsigned long long>(handled));
        return 4;
      }
    }
    return 0;
  }

 private:
  static constexpr std::int16_t kDataMismatch = -100;

  std::int16_t serve(const blkif::Request& request) {
    if (request.segment_count != 1) return blkif::kStatusError;
    const blkif::Segment& segment = request.segments[0];
    if (segment.first_sector > segment.last_sector || segment.last_sector >= kSectorsPerPage) return blkif::kStatusError;
    const std::size_t sectors = segment.last_sector - segment.first_sector + 1u;
    if (request.sector + sectors > kDiskSectors) return blkif::kStatusError;
    std::span<std::byte> page;
    try {
      page = data_page(segment.gref);
    } catch (const Error& error) {
      std::fprintf(stderr, "backend: %s\n", error.what());
      return blkif::kStatusError;
    }
    std::span<std::byte> data = page.subspan(segment.first_sector * blkif::kSectorSize, sectors * blkif::kSectorSize);
    std::byte* disk = disk_.data() + request.sector * blkif::kSectorSize;
    if (request.operation == blkif::kOpWrite) {
      for (std::size_t i = 0; i < data.size(); ++i) {
        if (data[i] != pattern(request.id, i)) {
          std::fprintf(stderr, "backend: request %llu byte %zu is %d, expected %d\n",
                       static_cast<unsigned long long>(request.id), i, static_cast<int>(data[i]),
                       static_cast<int>(pattern(request.id, i)));
          return kDataMismatch;
        }
      }
      std::memcpy(disk, data.data(), data.size());
      return blkif::kStatusOkay;
    }
    if (request.operation == blkif::kOpRead) {
      std::memcpy(data.data(), disk, data.size());
      return blkif::kStatusOkay;
    }
    return blkif::kStatusNotSupported;
  }

  // Persistent grants: each data page is mapped once, on first use, and kept.
  std::span<std::byte> data_page(GrantRef ref) {
    auto found = data_.find(ref);
    if (found == data_.end()) found = data_.emplace(ref, mapper_.map(ref, Access::ReadWrite)).first;
    return found->second.writable_bytes();
  }

  GrantMapper mapper_;
  EventChannels events_;
  Setup setup_{};
  std::optional<GrantMapping> ring_mapping_;
  std::optional<blkif::BackRing> ring_;
  Port port_ = 0;
  std::unordered_map<GrantRef, GrantMapping> data_;
  std::vector<std::byte> disk_ = std::vector<std::byte>(kDiskSectors * blkif::kSectorSize);
};

// ---- frontend (parent process) ----

struct InFlight {
  std::uint32_t page;                // index into the data pages
  Shape shape;
  std::vector<std::byte> expected;   // reads: what the disk must hold
};

struct FrontendStats {
  std::uint64_t completed = 0;
  std::uint64_t notifications = 0;
  double seconds = 0;
};

void run_frontend(GrantTable& table, int control, int link, FrontendStats& stats) {
  std::vector<GrantRef> data_refs;
  Setup setup{};
  setup.ring_ref = table.grant_access(kBackendDomain, 0, Access::ReadWrite);
  for (std::uint32_t i = 0; i < kDataPages; ++i) {
    setup.data_refs[i] = table.grant_access(kBackendDomain, 1 + i, Access::ReadWrite);
  }
  blkif::FrontRing front(table.page(0));
  EventChannels events(kFrontendDomain);
  events.connect(kBackendDomain, link);
  const Port port = events.alloc_unbound(kBackendDomain);
  setup.port = port;
  table.share(control);
  shm::send_with_fds(control, std::as_bytes(std::span(&setup, 1)), {});

  std::vector<std::byte> model(kDiskSectors * blkif::kSectorSize);
  std::vector<std::uint32_t> free_pages;
  for (std::uint32_t i = kDataPages; i > 0; --i) free_pages.push_back(i - 1);
  std::unordered_map<std::uint64_t, InFlight> in_flight;
  std::uint64_t sent = 0;
  auto idle = Clock::duration::zero();
  const auto started = Clock::now();

  while (stats.completed < kRequests) {
    const std::uint64_t before = stats.completed + sent;
    while (sent < kRequests && front.free_requests() > 0 && !free_pages.empty()) {
      const std::uint64_t id = sent++;
      InFlight flight{free_pages.back(), shape_of(id), {}};
      free_pages.pop_back();
      std::span<std::byte> page = table.page(1 + flight.page);
      std::byte* disk = model.data() + flight.shape.sector * blkif::kSectorSize;
      if (flight.shape.operation == blkif::kOpWrite) {
        for (std::size_t i = 0; i < flight.shape.bytes(); ++i) page[flight.shape.page_offset() + i] = pattern(id, i);
        std::memcpy(disk, page.data() + flight.shape.page_offset(), flight.shape.bytes());
      } else {
        flight.expected.assign(disk, disk + flight.shape.bytes());
        std::memset(page.data(), 0xEE, kPageSize);  // a read that does nothing must show
      }
      blkif::Request request;
      request.operation = flight.shape.operation;
      request.segment_count = 1;
      request.id = id;
      request.sector = flight.shape.sector;
      request.segments[0] = {setup.data_refs[flight.page], flight.shape.first, flight.shape.last, 0};
      front.queue_request(request);
      in_flight.emplace(id, std::move(flight));
    }
    if (front.push_requests()) {
      events.notify(port);
      ++stats.notifications;
    }
    do {
      while (std::optional<blkif::Response> response = front.take_response()) {
        auto found = in_flight.find(response->id);
        ASSERT_NE(found, in_flight.end()) << "response for unknown id " << response->id;
        const InFlight& flight = found->second;
        ASSERT_EQ(response->status, blkif::kStatusOkay) << "request " << response->id;
        ASSERT_EQ(response->operation, flight.shape.operation) << "request " << response->id;
        if (flight.shape.operation == blkif::kOpRead) {
          std::span<std::byte> page = table.page(1 + flight.page);
          ASSERT_EQ(std::memcmp(page.data() + flight.shape.page_offset(), flight.expected.data(), flight.shape.bytes()),
                    0)
              << "read " << response->id << " returned wrong data";
        }
        free_pages.push_back(flight.page);
        in_flight.erase(found);
        ++stats.completed;
      }
    } while (front.final_check_for_responses());
    if (stats.completed + sent != before) {
      idle = {};
      continue;
    }
    const auto start = Clock::now();
    if (events.wait(port, kWait)) continue;
    ASSERT_EQ(front.unconsumed_responses(), 0u) << "lost wakeup after " << stats.completed << " responses";
    if ((idle += Clock::now() - start) > kStall) FAIL() << "frontend stalled after " << stats.completed << " responses";
  }
  stats.seconds = std::chrono::duration<double>(Clock::now() - started).count();
}

TEST(XenTwoProcesses, BlockRequestsOverGrantsRingAndEventChannel) {
  test::SocketPair control;
  test::SocketPair link;
  std::optional<GrantTable> table;
  FrontendStats stats;

  auto backend = [&]() -> int {
    control.close_first();
    link.close_first();
    int code = 0;
    {
      Backend server(control.second(), link.take_second());
      code = server.run();
    }  // unmaps every grant before the process ends
    return code;
  };
  auto frontend = [&] {
    control.close_second();
    link.close_second();
    table.emplace(GrantTable::create(kFrontendDomain, 1 + kDataPages, 64));
    run_frontend(*table, control.first(), link.take_first(), stats);
  };
  EXPECT_EQ(test::run_in_child(backend, frontend), 0);
  ASSERT_EQ(stats.completed, kRequests);
  std::printf("%llu requests in %.2f s (%.0f/s), %.3f frontend notifications per request\n",
              static_cast<unsigned long long>(stats.completed), stats.seconds, stats.completed / stats.seconds,
              static_cast<double>(stats.notifications) / static_cast<double>(stats.completed));
  // The backend is gone and unmapped everything, so every grant can be revoked.
  for (GrantRef ref = 0; ref < 1 + kDataPages; ++ref) {
    EXPECT_FALSE(table->is_mapped(ref)) << "ref " << ref;
    table->end_access(ref);
  }
}

}  // namespace
}  // namespace vgen::xen
