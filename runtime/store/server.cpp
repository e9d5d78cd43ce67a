#include <vgen/store/server.hpp>

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <vgen/store/error.hpp>

#include "output_buffer.hpp"

namespace vgen::store {
namespace {

constexpr std::uint64_t kListenKey = UINT64_MAX;
constexpr std::uint64_t kStopKey = UINT64_MAX - 1;
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr int kMaxEvents = 64;

[[noreturn]] void fail_system(const std::string& what) {
  throw Error(ErrorCode::IO, what + ": " + std::strerror(errno));
}

sockaddr_un socket_address(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(address.sun_path)) {
    throw Error(ErrorCode::Invalid, "socket path '" + path + "' must have 1 to " +
                                        std::to_string(sizeof(address.sun_path) - 1) + " characters");
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return address;
}

// Removes a socket file left by a daemon that is gone; refuses to touch anything else.
void remove_stale_socket(const std::string& path, const sockaddr_un& address) {
  struct stat info {};
  if (lstat(path.c_str(), &info) != 0) return;
  if (!S_ISSOCK(info.st_mode)) throw Error(ErrorCode::Exists, "'" + path + "' exists and is not a socket");
  const int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe < 0) fail_system("socket()");
  const bool live = connect(probe, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
  close(probe);
  if (live) throw Error(ErrorCode::Busy, "socket '" + path + "' is in use by a running daemon");
  if (unlink(path.c_str()) != 0) fail_system("unlink('" + path + "')");
}

}  // namespace

struct Server::Client {
  int fd = -1;
  ConnectionId id = 0;
  FrameDecoder decoder;
  OutputBuffer output;  ///< encoded messages not yet fully sent
  std::uint32_t interest = 0;
  bool closed = false;
};

Server::Server(ServerOptions options)
    : options_(std::move(options)),
      store_(options_.quotas),
      protocol_(store_, options_.log, options_.log_errors),
      flow_(options_.stall_timeout) {
  const sockaddr_un address = socket_address(options_.socket_path);
  remove_stale_socket(options_.socket_path, address);
  // Bind under a temporary name and rename once listening, so the socket file appears only
  // when clients can connect (scripts may simply wait for it to exist).
  const std::string staging = options_.socket_path + ".new";
  const sockaddr_un staging_address = socket_address(staging);
  unlink(staging.c_str());
  listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) fail_system("socket()");
  if (bind(listen_fd_, reinterpret_cast<const sockaddr*>(&staging_address), sizeof(staging_address)) != 0) {
    const int error = errno;
    close(listen_fd_);
    listen_fd_ = -1;
    errno = error;
    fail_system("bind('" + staging + "')");
  }
  const bool ready = chmod(staging.c_str(), options_.socket_mode) == 0 && listen(listen_fd_, SOMAXCONN) == 0 &&
                     rename(staging.c_str(), options_.socket_path.c_str()) == 0;
  if (!ready) {
    const int error = errno;
    unlink(staging.c_str());
    close(listen_fd_);
    listen_fd_ = -1;
    errno = error;
    fail_system("preparing socket '" + options_.socket_path + "'");
  }
  try {
    watch_fds();
  } catch (...) {
    release_fds();
    throw;
  }
}

void Server::watch_fds() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) fail_system("epoll_create1()");
  stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (stop_fd_ < 0) fail_system("eventfd()");
  epoll_event listen_event{EPOLLIN, {.u64 = kListenKey}};
  epoll_event stop_event{EPOLLIN, {.u64 = kStopKey}};
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &listen_event) != 0 ||
      epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, stop_fd_, &stop_event) != 0) {
    fail_system("epoll_ctl(ADD)");
  }
}

Server::~Server() { release_fds(); }

