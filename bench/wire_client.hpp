// A raw XenStore client for benchmarks: messages use the header of xen/io/xs_wire.h
// (struct xsd_sockmsg: type, req_id, tx_id, len, then len payload bytes) over a Unix
// socket. Requests are queued and sent together, so many can be in flight; replies are
// read in large chunks and handed out one by one. Every expect() checks a reply's type,
// req_id and payload, so a daemon that answers wrongly fails the benchmark instead of
// looking fast.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace vgen::bench {

/// A reply or watch event that did not match what the benchmark expected, or a broken
/// connection; the message says which daemon, what was expected and what came.
class WireError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One received message; `payload` stays valid until the next receive().
struct WireMessage {
  std::uint32_t type = 0;
  std::uint32_t req_id = 0;
  std::uint32_t tx_id = 0;
  std::string_view payload;
};

class WireClient {
 public:
  /// Connects to the Unix socket at `path`; `label` names the daemon in errors. Throws
  /// WireError if the connection fails.
  WireClient(const std::string& path, std::string label);
  WireClient(const WireClient&) = delete;
  WireClient& operator=(const WireClient&) = delete;
  ~WireClient();

  /// Appends one request (tx_id 0) to the send buffer; nothing is sent yet.
  void queue(std::uint32_t type, std::uint32_t req_id, std::string_view payload);
  /// Sends everything queued.
  void flush();
  /// True if a whole message is already buffered, so receive() will not block.
  bool has_buffered_message() const;
  /// The next message; throws WireError on end of stream, an error, a length over
  /// XENSTORE_PAYLOAD_MAX, or `timeout` without data.
  WireMessage receive(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  /// Receives and checks the next message: type, req_id and payload must be exactly these.
  void expect(std::uint32_t type, std::uint32_t req_id, std::string_view payload);

 private:
  /// Reads at least one more byte into the receive buffer.
  void fill(std::chrono::milliseconds timeout);

  int fd_ = -1;
  std::string label_;
  std::string out_;
  std::string in_;
  std::size_t in_start_ = 0;  // first unread byte of in_
};

/// Request payloads: each string followed by its NUL, as xs_wire.h messages carry them.
std::string nul_terminated(std::string_view text);
/// "path\0value" for XS_WRITE (the value is not NUL-terminated).
std::string write_payload(std::string_view path, std::string_view value);
/// "path\0token\0" for XS_WATCH and XS_WATCH_EVENT.
std::string watch_payload(std::string_view path, std::string_view token);
/// A payload shown in an error message: printable bytes as they are, others as \xNN.
std::string printable(std::string_view bytes);

}  // namespace vgen::bench
