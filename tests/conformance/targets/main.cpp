// vgen-conform-targets: the harness with the reference pairs and the deliberately broken ones
// linked in, chosen with --target NAME. The lit suite tests/lit/conformance runs it.
#include <vgen/conform/main.hpp>

#include "broken_targets.hpp"
#include "echo_device.hpp"
#include "loopback_target.hpp"

int main(int argc, char** argv) {
  vgen::conform::Targets targets;
  targets.virtio.push_back(vgen::conform_targets::loopback_target());
  targets.virtio.push_back(vgen::conform_targets::echo_target("echo", vgen::conform_targets::EchoFlaw::None));
  for (auto& target : vgen::conform_targets::broken_virtio_targets()) targets.virtio.push_back(std::move(target));
  return vgen::conform::main(argc, argv, targets);
}
