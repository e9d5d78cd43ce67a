// A store client speaking the XenStore wire protocol (xs_wire.h; wire.hpp) over a Unix
// socket, as libxenstore does, so it works against vgen-xenstored and any XenStore daemon
// with a socket.
//
// Requests may be issued from several threads at once: each gets its own req_id and the
// reader thread routes every reply to its caller by req_id (the daemon answers in order,
// so pipelining costs nothing). XS_WATCH_EVENT messages go to the WatchDispatcher, whose
// thread runs the callbacks. When the connection ends, every waiting and later request
// fails with ClientError EIO.
//
// Domain identity: a connection is whatever domain the daemon decides from the peer's uid
// (vgen-xenstored: root and its own uid are domain 0, --domid-map maps others). A domain-0
// connection may then act as guest N: pass `act_as` and the client sends CONTROL
// "set-domid\0N\0" before anything else. from_environment() reads the socket path the way
// libxenstore does and the domain from VGEN_DOMID.
#pragma once

#include <atomic>
#include <cstdint>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vgen/store/client.hpp>
#include <vgen/store/message_trace.hpp>
#include <vgen/store/watch_dispatcher.hpp>
#include <vgen/store/wire.hpp>

namespace vgen::store {

/// Name of the environment variable holding the domain a process acts as.
inline constexpr const char* kDomainEnvironmentVariable = "VGEN_DOMID";

/// The socket libxenstore would use: $XENSTORED_PATH, else $XENSTORED_RUNDIR/socket, else
/// /var/run/xenstored/socket.
std::string default_socket_path();

/// A connection to a XenStore daemon's Unix socket.
class WireClient final : public Client {
 public:
  /// Connects to `socket_path`; with `act_as`, switches the connection to that domain
  /// (CONTROL set-domid; needs a domain-0 connection). domain() reports `act_as`, or 0.
  /// Throws ClientError("CONNECT", socket_path, "EIO", reason) if the socket cannot be
  /// reached, or the daemon's error for set-domid.
  explicit WireClient(const std::string& socket_path, std::optional<DomainId> act_as = std::nullopt);
  /// Connects to default_socket_path(), acting as $VGEN_DOMID if set (a value that is not
  /// a domain id is ClientError EINVAL naming the variable).
  static std::unique_ptr<WireClient> from_environment();
  /// Stops delivering watch events, closes the connection, fails pending requests (EIO).
  ~WireClient() override;

  // The operations are Client's; directory() falls back to DIRECTORY_PART on E2BIG.

  DomainId domain() const noexcept override { return domain_; }
  VGEN_STORE_CLIENT_OPERATIONS

  /// True until the daemon closed the connection or it failed; false as soon as a call
  /// has reported EIO for a lost connection.
  bool connected() const noexcept { return !closed_.load(); }
  /// Where the messages of this connection go, as this client sees them (requests sent,
  /// replies and watch events received; store::trace_message with the client's domain and
  /// connection 0). Null stops tracing; may be called while requests run.
  void set_trace(trace::TraceSink* sink) noexcept { trace_.store(sink); }

 private:
  /// Sends one request and waits for its reply; an XS_ERROR reply, a reply of another
  /// type or a lost connection throws ClientError naming `path`.
  std::string call(MessageType type, std::string_view path, const std::string& payload, TransactionId tx);
  /// A listing too large for one reply (E2BIG), fetched with DIRECTORY_PART as libxenstore does.
  std::vector<std::string> directory_in_parts(std::string_view path, TransactionId tx);
  void send_all(const std::string& bytes);
  void read_loop();
  void route(Message message);
  /// Marks the connection closed (keeping the first reason) and fails every waiting request.
  /// Called by the reader when the connection ends and by a caller whose send failed.
  void fail_pending(const std::string& reason);

  int fd_ = -1;
  DomainId domain_ = kPrivilegedDomain;
  std::mutex send_mutex_;
  std::mutex pending_mutex_;
  std::map<std::uint32_t, std::promise<Message>> pending_;
  std::uint32_t next_request_ = 1;
  std::atomic<bool> closed_{false};
  std::atomic<trace::TraceSink*> trace_{nullptr};
  std::string close_reason_;  // guarded by pending_mutex_
  WatchDispatcher dispatcher_;
  std::thread reader_;
};

}  // namespace vgen::store
