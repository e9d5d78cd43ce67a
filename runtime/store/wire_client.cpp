#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vgen/store/arguments.hpp>
#include <vgen/store/wire_client.hpp>

namespace vgen::store {

namespace {

std::string with_nul(std::string_view text) {
  std::string out(text);
  out.push_back('\0');
  return out;
}

// "a\0b\0" -> {"a", "b"}; a missing final NUL keeps the last piece anyway.
std::vector<std::string> split_nul_list(std::string_view payload) {
  std::vector<std::string> out;
  while (!payload.empty()) {
    const std::size_t end = payload.find('\0');
    out.emplace_back(payload.substr(0, end));
    if (end == std::string_view::npos) break;
    payload.remove_prefix(end + 1);
  }
  return out;
}

// What the daemon says for an XS_ERROR: "ENOENT\0".
std::string error_name(std::string_view payload) {
  const std::size_t end = payload.find('\0');
  return std::string(payload.substr(0, end));
}

int connect_socket(const std::string& socket_path) {
  sockaddr_un address{};
  if (socket_path.empty() || socket_path.size() >= sizeof(address.sun_path)) {
    throw ClientError("CONNECT", socket_path, "EINVAL",
                      "a Unix socket path needs 1 to " + std::to_string(sizeof(address.sun_path) - 1) + " bytes");
  }
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw ClientError("CONNECT", socket_path, "EIO", std::string("socket: ") + std::strerror(errno));
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, socket_path.data(), socket_path.size());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    const int saved = errno;
    ::close(fd);
    throw ClientError("CONNECT", socket_path, "EIO", std::string("connect: ") + std::strerror(saved));
  }
  return fd;
}

}  // namespace

std::string default_socket_path() {
  if (const char* path = std::getenv("XENSTORED_PATH"); path != nullptr && *path != '\0') return path;
  if (const char* rundir = std::getenv("XENSTORED_RUNDIR"); rundir != nullptr && *rundir != '\0') {
    return std::string(rundir) + "/socket";
  }
  return "/var/run/xenstored/socket";
}

WireClient::WireClient(const std::string& socket_path, std::optional<DomainId> act_as)
    : fd_(connect_socket(socket_path)) {
  reader_ = std::thread([this] { read_loop(); });
  if (act_as) {
    call(MessageType::Control, "", with_nul("set-domid") + with_nul(std::to_string(*act_as)), kNoTransaction);
    domain_ = *act_as;
  }
}

std::unique_ptr<WireClient> WireClient::from_environment() {
  std::optional<DomainId> act_as;
  if (const char* text = std::getenv(kDomainEnvironmentVariable); text != nullptr) {
    try {
      act_as = parse_domain_id(text, kDomainEnvironmentVariable);
    } catch (const Error& error) {
      throw ClientError("CONNECT", "", "EINVAL", error.what());
    }
  }
  return std::make_unique<WireClient>(default_socket_path(), act_as);
}

WireClient::~WireClient() {
  // No callback may run into a half-destroyed client: stop delivering first (a running
  // callback can still finish its requests, the reader being alive).
  dispatcher_.stop();
  // Wakes the reader (recv returns 0), which fails whatever is still pending.
  ::shutdown(fd_, SHUT_RDWR);
  reader_.join();
  // A request that passed its closed_ check holds send_mutex_ until it has sent.
  std::lock_guard send_lock(send_mutex_);
  ::close(fd_);
}

