// The front end's end of a vhost-user connection: connecting to a back end's socket, sending
// requests with file descriptors attached, and reading the replies.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <vgen/vhost_user/message.hpp>
#include <vgen/vhost_user/protocol.hpp>
#include <vgen/vhost_user/unique_fd.hpp>

namespace vgen::vhost_user {

/// One connection to a back end. Not thread-safe: one thread sends and reads.
class FrontEndConnection {
 public:
  /// Connects to `socket_path`, retrying while the back end starts, for up to `wait`.
  /// Throws Error(System) when no back end answers in time.
  FrontEndConnection(const std::string& socket_path, std::chrono::milliseconds wait);

  /// Sends a request: header (version 1, plus NEED_REPLY when `need_reply`), `payload`, and
  /// `fds` (not closed; duplicated for the message). Throws Error(System) when the back end
  /// is gone.
  void send(Request request, std::span<const std::byte> payload, std::span<const int> fds = {},
            bool need_reply = false);
  /// Reads the reply to `request`: header flags must say version 1 and reply, the request code
  /// must match. Throws Error(System) on a closed connection or no reply within `timeout`,
  /// Error(Malformed) for a wrong reply.
  Message reply(Request request, std::chrono::milliseconds timeout);
  /// Sends a request without payload and reads its u64 reply.
  std::uint64_t get_u64(Request request, std::chrono::milliseconds timeout);
  /// The connected socket.
  int fd() const noexcept { return socket_.get(); }

 private:
  UniqueFd socket_;
};

/// Reads one message (header and payload) from `socket` within `timeout`: the back end's
/// requests on the back-end channel, or replies. Throws Error(System) on a closed socket or a
/// timeout, Error(Malformed) for a payload over kMaxPayloadBytes.
Message read_any_message(int socket, std::chrono::milliseconds timeout);

}  // namespace vgen::vhost_user
