// vgen's device against a driver written only with <linux/virtio_ring.h>, and vgen's driver
// against such a device, in two threads on the same memory, with and without EVENT_IDX.
#include <atomic>
#include <cstring>
#include <thread>

#include <gtest/gtest.h>

#include "fixture.hpp"
#include "linux_peer.h"

namespace vgen::virtqueue {
namespace {

constexpr std::uint32_t kSize = 64;
constexpr std::uint64_t kAlign = 4096;
constexpr std::uint32_t kMessages = 100000;
constexpr std::uint32_t kPayload = 32;

// struct vring_desc's layout, for copies the C device hands back.
struct vring_desc_copy {
  std::uint64_t addr;
  std::uint32_t len;
  std::uint16_t flags;
  std::uint16_t next;
};

struct Interop : ::testing::TestWithParam<bool> {
  Interop() : m(kSize) {
    ring = m.allocator.allocate(contiguous_bytes(kSize, kAlign), kAlign);
    config.size = kSize;
    config.addresses = contiguous_layout(ring, kSize, kAlign);
    config.features = {false, GetParam()};
    for (std::uint32_t i = 0; i < kSize; ++i) slots[i] = m.buffer(2 * kPayload).addr;
  }
  // Fills `p` with the pattern of message `seq`; the reply is the same pattern of seq+1.
  static void pattern(std::byte* p, std::uint32_t seq) {
    for (std::uint32_t i = 0; i < kPayload; ++i) p[i] = static_cast<std::byte>((seq * 31 + i * 7) & 0xff);
  }
  static bool matches(const std::byte* p, std::uint32_t seq) {
    std::byte want[kPayload];
    pattern(want, seq);
    return std::memcmp(p, want, kPayload) == 0;
  }

  test::RingMemory m;
  shm::GuestAddress ring = 0;
  QueueConfig config;
  shm::GuestAddress slots[kSize];
};

TEST_P(Interop, LinuxDriverAgainstVgenDevice) {
  lp_driver linux_driver;
  lp_driver_init(&linux_driver, m.host(ring), kSize, kAlign, GetParam());
  SplitDeviceQueue device(m.memory, config);
  std::atomic<bool> device_ok{true};
  std::thread device_thread([&] {
    DescriptorChain chain;
    std::uint32_t served = 0;
    std::byte buffer[kPayload];
    while (served < kMessages) {
      if (!device.take(chain)) {
        std::this_thread::yield();
        continue;
      }
      ChainReader reader(chain);
      std::uint32_t seq;
      if (reader.read({buffer, kPayload}) != kPayload) device_ok = false;
      std::memcpy(&seq, buffer + kPayload - 4, 4);  // the driver appends its sequence number
      pattern(buffer, seq + 1);
      ChainWriter writer(chain);
      writer.write({buffer, kPayload});
      device.put(chain.head(), writer.written());
      device.publish();
      ++served;
    }
  });
  std::uint32_t sent = 0, received = 0, errors = 0;
  std::uint32_t seq_of_head[kSize] = {};
  while (received < kMessages) {
    while (sent < kMessages) {
      // Slot by sequence: out half then in half of slots[seq % kSize].
      const shm::GuestAddress slot = slots[sent % kSize];
      std::byte* out = m.host(slot);
      pattern(out, sent);
      std::memcpy(out + kPayload - 4, &sent, 4);
      const int head = lp_driver_add(&linux_driver, slot, kPayload, slot + kPayload, kPayload);
      if (head < 0) break;
      seq_of_head[head] = sent++;
      lp_driver_kick_needed(&linux_driver);
    }
    std::uint32_t len = 0;
    const long id = lp_driver_get_used(&linux_driver, &len);
    if (id < 0) {
      std::this_thread::yield();
      continue;
    }
    const std::uint32_t seq = seq_of_head[id];
    if (len != kPayload || !matches(m.host(slots[seq % kSize] + kPayload), seq + 1)) ++errors;
    ++received;
  }
  device_thread.join();
  EXPECT_TRUE(device_ok);
  EXPECT_EQ(errors, 0u);
  EXPECT_FALSE(device.broken());
}

TEST_P(Interop, VgenDriverAgainstLinuxDevice) {
  SplitDriverQueue driver(m.memory, config);
  lp_device linux_device;
  lp_device_init(&linux_device, m.host(ring), kSize, kAlign, GetParam());
  std::atomic<bool> device_ok{true};
  std::thread device_thread([&] {
    std::uint32_t served = 0;
    vring_desc_copy descs[4];
    while (served < kMessages) {
      unsigned count = 0;
      const long head = lp_device_pop(&linux_device, descs, 4, &count);
      if (head < 0) {
        std::this_thread::yield();
        continue;
      }
      if (count != 2 || descs[0].len != kPayload || descs[1].len != kPayload || descs[1].flags != kDescWrite) {
        device_ok = false;
      }
      std::byte* in = m.memory.find(descs[0].addr, kPayload);
      std::byte* out = m.memory.find(descs[1].addr, kPayload);
      if (in == nullptr || out == nullptr) {
        device_ok = false;
        break;
      }
      std::uint32_t seq;
      std::memcpy(&seq, in + kPayload - 4, 4);
      pattern(out, seq + 1);
      lp_device_push(&linux_device, static_cast<std::uint16_t>(head), kPayload);
      ++served;
    }
  });
  std::uint32_t sent = 0, received = 0, errors = 0;
  while (received < kMessages) {
    while (sent < kMessages && driver.free_descriptors() >= 2) {
      const shm::GuestAddress slot = slots[sent % kSize];
      std::byte* out = m.host(slot);
      pattern(out, sent);
      std::memcpy(out + kPayload - 4, &sent, 4);
      const Buffer r[] = {{slot, kPayload}};
      const Buffer w[] = {{slot + kPayload, kPayload}};
      ASSERT_TRUE(driver.add(r, w, sent));
      ++sent;
    }
    driver.kick();
    const auto used = driver.reclaim();
    if (!used) {
      std::this_thread::yield();
      continue;
    }
    const auto seq = static_cast<std::uint32_t>(used->token);
    if (used->length != kPayload || !matches(m.host(slots[seq % kSize] + kPayload), seq + 1)) ++errors;
    ++received;
  }
  device_thread.join();
  EXPECT_TRUE(device_ok);
  EXPECT_EQ(errors, 0u);
}

INSTANTIATE_TEST_SUITE_P(EventIdx, Interop, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) { return p.param ? "EventIdx" : "Flags"; });

}  // namespace
}  // namespace vgen::virtqueue
