// The split ring layout and event-index arithmetic against <linux/virtio_ring.h> itself.
#include <cstddef>

#include <gtest/gtest.h>

#include "linux_peer.h"

#include <vgen/virtqueue/features.hpp>
#include <vgen/virtqueue/layout.hpp>

namespace vgen::virtqueue {
namespace {

TEST(Layout, DescriptorUsedElementFlagsAndFeatureBitsMatchLinux) {
  lp_facts f;
  lp_header_facts(&f);
  EXPECT_EQ(sizeof(Descriptor), f.desc_size);
  EXPECT_EQ(offsetof(Descriptor, addr), f.desc_addr);
  EXPECT_EQ(offsetof(Descriptor, len), f.desc_len);
  EXPECT_EQ(offsetof(Descriptor, flags), f.desc_flags);
  EXPECT_EQ(offsetof(Descriptor, next), f.desc_next);
  EXPECT_EQ(sizeof(UsedElement), f.used_elem_size);
  EXPECT_EQ(offsetof(UsedElement, len), f.used_elem_len);
  EXPECT_EQ(kDescNext, f.flag_next);
  EXPECT_EQ(kDescWrite, f.flag_write);
  EXPECT_EQ(kDescIndirect, f.flag_indirect);
  EXPECT_EQ(kAvailNoInterrupt, f.avail_no_interrupt);
  EXPECT_EQ(kUsedNoNotify, f.used_no_notify);
  EXPECT_EQ(kFeatureIndirectDesc, f.f_indirect);
  EXPECT_EQ(kFeatureEventIdx, f.f_event_idx);
  EXPECT_EQ(kFeatureVersion1, f.f_version_1);
  EXPECT_EQ(kFeatureAccessPlatform, f.f_access_platform);
  EXPECT_EQ(kFeatureRingPacked, f.f_ring_packed);
  EXPECT_EQ(kFeatureInOrder, f.f_in_order);
  EXPECT_EQ(kFeatureOrderPlatform, f.f_order_platform);
  EXPECT_EQ(kFeatureSrIov, f.f_sr_iov);
  EXPECT_EQ(kFeatureRingReset, f.f_ring_reset);
  EXPECT_EQ(kFeatureNotificationData, 38u);  // VirtIO 1.2 §6; this kernel header lacks it
}

// vring_init() places every part; our contiguous layout and event offsets must agree for
// every queue size.
TEST(Layout, ContiguousLayoutMatchesVringInitForEverySize) {
  for (std::uint32_t size = 1; size <= kMaxQueueSize; size *= 2) {
    for (unsigned long align : {4096ul, 64ul, 4ul}) {
      lp_offsets linux_layout;
      lp_layout_offsets(size, align, &linux_layout);
      const RingAddresses r = contiguous_layout(0, size, align);
      ASSERT_EQ(contiguous_bytes(size, align), linux_layout.total) << "size " << size << " align " << align;
      EXPECT_EQ(r.desc, linux_layout.desc);
      EXPECT_EQ(r.avail, linux_layout.avail);
      EXPECT_EQ(r.used, linux_layout.used);
      EXPECT_EQ(r.avail + avail_used_event_offset(size), linux_layout.used_event);
      EXPECT_EQ(r.used + used_avail_event_offset(size), linux_layout.avail_event);
    }
  }
}

TEST(Layout, QueueSizeRules) {
  EXPECT_FALSE(valid_queue_size(0));
  EXPECT_TRUE(valid_queue_size(1));
  EXPECT_TRUE(valid_queue_size(256));
  EXPECT_FALSE(valid_queue_size(3));
  EXPECT_FALSE(valid_queue_size(255));
  EXPECT_TRUE(valid_queue_size(32768));
  EXPECT_FALSE(valid_queue_size(65536));
}

// need_event must agree with the kernel's vring_need_event on every old/new/event triple
// around the wrap point and on a grid elsewhere.
TEST(EventIdx, NeedEventMatchesLinuxIncludingWrap) {
  const std::uint16_t samples[] = {0, 1, 2, 3, 127, 128, 255, 256, 32767, 32768, 65533, 65534, 65535};
  for (std::uint16_t event : samples) {
    for (std::uint16_t old_idx : samples) {
      for (std::uint16_t delta : {0, 1, 2, 5, 100, 32768, 65535}) {
        const auto new_idx = static_cast<std::uint16_t>(old_idx + delta);
        ASSERT_EQ(need_event(event, new_idx, old_idx), lp_need_event(event, new_idx, old_idx) != 0)
            << event << " " << new_idx << " " << old_idx;
      }
    }
  }
  EXPECT_TRUE(need_event(5, 6, 5));    // moved past 5
  EXPECT_FALSE(need_event(7, 6, 5));   // not yet at 7
  EXPECT_TRUE(need_event(65535, 1, 65534));  // crossing the wrap
}

}  // namespace
}  // namespace vgen::virtqueue