void WireClient::send_all(const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw ClientError("SEND", "", "EIO", std::string("send: ") + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
}

std::string WireClient::call(MessageType type, std::string_view path, const std::string& payload, TransactionId tx) {
  const std::string operation = message_type_name(static_cast<std::uint32_t>(type));
  std::future<Message> reply;
  {
    std::lock_guard send_lock(send_mutex_);
    std::uint32_t req_id = 0;
    {
      std::lock_guard lock(pending_mutex_);
      if (closed_) throw ClientError(operation, std::string(path), "EIO", close_reason_);
      req_id = next_request_++;
      if (next_request_ == 0) next_request_ = 1;  // 0 is what watch events carry
      reply = pending_[req_id].get_future();
    }
    std::string bytes;
    try {
      const Message request{Header{static_cast<std::uint32_t>(type), req_id, tx, 0}, payload};
      bytes = encode(request);
      trace_message(trace_.load(), domain_, 0, TracedDirection::ToDaemon, TracedAt::Client, request);
    } catch (const Error& error) {
      std::lock_guard lock(pending_mutex_);
      pending_.erase(req_id);
      throw ClientError(operation, std::string(path), std::string(wire_name(error.code())), error.what());
    }
    try {
      send_all(bytes);
    } catch (const ClientError& error) {
      // The connection is unusable from now on, whether or not the reader thread has seen
      // its end yet: close it here, so connected() is false when this call returns.
      fail_pending(error.what());
      ::shutdown(fd_, SHUT_RDWR);  // and let the reader finish; the fd stays ours until the destructor
      throw ClientError(operation, std::string(path), "EIO", error.what());
    }
  }
  Message message;
  try {
    message = reply.get();
  } catch (const std::runtime_error& lost) {
    throw ClientError(operation, std::string(path), "EIO", lost.what());
  }
  if (message.header.type == static_cast<std::uint32_t>(MessageType::Error)) {
    throw ClientError(operation, std::string(path), error_name(message.payload));
  }
  if (message.header.type != static_cast<std::uint32_t>(type)) {
    throw ClientError(operation, std::string(path), "EIO",
                      "the daemon answered with " + message_type_name(message.header.type));
  }
  return std::move(message.payload);
}

void WireClient::read_loop() {
  FrameDecoder decoder;
  char buffer[16384];
  std::string reason = "the daemon closed the connection";
  for (;;) {
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n < 0) reason = std::string("recv: ") + std::strerror(errno);
      break;
    }
    decoder.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
    try {
      while (std::optional<Message> message = decoder.next()) route(std::move(*message));
    } catch (const Error& error) {
      reason = std::string("malformed message from the daemon: ") + error.what();
      break;
    }
  }
  fail_pending(reason);
}

void WireClient::route(Message message) {
  trace_message(trace_.load(), domain_, 0, TracedDirection::FromDaemon, TracedAt::Client, message);
  if (message.header.type == static_cast<std::uint32_t>(MessageType::WatchEvent)) {
    std::vector<std::string> parts = split_nul_list(message.payload);
    if (parts.size() >= 2) dispatcher_.post(std::move(parts[0]), std::move(parts[1]));
    return;
  }
  std::lock_guard lock(pending_mutex_);
  auto found = pending_.find(message.header.req_id);
  if (found == pending_.end()) return;  // nobody asked: a daemon's stray reply is ignored
  found->second.set_value(std::move(message));
  pending_.erase(found);
}

void WireClient::fail_pending(const std::string& reason) {
  std::lock_guard lock(pending_mutex_);
  if (!closed_) close_reason_ = reason;  // the first cause is the one worth reporting
  closed_ = true;
  for (auto& [req_id, promise] : pending_) {
    promise.set_exception(std::make_exception_ptr(std::runtime_error(reason)));
  }
  pending_.clear();
}

std::string WireClient::read(std::string_view path, TransactionId tx) {
  return call(MessageType::Read, path, with_nul(path), tx);
}

void WireClient::write(std::string_view path, std::string_view value, TransactionId tx) {
  std::string payload = with_nul(path);
  payload.append(value);
  call(MessageType::Write, path, payload, tx);
}

void WireClient::mkdir(std::string_view path, TransactionId tx) { call(MessageType::Mkdir, path, with_nul(path), tx); }

void WireClient::remove(std::string_view path, TransactionId tx) {
  call(MessageType::Remove, path, with_nul(path), tx);
}

