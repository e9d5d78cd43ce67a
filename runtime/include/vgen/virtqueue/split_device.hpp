// The device side of a VirtIO 1.2 split virtqueue (§2.7): takes available chains, validates
// every descriptor before use, returns chains through the used ring.
#pragma once

#include <cstdint>

#include <vgen/virtqueue/chain_trace.hpp>
#include <vgen/virtqueue/queue.hpp>
#include <vgen/virtqueue/split_ring.hpp>

namespace vgen::virtqueue {

/// Device side of a split queue. Single-threaded (one thread takes, puts and publishes).
/// Nothing the driver writes is trusted: indexes, descriptor fields and indirect tables are
/// copied once and checked; a violation throws Error and breaks the queue.
class SplitDeviceQueue final : public DeviceQueue {
 public:
  /// Maps the rings the driver set up; does not write them. Throws Error(InvalidConfig).
  SplitDeviceQueue(const shm::GuestMemory& memory, const QueueConfig& config);

  bool take(DescriptorChain& chain) override;
  void put(std::uint16_t head, std::uint32_t written) override;
  bool publish() override;
  void publish_unchecked() override;
  bool enable_notifications() override;
  void disable_notifications() override;
  std::uint32_t available() override;

  /// The ring as mapped here (for tests and transports).
  const SplitRing& ring() const noexcept { return ring_; }
  /// Next avail entry to take and the used idx published so far (chains put but not yet
  /// published do not count).
  RingPosition position() const noexcept { return {next_avail_, published_idx_}; }

 private:
  bool expose();
  std::uint16_t refresh_avail();
  void walk_chain(std::uint16_t head, DescriptorChain& chain);
  void walk_indirect(const Descriptor& table, std::uint32_t position, DescriptorChain& chain);
  void add_segment(const Descriptor& d, DescriptorChain& chain, const char* where, std::uint32_t index);

  const shm::GuestMemory& memory_;
  SplitRing ring_;
  RingFeatures features_;
  ChainTrace chain_trace_;            // used only while tracing
  std::uint16_t next_avail_ = 0;      // next avail entry to take
  std::uint16_t seen_avail_idx_ = 0;  // last avail idx read from the ring
  std::uint16_t used_idx_ = 0;        // next used entry to fill
  std::uint16_t published_idx_ = 0;   // used idx the driver can see
  std::uint64_t chain_bytes_ = 0;     // running total while walking one chain
};

}  // namespace vgen::virtqueue
