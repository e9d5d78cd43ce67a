#include <vgen/vhost_user/backend.hpp>

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include <vgen/vhost_user/channel.hpp>
#include <vgen/vhost_user/error.hpp>
#include <vgen/vhost_user/session.hpp>

namespace vgen::vhost_user {
namespace {

// One line for the trace: name, size, fds, and the leading 8 payload bytes when there are some.
std::string describe(const Message& request) {
  std::string line = request.name() + " size " + std::to_string(request.header.size);
  if (!request.fds.empty()) line += " fds " + std::to_string(request.fds.size());
  if (request.needs_reply()) line += " need-reply";
  if (request.payload.size() >= 8) {
    VringState state;
    std::memcpy(&state, request.payload.data(), sizeof state);
    line += " [" + std::to_string(state.index) + ", " + std::to_string(state.num) + "]";
  }
  return line;
}

}  // namespace

Backend::Backend(virtio::DeviceModel& model, const std::string& socket_path, Options options)
    : path_(socket_path), options_(std::move(options)) {
  device_ = std::make_unique<Device>(model, memory_.guest(), [this](const std::string& line) { log(line); });
  device_->set_trace(options_.sink);
  listener_ = listen_unix(path_, options_.replace_stale_socket);
  stop_event_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!stop_event_) fail_system("eventfd()", errno);
}

Backend::~Backend() {
  listener_.reset();
  ::unlink(path_.c_str());
}

void Backend::log(const std::string& line) const {
  if (options_.log) {
    options_.log(line);
  } else {
    std::fprintf(stderr, "vhost-user: %s\n", line.c_str());
  }
}

void Backend::stop() noexcept {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t ignored = ::write(stop_event_.get(), &one, sizeof one);
}

Statistics Backend::statistics() const noexcept {
  return {connections_.load(), messages_.load(), protocol_errors_.load(), kicks_.load()};
}

// Waits for a front end; false when stop() was called.
bool Backend::wait_for_connection(UniqueFd& connection) {
  pollfd entries[2] = {{stop_event_.get(), POLLIN, 0}, {listener_.get(), POLLIN, 0}};
  for (;;) {
    if (::poll(entries, 2, -1) < 0) {
      if (errno == EINTR) continue;
      fail_system("poll on " + path_, errno);
    }
    if (entries[0].revents != 0) return false;
    if (entries[1].revents == 0) continue;
    connection.reset(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (connection) return true;
    if (errno != EINTR && errno != ECONNABORTED) fail_system("accept on " + path_, errno);
  }
}

void Backend::run() {
  std::uint64_t served = 0;
  for (;;) {
    if (options_.max_connections != 0 && served == options_.max_connections) return;
    UniqueFd connection;
    if (!wait_for_connection(connection)) return;
    ++served;
    connections_.fetch_add(1);
    serve_connection(std::move(connection));
  }
}

// One connection: requests from the socket and kicks from the live rings' eventfds, on this
// thread, until the front end leaves, breaks the protocol, or stop() is called. A second front
// end trying to connect meanwhile is turned away.
void Backend::serve_connection(UniqueFd connection) {
  log("front end connected");
  Session session(*device_, memory_, [this](const std::string& line) { log(line); });
  try {
    for (;;) {
      const std::vector<KickSource> kicks = session.kick_sources();
      std::vector<pollfd> entries{
          {stop_event_.get(), POLLIN, 0}, {connection.get(), POLLIN, 0}, {listener_.get(), POLLIN, 0}};
      for (const KickSource& kick : kicks) entries.push_back({kick.fd, POLLIN, 0});
      if (::poll(entries.data(), entries.size(), -1) < 0) {
        if (errno == EINTR) continue;
        fail_system("poll", errno);
      }
      if (entries[0].revents != 0) return;
      // The connection first: a front end that closed and reconnected at once is seen leaving
      // before its new connection is looked at.
      if (entries[1].revents != 0 && !serve_request(session, connection.get())) return;
      for (std::size_t i = 0; i < kicks.size(); ++i) {
        if (entries[3 + i].revents == 0) continue;
        kicks_.fetch_add(1);
        session.kicked(kicks[i].ring);
      }
      if (entries[2].revents != 0) {
        UniqueFd extra(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        log("a second front end was turned away: one front end is served at a time");
      }
    }
  } catch (const vgen::Error& error) {
    protocol_errors_.fetch_add(1);
    log(std::string("error: ") + error.what() + "; closing the connection");
  }
}

// Reads and answers one request; false when the front end closed the connection.
bool Backend::serve_request(Session& session, int connection) {
  std::optional<Message> request = read_message(connection);
  if (!request) {
    log("front end disconnected");
    return false;
  }
  messages_.fetch_add(1);
  if (options_.trace) log("<- " + describe(*request));
  record(*request, 0);
  if (std::optional<Message> reply = session.handle(*request)) {
    record(*reply, 1);
    write_message(connection, *reply);
  }
  return true;
}

// One message into the trace: header and payload, the fds counted; index = the connection.
void Backend::record(const Message& message, std::uint16_t direction) const {
  if (options_.sink == nullptr) return;
  std::vector<std::byte> bytes(kHeaderBytes + message.payload.size());
  const auto header = encode_header(message.header);
  std::memcpy(bytes.data(), header.data(), header.size());
  if (!message.payload.empty())
    std::memcpy(bytes.data() + kHeaderBytes, message.payload.data(), message.payload.size());
  trace::Event event{trace::EventKind::VhostUserMessage, 0, direction, static_cast<std::uint32_t>(connections_.load()),
                     message.fds.size()};
  event.bytes = bytes;
  options_.sink->record(event);
}

void serve(virtio::DeviceModel& model, const std::string& socket_path, Options options) {
  Backend backend(model, socket_path, std::move(options));
  backend.run();
}

}  // namespace vgen::vhost_user
