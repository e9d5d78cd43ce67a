// The split halves with several rings and with multi-page rings, on one thread: each ring
// carries its own types under its own nodes and event channel, and a ring of more than one
// page is negotiated as blkif.h describes (max-ring-page-order, ring-page-order, ring-refN).
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <vgen/halves/split_backend.hpp>
#include <vgen/halves/split_frontend.hpp>
#include <vgen/testing/split_harness.hpp>
#include <vgen/xen/error.hpp>
#include <vgen/xen/ring.hpp>
#include <vgen/xenbus/device_paths.hpp>
#include <vgen/xenbus/nodes.hpp>

namespace {

using vgen::halves::NoNodes;
using vgen::halves::RingSpec;
using vgen::halves::SplitSpec;

// Two rings of different types: "up" carries 4-byte requests answered by their square, "down"
// 16-byte requests answered by their sum; each has its own event channel.
struct UpRequest {
  std::uint32_t value = 0;
};
struct UpResponse {
  std::uint64_t square = 0;
};
struct DownRequest {
  std::uint64_t a = 0;
  std::uint64_t b = 0;
};
struct DownResponse {
  std::uint64_t sum = 0;
};

constexpr std::array<RingSpec, 2> kTwoRings{{
    {.name = "up",
     .ring_ref = "up-ring-ref",
     .event_channel = "event-channel-up",
     .entries = vgen::xen::ring_entries<UpRequest, UpResponse>(4096)},
    {.name = "down",
     .ring_ref = "down-ring-ref",
     .event_channel = "event-channel-down",
     .entries = vgen::xen::ring_entries<DownRequest, DownResponse>(4096)},
}};
constexpr SplitSpec kTwoRingSpec{.name = "two-rings", .device_type = "vtwo", .rings = kTwoRings};

class TwoRingFrontend : public vgen::halves::SplitFrontendNodes<kTwoRingSpec, NoNodes, NoNodes> {
 public:
  using SplitFrontendNodes::SplitFrontendNodes;
  std::vector<UpResponse> ups;
  std::vector<DownResponse> downs;
  bool ready = false;
  vgen::halves::FrontRingOf<UpRequest, UpResponse> up{*this, 0, [this](const UpResponse& r) { ups.push_back(r); }};
  vgen::halves::FrontRingOf<DownRequest, DownResponse> down{*this, 1,
                                                            [this](const DownResponse& r) { downs.push_back(r); }};

 protected:
  void on_connected(const NoNodes&) override { ready = true; }
};

class TwoRingBackend : public vgen::halves::SplitBackendNodes<kTwoRingSpec, NoNodes, NoNodes> {
 public:
  using SplitBackendNodes::SplitBackendNodes;
  vgen::halves::BackRingOf<UpRequest, UpResponse> up{
      *this, 0, [](const UpRequest& r) { return UpResponse{std::uint64_t{r.value} * r.value}; }};
  vgen::halves::BackRingOf<DownRequest, DownResponse> down{
      *this, 1, [](const DownRequest& r) { return DownResponse{r.a + r.b}; }};

