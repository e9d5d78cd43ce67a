#include "wire_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include <xen/io/xs_wire.h>

namespace vgen::bench {
namespace {

constexpr std::size_t kHeaderSize = sizeof(xsd_sockmsg);
constexpr std::size_t kReadChunk = 64 * 1024;

std::string describe(std::uint32_t type, std::uint32_t req_id, std::string_view payload) {
  return "type " + std::to_string(type) + " req_id " + std::to_string(req_id) + " payload \"" + printable(payload) +
         "\"";
}

}  // namespace

WireClient::WireClient(const std::string& path, std::string label) : label_(std::move(label)) {
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) throw WireError(label_ + ": socket path too long: " + path);
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    const int error = errno;
    if (fd_ >= 0) ::close(fd_);
    throw WireError(label_ + ": cannot connect to " + path + ": " + std::strerror(error));
  }
}

WireClient::~WireClient() {
  if (fd_ >= 0) ::close(fd_);
}

void WireClient::queue(std::uint32_t type, std::uint32_t req_id, std::string_view payload) {
  const xsd_sockmsg header{type, req_id, 0, static_cast<std::uint32_t>(payload.size())};
  out_.append(reinterpret_cast<const char*>(&header), kHeaderSize);
  out_.append(payload);
}

void WireClient::flush() {
  std::size_t done = 0;
  while (done < out_.size()) {
    const ssize_t n = ::send(fd_, out_.data() + done, out_.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw WireError(label_ + ": send failed: " + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  out_.clear();
}

bool WireClient::has_buffered_message() const {
  const std::size_t available = in_.size() - in_start_;
  if (available < kHeaderSize) return false;
  xsd_sockmsg header;
  std::memcpy(&header, in_.data() + in_start_, kHeaderSize);
  return available - kHeaderSize >= header.len;
}

void WireClient::fill(std::chrono::milliseconds timeout) {
  if (in_start_ > 0) {  // keep the unread tail at the front so the buffer does not grow
    in_.erase(0, in_start_);
    in_start_ = 0;
  }
  pollfd ready{fd_, POLLIN, 0};
  const int polled = ::poll(&ready, 1, static_cast<int>(timeout.count()));
  if (polled == 0) throw WireError(label_ + ": no reply within " + std::to_string(timeout.count()) + " ms");
  const std::size_t old_size = in_.size();
  in_.resize(old_size + kReadChunk);
  const ssize_t n = polled < 0 ? -1 : ::recv(fd_, in_.data() + old_size, kReadChunk, 0);
  in_.resize(old_size + (n > 0 ? static_cast<std::size_t>(n) : 0));
  if (n == 0) throw WireError(label_ + ": daemon closed the connection");
  if (n < 0 && errno != EINTR) throw WireError(label_ + ": receive failed: " + std::strerror(errno));
}

WireMessage WireClient::receive(std::chrono::milliseconds timeout) {
  while (in_.size() - in_start_ < kHeaderSize) fill(timeout);
  xsd_sockmsg header;
  std::memcpy(&header, in_.data() + in_start_, kHeaderSize);
  if (header.len > XENSTORE_PAYLOAD_MAX) {
    throw WireError(label_ + ": message of type " + std::to_string(header.type) + " claims " +
                    std::to_string(header.len) + " payload bytes (limit " + std::to_string(XENSTORE_PAYLOAD_MAX) + ")");
  }
  while (in_.size() - in_start_ < kHeaderSize + header.len) fill(timeout);
  WireMessage message{header.type, header.req_id, header.tx_id,
                      std::string_view(in_).substr(in_start_ + kHeaderSize, header.len)};
  in_start_ += kHeaderSize + header.len;
  return message;
}

void WireClient::expect(std::uint32_t type, std::uint32_t req_id, std::string_view payload) {
  const WireMessage got = receive();
  if (got.type != type || got.req_id != req_id || got.payload != payload || got.tx_id != 0) {
    throw WireError(label_ + ": expected " + describe(type, req_id, payload) + ", got " +
                    describe(got.type, got.req_id, got.payload) + " tx_id " + std::to_string(got.tx_id));
  }
}

std::string nul_terminated(std::string_view text) {
  std::string payload(text);
  payload.push_back('\0');
  return payload;
}

std::string write_payload(std::string_view path, std::string_view value) {
  std::string payload = nul_terminated(path);
  payload.append(value);
  return payload;
}

std::string watch_payload(std::string_view path, std::string_view token) {
  return nul_terminated(path) + nul_terminated(token);
}

std::string printable(std::string_view bytes) {
  std::string text;
  for (const char c : bytes) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      text.push_back(c);
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned char>(c));
      text += escaped;
    }
  }
  return text;
}

}  // namespace vgen::bench
