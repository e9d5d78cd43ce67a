#include <vgen/shm/fd_passing.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <vgen/shm/error.hpp>

#include "system_error.hpp"

namespace vgen::shm {
namespace {

// Room for kMaxFdsPerMessage fds plus one more, so a peer that sends too many is noticed
// (MSG_CTRUNC or a count above the limit) instead of silently cut down to the limit.
constexpr std::size_t kControlSize = CMSG_SPACE((kMaxFdsPerMessage + 1) * sizeof(int));

// Control-message buffer aligned for struct cmsghdr.
union ControlBuffer {
  char bytes[kControlSize];
  cmsghdr align;
};

void close_all(const std::vector<int>& fds) noexcept {
  for (int fd : fds) ::close(fd);
}

// Called when a socket call said EAGAIN. On a non-blocking socket that means "not yet", so
// this waits until `socket` is ready for `events`. On a blocking socket it means the
// timeout the owner set (SO_RCVTIMEO / SO_SNDTIMEO) expired, which is reported.
void wait_ready(int socket, short events, const std::string& what) {
  const int flags = ::fcntl(socket, F_GETFL);
  if (flags >= 0 && (flags & O_NONBLOCK) == 0) {
    detail::throw_system(what + ": timed out on socket " + std::to_string(socket), EAGAIN);
  }
  pollfd entry{socket, events, 0};
  while (::poll(&entry, 1, -1) < 0) {
    if (errno != EINTR) detail::throw_system(what + ": poll on socket " + std::to_string(socket) + " failed", errno);
  }
}

// SOCK_SEQPACKET keeps message boundaries: one recvmsg returns one whole message or
// truncates it, so the receive loop must not stitch several messages together.
bool keeps_boundaries(int socket) {
  int type = 0;
  socklen_t length = sizeof(type);
  if (::getsockopt(socket, SOL_SOCKET, SO_TYPE, &type, &length) != 0) {
    detail::throw_system("receive_with_fds: socket " + std::to_string(socket) + " is not usable", errno);
  }
  return type == SOCK_SEQPACKET || type == SOCK_DGRAM;
}

// Appends the fds of every SCM_RIGHTS control message in `message` to `fds`.
void collect_fds(msghdr& message, std::vector<int>& fds) {
  for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr; header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
    const std::size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(header) + i * sizeof(int), sizeof(int));
      fds.push_back(fd);
    }
  }
}

}  // namespace

ssize_t sendmsg_with_fds(int socket, std::span<const std::byte> bytes, std::span<const int> fds) noexcept {
  if (fds.size() > kMaxFdsPerMessage) {
    errno = EINVAL;
    return -1;
  }
  ControlBuffer control{};
  iovec vector{const_cast<std::byte*>(bytes.data()), bytes.size()};
  msghdr message{};
  message.msg_iov = &vector;
  message.msg_iovlen = 1;
  if (!fds.empty()) {
    message.msg_control = control.bytes;
    message.msg_controllen = CMSG_SPACE(fds.size() * sizeof(int));
    cmsghdr* header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(fds.size() * sizeof(int));
    std::memcpy(CMSG_DATA(header), fds.data(), fds.size() * sizeof(int));
  }
  // MSG_NOSIGNAL: a closed peer is an error to report, not a SIGPIPE that kills us.
  return ::sendmsg(socket, &message, MSG_NOSIGNAL);
}

ssize_t recvmsg_with_fds(int socket, std::span<std::byte> out, std::vector<int>& fds, int flags, int& message_flags) {
  ControlBuffer control{};
  iovec vector{out.data(), out.size()};
  msghdr message{};
  message.msg_iov = &vector;
  message.msg_iovlen = 1;
  message.msg_control = control.bytes;
  message.msg_controllen = sizeof(control.bytes);
  // MSG_CMSG_CLOEXEC: received fds must not leak into programs this process executes.
  const ssize_t result = ::recvmsg(socket, &message, MSG_CMSG_CLOEXEC | flags);
  message_flags = result < 0 ? 0 : message.msg_flags;
  if (result >= 0) collect_fds(message, fds);
  return result;
}

void send_with_fds(int socket, std::span<const std::byte> bytes, std::span<const int> fds) {
  if (bytes.empty()) {
    throw Error(ErrorCode::Invalid, "send_with_fds: the message is empty; fds need at least one byte to travel with");
  }
  if (fds.size() > kMaxFdsPerMessage) {
    throw Error(ErrorCode::Invalid, "send_with_fds: " + std::to_string(fds.size()) + " fds exceed the limit of " +
                                        std::to_string(kMaxFdsPerMessage) + " per message");
  }
  std::size_t sent = 0;
  bool fds_sent = fds.empty();
  while (sent < bytes.size()) {
    // The fds ride on the first successful sendmsg only; later ones carry the rest of the bytes.
    const ssize_t result = sendmsg_with_fds(socket, bytes.subspan(sent), fds_sent ? std::span<const int>() : fds);
    if (result < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        wait_ready(socket, POLLOUT, "send_with_fds");
        continue;
      }
      detail::throw_system("send_with_fds: sendmsg of " + std::to_string(bytes.size() - sent) + " bytes with " +
                               std::to_string(fds_sent ? 0 : fds.size()) + " fds on socket " + std::to_string(socket) +
                               " failed",
                           errno);
    }
    fds_sent = true;
    sent += static_cast<std::size_t>(result);
  }
}

ReceivedMessage receive_with_fds(int socket, std::size_t length) {
  if (length == 0) throw Error(ErrorCode::Invalid, "receive_with_fds: length is 0; a message has at least one byte");
  const bool whole_messages = keeps_boundaries(socket);
  ReceivedMessage received;
  received.bytes.resize(length);
  std::size_t got = 0;
  // Any exit by exception closes the fds received so far; the caller never sees them.
  try {
    while (got < length) {
      int flags = 0;
      const ssize_t result = recvmsg_with_fds(socket, std::span(received.bytes).subspan(got), received.fds, 0, flags);
      if (result < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          wait_ready(socket, POLLIN, "receive_with_fds");
          continue;
        }
        detail::throw_system("receive_with_fds: recvmsg on socket " + std::to_string(socket) + " failed", errno);
      }
      if ((flags & MSG_CTRUNC) != 0) {
        throw Error(ErrorCode::Invalid, "receive_with_fds: control data truncated; the peer sent more than " +
                                            std::to_string(kMaxFdsPerMessage) + " fds");
      }
      if (received.fds.size() > kMaxFdsPerMessage) {
        throw Error(ErrorCode::Invalid, "receive_with_fds: the peer sent " + std::to_string(received.fds.size()) +
                                            " fds, more than the limit of " + std::to_string(kMaxFdsPerMessage));
      }
      if (result == 0) {
        throw Error(ErrorCode::Invalid, "receive_with_fds: the peer closed the socket after " + std::to_string(got) +
                                            " of " + std::to_string(length) + " bytes");
      }
      if (whole_messages && ((flags & MSG_TRUNC) != 0 || static_cast<std::size_t>(result) != length)) {
        throw Error(ErrorCode::Invalid, "receive_with_fds: expected a message of " + std::to_string(length) +
                                            " bytes, the peer sent one of " + std::to_string(result) +
                                            ((flags & MSG_TRUNC) != 0 ? " (or more, truncated)" : ""));
      }
      got += static_cast<std::size_t>(result);
    }
  } catch (...) {
    close_all(received.fds);
    throw;
  }
  return received;
}

}  // namespace vgen::shm
