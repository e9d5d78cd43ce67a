// Sending a whole region table to a peer process and rebuilding it there.
#pragma once

#include <vgen/shm/memory.hpp>

namespace vgen::shm {

/// Sends every owned region of `memory` (base, size, memfd) over a Unix socket.
/// Borrowed regions cannot be shared and make this throw shm::Error(Invalid).
void send_memory(int socket, const GuestMemory& memory);

/// Receives a table sent by send_memory() and maps each region in this process.
/// A malformed table (bad count, sizes, overlaps, missing fds) throws shm::Error and leaks no fd.
GuestMemory receive_memory(int socket);

}  // namespace vgen::shm