void Server::release_fds() noexcept {
  for (auto& [id, client] : clients_) {
    if (!client->closed) close(client->fd);
  }
  clients_.clear();
  if (stop_fd_ >= 0) close(stop_fd_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (listen_fd_ >= 0) {
    close(listen_fd_);
    unlink(options_.socket_path.c_str());
  }
  stop_fd_ = epoll_fd_ = listen_fd_ = -1;
}

void Server::log(const std::string& line) const {
  if (options_.log) options_.log(line);
}

void Server::stop() noexcept {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t ignored = write(stop_fd_, &one, sizeof(one));
}

int Server::wait_timeout() const {
  const std::optional<FlowControl::Clock::duration> next = flow_.next_stall(FlowControl::Clock::now());
  if (!next) return -1;
  return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(*next).count());
}

void Server::run() {
  running_ = true;
  epoll_event events[kMaxEvents];
  while (running_) {
    const int count = epoll_wait(epoll_fd_, events, kMaxEvents, wait_timeout());
    if (count < 0) {
      if (errno == EINTR) continue;
      fail_system("epoll_wait()");
    }
    for (int i = 0; i < count; ++i) {
      const std::uint64_t key = events[i].data.u64;
      if (key == kListenKey) {
        accept_clients();
      } else if (key == kStopKey) {
        running_ = false;
      } else if (auto at = clients_.find(key); at != clients_.end() && !at->second->closed) {
        on_client_event(*at->second, events[i].events);
      }
    }
    deliver_events();
    close_overflowed();
    close_stalled();
    resume_waiting();
    std::erase_if(clients_, [](const auto& entry) { return entry.second->closed; });
  }
}

std::optional<DomainId> domain_for_uid(uid_t peer, uid_t self, const std::map<uid_t, DomainId>& uid_domains) {
  if (auto mapped = uid_domains.find(peer); mapped != uid_domains.end()) return mapped->second;
  if (peer == 0 || peer == self) return kPrivilegedDomain;
  return std::nullopt;
}

std::optional<DomainId> Server::identify(int fd) {
  ucred peer{};
  socklen_t size = sizeof(peer);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0) {
    log("SO_PEERCRED failed: " + std::string(std::strerror(errno)) + "; connection refused");
    return std::nullopt;
  }
  std::optional<DomainId> domain = domain_for_uid(peer.uid, geteuid(), options_.uid_domains);
  if (!domain) {
    log("connection from uid " + std::to_string(peer.uid) + " (pid " + std::to_string(peer.pid) +
        ") refused: uid not in --domid-map");
  }
  return domain;
}

void Server::accept_clients() {
  while (accepting_) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE) {
        // Stop polling the listener until a connection closes, instead of spinning.
        log("accept: " + std::string(std::strerror(errno)) + "; pausing accepts");
        accepting_ = false;
        epoll_event paused{0, {.u64 = kListenKey}};
        epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &paused);
        return;
      }
      fail_system("accept4()");
    }
    const std::optional<DomainId> domain = identify(fd);
    if (!domain) {
      close(fd);
      continue;
    }
    const ConnectionId id = store_.connect(*domain);
    epoll_event event{EPOLLIN, {.u64 = id}};
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
      log("epoll_ctl(ADD) for a new connection: " + std::string(std::strerror(errno)));
      store_.disconnect(id);
      close(fd);
      continue;
    }
    auto client = std::make_unique<Client>();
    client->fd = fd;
    client->id = id;
    client->interest = EPOLLIN;
    clients_.emplace(id, std::move(client));
  }
}

void Server::on_client_event(Client& client, std::uint32_t events) {
  if ((events & EPOLLOUT) != 0) flush(client);
  if (client.closed) return;
  if ((events & EPOLLIN) != 0) {
    read_input(client);
  } else if ((events & (EPOLLERR | EPOLLHUP)) != 0) {
    close_client(client, "socket error or hang-up");
  }
  pump(client);
}

void Server::pump(Client& client) {
  // Requests already read wait only for the right to be read (may_read); once a flush
  // makes room, carry on without waiting for more input (none may come: the client may be
  // waiting for us).
  for (;;) {
    if (client.closed) return;
    const bool paused = process_input(client);
    drain_events(client);
    flush(client);
    if (client.closed) return;
    if (!paused || !may_read(client)) break;
  }
  update_interest(client);
}

