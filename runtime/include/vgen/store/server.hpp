// The store daemon's event loop: one thread, epoll, a listening Unix socket and any number
// of client connections speaking the XenStore wire protocol (wire.hpp, protocol.hpp).
//
// Per connection: bytes are read as they come and cut into messages; every complete message
// is handled in arrival order and its replies are queued in the same order (clients may
// pipeline); partial reads and writes are resumed when the socket is ready again.
// A length over 4096 closes the connection (as XenStore daemons do); no client can disturb
// another one.
//
// Memory bounds: when a connection's unsent output reaches `output_limit` bytes, the
// daemon stops reading its requests until the client has read its replies; watch events
// for it then wait in its bounded EventQueue, and when that overflows the connection is
// closed (see event_queue.hpp for why closing is the safe policy).
//
// Connection identity: the peer's uid (SO_PEERCRED) decides the domain. Uids listed in
// `uid_domains` act as the mapped domain; root and the daemon's own uid act as domain 0
// (privileged), like every socket client of a XenStore daemon; any other uid is refused.
// A domain-0 connection may also turn itself into another domain with CONTROL
// "set-domid\0<N>\0" (protocol.hpp), which is how a test or proxy speaks for a guest.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include <vgen/store/protocol.hpp>
#include <vgen/store/quota.hpp>
#include <vgen/store/store.hpp>

namespace vgen::store {

/// Everything the daemon can be told on its command line.
struct ServerOptions {
  std::string socket_path;                    ///< where to listen (a stale socket file is replaced)
  mode_t socket_mode = 0600;                  ///< file mode of the socket (who may connect)
  std::map<uid_t, DomainId> uid_domains;      ///< peer uid -> domain it acts as
  Quotas quotas;                              ///< per-domain limits and event-queue bounds
  std::size_t output_limit = 256 * 1024;      ///< unsent bytes per connection before reading pauses
  bool log_errors = false;                    ///< log each failed request with its full message
  Protocol::Log log;                          ///< daemon log sink (may be empty)
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
  /// Handles buffered requests; true if it stopped because the output is full.
  bool process_input(Client& client);
  /// Processes input, moves events to the output and flushes, for as long as it can.
  void pump(Client& client);
  /// Moves queued watch events of `client` into its output while there is room.
  void drain_events(Client& client);
  /// Drains and flushes the events of every connection that received some.
  void deliver_events();
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
};

}  // namespace vgen::store
