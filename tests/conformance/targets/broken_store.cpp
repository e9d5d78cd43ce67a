// The flawed XenStore proxy.
#include "broken_store.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include <vgen/error.hpp>
#include <vgen/store/wire.hpp>

namespace vgen::conform_targets {
namespace {

using store::MessageType;

int unix_socket(const std::string& path, bool listen) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  if (listen) {
    ::unlink(path.c_str());
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd, 16) != 0) throw vgen::Error("cannot listen on " + path);
  } else if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw vgen::Error("no daemon at " + path);
  }
  return fd;
}

// Takes whole messages off the front of `buffer`.
std::vector<store::Message> take_messages(std::string& buffer) {
  std::vector<store::Message> out;
  while (buffer.size() >= store::kHeaderSize) {
    std::array<std::byte, store::kHeaderSize> raw;
    std::memcpy(raw.data(), buffer.data(), raw.size());
    const store::Header h = store::decode_header(raw);
    if (buffer.size() < store::kHeaderSize + h.len) break;
    out.push_back({h, buffer.substr(store::kHeaderSize, h.len)});
    buffer.erase(0, store::kHeaderSize + h.len);
  }
  return out;
}

std::string frame(const store::Message& m) {
  store::Header h = m.header;
  h.len = static_cast<std::uint32_t>(m.payload.size());
  const auto raw = store::encode_header(h);
  return std::string(reinterpret_cast<const char*>(raw.data()), raw.size()) + m.payload;
}

std::string first_string(const std::string& payload) { return payload.substr(0, payload.find('\0')); }
bool under(const std::string& path, const std::string& root) { return path == root || path.rfind(root + "/", 0) == 0; }

struct Client {
  int fd;
  int upstream;
  std::string from_client;
  std::string from_daemon;
  std::map<std::uint32_t, MessageType> pending;  // req_id -> request type
  std::set<std::string> fresh_watches;           // watched paths whose first event is due
};

class Proxy {
 public:
  Proxy(StoreFlaw flaw, std::string upstream) : flaw_(flaw), upstream_(std::move(upstream)) {}
  bool client_message(Client& c, const store::Message& m, std::string& out);
  bool daemon_message(Client& c, store::Message m, std::string& out);

 private:
  StoreFlaw flaw_;
  std::string upstream_;
  std::set<std::string> removed_;  // paths removed and not written since
};

// Returns false when the flaw stops the whole daemon.
bool Proxy::client_message(Client& c, const store::Message& m, std::string& out) {
  const auto type = static_cast<MessageType>(m.header.type);
  if (type == MessageType::Remove) removed_.insert(first_string(m.payload));
  if (type == MessageType::Write || type == MessageType::Mkdir) {
    for (auto it = removed_.begin(); it != removed_.end();) it = under(first_string(m.payload), *it) ? removed_.erase(it) : std::next(it);
  }
  if (type == MessageType::Watch && flaw_ == StoreFlaw::NoInitialEvent) c.fresh_watches.insert(first_string(m.payload));
  c.pending[m.header.req_id] = type;
  out += frame(m);
  return true;
}

bool Proxy::daemon_message(Client& c, store::Message m, std::string& out) {
  const bool event = m.header.type == static_cast<std::uint32_t>(MessageType::WatchEvent);
  if (event) {
    const std::string path = first_string(m.payload);
    if (flaw_ == StoreFlaw::NoInitialEvent && c.fresh_watches.erase(path) != 0) return true;
    if (flaw_ == StoreFlaw::NoWatchOnRm) {
      for (const std::string& root : removed_) {
        if (under(path, root) || under(root, path)) return true;
      }
    }
    out += frame(m);
    return true;
  }
  const auto it = c.pending.find(m.header.req_id);
  const MessageType request = it == c.pending.end() ? MessageType::Error : it->second;
  if (it != c.pending.end()) c.pending.erase(it);
  const bool error = m.header.type == static_cast<std::uint32_t>(MessageType::Error);
  if (flaw_ == StoreFlaw::WrongRequestId) ++m.header.req_id;
  if (flaw_ == StoreFlaw::NumericErrors && error) m.payload = std::string("22\0", 3);
  if (error && ((flaw_ == StoreFlaw::CommitOverConflict && request == MessageType::TransactionEnd && first_string(m.payload) == "EAGAIN") ||
                (flaw_ == StoreFlaw::RmMissingParentOk && request == MessageType::Remove))) {
    m.header.type = static_cast<std::uint32_t>(request);
    m.payload = std::string("OK\0", 3);
  }
  out += frame(m);
  return true;
}

