// A driver with one flaw: the loopback driver run over a transport that changes what it does
// in one way, so the harness's driver checks have something to catch. Each flaw breaks one
// driver rule.
#pragma once

#include <cstdint>
#include <string>

#include <vgen/conform/virtio_target.hpp>
#include <vgen/shm/memory.hpp>
#include <vgen/virtio/transport.hpp>

namespace vgen::conform_targets {

/// The rule a driver breaks.
enum class DriverFlaw {
  NotifyBeforeDriverOk,      ///< notifies each queue as soon as it is enabled (§3.1.1)
  ClearsStatusBit,           ///< writes DRIVER_OK without ACKNOWLEDGE (§2.1.1)
  IgnoresRefusedFeatures,    ///< takes FEATURES_OK as kept whatever the device says (§3.1.1)
  AcceptsUnoffered,          ///< accepts feature bit 5, never offered (§2.2.1)
  FeaturesAfterFeaturesOk,   ///< writes its features again after FEATURES_OK (§3.1.1)
  SkipsFeaturesOkReread,     ///< answers its own status read after FEATURES_OK (§3.1.1)
  MisalignedRing,            ///< tells the device the descriptor table is 8 bytes further (§2.7.1)
  DirtyUsedFlags,            ///< leaves 1 in the used flags when enabling a queue (§2.7.10.1)
  AvailDecrement,            ///< moves the available idx back below what it last notified (§2.7.6.1)
  LoopingChain,              ///< makes a transmitted chain point at itself (§2.7.5.2)
  DropsNotifications,        ///< never notifies the transmit queue (§2.7.10.1)
  ConfigWriteEarly,          ///< writes the configuration before FEATURES_OK (§3.1.1)
  HidesFailed,               ///< never lets FAILED reach the device (§2.2.1)
  QueueNumAboveMax,          ///< asks for twice the largest queue size (§4.2.2.2)
  AckUndefinedBits,          ///< acknowledges bit 4 with every interrupt (§4.2.2.2)
  AckWithoutStatusRead,      ///< acknowledges without reading InterruptStatus (§4.2.3.4.1)
  AltersExposed,             ///< shortens a receive buffer the device has not used yet (§3.3.1)
};

/// The loopback pair whose driver has `flaw`.
conform::VirtioTarget flawed_driver_target(const std::string& name, DriverFlaw flaw);

}  // namespace vgen::conform_targets
