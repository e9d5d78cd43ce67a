// Passing file descriptors between processes over a Unix socket (SCM_RIGHTS).
#pragma once

#include <sys/types.h>

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

/// One sendmsg on `socket` of `bytes` with `fds` attached (none when empty), MSG_NOSIGNAL:
/// the call's result, the bytes sent or -1 with errno set (EINVAL for more than
/// kMaxFdsPerMessage fds). The building block of send_with_fds, for callers with their own
/// retry and error policy.
ssize_t sendmsg_with_fds(int socket, std::span<const std::byte> bytes, std::span<const int> fds) noexcept;

/// One recvmsg on `socket` into `out`, with MSG_CMSG_CLOEXEC and `flags` (MSG_DONTWAIT...):
/// the call's result (the bytes read, 0 when the peer closed, -1 with errno set) and, in
/// `message_flags`, its msg_flags. Every fd that came with the bytes is appended to `fds` and
/// is the caller's to close; there is room for kMaxFdsPerMessage + 1, so a peer that sends
/// more shows as MSG_CTRUNC. The building block of receive_with_fds.
ssize_t recvmsg_with_fds(int socket, std::span<std::byte> out, std::vector<int>& fds, int flags, int& message_flags);

/// Sends `bytes` (non-empty) with `fds` attached on a connected SOCK_STREAM or SOCK_SEQPACKET
/// Unix socket. Throws shm::Error(System) on failure, Invalid for too many fds.
void send_with_fds(int socket, std::span<const std::byte> bytes, std::span<const int> fds);

/// Receives exactly `length` bytes and the fds sent with them. Throws shm::Error: System on a
/// failed call, Invalid when the peer closed early or sent more fds than allowed (the extra
/// fds are closed).
ReceivedMessage receive_with_fds(int socket, std::size_t length);

}  // namespace vgen::shm