void Server::drain_events(Client& client) {
  // Events move to the output only while it has room; the rest wait in the bounded queue.
  while (!client.closed && client.output.pending() < options_.output_limit && !store_.events(client.id).empty()) {
    std::vector<Message> batch;
    protocol_.drain_events(client.id, batch, 16);
    queue_messages(client, batch);
  }
}

void Server::read_input(Client& client) {
  if (!may_read(client)) return;
  char buffer[kReadChunk];
  const ssize_t got = recv(client.fd, buffer, sizeof(buffer), MSG_DONTWAIT);
  if (got > 0) {
    client.decoder.feed(std::string_view(buffer, static_cast<std::size_t>(got)));
    return;
  }
  if (got == 0) return close_client(client, "peer closed the connection");
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
  close_client(client, "recv: " + std::string(std::strerror(errno)));
}

bool Server::may_read(const Client& client) {
  if (client.closed || client.output.pending() >= options_.output_limit || flow_.waiting(client.id)) return false;
  const DomainId domain = store_.domain_of(client.id);
  if (store_.domain_held_bytes(domain) < options_.quotas.event_queue.max_domain_bytes) return true;
  full_domains_.insert(domain);
  return false;
}

bool Server::backed_up(const Client& client) const {
  const EventQueueLimits& limits = options_.quotas.event_queue;
  return store_.held_bytes(client.id) >= limits.max_bytes / 2 ||
         store_.events(client.id).size() >= limits.max_events / 2;
}

bool Server::process_input(Client& client) {
  std::vector<Message> out;
  while (!client.closed) {
    if (!may_read(client)) return true;
    std::optional<Message> request;
    try {
      request = client.decoder.next();
    } catch (const Error& error) {
      close_client(client, error.what(), true);
      return false;
    }
    if (!request) return false;
    trace_message(options_.trace, store_.domain_of(client.id), static_cast<std::uint32_t>(client.id),
                  TracedDirection::ToDaemon, TracedAt::Daemon, *request);
    out.clear();
    protocol_.handle(client.id, *request, out);
    queue_messages(client, out);
    // Hand the events this request caused to their connections now, not after the whole
    // batch: a long pipelined batch must not overflow the queue of a watcher that keeps up.
    deliver_events(&client);
  }
  return false;
}

void Server::queue_messages(Client& client, const std::vector<Message>& messages) {
  for (const Message& message : messages) {
    client.output.push(encode(message));
    trace_message(options_.trace, store_.domain_of(client.id), static_cast<std::uint32_t>(client.id),
                  TracedDirection::FromDaemon, TracedAt::Daemon, message);
  }
  account_output(client);
}

void Server::deliver_events(Client* producer) {
  for (ConnectionId id : store_.take_notified()) {
    Client* watcher = find(id);
    if (watcher == nullptr) continue;
    drain_events(*watcher);
    flush(*watcher);
    if (watcher->closed) continue;
    update_interest(*watcher);
    // A watcher left backed up slows down the writer that fed it, if it may (server.hpp).
    if (producer != nullptr && watcher != producer && !producer->closed && backed_up(*watcher) &&
        (store_.requester(watcher->id).privileged() ||
         store_.domain_of(watcher->id) == store_.domain_of(producer->id))) {
      flow_.hold(producer->id, watcher->id, FlowControl::Clock::now());
    }
  }
}

Server::Client* Server::find(ConnectionId id) {
  auto at = clients_.find(id);
  return at == clients_.end() || at->second->closed ? nullptr : at->second.get();
}

