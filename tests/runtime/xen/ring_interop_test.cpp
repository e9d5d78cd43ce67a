// Interoperation with Xen's own ring macros, in two threads over vgen shared memory:
// a frontend written with the macros against vgen's back ring, and vgen's front ring
// against a backend written with the macros. 100,000 requests each way, every field
// checked; then vgen against itself.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include <vgen/notify/eventfd.hpp>
#include <vgen/shm/region.hpp>
#include <vgen/xen/blkif.hpp>

#include "support.hpp"
#include "xen_peer.h"

namespace vgen::xen {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kRequests = 100'000;
constexpr auto kStall = 10s;
// A wait that times out while work is waiting means a notification was lost: with the
// peer working, it comes within microseconds.
constexpr auto kWait = 1s;

// One direction of notification for the C peer, over a vgen notifier.
xp_notifier adapt(notify::Notifier& notifier) {
  return {[](void* context) { static_cast<notify::Notifier*>(context)->signal(); },
          [](void* context, int timeout_ms) {
            return static_cast<notify::Notifier*>(context)->wait(std::chrono::milliseconds(timeout_ms)) ? 1 : 0;
          },
          &notifier};
}

// What vgen's side of a run did; checked by the test thread after the join.
struct VgenResult {
  std::uint64_t handled = 0;
  std::uint64_t notifications = 0;
  std::string error;
};

// vgen backend: answers kRequests requests, checking each against the shared contract.
VgenResult run_vgen_backend(std::span<std::byte> shared, notify::Notifier& kick, notify::Notifier& irq) {
  VgenResult result;
  try {
    blkif::BackRing back(shared);
    auto idle = std::chrono::steady_clock::duration::zero();
    while (result.handled < kRequests) {
      const std::uint64_t before = result.handled;
      while (std::optional<blkif::Request> request = back.take_request()) {
        const std::string mismatch = test::request_mismatch(result.handled, *request);
        if (!mismatch.empty()) {
          result.error = mismatch;
          return result;
        }
        blkif::Response response;
        response.id = request->id;
        response.operation = request->operation;
        response.status = test::expected_status(request->id);
        back.queue_response(response);
        ++result.handled;
      }
      if (back.push_responses()) {
        irq.signal();
        ++result.notifications;
      }
      if (result.handled != before || back.final_check_for_requests()) {
        idle = {};
        continue;
      }
      const auto start = std::chrono::steady_clock::now();
      if (kick.wait(kWait)) continue;
      if (back.unconsumed_requests() != 0) {
        result.error = "vgen backend: lost wakeup after " + std::to_string(result.handled) + " requests";
        return result;
      }
      if ((idle += std::chrono::steady_clock::now() - start) > kStall) {
        result.error = "vgen backend stalled after " + std::to_string(result.handled) + " requests";
        return result;
      }
    }
  } catch (const std::exception& error) {
    result.error = error.what();
  }
  return result;
}

// vgen frontend: sends kRequests requests and checks every response, in order.
VgenResult run_vgen_frontend(blkif::FrontRing& front, notify::Notifier& kick, notify::Notifier& irq) {
  VgenResult result;
  std::uint64_t sent = 0;
  try {
    auto idle = std::chrono::steady_clock::duration::zero();
    while (result.handled < kRequests) {
      const std::uint64_t before = result.handled + sent;
      while (sent < kRequests && front.free_requests() > 0) front.queue_request(test::expected_request(sent++));
      if (front.push_requests()) {
        kick.signal();
        ++result.notifications;
      }
      do {
        while (std::optional<blkif::Response> response = front.take_response()) {
          const std::uint64_t id = result.handled;
          if (response->id != id || response->operation != (id % 2 == 0 ? blkif::kOpRead : blkif::kOpWrite) ||
              response->status != test::expected_status(id)) {
            result.error = "response " + std::to_string(id) + ": id " + std::to_string(response->id) + " op " +
                           std::to_string(response->operation) + " status " + std::to_string(response->status);
            return result;
          }
          ++result.handled;
        }
      } while (front.final_check_for_responses());
      if (result.handled + sent != before) {
        idle = {};
        continue;
      }
      const auto start = std::chrono::steady_clock::now();
      if (irq.wait(kWait)) continue;
      if (front.unconsumed_responses() != 0) {
        result.error = "vgen frontend: lost wakeup after " + std::to_string(result.handled) + " responses";
        return result;
      }
      if ((idle += std::chrono::steady_clock::now() - start) > kStall) {
        result.error = "vgen frontend stalled after " + std::to_string(result.handled) + " responses";
        return result;
      }
    }
  } catch (const std::exception& error) {
    result.error = error.what();
  }
  return result;
}

class RingInteropTest : public ::testing::TestWithParam<unsigned> {
 protected:
  std::size_t bytes() const { return ring_bytes(GetParam()); }

