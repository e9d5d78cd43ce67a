// The front end's side of the vhost-user socket.
#include <vgen/vhost_user/front_end_connection.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <thread>

#include <vgen/vhost_user/channel.hpp>
#include <vgen/vhost_user/error.hpp>

namespace vgen::vhost_user {
namespace {

UniqueFd connect_once(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) fail_system("socket", errno);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) throw Error(ErrorCode::Invalid, "socket path too long: " + path);
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return UniqueFd();
  return fd;
}

// Reads exactly out.size() bytes, waiting until `deadline`.
void read_exact(int socket, std::span<std::byte> out, std::chrono::steady_clock::time_point deadline,
                const char* what) {
  std::size_t got = 0;
  while (got < out.size()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd entry{socket, POLLIN, 0};
    const int ready = ::poll(&entry, 1, static_cast<int>(std::max<long>(0, left.count())));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) fail_system(what, errno);
    if (ready == 0) throw Error(ErrorCode::System, std::string(what) + ": the back end did not answer in time");
    const ssize_t n = ::recv(socket, out.data() + got, out.size() - got, MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_system(what, errno);
    if (n == 0) throw Error(ErrorCode::System, std::string(what) + ": the back end closed the connection");
    got += static_cast<std::size_t>(n);
  }
}

}  // namespace

FrontEndConnection::FrontEndConnection(const std::string& socket_path, std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (!(socket_ = connect_once(socket_path))) {
    if (std::chrono::steady_clock::now() > deadline)
      throw Error(ErrorCode::System, "no vhost-user back end answers at " + socket_path);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void FrontEndConnection::send(Request request, std::span<const std::byte> payload, std::span<const int> fds,
                              bool need_reply) {
  Message message;
  message.header = {static_cast<std::uint32_t>(request), kVersion | (need_reply ? kFlagNeedReply : 0u),
                    static_cast<std::uint32_t>(payload.size())};
  message.payload.assign(payload.begin(), payload.end());
  for (const int fd : fds) {
    UniqueFd copy(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
    if (!copy) fail_system("dup", errno);
    message.fds.push_back(std::move(copy));
  }
  write_message(socket_.get(), message);
}

Message read_any_message(int socket, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::array<std::byte, kHeaderBytes> header;
  read_exact(socket, header, deadline, "vhost-user message header");
  Message message;
  message.header = decode_header(header);
  if (message.header.size > kMaxPayloadBytes) {
    throw Error(ErrorCode::Malformed,
                message.name() + ": payload of " + std::to_string(message.header.size) + " bytes");
  }
  message.payload.resize(message.header.size);
  read_exact(socket, message.payload, deadline, "vhost-user message payload");
  return message;
}

Message FrontEndConnection::reply(Request request, std::chrono::milliseconds timeout) {
  Message message = read_any_message(socket_.get(), timeout);
  const std::uint32_t code = static_cast<std::uint32_t>(request);
  if (message.header.request != code || (message.header.flags & kVersionMask) != kVersion ||
      (message.header.flags & kFlagReply) == 0) {
    throw Error(ErrorCode::Malformed, request_name(code) + ": the reply says " + request_name(message.header.request) +
                                          " with flags " + std::to_string(message.header.flags));
  }
  return message;
}

std::uint64_t FrontEndConnection::get_u64(Request request, std::chrono::milliseconds timeout) {
  send(request, {});
  const Message answer = reply(request, timeout);
  return payload_as<std::uint64_t>(answer);
}

}  // namespace vgen::vhost_user
