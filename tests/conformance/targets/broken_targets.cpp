// The table of broken VirtIO pairs.
#include "broken_targets.hpp"

#include "echo_device.hpp"
#include "flawed_registers.hpp"
#include "flawed_transport.hpp"

namespace vgen::conform_targets {

std::vector<conform::VirtioTarget> broken_virtio_targets() {
  return {
      echo_target("broken-device-used-len-beyond-buffer", EchoFlaw::UsedLenBeyondBuffer),
      echo_target("broken-device-writes-readable", EchoFlaw::WritesReadable),
      echo_target("broken-device-writes-descriptor", EchoFlaw::WritesDescriptor),
      echo_target("broken-device-never-notifies", EchoFlaw::NeverNotifies),
      echo_target("broken-device-silent-with-event-idx", EchoFlaw::SilentWithEventIdx),
      echo_target("broken-device-first-segment-only", EchoFlaw::FirstSegmentOnly),
      echo_target("broken-device-reverse-order", EchoFlaw::ReverseOrder),
      echo_target("broken-device-bad-used-flags", EchoFlaw::BadUsedFlags),
      echo_target("broken-device-abort-on-loop", EchoFlaw::AbortOnLoop),
      echo_target("broken-device-wedged-after-error", EchoFlaw::WedgedAfterError),
      flawed_registers_target("broken-mmio-consume-before-driver-ok", RegisterFlaw::ConsumeBeforeDriverOk),
      flawed_registers_target("broken-mmio-interrupt-before-driver-ok", RegisterFlaw::InterruptBeforeDriverOk),
      flawed_registers_target("broken-mmio-accepts-any-features", RegisterFlaw::AcceptsAnyFeatures),
      flawed_registers_target("broken-mmio-status-stays-after-reset", RegisterFlaw::StatusStaysAfterReset),
      flawed_registers_target("broken-mmio-uses-rings-after-reset", RegisterFlaw::UsesRingsAfterReset),
      flawed_registers_target("broken-mmio-offers-broken-dependency", RegisterFlaw::OffersBrokenDependency),
      flawed_registers_target("broken-mmio-config-unreadable-early", RegisterFlaw::ConfigUnreadableEarly),
      flawed_registers_target("broken-mmio-bad-magic", RegisterFlaw::BadMagic),
      flawed_registers_target("broken-mmio-read-clears-interrupt", RegisterFlaw::ReadClearsInterrupt),
      flawed_registers_target("broken-mmio-ready-after-reset", RegisterFlaw::ReadyAfterReset),
      flawed_registers_target("broken-mmio-touches-unready-queue", RegisterFlaw::TouchesUnreadyQueue),
      flawed_registers_target("broken-mmio-hides-needs-reset-notice", RegisterFlaw::HidesNeedsResetNotice),
      flawed_registers_target("broken-mmio-config-without-generation", RegisterFlaw::ConfigWithoutGeneration),
      flawed_driver_target("broken-driver-notify-before-driver-ok", DriverFlaw::NotifyBeforeDriverOk),
      flawed_driver_target("broken-driver-clears-status-bit", DriverFlaw::ClearsStatusBit),
      flawed_driver_target("broken-driver-ignores-refused-features", DriverFlaw::IgnoresRefusedFeatures),
      flawed_driver_target("broken-driver-accepts-unoffered", DriverFlaw::AcceptsUnoffered),
      flawed_driver_target("broken-driver-features-after-features-ok", DriverFlaw::FeaturesAfterFeaturesOk),
      flawed_driver_target("broken-driver-skips-features-ok-reread", DriverFlaw::SkipsFeaturesOkReread),
      flawed_driver_target("broken-driver-misaligned-ring", DriverFlaw::MisalignedRing),
      flawed_driver_target("broken-driver-dirty-used-flags", DriverFlaw::DirtyUsedFlags),
      flawed_driver_target("broken-driver-avail-decrement", DriverFlaw::AvailDecrement),
      flawed_driver_target("broken-driver-looping-chain", DriverFlaw::LoopingChain),
      flawed_driver_target("broken-driver-drops-notifications", DriverFlaw::DropsNotifications),
      flawed_driver_target("broken-driver-config-write-early", DriverFlaw::ConfigWriteEarly),
      flawed_driver_target("broken-driver-hides-failed", DriverFlaw::HidesFailed),
      flawed_driver_target("broken-driver-queue-num-above-max", DriverFlaw::QueueNumAboveMax),
      flawed_driver_target("broken-driver-ack-undefined-bits", DriverFlaw::AckUndefinedBits),
      flawed_driver_target("broken-driver-ack-without-status-read", DriverFlaw::AckWithoutStatusRead),
      flawed_driver_target("broken-driver-alters-exposed", DriverFlaw::AltersExposed),
  };
}

}  // namespace vgen::conform_targets
