#include <vgen/vhost_user/channel.hpp>

#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace vgen::vhost_user {
namespace {

// Room for one more fd than allowed, so a front end sending too many is noticed.
constexpr std::size_t kControlBytes = CMSG_SPACE((kMaxFds + 1) * sizeof(int));

union ControlBuffer {
  char bytes[kControlBytes];
  cmsghdr align;
};

[[noreturn]] void fail_system(const std::string& what, int error) {
  throw Error(ErrorCode::System, what + ": " + std::strerror(error));
}

// Adopts the fds of every SCM_RIGHTS control message, so they are closed on any error.
void collect_fds(msghdr& message, std::vector<UniqueFd>& fds) {
  for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr; header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
    const std::size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(header) + i * sizeof(int), sizeof(int));
      fds.emplace_back(fd);
    }
  }
}

// Waits until `socket` is readable, at most kMessageTimeout.
void wait_readable(int socket, const std::string& what) {
  pollfd entry{socket, POLLIN, 0};
  const int timeout = static_cast<int>(std::chrono::milliseconds(kMessageTimeout).count());
  for (;;) {
    const int ready = ::poll(&entry, 1, timeout);
    if (ready > 0) return;
    if (ready == 0)
      throw Error(ErrorCode::System,
                  what + ": nothing more arrived within " + std::to_string(kMessageTimeout.count()) + " s");
    if (errno != EINTR) fail_system(what + ": poll failed", errno);
  }
}

// Fills `out` from the socket. Returns false only when the peer closed before the first byte
// and `eof_ok` allows that (a close between two messages).
bool receive(int socket, std::span<std::byte> out, std::vector<UniqueFd>& fds, bool eof_ok, const std::string& what) {
  std::size_t got = 0;
  while (got < out.size()) {
    ControlBuffer control{};
    iovec vector{out.data() + got, out.size() - got};
    msghdr message{};
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    message.msg_control = control.bytes;
    message.msg_controllen = sizeof(control.bytes);
    const ssize_t result = ::recvmsg(socket, &message, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    if (result < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        wait_readable(socket, what);
        continue;
      }
      fail_system(what + ": recvmsg failed", errno);
    }
    collect_fds(message, fds);
    if ((message.msg_flags & MSG_CTRUNC) != 0 || fds.size() > kMaxFds) {
      throw Error(ErrorCode::Malformed, what + ": more than " + std::to_string(kMaxFds) + " file descriptors attached");
    }
    if (result == 0) {
      if (got == 0 && eof_ok) return false;
      throw Error(ErrorCode::Malformed, what + ": the front end closed the connection after " + std::to_string(got) +
                                            " of " + std::to_string(out.size()) + " bytes");
    }
    got += static_cast<std::size_t>(result);
  }
  return true;
}

}  // namespace

std::optional<Message> read_message(int socket) {
  Message message;
  std::array<std::byte, kHeaderBytes> header{};
  if (!receive(socket, header, message.fds, true, "message header")) return std::nullopt;
  message.header = decode_header(header);
  check_request_header(message.header);
  message.payload.resize(message.header.size);
  receive(socket, message.payload, message.fds, false, message.name() + " payload");
  return message;
}

void write_message(int socket, const Message& message) {
  std::vector<std::byte> bytes(kHeaderBytes + message.payload.size());
  const auto header = encode_header(message.header);
  std::memcpy(bytes.data(), header.data(), kHeaderBytes);
  if (!message.payload.empty())
    std::memcpy(bytes.data() + kHeaderBytes, message.payload.data(), message.payload.size());
  ControlBuffer control{};
  std::size_t sent = 0;
  bool fds_sent = message.fds.empty();
  while (sent < bytes.size()) {
    iovec vector{bytes.data() + sent, bytes.size() - sent};
    msghdr out{};
    out.msg_iov = &vector;
    out.msg_iovlen = 1;
    if (!fds_sent) {
      out.msg_control = control.bytes;
      out.msg_controllen = CMSG_SPACE(message.fds.size() * sizeof(int));
      cmsghdr* cmsg = CMSG_FIRSTHDR(&out);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN(message.fds.size() * sizeof(int));
      for (std::size_t i = 0; i < message.fds.size(); ++i) {
        const int fd = message.fds[i].get();
        std::memcpy(CMSG_DATA(cmsg) + i * sizeof(int), &fd, sizeof(int));
      }
    }
    const ssize_t result = ::sendmsg(socket, &out, MSG_NOSIGNAL);
    if (result < 0) {
      if (errno == EINTR) continue;
      fail_system(message.name() + ": sendmsg of " + std::to_string(bytes.size() - sent) + " bytes failed", errno);
    }
    fds_sent = true;
    sent += static_cast<std::size_t>(result);
  }
}

}  // namespace vgen::vhost_user
