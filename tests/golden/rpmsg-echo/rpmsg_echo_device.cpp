// rpmsg-echo: the remote (device) half's handlers (yours; vgen never overwrites this file).
#include "rpmsg_echo_device.hpp"

#include <cstdio>
#include <string>

namespace rpmsg_echo {
namespace {

void log(const std::string& line) {
  std::printf("device: %s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

void RpmsgEchoDevice::on_echo(const EchoMessage& message, std::uint32_t source) {
  log("echo: " + describe(message) + " from " + std::to_string(source));
  if (!send_echo(source, message)) log("echo: echo to " + std::to_string(source) + " timed out");
}

}  // namespace rpmsg_echo