std::vector<std::string> WireClient::directory(std::string_view path, TransactionId tx) {
  try {
    return split_nul_list(call(MessageType::Directory, path, with_nul(path), tx));
  } catch (const ClientError& error) {
    if (error.code() != ErrorCode::TooBig) throw;
  }
  return directory_in_parts(path, tx);
}

std::vector<std::string> WireClient::directory_in_parts(std::string_view path, TransactionId tx) {
  // DIRECTORY_PART "path\0offset\0" -> "gencount\0name\0name\0..."; the last part ends with
  // an extra NUL. A changed gencount means the directory changed between parts: start over.
  std::vector<std::string> names;
  std::string generation;
  std::size_t offset = 0;
  for (int parts = 0; parts < 1024; ++parts) {
    const std::string reply =
        call(MessageType::DirectoryPart, path, with_nul(path) + with_nul(std::to_string(offset)), tx);
    const std::size_t end = reply.find('\0');
    if (end == std::string::npos)
      throw ClientError("DIRECTORY_PART", std::string(path), "EIO", "reply without a gencount");
    const std::string part_generation = reply.substr(0, end);
    if (!generation.empty() && part_generation != generation) {
      names.clear();
      offset = 0;
      generation.clear();
      continue;
    }
    generation = part_generation;
    const std::string_view rest = std::string_view(reply).substr(end + 1);
    const bool last = rest == std::string_view("\0", 1) ||
                      (rest.size() >= 2 && rest.substr(rest.size() - 2) == std::string_view("\0\0", 2));
    for (std::string& name : split_nul_list(rest)) {
      if (name.empty()) continue;
      offset += name.size() + 1;
      names.push_back(std::move(name));
    }
    if (last) return names;
  }
  throw ClientError("DIRECTORY_PART", std::string(path), "EIO", "the listing did not end after 1024 parts");
}

Permissions WireClient::get_permissions(std::string_view path, TransactionId tx) {
  Permissions permissions;
  for (const std::string& entry : split_nul_list(call(MessageType::GetPermissions, path, with_nul(path), tx))) {
    try {
      permissions.push_back(parse_permission(entry));
    } catch (const Error& error) {
      throw ClientError("GET_PERMS", std::string(path), "EIO", std::string("the daemon sent ") + error.what());
    }
  }
  return permissions;
}

void WireClient::set_permissions(std::string_view path, const Permissions& permissions, TransactionId tx) {
  std::string payload = with_nul(path);
  for (const Permission& permission : permissions) payload += with_nul(format_permission(permission));
  call(MessageType::SetPermissions, path, payload, tx);
}

void WireClient::watch(std::string_view path, std::string_view token, WatchCallback callback) {
  dispatcher_.add(std::string(path), std::string(token), std::move(callback));
  try {
    call(MessageType::Watch, path, with_nul(path) + with_nul(token), kNoTransaction);
  } catch (...) {
    dispatcher_.remove(std::string(token));
    throw;
  }
}

void WireClient::unwatch(std::string_view path, std::string_view token) {
  call(MessageType::Unwatch, path, with_nul(path) + with_nul(token), kNoTransaction);
  dispatcher_.remove(std::string(token));
}

TransactionId WireClient::transaction_start() {
  const std::string reply = call(MessageType::TransactionStart, "", std::string(1, '\0'), kNoTransaction);
  try {
    const std::uint64_t id = parse_decimal(error_name(reply), "TRANSACTION_START reply");
    if (id == 0 || id > UINT32_MAX) throw Error(ErrorCode::Invalid, "transaction id " + std::to_string(id));
    return static_cast<TransactionId>(id);
  } catch (const Error& error) {
    throw ClientError("TRANSACTION_START", "", "EIO", std::string("the daemon sent ") + error.what());
  }
}

void WireClient::transaction_end(TransactionId tx, bool commit) {
  call(MessageType::TransactionEnd, "", with_nul(commit ? "T" : "F"), tx);
}

}  // namespace vgen::store
