// rpmsg-echo: the remote (device) half. vgen wrote this file once; it is yours to change, and
// vgen never overwrites it. The generated base class (rpmsg_echo_device_base.hpp) does the
// rpmsg work; the handlers here are what the remote does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "rpmsg_echo_device_base.hpp"

namespace rpmsg_echo {

/// The rpmsg-echo remote. The default handlers log every message and echo it to its sender.
class RpmsgEchoDevice : public RpmsgEchoDeviceBase {
 public:
  using RpmsgEchoDeviceBase::RpmsgEchoDeviceBase;

 protected:
  void on_echo(const EchoMessage& message, std::uint32_t source) override;
};

}  // namespace rpmsg_echo
