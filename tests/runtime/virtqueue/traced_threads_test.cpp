// A driver and a device on two threads recording into one recorder, as a traced pair runs:
// every chain appears once per side with its own bytes, each side's records in the order it
// made them, and the groups the queues made hold the chains between publishes.
#include <atomic>
#include <cstring>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <vgen/trace/log_reader.hpp>
#include <vgen/trace/recorder.hpp>
#include <vgen/virtqueue/split_device.hpp>
#include <vgen/virtqueue/split_driver.hpp>

#include "../trace/temp_file.hpp"
#include "fixture.hpp"

namespace vgen::virtqueue {
namespace {

using trace::EventKind;

constexpr std::uint32_t kChains = 3000;
constexpr std::uint32_t kSlots = 16;

// The device: doubles each 4-byte number it is sent, until `stop`.
void serve(SplitDeviceQueue& device, const std::atomic<bool>& stop) {
  DescriptorChain chain;
  while (!stop.load()) {
    std::uint32_t served = 0;
    while (device.take(chain)) {
      std::uint32_t number = 0;
      ChainReader(chain).read(std::as_writable_bytes(std::span(&number, 1)));
      number *= 2;
      ChainWriter writer(chain);
      writer.write(std::as_bytes(std::span(&number, 1)));
      device.put(chain.head(), writer.written());
      ++served;
    }
    if (served > 0) device.publish();
    std::this_thread::yield();
  }
}

std::uint32_t number_in(std::span<const std::byte> payload) {
  std::uint32_t number = 0;
  if (payload.size() >= sizeof number) std::memcpy(&number, payload.data(), sizeof number);
  return number;
}

TEST(TracedThreads, EveryChainOncePerSideInOrderWithItsBytes) {
  trace::testing::TempFile file;
  test::RingMemory m(2 * kSlots);  // two descriptors a chain
  std::vector<Buffer> out, in;
  for (std::uint32_t s = 0; s < kSlots; ++s) {
    out.push_back(m.buffer(4));
    in.push_back(m.buffer(4));
  }
  {
    trace::Recorder recorder(file.path());
    SplitDriverQueue driver(m.memory, m.config);
    SplitDeviceQueue device(m.memory, m.config);
    driver.set_trace(&recorder);
    device.set_trace(&recorder);
    std::atomic<bool> stop{false};
    std::thread device_thread([&] { serve(device, stop); });
    std::vector<std::uint32_t> free_slots;
    for (std::uint32_t s = 0; s < kSlots; ++s) free_slots.push_back(s);
    std::uint32_t sent = 0, back = 0;
    while (back < kChains) {
      std::uint32_t added = 0;
      while (sent < kChains && !free_slots.empty() && added < 4) {
        const std::uint32_t slot = free_slots.back();
        free_slots.pop_back();
        std::memcpy(m.host(out[slot].addr), &sent, 4);
        const Buffer r[] = {out[slot]};
        const Buffer w[] = {in[slot]};
        ASSERT_TRUE(driver.add(r, w, slot).has_value());
        ++sent;
        ++added;
      }
      if (added > 0) driver.publish();
      while (const auto used = driver.reclaim()) {
        free_slots.push_back(static_cast<std::uint32_t>(used->token));
        ++back;
      }
    }
    stop = true;
    device_thread.join();
  }
  std::map<EventKind, std::vector<std::uint32_t>> numbers;
  std::set<std::uint64_t> blocks;
  trace::LogReader reader(file.path());
  while (const trace::LogRecord* r = reader.next()) {
    const EventKind kind = r->record.kind;
    if (kind == EventKind::ChainAdded || kind == EventKind::ChainTaken || kind == EventKind::UsedPushed ||
        kind == EventKind::UsedReclaimed) {
      numbers[kind].push_back(number_in(r->record.payload));
      blocks.insert(r->offset);
    }
  }
  // Each side's chains in the order it handled them: the numbers sent, and their doubles back.
  for (const EventKind kind : {EventKind::ChainAdded, EventKind::ChainTaken}) {
    ASSERT_EQ(numbers[kind].size(), kChains) << static_cast<int>(kind);
    for (std::uint32_t i = 0; i < kChains; ++i) ASSERT_EQ(numbers[kind][i], i) << static_cast<int>(kind);
  }
  for (const EventKind kind : {EventKind::UsedPushed, EventKind::UsedReclaimed}) {
    ASSERT_EQ(numbers[kind].size(), kChains) << static_cast<int>(kind);
    for (std::uint32_t i = 0; i < kChains; ++i) ASSERT_EQ(numbers[kind][i], 2 * i) << static_cast<int>(kind);
  }
  // Grouped: far fewer packet blocks than chain records.
  EXPECT_LT(blocks.size(), 4u * kChains / 2);
}

}  // namespace
}  // namespace vgen::virtqueue
