// Passing file descriptors between processes over a Unix socket (SCM_RIGHTS).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace vgen::shm {

/// Largest number of fds one message may carry.
inline constexpr std::size_t kMaxFdsPerMessage = 16;

/// A message received from a peer: its bytes and the fds that came with it (owned by the
/// receiver, who must close them or hand them to a Region).
struct ReceivedMessage {
  std::vector<std::byte> bytes;
  std::vector<int> fds;
};

/// Sends `bytes` (non-empty) with `fds` attached on a connected SOCK_STREAM or SOCK_SEQPACKET
/// Unix socket. Throws shm::Error(System) on failure, Invalid for too many fds.
void send_with_fds(int socket, std::span<const std::byte> bytes, std::span<const int> fds);

/// Receives exactly `length` bytes and the fds sent with them. Throws shm::Error: System on a
/// failed call, Invalid when the peer closed early or sent more fds than allowed (the extra
/// fds are closed).
ReceivedMessage receive_with_fds(int socket, std::size_t length);

}  // namespace vgen::shm
