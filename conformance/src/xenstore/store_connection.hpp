// The harness's own XenStore client: raw xs_wire messages on a Unix socket, so checks can
// send anything (faithful requests, broken framing) and see exactly what the daemon answers.
// Watch events are kept apart from replies.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include <vgen/store/wire.hpp>

namespace vgen::conform::xenstore_checks {

/// A watch event as received.
struct WatchEvent {
  std::string path;
  std::string token;
  store::Header header;  ///< as sent (req_id and tx_id should be 0)
};

/// One connection to the daemon under test.
class StoreConnection {
 public:
  /// How long a reply may take.
  static constexpr std::chrono::milliseconds kReplyTimeout{2000};

  /// Connects to `socket_path`; throws vgen::Error when nobody listens there.
  explicit StoreConnection(const std::string& socket_path);
  ~StoreConnection();
  StoreConnection(const StoreConnection&) = delete;
  StoreConnection& operator=(const StoreConnection&) = delete;

  /// Sends a request and returns its reply (watch events meanwhile are queued). nullopt when
  /// the daemon closed the connection or sent nothing within kReplyTimeout.
  std::optional<store::Message> request(store::MessageType type, std::string_view payload, std::uint32_t tx = 0);
  /// Sends bytes as they are (with --trace, recorded as they are: a raw StoreMessage).
  void send_raw(std::string_view bytes);
  /// The next message of any kind within `timeout` (watch events first from the queue).
  std::optional<store::Message> next(std::chrono::milliseconds timeout);
  /// The next watch event within `timeout`.
  std::optional<WatchEvent> event(std::chrono::milliseconds timeout);
  /// Drops queued watch events and those arriving within `settle`.
  void drain_events(std::chrono::milliseconds settle = std::chrono::milliseconds(50));
  /// True once the daemon closed the connection.
  bool closed() const noexcept { return closed_; }
  /// The req_id the next request() uses.
  std::uint32_t next_request_id() const noexcept { return next_id_; }

 private:
  std::optional<store::Message> receive(std::chrono::milliseconds timeout);
  void write_all(std::string_view bytes);

  int fd_ = -1;
  std::uint32_t next_id_ = 1;
  bool closed_ = false;
  std::string buffer_;
  std::deque<store::Message> events_;
};

/// "path\0" — the payload form of one string argument.
std::string arg(std::string_view text);
/// The reply's payload without its trailing NUL.
std::string text_of(const store::Message& reply);
/// True when `reply` is an XS_ERROR carrying `name` ("ENOENT").
bool is_error(const std::optional<store::Message>& reply, std::string_view name);
/// "READ reply" / "ERROR ENOENT" / "no reply", for reasons.
std::string describe(const std::optional<store::Message>& reply);

}  // namespace vgen::conform::xenstore_checks
