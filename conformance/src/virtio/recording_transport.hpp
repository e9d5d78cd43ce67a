// The in-process transport as the harness device offers it to a driver under test: each
// transport operation is recorded as the virtio-mmio register accesses it stands for, and the
// scenario may change its answers.
#pragma once

#include <vgen/virtio/in_process.hpp>
#include <vgen/virtio/transport.hpp>

#include "driver_observer.hpp"
#include "scenario.hpp"

namespace vgen::conform::virtio_checks {

/// A Transport that forwards to an InProcessTransport and records every operation.
class RecordingTransport final : public virtio::Transport {
 public:
  RecordingTransport(virtio::InProcessTransport& inner, DriverObserver& observer, DeviceBehaviour& behaviour)
      : inner_(inner), observer_(observer), behaviour_(behaviour) {}

  std::string name() const override { return "in-process"; }
  std::uint32_t device_id() override;
  std::uint32_t vendor_id() override;
  std::uint8_t status() override;
  void set_status(std::uint8_t status) override;
  std::uint32_t device_features(std::uint32_t select) override;
  void set_driver_features(std::uint32_t select, std::uint32_t value) override;
  std::uint32_t queue_max_size(std::uint16_t index) override;
  bool queue_ready(std::uint16_t index) override;
  void set_queue_size(std::uint16_t index, std::uint32_t size) override;
  void set_queue_addresses(std::uint16_t index, const virtqueue::RingAddresses& addresses) override;
  void set_queue_ready(std::uint16_t index, bool ready) override;
  void reset_queue(std::uint16_t index) override;
  void notify(std::uint16_t index) override;
  std::uint32_t interrupt_status() override;
  void acknowledge_interrupt(std::uint32_t bits) override;
  notify::Notifier& interrupt() override { return inner_.interrupt(); }
  std::uint32_t config_generation() override;
  std::uint32_t read_config(std::uint32_t offset, unsigned width) override;
  void write_config(std::uint32_t offset, unsigned width, std::uint32_t value) override;

 private:
  template <class Op>
  std::uint32_t read(std::uint32_t offset, unsigned width, Op&& op, bool synthetic = true);
  template <class Op>
  void write(std::uint32_t offset, unsigned width, std::uint32_t value, Op&& op, bool synthetic = true);
  // Runs the access `op` does between the observer's and the behaviour's hooks; an access the
  // device rejects is recorded as such and rethrown.
  template <class Op>
  void record(Access& a, Op&& op);
  void select_queue(std::uint16_t index);

  virtio::InProcessTransport& inner_;
  DriverObserver& observer_;
  DeviceBehaviour& behaviour_;
};

}  // namespace vgen::conform::virtio_checks
