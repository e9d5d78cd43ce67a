// vgen-conform-targets: the harness with the reference pairs and the deliberately broken ones
// linked in, chosen with --target NAME. The lit suite tests/lit/conformance runs it.
#include <vgen/conform/main.hpp>

#include "loopback_target.hpp"

int main(int argc, char** argv) {
  vgen::conform::Targets targets;
  targets.virtio.push_back(vgen::conform_targets::loopback_target());
  return vgen::conform::main(argc, argv, targets);
}
