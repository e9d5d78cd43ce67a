// Raw XenStore messages on a Unix socket.
#include "store_connection.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <vgen/conform/trace.hpp>
#include <vgen/error.hpp>
#include <vgen/store/message_trace.hpp>

namespace vgen::conform::xenstore_checks {

StoreConnection::StoreConnection(const std::string& socket_path) {
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (fd_ < 0 || socket_path.size() >= sizeof(address.sun_path))
    throw vgen::Error("cannot open a socket for " + socket_path);
  std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    ::close(fd_);
    throw vgen::Error("no XenStore daemon answers at " + socket_path + ": " + std::strerror(error));
  }
}

StoreConnection::~StoreConnection() {
  if (fd_ >= 0) ::close(fd_);
}

void StoreConnection::send_raw(std::string_view bytes) {
  // --trace: the bytes as written, framing and all, however broken.
  store::trace_raw_bytes(check_trace(), 0, 0, store::TracedDirection::ToDaemon, store::TracedAt::Client, bytes);
  write_all(bytes);
}

void StoreConnection::write_all(std::string_view bytes) {
  std::size_t done = 0;
  while (done < bytes.size() && !closed_) {
    const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      closed_ = true;
      return;
    }
    done += static_cast<std::size_t>(n);
  }
}

std::optional<store::Message> StoreConnection::receive(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (buffer_.size() >= store::kHeaderSize) {
      std::array<std::byte, store::kHeaderSize> raw;
      std::memcpy(raw.data(), buffer_.data(), raw.size());
      const store::Header header = store::decode_header(raw);
      if (buffer_.size() >= store::kHeaderSize + header.len) {
        store::Message m{header, buffer_.substr(store::kHeaderSize, header.len)};
        buffer_.erase(0, store::kHeaderSize + header.len);
        // --trace: every whole message the daemon sent, as this client saw it (domain 0).
        store::trace_message(check_trace(), 0, 0, store::TracedDirection::FromDaemon, store::TracedAt::Client, m);
        return m;
      }
    }
    if (closed_) return std::nullopt;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;
    char chunk[8192];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      closed_ = true;
      continue;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

std::optional<store::Message> StoreConnection::next(std::chrono::milliseconds timeout) {
  if (!events_.empty()) {
    store::Message m = std::move(events_.front());
    events_.pop_front();
    return m;
  }
  return receive(timeout);
}

std::optional<store::Message> StoreConnection::request(store::MessageType type, std::string_view payload,
                                                       std::uint32_t tx) {
  const std::uint32_t id = next_id_++;
  const store::Message sent{{static_cast<std::uint32_t>(type), id, tx, 0}, std::string(payload)};
  // --trace: the request as a message (send_raw() records what hostile checks write).
  store::trace_message(check_trace(), 0, 0, store::TracedDirection::ToDaemon, store::TracedAt::Client, sent);
  write_all(store::encode(sent));
  const auto deadline = std::chrono::steady_clock::now() + kReplyTimeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    std::optional<store::Message> m = receive(std::max(left, std::chrono::milliseconds(0)));
    if (!m) return std::nullopt;
    if (m->header.type == static_cast<std::uint32_t>(store::MessageType::WatchEvent)) {
      events_.push_back(std::move(*m));
      continue;
    }
    return m;
  }
}

std::optional<WatchEvent> StoreConnection::event(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    std::optional<store::Message> m = next(std::max(left, std::chrono::milliseconds(0)));
    if (!m) return std::nullopt;
    if (m->header.type != static_cast<std::uint32_t>(store::MessageType::WatchEvent)) continue;
    WatchEvent e;
    e.header = m->header;
    const std::size_t nul = m->payload.find('\0');
    e.path = m->payload.substr(0, nul);
    if (nul != std::string::npos) {
      const std::size_t end = m->payload.find('\0', nul + 1);
      e.token = m->payload.substr(nul + 1, end == std::string::npos ? std::string::npos : end - nul - 1);
    }
    return e;
  }
}

void StoreConnection::drain_events(std::chrono::milliseconds settle) {
  events_.clear();
  while (event(settle)) {
  }
}

std::string arg(std::string_view text) { return std::string(text) + '\0'; }

std::string text_of(const store::Message& reply) {
  std::string t = reply.payload;
  if (!t.empty() && t.back() == '\0') t.pop_back();
  return t;
}

bool is_error(const std::optional<store::Message>& reply, std::string_view name) {
  return reply && reply->header.type == static_cast<std::uint32_t>(store::MessageType::Error) &&
         text_of(*reply) == name;
}

std::string describe(const std::optional<store::Message>& reply) {
  if (!reply) return "no reply";
  if (reply->header.type == static_cast<std::uint32_t>(store::MessageType::Error)) return "ERROR " + text_of(*reply);
  return store::message_type_name(reply->header.type) + " \"" + text_of(*reply) + "\"";
}

}  // namespace vgen::conform::xenstore_checks
