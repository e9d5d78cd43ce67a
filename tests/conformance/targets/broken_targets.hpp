// Every deliberately broken VirtIO pair, by name: devices with a flaw ("broken-device-..."),
// register files with a flaw ("broken-mmio-...") and drivers with a flaw ("broken-driver-...").
// Each lit test in tests/lit/conformance/broken runs one and checks the rule it breaks fails.
#pragma once

#include <vector>

#include <vgen/conform/virtio_target.hpp>

namespace vgen::conform_targets {

/// The broken VirtIO targets.
std::vector<conform::VirtioTarget> broken_virtio_targets();

}  // namespace vgen::conform_targets
