// The register window of a device program the harness drives (`vgen-conform virtio --program`)
// as seen from the harness's side: that program records nothing into the harness's log, so
// the harness records every access it makes and the answer it got.
#pragma once

#include <vgen/trace/hooks.hpp>
#include <vgen/virtio/mmio_bus.hpp>

namespace vgen::conform::virtio_checks {

/// An MmioBus that forwards to `inner` and records each access into `sink` as
/// trace::EventKind::MmioRead / MmioWrite (offset, width, value, fault), as the device's
/// register file records what it serves.
class TracedBus final : public virtio::MmioBus {
 public:
  TracedBus(virtio::MmioBus& inner, trace::TraceSink& sink) : inner_(inner), sink_(sink) {}

  virtio::AccessResult read(std::uint32_t offset, unsigned width) override;
  virtio::AccessResult write(std::uint32_t offset, unsigned width, std::uint32_t value) override;

 private:
  virtio::MmioBus& inner_;
  trace::TraceSink& sink_;
};

}  // namespace vgen::conform::virtio_checks