 protected:
  NoNodes on_connected(const NoNodes&) override { return {}; }
};

std::string read(vgen::testing::SplitLink& link, bool frontend, const std::string& node) {
  const std::string directory =
      frontend ? vgen::xenbus::frontend_path(link.device()) : vgen::xenbus::backend_path(link.device());
  return link.store().toolstack().try_read(vgen::xenbus::node_path(directory, node)).value_or("<absent>");
}

TEST(SplitRings, EachRingCarriesItsOwnTypesUnderItsOwnNodes) {
  vgen::testing::SplitHarness<TwoRingFrontend, TwoRingBackend> pair(2);
  ASSERT_TRUE(pair.pump_until([&] { return pair.frontend().ready; }));
  for (const char* node : {"up-ring-ref", "down-ring-ref", "event-channel-up", "event-channel-down"}) {
    EXPECT_NE(read(pair.link(), true, node), "<absent>") << node;
  }
  EXPECT_EQ(read(pair.link(), true, "ring-ref"), "<absent>");
  EXPECT_NE(read(pair.link(), true, "event-channel-up"), read(pair.link(), true, "event-channel-down"));
  EXPECT_GE(pair.frontend().event_fd(), 0) << "one fd for both ports";
  for (std::uint32_t i = 1; i <= 300; ++i) {
    ASSERT_TRUE(pair.pump_until([&] { return pair.frontend().up.can_send(); }));
    EXPECT_TRUE(pair.frontend().up.send({i}));
    if (i <= 100) {
      ASSERT_TRUE(pair.pump_until([&] { return pair.frontend().down.can_send(); }));
      EXPECT_TRUE(pair.frontend().down.send({i, 1000}));
    }
  }
  ASSERT_TRUE(
      pair.pump_until([&] { return pair.frontend().ups.size() == 300 && pair.frontend().downs.size() == 100; }));
  EXPECT_EQ(pair.frontend().ups[299].square, 90000u);
  EXPECT_EQ(pair.frontend().downs[99].sum, 1100u);
  EXPECT_EQ(pair.backend().served(), 400u);
  EXPECT_EQ(pair.frontend().up.slots(), 256u);  // 4032 / 8, rounded down
  EXPECT_EQ(pair.frontend().down.slots(), 128u);
}

TEST(SplitRings, ClosingReleasesEveryRing) {
  vgen::testing::SplitHarness<TwoRingFrontend, TwoRingBackend> pair(2);
  ASSERT_TRUE(pair.pump_until([&] { return pair.frontend().ready; }));
  pair.frontend().down.send({1, 2});
  pair.frontend().close();
  ASSERT_TRUE(pair.pump_until([&] {
    return pair.frontend().state() == vgen::xenbus::State::Closed &&
           pair.backend().state() == vgen::xenbus::State::Closed;
  }));
  EXPECT_EQ(pair.frontend().downs.size(), 1u);
  EXPECT_FALSE(pair.backend().ring_up());
  EXPECT_EQ(pair.frontend().event_fd(), -1);
  EXPECT_TRUE(pair.pump_until([&] { return pair.link().table().free_count() == pair.link().table().entry_count(); }));
}

// A typed ring takes a ring of its link's spec: another index is refused on either side,
// naming the spec and its rings, and leaves the rings registered under those indexes alone.
TEST(SplitRings, ATypedRingPastTheSpecsRingsIsRefused) {
  vgen::testing::SplitHarness<TwoRingFrontend, TwoRingBackend> pair(2);
  const auto expect_refused = [](const auto& make) {
    try {
      make();
      ADD_FAILURE() << "ring 2 of a two-ring spec was taken";
    } catch (const vgen::xen::Error& error) {
      EXPECT_EQ(error.code(), vgen::xen::ErrorCode::Invalid);
      EXPECT_STREQ(error.what(), "ring 2 of two-rings, which has 2 ring(s)");
    }
  };
  expect_refused(
      [&] { vgen::halves::FrontRingOf<UpRequest, UpResponse> extra(pair.frontend(), 2, [](const UpResponse&) {}); });
  expect_refused([&] {
    vgen::halves::BackRingOf<UpRequest, UpResponse> extra(pair.backend(), 2,
                                                          [](const UpRequest&) { return UpResponse{}; });
  });
  ASSERT_TRUE(pair.pump_until([&] { return pair.frontend().ready; }));
  EXPECT_TRUE(pair.frontend().up.send({3}));
  EXPECT_TRUE(pair.frontend().down.send({4, 5}));
  ASSERT_TRUE(pair.pump_until([&] { return pair.frontend().ups.size() == 1 && pair.frontend().downs.size() == 1; }));
  EXPECT_EQ(pair.frontend().ups[0].square, 9u);
  EXPECT_EQ(pair.frontend().downs[0].sum, 9u);
  EXPECT_EQ(pair.frontend().up.pages(), 1u);
}

// One ring of up to 4 pages (order 2) with blkif's node names.
struct Message {
  std::uint64_t value = 0;
};
template <std::uint32_t Pages>
struct Paged {
  static constexpr std::array<RingSpec, 1> kRings{
      {{.pages = Pages, .entries = vgen::xen::ring_entries<Message, Message>(4096 * Pages)}}};
  static constexpr SplitSpec kSpec{.name = "paged", .device_type = "vpaged", .rings = kRings};

