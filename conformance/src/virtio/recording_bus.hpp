// The virtio-mmio register window as the harness device serves it to a driver under test:
// every access is recorded, and the scenario may change its answers.
#pragma once

#include <mutex>

#include <vgen/virtio/mmio_bus.hpp>

#include "driver_observer.hpp"
#include "scenario.hpp"

namespace vgen::conform::virtio_checks {

/// An MmioBus that forwards to the device's register file and records every access.
class RecordingBus final : public virtio::MmioBus {
 public:
  RecordingBus(virtio::MmioBus& registers, DriverObserver& observer, DeviceBehaviour& behaviour)
      : registers_(registers), observer_(observer), behaviour_(behaviour) {}

  virtio::AccessResult read(std::uint32_t offset, unsigned width) override;
  virtio::AccessResult write(std::uint32_t offset, unsigned width, std::uint32_t value) override;

 private:
  std::mutex mutex_;
  virtio::MmioBus& registers_;
  DriverObserver& observer_;
  DeviceBehaviour& behaviour_;
};

}  // namespace vgen::conform::virtio_checks
