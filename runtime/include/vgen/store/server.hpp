// The store daemon's event loop: one thread, epoll, a listening Unix socket and any number
// of client connections speaking the XenStore wire protocol (wire.hpp, protocol.hpp).
//
// Per connection: bytes are read as they come and cut into messages; every complete message
// is handled in arrival order and its replies are queued in the same order (clients may
// pipeline); partial reads and writes are resumed when the socket is ready again.
// A length over 4096 closes the connection (as XenStore daemons do); no client can disturb
// another one.
//
// Memory bounds (quota.hpp EventQueueLimits; numbers in docs/store.md): the bytes held
// for a connection (waiting watch events and unsent output) and for all connections of a
// domain are bounded.
//  - Replies: when a connection's unsent output reaches `output_limit`, or its domain's
//    bytes reach their bound, the daemon stops reading that connection's requests until
//    output has been taken (back-pressure; nothing is lost).
//  - Watch events: when a request gives events to a watcher holding half its budget or more
//    (bytes or events), the requesting connection's reading pauses until the watcher has
//    caught up (flow_control.hpp) - if the watcher is privileged or of the requester's own
//    domain, so that a guest cannot slow down anybody else. A slow but live reader thus
//    slows its writers down instead of losing its connection. A watcher that holds others
//    and takes none of its output for `stall_timeout` is closed.
//  - An event that would take a connection past its budget, or its domain past the
//    domain's, overflows the connection's queue and the connection is closed (see
//    event_queue.hpp for why closing is the safe policy).
//
// Connection identity: the peer's uid (SO_PEERCRED) decides the domain. Uids listed in
// `uid_domains` act as the mapped domain; root and the daemon's own uid act as domain 0
// (privileged), like every socket client of a XenStore daemon; any other uid is refused.
// A domain-0 connection may also turn itself into another domain with CONTROL
// "set-domid\0<N>\0" (protocol.hpp), which is how a test or proxy speaks for a guest.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <vgen/store/flow_control.hpp>
#include <vgen/store/message_trace.hpp>
#include <vgen/store/protocol.hpp>
#include <vgen/store/quota.hpp>
#include <vgen/store/store.hpp>

namespace vgen::store {

/// Everything the daemon can be told on its command line.
struct ServerOptions {
  std::string socket_path;                ///< where to listen (a stale socket file is replaced)
  mode_t socket_mode = 0600;              ///< file mode of the socket (who may connect)
  std::map<uid_t, DomainId> uid_domains;  ///< peer uid -> domain it acts as
  Quotas quotas;                          ///< per-domain limits and event-queue bounds
  std::size_t output_limit = 256 * 1024;  ///< unsent bytes per connection before reading pauses
  std::chrono::milliseconds stall_timeout{
      10000};               ///< a watcher holding writers back that takes no output this long is closed
  bool log_errors = false;  ///< log each failed request with its full message
  Protocol::Log log;        ///< daemon log sink (may be empty)
  /// Where every message received and sent goes (store::trace_message), or null.
  trace::TraceSink* trace = nullptr;
};

/// The domain a peer with uid `peer` acts as: its entry in `uid_domains`, else domain 0 if
/// `peer` is root or `self` (the daemon's uid), else nullopt (the connection is refused).
std::optional<DomainId> domain_for_uid(uid_t peer, uid_t self, const std::map<uid_t, DomainId>& uid_domains);

/// The daemon. Construction binds and listens; run() serves until stop().
class Server {
 public:
  /// Binds `options.socket_path`. Throws store::Error(IO) naming the call and errno text.
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Serves connections until stop() is called.
  void run();
  /// Makes run() return soon. Async-signal-safe (writes to an eventfd).
  void stop() noexcept;
  /// The store being served (for tests and introspection).
  Store& store() noexcept { return store_; }

 private:
  struct Client;

  void watch_fds();
  void release_fds() noexcept;

  void accept_clients();
  void on_client_event(Client& client, std::uint32_t events);
  void read_input(Client& client);
  /// Handles buffered requests; true if it stopped because it may not read (may_read).
  bool process_input(Client& client);
  /// True if the daemon takes requests of `client` now: its output is below output_limit,
  /// its domain below its byte bound, and it waits for no backed-up watcher.
  bool may_read(const Client& client);
  /// True if `client` holds half its byte or event budget or more.
  bool backed_up(const Client& client) const;
  /// Reports the client's output bytes to the store; releases writers it held once it has
  /// caught up, and resumes its domain's connections once the domain is below its bound.
  void account_output(Client& client);
  /// Pumps the connections that may read again (queued by account_output and closes).
  void resume_waiting();
  /// Closes watchers that held writers back and took no output for the stall timeout.
  void close_stalled();
  /// The open client with this id, or nullptr.
  Client* find(ConnectionId id);
  /// epoll_wait's timeout: until the next watcher would stall, or -1.
  int wait_timeout() const;
  /// Processes input, moves events to the output and flushes, for as long as it can.
  void pump(Client& client);
  /// Moves queued watch events of `client` into its output while there is room.
  void drain_events(Client& client);
  /// Drains and flushes the events of every connection that received some; a watcher left
  /// backed up makes `producer` (whose request caused the events) wait, where allowed.
  void deliver_events(Client* producer = nullptr);
  void queue_messages(Client& client, const std::vector<Message>& messages);
  void flush(Client& client);
  void update_interest(Client& client);
  /// Closes at once; `notable` reasons (protocol violation, overflow) are always logged.
  void close_client(Client& client, const std::string& why, bool notable = false);
  void close_overflowed();
  std::optional<DomainId> identify(int fd);
  void log(const std::string& line) const;

  ServerOptions options_;
  Store store_;
  Protocol protocol_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int stop_fd_ = -1;
  bool accepting_ = true;
  bool running_ = false;
  std::unordered_map<ConnectionId, std::unique_ptr<Client>> clients_;
  FlowControl flow_;
  std::vector<ConnectionId> resume_;  ///< connections to pump again (may_read became true)
  std::set<DomainId> full_domains_;   ///< domains whose connections stopped reading at the byte bound
};

}  // namespace vgen::store
