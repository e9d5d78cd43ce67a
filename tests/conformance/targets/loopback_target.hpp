// The loopback sample (devices/loopback) as a conformance target: its device model, and a
// driver run that sends messages of several sizes and checks every byte comes back.
#pragma once

#include <vgen/conform/virtio_target.hpp>

namespace vgen::conform_targets {

/// The loopback pair.
conform::VirtioTarget loopback_target();

/// One run of the loopback driver over `transport`: start, 24 messages, check, stop. Shared by
/// the broken loopback variants.
bool run_loopback_driver(virtio::Transport& transport, const shm::GuestMemory& memory, shm::Allocator& allocator);

}  // namespace vgen::conform_targets
