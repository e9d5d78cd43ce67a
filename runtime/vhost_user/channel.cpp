#include <vgen/vhost_user/channel.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <array>
#include <cerrno>
#include <cstring>

#include <vgen/format.hpp>
#include <vgen/shm/fd_passing.hpp>

namespace vgen::vhost_user {
namespace {

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
bool receive(int socket, std::span<std::byte> out, std::vector<UniqueFd>& fds, bool eof_ok, const std::string& what,
             const std::string& sender = "the front end") {
  std::size_t got = 0;
  while (got < out.size()) {
    std::vector<int> received;
    int flags = 0;
    const ssize_t result = shm::recvmsg_with_fds(socket, out.subspan(got), received, MSG_DONTWAIT, flags);
    const int error = errno;
    // Adopted at once, so they are closed on any error.
    for (const int fd : received) fds.emplace_back(fd);
    if (result < 0) {
      if (error == EINTR) continue;
      if (error == EAGAIN || error == EWOULDBLOCK) {
        wait_readable(socket, what);
        continue;
      }
      fail_system(what + ": recvmsg failed", error);
    }
    if ((flags & MSG_CTRUNC) != 0 || fds.size() > kMaxFds) {
      throw Error(ErrorCode::Malformed, what + ": more than " + std::to_string(kMaxFds) + " file descriptors attached");
    }
    if (result == 0) {
      if (got == 0 && eof_ok) return false;
      throw Error(ErrorCode::Malformed, what + ": " + sender + " closed the connection after " + std::to_string(got) +
                                            " of " + std::to_string(out.size()) + " bytes");
    }
    got += static_cast<std::size_t>(result);
  }
  return true;
}

void remove_stale_socket(const std::string& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) return;
  if (!S_ISSOCK(info.st_mode)) {
    throw Error(ErrorCode::System, "socket path " + path + " exists and is not a socket; not removing it");
  }
  ::unlink(path.c_str());
}

}  // namespace

UniqueFd listen_unix(const std::string& path, bool replace_stale) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(address.sun_path)) {
    throw Error(ErrorCode::System, "socket path '" + path + "' is empty or longer than " +
                                       std::to_string(sizeof(address.sun_path) - 1) + " bytes");
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  if (replace_stale) remove_stale_socket(path);
  UniqueFd socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!socket) fail_system("socket()", errno);
  if (::bind(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    fail_system("bind to " + path, errno);
  }
  if (::listen(socket.get(), 4) != 0) fail_system("listen on " + path, errno);
  return socket;
}

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

std::optional<Message> read_relayed_message(int socket, const std::string& sender,
                                            std::string (*names)(std::uint32_t)) {
  Message message;
  std::array<std::byte, kHeaderBytes> header{};
  if (!receive(socket, header, message.fds, true, sender + ": message header", sender)) return std::nullopt;
  message.header = decode_header(header);
  const std::string what = sender + ": " + names(message.header.request);
  constexpr std::uint32_t kDefined = kVersionMask | kFlagReply | kFlagNeedReply;
  if ((message.header.flags & kVersionMask) != kVersion) {
    throw Error(ErrorCode::Malformed, what + ": header flags " + hex(message.header.flags) + " carry version " +
                                          std::to_string(message.header.flags & kVersionMask) + ", expected 1");
  }
  if ((message.header.flags & ~kDefined) != 0) {
    throw Error(ErrorCode::Malformed, what + ": header flags " + hex(message.header.flags) + " have undefined bits " +
                                          hex(message.header.flags & ~kDefined));
  }
  if (message.header.size > kMaxPayloadBytes) {
    throw Error(ErrorCode::Malformed, what + ": payload size " + std::to_string(message.header.size) +
                                          " exceeds the largest message (" + std::to_string(kMaxPayloadBytes) +
                                          " bytes)");
  }
  message.payload.resize(message.header.size);
  receive(socket, message.payload, message.fds, false, what + " payload", sender);
  return message;
}

void write_message(int socket, const Message& message) {
  std::vector<std::byte> bytes(kHeaderBytes + message.payload.size());
  const auto header = encode_header(message.header);
  std::memcpy(bytes.data(), header.data(), kHeaderBytes);
  if (!message.payload.empty())
    std::memcpy(bytes.data() + kHeaderBytes, message.payload.data(), message.payload.size());
  std::vector<int> fds;
  for (const UniqueFd& fd : message.fds) fds.push_back(fd.get());
  std::size_t sent = 0;
  bool fds_sent = fds.empty();
  while (sent < bytes.size()) {
    // The fds ride on the first successful sendmsg only.
    const ssize_t result =
        shm::sendmsg_with_fds(socket, std::span(bytes).subspan(sent), fds_sent ? std::span<const int>() : fds);
    if (result < 0) {
      if (errno == EINTR) continue;
      fail_system(message.name() + ": sendmsg of " + std::to_string(bytes.size() - sent) + " bytes failed", errno);
    }
    fds_sent = true;
    sent += static_cast<std::size_t>(result);
  }
}

}  // namespace vgen::vhost_user