  class Frontend : public vgen::halves::SplitFrontend<kSpec, Message, Message, NoNodes, NoNodes> {
   public:
    using vgen::halves::SplitFrontend<kSpec, Message, Message, NoNodes, NoNodes>::SplitFrontend;
    std::uint64_t answered = 0;
    bool ready = false;

   protected:
    void on_connected(const NoNodes&) override { ready = true; }
    void on_response(const Message& m) override { answered += m.value; }
  };
  class Backend : public vgen::halves::SplitBackend<kSpec, Message, Message, NoNodes, NoNodes> {
   public:
    using vgen::halves::SplitBackend<kSpec, Message, Message, NoNodes, NoNodes>::SplitBackend;

   protected:
    NoNodes on_connected(const NoNodes&) override { return {}; }
    Message on_request(const Message& m) override { return m; }
  };
};

TEST(SplitRings, AMultiPageRingIsNegotiatedAsBlkifDoesIt) {
  using P = Paged<4>;
  vgen::testing::SplitHarness<P::Frontend, P::Backend> pair(4);
  ASSERT_TRUE(pair.pump_until([&] { return pair.frontend().ready; }));
  EXPECT_EQ(read(pair.link(), false, "max-ring-page-order"), "2");
  EXPECT_EQ(read(pair.link(), true, "ring-page-order"), "2");
  EXPECT_EQ(read(pair.link(), true, "ring-ref"), "<absent>");
  for (const char* node : {"ring-ref0", "ring-ref1", "ring-ref2", "ring-ref3"}) {
    EXPECT_NE(read(pair.link(), true, node), "<absent>") << node;
  }
  EXPECT_EQ(read(pair.link(), true, "ring-ref4"), "<absent>");
  // xen/io/ring.h: __RING_SIZE over 4 pages of 8-byte entries: (16384 - 64) / 8 = 2040 -> 1024.
  EXPECT_EQ(pair.frontend().slots(), 1024u);
  EXPECT_EQ(pair.backend().slots(), 1024u);
  std::uint64_t sent = 0;
  while (pair.frontend().can_send()) sent += pair.frontend().send({1}) ? 1 : 0;
  EXPECT_EQ(sent, 1024u);
  ASSERT_TRUE(pair.pump_until([&] { return pair.frontend().answered == 1024; }));
}

TEST(SplitRings, TheFrontendTakesNoMorePagesThanTheBackendAdvertises) {
  using P = Paged<4>;
  vgen::testing::SplitHarness<P::Frontend, P::Backend> pair(4);
  // The backend probed (InitWait) before the frontend publishes; it now says order 1.
  auto& backend_store = pair.link().store().client(vgen::testing::SplitLink::kBackendDomain);
  backend_store.write(vgen::xenbus::node_path(vgen::xenbus::backend_path(pair.link().device()), "max-ring-page-order"),
                      "1");
  ASSERT_TRUE(pair.pump_until([&] { return pair.frontend().ready; }));
  EXPECT_EQ(read(pair.link(), true, "ring-page-order"), "1");
  EXPECT_EQ(read(pair.link(), true, "ring-ref2"), "<absent>");
  EXPECT_EQ(pair.frontend().slots(), 512u);  // (8192 - 64) / 8 = 1016 -> 512
}

TEST(SplitRings, WithoutMaxRingPageOrderTheRingKeepsOnePageAndRingRef) {
  using P = Paged<4>;
  vgen::testing::SplitHarness<P::Frontend, P::Backend> pair(4);
  auto& backend_store = pair.link().store().client(vgen::testing::SplitLink::kBackendDomain);
  backend_store.remove(
      vgen::xenbus::node_path(vgen::xenbus::backend_path(pair.link().device()), "max-ring-page-order"));
  ASSERT_TRUE(pair.pump_until([&] { return pair.frontend().ready; }));
  EXPECT_EQ(read(pair.link(), true, "ring-page-order"), "<absent>");
  EXPECT_NE(read(pair.link(), true, "ring-ref"), "<absent>");
  EXPECT_EQ(pair.frontend().slots(), 256u);  // (4096 - 64) / 8 = 504 -> 256
  EXPECT_TRUE(pair.frontend().send({7}));
  ASSERT_TRUE(pair.pump_until([&] { return pair.frontend().answered == 7; }));
}

TEST(SplitRings, ABackendRefusesAPageOrderAboveItsMaximum) {
  // A backend taking 2 pages; the frontend is told order 2 is fine and asks for 4 pages.
  using Small = Paged<2>;
  using Large = Paged<4>;
  vgen::testing::SplitHarness<Large::Frontend, Small::Backend> pair(4);
  auto& backend_store = pair.link().store().client(vgen::testing::SplitLink::kBackendDomain);
  const std::string backend = vgen::xenbus::backend_path(pair.link().device());
  backend_store.write(vgen::xenbus::node_path(backend, "max-ring-page-order"), "2");
  ASSERT_TRUE(pair.pump_until([&] { return pair.backend().state() == vgen::xenbus::State::Closing; }));
  EXPECT_FALSE(pair.backend().ring_up());
  EXPECT_NE(pair.backend().last_error().find("ring-page-order"), std::string::npos) << pair.backend().last_error();
}

// A scripted frontend publishes a four-page ring by hand, as `nodes` say, and goes
// Initialised; returns the backend's error once it went Closing ("" if it connected).
std::string backend_error_for(const std::vector<std::pair<std::string, std::string>>& nodes) {
  using P = Paged<4>;
  vgen::testing::SplitLink link("vpaged", 4);
  P::Backend backend(link.store().client(vgen::testing::SplitLink::kBackendDomain), link.device(), link.mapper(),
                     link.backend_events());
  backend.probe();
  auto& frontend = link.store().client(vgen::testing::SplitLink::kFrontendDomain);
  const std::string directory = vgen::xenbus::frontend_path(link.device());
  for (std::uint32_t frame = 0; frame < 4; ++frame) {
    link.table().grant_access(vgen::testing::SplitLink::kBackendDomain, frame, vgen::xen::Access::ReadWrite);
  }
  const auto port = link.frontend_events().alloc_unbound(vgen::testing::SplitLink::kBackendDomain);
  frontend.write(vgen::xenbus::node_path(directory, "event-channel"), std::to_string(port));
  for (const auto& [node, value] : nodes) frontend.write(vgen::xenbus::node_path(directory, node), value);
  frontend.write(vgen::xenbus::node_path(directory, "state"), "3");
  for (int i = 0; i < 2000; ++i) {
    backend.step();
    if (backend.state() == vgen::xenbus::State::Closing) return backend.last_error();
    if (backend.state() == vgen::xenbus::State::Connected) return "";
    backend.wait_and_process(std::chrono::milliseconds(1));
  }
  return "<no decision>";
}

TEST(SplitRings, ABackendRefusesAMultiPageRingWithAMissingOrBadNode) {
  // Grant references 0..3 are the four pages granted above.
  EXPECT_EQ(
      backend_error_for(
          {{"ring-page-order", "2"}, {"ring-ref0", "0"}, {"ring-ref1", "1"}, {"ring-ref2", "2"}, {"ring-ref3", "3"}}),
      "");
  const std::string missing =
      backend_error_for({{"ring-page-order", "2"}, {"ring-ref0", "0"}, {"ring-ref1", "1"}, {"ring-ref2", "2"}});
  EXPECT_NE(missing.find("ring-ref3"), std::string::npos) << missing;
  const std::string garbage = backend_error_for({{"ring-page-order", "two"}, {"ring-ref", "0"}});
  EXPECT_NE(garbage.find("ring-page-order"), std::string::npos) << garbage;
  const std::string unmappable =
      backend_error_for({{"ring-page-order", "1"}, {"ring-ref0", "0"}, {"ring-ref1", "9999"}});
  EXPECT_NE(unmappable.find("9999"), std::string::npos) << unmappable;
}

}  // namespace
