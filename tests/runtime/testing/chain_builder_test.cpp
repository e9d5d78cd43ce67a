// The chain builder, checked against vgen's own device queue: faithful chains (direct and
// indirect) arrive as written, and each hostile shape is refused with the error its rule
// names.
#include <vgen/testing/chain_builder.hpp>

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include <vgen/testing/queue_pair.hpp>
#include <vgen/virtqueue/split_device.hpp>

namespace {

using vgen::testing::ChainBuilder;
using vgen::testing::IndirectFault;
using vgen::virtqueue::ErrorCode;

// Test memory, the rings of an 8-entry queue with indirect descriptors negotiated, the
// builder writing them and the device queue reading them.
struct Rig {
  Rig() : builder(ram, config()), device(ram.memory(), queue_config) {}
  const vgen::virtqueue::QueueConfig& config() {
    queue_config.size = 8;
    queue_config.features.indirect = true;
    queue_config.addresses.desc = ram.allocator().allocate(vgen::virtqueue::desc_table_bytes(8), 16);
    queue_config.addresses.avail = ram.allocator().allocate(vgen::virtqueue::avail_ring_bytes(8), 2);
    queue_config.addresses.used = ram.allocator().allocate(vgen::virtqueue::used_ring_bytes(8), 4);
    return queue_config;
  }
  // The error code taking the next chain throws, or nothing when it was accepted.
  std::optional<ErrorCode> refusal() {
    vgen::virtqueue::DescriptorChain chain;
    try {
      device.take(chain);
    } catch (const vgen::virtqueue::Error& error) {
      return error.code();
    }
    return std::nullopt;
  }

  vgen::testing::GuestRam ram{1 << 20};
  vgen::virtqueue::QueueConfig queue_config;
  ChainBuilder builder;
  vgen::virtqueue::SplitDeviceQueue device;
};

TEST(ChainBuilder, FaithfulChainsArriveAsWritten) {
  Rig rig;
  const std::string text = "request";
  const vgen::virtqueue::Buffer readable[] = {rig.ram.buffer_with(std::as_bytes(std::span(text)))};
  const vgen::virtqueue::Buffer writable[] = {rig.ram.buffer(16), rig.ram.buffer(4)};
  const std::uint16_t head = rig.builder.add(readable, writable);
  vgen::virtqueue::DescriptorChain chain;
  ASSERT_TRUE(rig.device.take(chain));
  EXPECT_EQ(chain.head(), head);
  EXPECT_EQ(chain.readable_bytes(), text.size());
  EXPECT_EQ(chain.writable_bytes(), 20u);
  EXPECT_EQ(vgen::testing::QueuePair::read(chain), std::vector<std::byte>(std::as_bytes(std::span(text)).begin(),
                                                                           std::as_bytes(std::span(text)).end()));
  rig.device.put(chain.head(), 3);
  rig.device.publish();
  const auto used = rig.builder.take_used();
  ASSERT_EQ(used.size(), 1u);
  EXPECT_EQ(used[0].id, head);
  EXPECT_EQ(used[0].len, 3u);
  EXPECT_TRUE(rig.builder.take_used().empty()) << "each used element is handed out once";
}

TEST(ChainBuilder, IndirectChainsTakeOneTableEntry) {
  Rig rig;
  const vgen::virtqueue::Buffer readable[] = {rig.ram.buffer(8), rig.ram.buffer(8)};
  const vgen::virtqueue::Buffer writable[] = {rig.ram.buffer(8)};
  rig.builder.add_indirect(readable, writable);
  vgen::virtqueue::DescriptorChain chain;
  ASSERT_TRUE(rig.device.take(chain));
  EXPECT_EQ(chain.readable().size(), 2u);
  EXPECT_EQ(chain.writable().size(), 1u);
}

TEST(ChainBuilder, EachHostileShapeIsRefusedForItsRule) {
  const std::vector<std::pair<std::function<void(ChainBuilder&)>, ErrorCode>> cases{
      {[](ChainBuilder& builder) { builder.add_loop(3); }, ErrorCode::ChainTooLong},
      {[](ChainBuilder& builder) { builder.add_next_out_of_range(); }, ErrorCode::NextOutOfRange},
      {[](ChainBuilder& builder) { builder.add_head_out_of_range(); }, ErrorCode::HeadOutOfRange},
      {[](ChainBuilder& builder) { builder.add_oversized(0xffffffff); }, ErrorCode::BufferOutOfMemory},
      {[](ChainBuilder& builder) { builder.set_avail_idx(9); }, ErrorCode::AvailIndexJump},
      {[](ChainBuilder& builder) { builder.add_bad_indirect(IndirectFault::length_not_multiple_of_16); },
       ErrorCode::IndirectBadSize},
      {[](ChainBuilder& builder) { builder.add_bad_indirect(IndirectFault::empty); }, ErrorCode::IndirectBadSize},
      {[](ChainBuilder& builder) { builder.add_bad_indirect(IndirectFault::nested); }, ErrorCode::NestedIndirect},
      {[](ChainBuilder& builder) { builder.add_bad_indirect(IndirectFault::outside_memory); },
       ErrorCode::IndirectOutOfMemory},
      {[](ChainBuilder& builder) { builder.add_bad_indirect(IndirectFault::with_next); }, ErrorCode::IndirectWithNext},
      {[](ChainBuilder& builder) { builder.add_bad_indirect(IndirectFault::loop); }, ErrorCode::ChainTooLong},
  };
  for (std::size_t index = 0; index < cases.size(); ++index) {
    Rig rig;
    cases[index].first(rig.builder);
    EXPECT_EQ(rig.refusal(), std::optional<ErrorCode>(cases[index].second)) << "case " << index;
  }
}

TEST(ChainBuilder, TheTableRunsOut) {
  Rig rig;
  rig.builder.add_loop(8);
  EXPECT_THROW(rig.builder.add_next_out_of_range(), std::length_error);
  EXPECT_THROW(rig.builder.write(8, {}), std::out_of_range);
}

TEST(QueuePair, BothSidesOfOneQueue) {
  vgen::testing::QueuePair pair(4);
  const std::string text = "ping";
  ASSERT_TRUE(pair.offer(std::as_bytes(std::span(text)), 8, 42).has_value());
  const auto chain = pair.take();
  ASSERT_TRUE(chain.has_value());
  EXPECT_EQ(vgen::testing::QueuePair::read(*chain).size(), 4u);
  const std::string reply = "pong";
  pair.complete(*chain, std::as_bytes(std::span(reply)));
  const auto used = pair.reclaim();
  ASSERT_TRUE(used.has_value());
  EXPECT_EQ(used->token, 42u);
  EXPECT_EQ(used->length, 4u);
  EXPECT_FALSE(pair.take().has_value());
}

}  // namespace
