// Serving a linked device half over vhost-user, for a harness in another process.
#pragma once

#include <string>

#include <vgen/conform/virtio_target.hpp>

namespace vgen::conform::virtio_checks {

/// Serves `target`'s device with vgen's vhost-user back end on `socket_path`, one front end
/// after another, until the process is killed. Returns 1 when the device cannot be made.
int serve_vhost_user(const VirtioTarget& target, const std::string& socket_path);

}  // namespace vgen::conform::virtio_checks