void Server::close_overflowed() {
  for (ConnectionId id : store_.take_overflowed()) {
    Client* client = find(id);
    if (client == nullptr) continue;
    const EventQueueLimits& limits = options_.quotas.event_queue;
    close_client(*client,
                 "watch-event queue overflowed (" + std::to_string(store_.events(id).size()) + " events, " +
                     std::to_string(store_.held_bytes(id)) + " bytes held, domain " +
                     std::to_string(store_.domain_held_bytes(store_.domain_of(id))) + " bytes; limits " +
                     std::to_string(limits.max_events) + " events, " + std::to_string(limits.max_bytes) + " bytes, " +
                     std::to_string(limits.max_domain_bytes) + " per domain)",
                 true);
  }
}

void Server::close_stalled() {
  for (ConnectionId id : flow_.stalled(FlowControl::Clock::now())) {
    Client* client = find(id);
    if (client == nullptr) continue;
    close_client(*client,
                 "stalled: " + std::to_string(store_.held_bytes(id)) + " bytes waiting, none taken for " +
                     std::to_string(options_.stall_timeout.count()) + " ms while writers wait for it",
                 true);
  }
}

void Server::account_output(Client& client) {
  if (client.closed) return;
  store_.set_output_bytes(client.id, client.output.held());
  if (flow_.holding(client.id) && !backed_up(client)) {
    for (ConnectionId id : flow_.release(client.id)) resume_.push_back(id);
  }
  const DomainId domain = store_.domain_of(client.id);
  if (full_domains_.count(domain) != 0 &&
      store_.domain_held_bytes(domain) < options_.quotas.event_queue.max_domain_bytes) {
    full_domains_.erase(domain);
    for (const auto& [id, other] : clients_) {
      if (!other->closed && store_.domain_of(id) == domain) resume_.push_back(id);
    }
  }
}

void Server::resume_waiting() {
  while (!resume_.empty()) {
    std::vector<ConnectionId> ids;
    ids.swap(resume_);
    for (ConnectionId id : ids) {
      if (Client* client = find(id)) pump(*client);
    }
    deliver_events();
    close_overflowed();
  }
}

void Server::flush(Client& client) {
  if (client.closed || client.output.empty()) return;
  const ssize_t sent = client.output.flush(client.fd);
  if (sent < 0) return close_client(client, "send: " + std::string(std::strerror(errno)));
  if (sent > 0) {
    flow_.progressed(client.id, FlowControl::Clock::now());
    account_output(client);
  }
}

void Server::update_interest(Client& client) {
  std::uint32_t wanted = 0;
  if (may_read(client)) wanted |= EPOLLIN;
  if (client.output.pending() > 0) wanted |= EPOLLOUT;
  if (wanted == client.interest) return;
  epoll_event event{wanted, {.u64 = client.id}};
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, client.fd, &event) != 0) {
    return close_client(client, "epoll_ctl(MOD): " + std::string(std::strerror(errno)));
  }
  client.interest = wanted;
}

void Server::close_client(Client& client, const std::string& why, bool notable) {
  if (client.closed) return;
  client.closed = true;
  if (notable || options_.log_errors) {
    log("closing connection " + std::to_string(client.id) + " (domain " + std::to_string(store_.domain_of(client.id)) +
        "): " + why);
  }
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, client.fd, nullptr);
  close(client.fd);
  const DomainId domain = store_.domain_of(client.id);
  // --trace: what the client sent that never became a message (a refused header, a message cut
  // short), as it arrived.
  if (client.decoder.buffered() != 0) {
    trace_raw_bytes(options_.trace, domain, static_cast<std::uint32_t>(client.id), TracedDirection::ToDaemon,
                    TracedAt::Daemon, client.decoder.pending());
  }
  store_.disconnect(client.id);
  for (ConnectionId id : flow_.forget(client.id)) resume_.push_back(id);
  // Its bytes are free again: its domain's connections may read once below the bound.
  if (full_domains_.erase(domain) != 0) {
    for (const auto& [id, other] : clients_) {
      if (!other->closed && store_.domain_of(id) == domain) resume_.push_back(id);
    }
  }
  if (!accepting_) {
    accepting_ = true;
    epoll_event resumed{EPOLLIN, {.u64 = kListenKey}};
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &resumed);
  }
}

}  // namespace vgen::store
