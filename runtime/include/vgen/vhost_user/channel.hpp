// Moving whole vhost-user messages over a connected Unix stream socket: the header, the
// payload, and SCM_RIGHTS file descriptors.
#pragma once

#include <chrono>
#include <optional>

#include <vgen/vhost_user/message.hpp>

namespace vgen::vhost_user {

/// How long a message may take to arrive once its first byte has (a front end that stalls
/// mid-message is dropped instead of hanging the back end).
inline constexpr std::chrono::seconds kMessageTimeout{10};

/// Reads one request from `socket`: the header (checked with check_request_header), then
/// its payload, collecting every fd sent with them. Returns nullopt when the front end closed
/// the connection between two messages. Throws Error: Malformed for a bad header, a close
/// mid-message or more than kMaxFds fds (all received fds are closed then); System for a
/// failed or timed-out read.
std::optional<Message> read_message(int socket);

/// Sends `message` (header, payload, fds) on `socket`. Throws Error(System) on failure.
void write_message(int socket, const Message& message);

}  // namespace vgen::vhost_user
