// A store client for a Store in the same process: several LocalClients, each acting as
// its own domain, share one LocalStore. This is the in-process counterpart of WireClient,
// with the same semantics (the same Store runs behind vgen-xenstored), used by tests and by
// programs that host frontends and backends in one process.
#pragma once

#include <map>
#include <mutex>
#include <vgen/store/client.hpp>
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

 private:
  void deliver_events();

  std::mutex mutex_;
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
  template <class Operation>
  auto call(const char* name, std::string_view path, Operation&& operation);

  LocalStore& store_;
  DomainId domain_;
  WatchDispatcher dispatcher_;  // before connection_: attach() needs it
  ConnectionId connection_;
};

}  // namespace vgen::store