  shm::Region region = shm::Region::create("xen-interop", ring_bytes(GetParam()));
  notify::EventfdNotifier kick;  // frontend -> backend
  notify::EventfdNotifier irq;   // backend -> frontend
};

TEST_P(RingInteropTest, XenMacroFrontendAgainstVgenBackend) {
  const unsigned entries = xp_shared_init(region.data(), bytes());
  EXPECT_EQ(entries, (ring_entries<blkif::Request, blkif::Response>(bytes())));
  const xp_notifier kick_c = adapt(kick);
  const xp_notifier irq_c = adapt(irq);
  xp_result foreign{};
  std::thread frontend([&] { xp_front_run(region.data(), bytes(), kRequests, &kick_c, &irq_c, &foreign); });
  const VgenResult ours = run_vgen_backend(std::span(region.data(), bytes()), kick, irq);
  frontend.join();
  EXPECT_EQ(ours.error, "");
  EXPECT_EQ(foreign.error, 0) << foreign.message;
  EXPECT_EQ(ours.handled, kRequests);
  EXPECT_EQ(foreign.handled, kRequests);
  std::printf("order %u: xen-macro frontend sent %llu notifications, vgen backend %llu, for %llu requests\n",
              GetParam(), static_cast<unsigned long long>(foreign.notifications),
              static_cast<unsigned long long>(ours.notifications), static_cast<unsigned long long>(kRequests));
}

TEST_P(RingInteropTest, VgenFrontendAgainstXenMacroBackend) {
  blkif::FrontRing front(std::span(region.data(), bytes()));
  const xp_notifier kick_c = adapt(kick);
  const xp_notifier irq_c = adapt(irq);
  xp_result foreign{};
  std::thread backend([&] { xp_back_run(region.data(), bytes(), kRequests, &kick_c, &irq_c, &foreign); });
  const VgenResult ours = run_vgen_frontend(front, kick, irq);
  backend.join();
  EXPECT_EQ(ours.error, "");
  EXPECT_EQ(foreign.error, 0) << foreign.message;
  EXPECT_EQ(ours.handled, kRequests);
  EXPECT_EQ(foreign.handled, kRequests);
  EXPECT_FALSE(front.broken());
  std::printf("order %u: vgen frontend sent %llu notifications, xen-macro backend %llu, for %llu requests\n",
              GetParam(), static_cast<unsigned long long>(ours.notifications),
              static_cast<unsigned long long>(foreign.notifications), static_cast<unsigned long long>(kRequests));
}

// Both ends vgen's: here ThreadSanitizer sees both threads, so it checks vgen's ordering
// of entry accesses against the index loads and stores.
TEST_P(RingInteropTest, VgenFrontendAgainstVgenBackend) {
  blkif::FrontRing front(std::span(region.data(), bytes()));
  VgenResult front_result;
  std::thread frontend([&] { front_result = run_vgen_frontend(front, kick, irq); });
  const VgenResult back_result = run_vgen_backend(std::span(region.data(), bytes()), kick, irq);
  frontend.join();
  EXPECT_EQ(front_result.error, "");
  EXPECT_EQ(back_result.error, "");
  EXPECT_EQ(front_result.handled, kRequests);
  EXPECT_EQ(back_result.handled, kRequests);
}

INSTANTIATE_TEST_SUITE_P(PageOrders, RingInteropTest, ::testing::Values(0u, 2u),
                         [](const ::testing::TestParamInfo<unsigned>& param) {
                           return "order" + std::to_string(param.param);
                         });

}  // namespace
}  // namespace vgen::xen
