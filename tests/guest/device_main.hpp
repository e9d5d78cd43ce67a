// What the guest-test device programs share: command line, serving a model over the vhost-user
// back end until SIGTERM/SIGINT, and the closing report.
#pragma once

#include <functional>
#include <string>

#include <vgen/virtio/device_model.hpp>

namespace vgen::guest {

/// Serves `model` on `socket` until SIGTERM or SIGINT, then calls `report` and returns the
/// exit status (0; 1 when the back end could not start).
int serve_until_signal(virtio::DeviceModel& model, const std::string& socket, const std::function<void()>& report);

/// The value of option `name` ("--socket") in argv, or "" when absent.
std::string option(int argc, char** argv, const std::string& name);

}  // namespace vgen::guest
