// A store client for a Store in the same process: several LocalClients, each acting as
// its own domain, share one LocalStore. This is the in-process counterpart of WireClient,
// with the same semantics (the same Store runs behind vgen-xenstored), used by tests and by
// programs that host frontends and backends in one process.
#pragma once

#include <map>
#include <mutex>
#include <vgen/store/client.hpp>
#include <vgen/store/message_trace.hpp>
#include <vgen/store/store.hpp>
#include <vgen/store/watch_dispatcher.hpp>

namespace vgen::store {

/// A Store guarded by a mutex, plus the table that routes each connection's watch events
/// to its client. Must outlive its clients.
class LocalStore {
 public:
  explicit LocalStore(Quotas quotas = {}) : store_(quotas) {}

  /// Runs `operation` on the store under the lock, then moves every watch event it caused
  /// to the dispatchers of the connections concerned.
  template <class Operation>
  auto apply(Operation&& operation) {
    std::lock_guard lock(mutex_);
    struct Deliver {
      LocalStore& self;
      ~Deliver() { self.deliver_events(); }
    } deliver{*this};
    return operation(store_);
  }

  /// Opens a connection acting as `domid` whose events go to `dispatcher`.
  ConnectionId attach(DomainId domid, WatchDispatcher& dispatcher);
  /// Closes the connection (its watches and open transactions go).
  void detach(ConnectionId id);

  /// Where the messages of every connection go, as the daemon would see them: each
  /// operation as the request a wire client sends and the reply the daemon gives, each
  /// watch event as XS_WATCH_EVENT (store::trace_message, at = Daemon). Set it before the
  /// clients run; null stops tracing.
  void set_trace(trace::TraceSink* sink) noexcept { trace_ = sink; }
  /// The sink given to set_trace(), or null.
  trace::TraceSink* trace() const noexcept { return trace_; }

 private:
  void deliver_events();

  std::mutex mutex_;
  trace::TraceSink* trace_ = nullptr;
  Store store_;
  std::map<ConnectionId, WatchDispatcher*> dispatchers_;
};

/// One connection to a LocalStore. Errors are the store's, as ClientError carrying the
/// store's errno name and full message.
class LocalClient final : public Client {
 public:
  /// Opens a connection to `store` acting as `domid` (the operations are Client's).
  LocalClient(LocalStore& store, DomainId domid);
  /// Stops delivering watch events, then closes the connection.
  ~LocalClient() override;

  DomainId domain() const noexcept override { return domain_; }
  VGEN_STORE_CLIENT_OPERATIONS

 private:
  /// Runs `operation` on the store as this connection; store::Error becomes ClientError.
  /// Also traces the request (`type`, `tx`, `request` payload) and its reply.
  template <class Operation>
  auto call(MessageType type, std::string_view path, TransactionId tx, const std::string& request,
            Operation&& operation);

  LocalStore& store_;
  DomainId domain_;
  WatchDispatcher dispatcher_;  // before connection_: attach() needs it
  ConnectionId connection_;
  std::uint32_t next_request_ = 1;  // req_id of the next traced request
};

}  // namespace vgen::store
