// The register window of a device program the harness drives (`vgen-conform virtio --program`)
// as seen from the harness's side: that program records nothing into the harness's log, so
// the harness records every access it makes and the answer it got, and watches the queues it
// enables there as a bystander (virtqueue::RingObserver): each chain it makes available
// (AvailSeen) and each the device uses (UsedSeen).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include <vgen/shm/memory.hpp>
#include <vgen/trace/hooks.hpp>
#include <vgen/virtio/mmio_bus.hpp>
#include <vgen/virtqueue/observed_guest_memory.hpp>
#include <vgen/virtqueue/ring_observer.hpp>

namespace vgen::conform::virtio_checks {

/// An MmioBus that forwards to `inner` and records each access into `sink` as
/// trace::EventKind::MmioRead / MmioWrite (offset, width, value, fault), as the device's
/// register file records what it serves. A queue is watched in `ram` from the moment
/// QueueReady is written 1 until it is written 0, the queue is reset or the device status is
/// written 0; a thread polls the watched rings every millisecond, and once more at the end.
class TracedBus final : public virtio::MmioBus {
 public:
  TracedBus(virtio::MmioBus& inner, trace::TraceSink& sink, const shm::GuestMemory& ram);
  ~TracedBus() override;
  TracedBus(const TracedBus&) = delete;
  TracedBus& operator=(const TracedBus&) = delete;

  virtio::AccessResult read(std::uint32_t offset, unsigned width) override;
  virtio::AccessResult write(std::uint32_t offset, unsigned width, std::uint32_t value) override;

 private:
  // What the harness wrote about a queue before enabling it.
  struct QueueSetup {
    std::uint32_t size = 0;
    virtqueue::RingAddresses addresses;
  };

  void follow(std::uint32_t offset, std::uint32_t value);  // mutex_ held
  void stop_watching(std::uint16_t queue);                 // mutex_ held
  void poll_all();                                         // mutex_ held

  virtio::MmioBus& inner_;
  trace::TraceSink& sink_;
  virtqueue::ObservedGuestMemory ram_;  // the guest RAM as the observers read it
  std::mutex mutex_;
  std::uint16_t selected_ = 0;
  std::map<std::uint16_t, QueueSetup> setups_;
  std::map<std::uint16_t, std::unique_ptr<virtqueue::RingObserver>> watched_;
  std::atomic<bool> stop_{false};
  std::thread poller_;
};

}  // namespace vgen::conform::virtio_checks
