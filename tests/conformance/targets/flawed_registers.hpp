// A virtio-mmio register file with one flaw, served in place of the runtime's (over the echo
// device): the harness's tests of the register-level device rules. Each flaw breaks one rule.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <vgen/conform/virtio_target.hpp>
#include <vgen/virtio/device_core.hpp>
#include <vgen/virtio/mmio_bus.hpp>
#include <vgen/virtqueue/layout.hpp>

namespace vgen::conform_targets {

/// The rule a register file breaks.
enum class RegisterFlaw {
  ConsumeBeforeDriverOk,     ///< a device thread serves a queue as soon as it is ready (§2.1.2)
  InterruptBeforeDriverOk,   ///< shows a used buffer interrupt from enabling a queue to DRIVER_OK (§2.1.2)
  AcceptsAnyFeatures,        ///< shows FEATURES_OK whatever the device decided (§2.2.2)
  StatusStaysAfterReset,     ///< the status keeps ACKNOWLEDGE after a reset (§2.4.1)
  UsesRingsAfterReset,       ///< keeps serving the old rings after a reset (§2.4.1)
  OffersBrokenDependency,    ///< offers bit 2, which requires the unoffered bit 3 (§2.2.2)
  ConfigUnreadableEarly,     ///< faults configuration reads before FEATURES_OK (§2.5.2)
  BadMagic,                  ///< MagicValue reads "VIRT" upside down (§4.2.2.1)
  ReadClearsInterrupt,       ///< InterruptStatus clears itself when read (§4.2.2.1)
  ReadyAfterReset,           ///< QueueReady keeps reading 1 after a reset (§4.2.2.1)
  TouchesUnreadyQueue,       ///< serves a queue whose QueueReady is 0 when notified (§4.2.2.1)
  HidesNeedsResetNotice,     ///< never shows the configuration change bit (§2.1.2)
  ConfigWithoutGeneration,   ///< ConfigGeneration stays 0 while the configuration changes (§4.2.2.1)
};

/// The register file of the runtime with `flaw` added.
class FlawedRegisters final : public virtio::MmioBus {
 public:
  FlawedRegisters(RegisterFlaw flaw, virtio::DeviceCore& core, virtio::MmioBus& registers);
  ~FlawedRegisters() override;

  virtio::AccessResult read(std::uint32_t offset, unsigned width) override;
  virtio::AccessResult write(std::uint32_t offset, unsigned width, std::uint32_t value) override;

 private:
  struct Ring {
    std::uint32_t size;
    virtqueue::RingAddresses addresses;
  };
  void serve_behind(std::vector<Ring> rings);
  void serve_once(const Ring& ring);
  Ring ring_of(std::uint32_t index);
  std::vector<Ring> ready_rings();

  RegisterFlaw flaw_;
  virtio::DeviceCore& core_;
  virtio::MmioBus& registers_;
  std::uint32_t queue_sel_ = 0;
  std::uint32_t feature_select_ = 0;
  std::uint32_t status_written_ = 0;
  bool raised_early_ = false;
  bool was_reset_ = false;
  std::atomic<bool> stop_{false};
  std::thread rogue_;
};

/// The echo pair served through a register file with `flaw` (virtio-mmio only).
conform::VirtioTarget flawed_registers_target(const std::string& name, RegisterFlaw flaw);

}  // namespace vgen::conform_targets
