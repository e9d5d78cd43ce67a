// Moving whole vhost-user messages over a connected Unix stream socket: the header, the
// payload, and SCM_RIGHTS file descriptors.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <vgen/vhost_user/message.hpp>

namespace vgen::vhost_user {

/// How long a message may take to arrive once its first byte has (a front end that stalls
/// mid-message is dropped instead of hanging the back end).
inline constexpr std::chrono::seconds kMessageTimeout{10};

/// A Unix stream socket bound to `path` and listening; with `replace_stale`, a socket file
/// already at the path is removed first (anything else there is an error). Throws
/// Error(System) naming the path.
UniqueFd listen_unix(const std::string& path, bool replace_stale);

/// Reads one request from `socket`: the header (checked with check_request_header), then
/// its payload, collecting every fd sent with them. Returns nullopt when the front end closed
/// the connection between two messages. Throws Error: Malformed for a bad header, a close
/// mid-message or more than kMaxFds fds (all received fds are closed then); System for a
/// failed or timed-out read.
std::optional<Message> read_message(int socket);

/// Reads one message of either direction (a request or a reply, on the main socket or the
/// back-end channel) for a party that passes messages on: the header must carry version 1 and
/// no undefined flag bits, the payload at most kMaxPayloadBytes. `sender` names who sent it in
/// errors ("the back end"); `names` gives a request code's name. Returns nullopt when the
/// sender closed between two messages; throws Error as read_message does.
std::optional<Message> read_relayed_message(int socket, const std::string& sender,
                                            std::string (*names)(std::uint32_t) = request_name);

/// Sends `message` (header, payload, fds) on `socket`. Throws Error(System) on failure.
void write_message(int socket, const Message& message);

}  // namespace vgen::vhost_user