void send_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

// Moves what arrived on one side of `c`; false when the connection ended (or the daemon must stop).
bool pump(Proxy& proxy, Client& c, bool from_client, StoreFlaw flaw, bool& stop) {
  char chunk[8192];
  const ssize_t n = ::recv(from_client ? c.fd : c.upstream, chunk, sizeof chunk, 0);
  if (n <= 0) return false;
  std::string& buffer = from_client ? c.from_client : c.from_daemon;
  buffer.append(chunk, static_cast<std::size_t>(n));
  if (from_client && flaw == StoreFlaw::DiesOnOversized && buffer.size() >= store::kHeaderSize) {
    std::array<std::byte, store::kHeaderSize> raw;
    std::memcpy(raw.data(), buffer.data(), raw.size());
    if (store::decode_header(raw).len > store::kMaxPayload) stop = true;
  }
  std::string out;
  for (store::Message& m : take_messages(buffer)) {
    if (from_client) proxy.client_message(c, m, out);
    else proxy.daemon_message(c, std::move(m), out);
  }
  send_all(from_client ? c.upstream : c.fd, out);
  return !stop;
}

}  // namespace

StoreFlaw store_flaw(const std::string& name) {
  static const std::map<std::string, StoreFlaw> kNames = {
      {"no-watch-on-rm", StoreFlaw::NoWatchOnRm},       {"no-initial-event", StoreFlaw::NoInitialEvent},
      {"wrong-request-id", StoreFlaw::WrongRequestId},  {"commit-over-conflict", StoreFlaw::CommitOverConflict},
      {"rm-missing-parent-ok", StoreFlaw::RmMissingParentOk}, {"numeric-errors", StoreFlaw::NumericErrors},
      {"dies-on-oversized", StoreFlaw::DiesOnOversized}};
  const auto it = kNames.find(name);
  if (it == kNames.end()) throw vgen::Error("unknown store flaw '" + name + "'");
  return it->second;
}

int run_broken_store(StoreFlaw flaw, const std::string& socket_path, const std::string& upstream) {
  const int listener = unix_socket(socket_path, true);
  Proxy proxy(flaw, upstream);
  std::vector<std::unique_ptr<Client>> clients;
  for (bool stop = false; !stop;) {
    std::vector<pollfd> fds{{listener, POLLIN, 0}};
    for (const auto& c : clients) {
      fds.push_back({c->fd, POLLIN, 0});
      fds.push_back({c->upstream, POLLIN, 0});
    }
    if (::poll(fds.data(), fds.size(), -1) <= 0) continue;
    // Only the clients polled have entries in fds; one accepted now waits for the next poll.
    const std::size_t polled = clients.size();
    if ((fds[0].revents & POLLIN) != 0) {
      const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) clients.push_back(std::make_unique<Client>(Client{fd, unix_socket(upstream, false), {}, {}, {}, {}}));
    }
    for (std::size_t i = 0; i < polled && !stop; ++i) {
      Client& c = *clients[i];
      const bool alive = ((fds[1 + 2 * i].revents & (POLLIN | POLLHUP)) == 0 || pump(proxy, c, true, flaw, stop)) &&
                         ((fds[2 + 2 * i].revents & (POLLIN | POLLHUP)) == 0 || pump(proxy, c, false, flaw, stop));
      if (!alive) {
        ::close(c.fd);
        ::close(c.upstream);
        clients[i]->fd = -1;
      }
    }
    std::erase_if(clients, [](const std::unique_ptr<Client>& c) { return c->fd < 0; });
  }
  ::unlink(socket_path.c_str());
  return 0;
}

}  // namespace vgen::conform_targets
