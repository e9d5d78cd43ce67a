// Recording the harness's own register accesses and watching the queues they enable.
#include "traced_bus.hpp"

#include <chrono>

#include <vgen/virtio/mmio_registers.hpp>

namespace vgen::conform::virtio_checks {
namespace {

namespace mmio = virtio::mmio;

// Payload bytes the observer reads per chain: the most a recorder keeps (VGEN_TRACE_SNAP's
// bound), so no sink is handed fewer bytes than it would keep.
constexpr std::uint32_t kObserverSnap = 65536;

}  // namespace

TracedBus::TracedBus(virtio::MmioBus& inner, trace::TraceSink& sink, const shm::GuestMemory& ram)
    : inner_(inner), sink_(sink), ram_(ram), poller_([this] {
        while (!stop_.load()) {
          {
            std::lock_guard lock(mutex_);
            poll_all();
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
      }) {}

TracedBus::~TracedBus() {
  stop_ = true;
  poller_.join();
  std::lock_guard lock(mutex_);
  poll_all();
}

virtio::AccessResult TracedBus::read(std::uint32_t offset, unsigned width) {
  const virtio::AccessResult result = inner_.read(offset, width);
  sink_.record({trace::EventKind::MmioRead, 0, static_cast<std::uint16_t>(width), offset, result.value,
                static_cast<std::uint64_t>(result.fault)});
  return result;
}

virtio::AccessResult TracedBus::write(std::uint32_t offset, unsigned width, std::uint32_t value) {
  const virtio::AccessResult result = inner_.write(offset, width, value);
  sink_.record({trace::EventKind::MmioWrite, 0, static_cast<std::uint16_t>(width), offset, value,
                static_cast<std::uint64_t>(result.fault)});
  if (result.fault == virtio::AccessFault::None && width == 4) {
    std::lock_guard lock(mutex_);
    follow(offset, value);
  }
  return result;
}

void TracedBus::follow(std::uint32_t offset, std::uint32_t value) {
  QueueSetup& setup = setups_[selected_];
  switch (offset) {
    case mmio::kQueueSel:
      selected_ = static_cast<std::uint16_t>(value);
      break;
    case mmio::kQueueNum:
      setup.size = value;
      break;
    case mmio::kQueueReady:
      stop_watching(selected_);
      if (value == 1) {
        virtqueue::ObservedRing ring;
        ring.size = setup.size;
        ring.addresses = setup.addresses;
        ring.queue = selected_;
        ring.snap = kObserverSnap;
        try {
          watched_[selected_] = std::make_unique<virtqueue::RingObserver>(ram_, sink_, ring);
        } catch (const std::exception&) {
          // A ring the harness placed badly on purpose (a hostile check): not watched.
        }
      }
      break;
    case mmio::kQueueReset:
      if (value == 1) stop_watching(selected_);
      break;
    case mmio::kStatus:
      if (value == 0) {  // a device reset ends every queue
        poll_all();
        watched_.clear();
        setups_.clear();
      }
      break;
    default:
      mmio::set_queue_address(setup.addresses, offset, value);
      break;
  }
}

void TracedBus::stop_watching(std::uint16_t queue) {
  const auto found = watched_.find(queue);
  if (found == watched_.end()) return;
  try {
    found->second->poll();
  } catch (const std::exception&) {
    // The ring can no longer be read: what was seen is recorded.
  }
  watched_.erase(found);
}

void TracedBus::poll_all() {
  for (auto it = watched_.begin(); it != watched_.end();) {
    try {
      it->second->poll();
      ++it;
    } catch (const std::exception&) {
      it = watched_.erase(it);  // unreadable now: stop watching it
    }
  }
}

}  // namespace vgen::conform::virtio_checks
