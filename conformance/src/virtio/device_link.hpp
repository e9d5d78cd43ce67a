// How a check reaches the device under test: a Transport to it, the raw register window when
// the transport has one, and whether the device is still there. One link is one fresh device.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <vgen/conform/virtio_target.hpp>
#include <vgen/virtio/mmio_bus.hpp>
#include <vgen/virtio/transport.hpp>

#include "guest_ram.hpp"

namespace vgen::conform::virtio_checks {

/// One device under test, reached through a transport.
class DeviceLink {
 public:
  virtual ~DeviceLink() = default;
  /// The driver's view of the device.
  virtual virtio::Transport& transport() = 0;
  /// The register window (virtio-mmio), or null when the transport has none.
  virtual virtio::MmioBus* bus() { return nullptr; }
  /// False once the device is gone: its process ended or its connection closed.
  virtual bool alive() = 0;
  /// Whether status, QueueReady and InterruptStatus are the device's own registers (false for
  /// vhost-user, where the front end keeps them).
  virtual bool device_registers() const { return true; }
  /// Reconnects after the device closed its end (vhost-user); false when the transport cannot.
  virtual bool reconnect() { return false; }
};

/// Makes a fresh device link over the check's guest RAM.
using LinkFactory = std::function<std::unique_ptr<DeviceLink>(GuestRam& ram)>;

/// The device half of `target` in this process, over the in-process transport.
LinkFactory in_process_link(const VirtioTarget& target);
/// The device half of `target` in a child process serving a virtio-mmio window.
LinkFactory mmio_child_link(const VirtioTarget& target);
/// A device program serving a virtio-mmio window: `command` is run by /bin/sh with
/// " --conform-serve device:mmio:FD" appended; guest RAM and the window arrive over fd FD.
LinkFactory mmio_program_link(const std::string& command);
/// A vhost-user back end listening on `socket_path`, driven by vgen's front end; the protocol
/// does not carry the device type, so `device_id` says it (0: unknown).
LinkFactory vhost_user_link(const std::string& socket_path, std::uint32_t device_id);
/// The device half of `target` served by vgen's vhost-user back end in a child process.
LinkFactory vhost_user_child_link(const VirtioTarget& target);

}  // namespace vgen::conform::virtio_checks
