// Requests to replies: decodes each request's arguments, runs it on the Store and builds the
// reply, as a XenStore daemon does on its socket (payload layouts in xs_wire.h and
// docs/store.md). Errors become XS_ERROR replies carrying the
// errno name from xs_wire.h's table; nothing a client sends makes handle() throw.
//
// Order of checks: unknown type -> ENOSYS; then the header's tx_id must be 0 or an open
// transaction of the connection (ENOENT), except for WATCH/UNWATCH which ignore it; then
// the arguments (EINVAL); then the operation's own rules.
//
// CONTROL (domain 0 only, EACCES otherwise) understands:
//   "help"              -> the command list;
//   "memory"            -> per domain, the bytes held for its connections now and at most
//                          (waiting watch events and unsent output; docs/store.md);
//   "print\0<text>"     -> writes <text> to the daemon's log;
//   "set-domid\0<N>"    -> this connection acts as domain N from now on (irreversible; the
//                          connection must have no watches or transactions).
// Unknown commands are EINVAL.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include <vgen/store/store.hpp>
#include <vgen/store/wire.hpp>

namespace vgen::store {

/// Stateless dispatcher over a Store.
class Protocol {
 public:
  /// Receives one line of text for the daemon's log.
  using Log = std::function<void(std::string_view)>;

  /// `log` receives CONTROL "print" text and, if `log_errors`, one line per failed request
  /// with the error's full message (the wire only carries the errno name). May be empty.
  explicit Protocol(Store& store, Log log = {}, bool log_errors = false)
      : store_(store), log_(std::move(log)), log_errors_(log_errors) {}

  /// Handles one request of connection `id` and appends to `out`, in the order they must be
  /// sent: the watch events this connection received meanwhile (its own changes fire before
  /// the reply, as XenStore daemons do), the reply, and for WATCH the registration event.
  void handle(ConnectionId id, const Message& request, std::vector<Message>& out);

  /// Moves up to `limit` queued watch events of `id` into `out` as XS_WATCH_EVENT messages.
  void drain_events(ConnectionId id, std::vector<Message>& out, std::size_t limit = SIZE_MAX);

 private:
  // One handler per family of requests; `after` collects messages sent after the reply.
  Message dispatch(ConnectionId id, const Message& request, std::vector<Message>& after);
  Message node_request(ConnectionId id, const Message& request);
  Message watch_request(ConnectionId id, const Message& request, std::vector<Message>& after);
  Message transaction_request(ConnectionId id, const Message& request);
  Message domain_request(ConnectionId id, const Message& request);
  Message directory(ConnectionId id, const Message& request);
  Message directory_part(ConnectionId id, const Message& request);
  Message control(ConnectionId id, const Message& request);

  Store& store_;
  Log log_;
  bool log_errors_;
};

}  // namespace vgen::store
