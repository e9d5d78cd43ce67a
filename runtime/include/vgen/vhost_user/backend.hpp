// The vhost-user back end: any vgen virtio device model served on a Unix socket, beside the
// in-process and virtio-mmio transports. A pair runner (or a device program) calls
//
//   vgen::vhost_user::serve(model, "/run/dev.sock", options);  // until max_connections
//
// or keeps a Backend to stop it from elsewhere:
//
//   vgen::vhost_user::Backend backend(model, "/run/dev.sock", options);
//   std::thread server([&] { backend.run(); });  ...  backend.stop(); server.join();
//
// One front end is served at a time; when it disconnects (or breaks the protocol, which is
// logged and closes the connection) the device is reset and the next connection is served.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include <vgen/trace/hooks.hpp>
#include <vgen/vhost_user/device.hpp>
#include <vgen/vhost_user/memory_table.hpp>
#include <vgen/vhost_user/unique_fd.hpp>
#include <vgen/virtio/device_model.hpp>

namespace vgen::vhost_user {

class Session;
struct Message;

/// Settings of a Backend.
struct Options {
  /// Where log lines go; empty: standard error, prefixed "vhost-user: ".
  LogSink log;
  /// Connections to serve before run() returns (0: until stop()).
  std::uint64_t max_connections = 0;
  /// Replace a stale socket file at the path (only a socket is ever removed).
  bool replace_stale_socket = true;
  /// Log every request (name, payload size, fds, and the u64 / ring state it carries).
  bool trace = false;
  /// Where the served device's events go (docs/trace.md), or null: its rings' chains, used
  /// entries and notifications, its status and features, the kicks it receives, and every
  /// vhost-user message (requests, replies, back-end channel notices). Must outlive the back end.
  trace::TraceSink* sink = nullptr;
};

/// Counters of what a Backend did.
struct Statistics {
  std::uint64_t connections = 0;      ///< front ends accepted
  std::uint64_t messages = 0;         ///< requests handled
  std::uint64_t protocol_errors = 0;  ///< connections closed because of a bad request
  std::uint64_t kicks = 0;            ///< kick eventfd wake-ups served
};

/// Serves one DeviceModel on a listening Unix socket.
class Backend {
 public:
  /// Creates the socket at `socket_path` and listens. `model` must outlive the back end.
  /// Throws Error(System) when the socket cannot be created, virtio::Error for a model the
  /// device core refuses.
  Backend(virtio::DeviceModel& model, const std::string& socket_path, Options options = {});
  ~Backend();
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  /// Serves connections, one at a time, until stop() or max_connections. Errors of a
  /// connection are logged and end only that connection.
  void run();
  /// Makes run() return soon; safe from any thread and from a signal handler.
  void stop() noexcept;
  /// The socket path.
  const std::string& path() const noexcept { return path_; }
  /// The device (its core: diagnostics, DeviceCore::run() for device work). Shared with run().
  Device& device() noexcept { return *device_; }
  /// A snapshot of the counters.
  Statistics statistics() const noexcept;

 private:
  void serve_connection(UniqueFd connection);
  bool serve_request(Session& session, int connection);
  void record(const Message& message, std::uint16_t direction) const;
  bool wait_for_connection(UniqueFd& connection);
  void log(const std::string& line) const;

  std::string path_;
  Options options_;
  MemoryTable memory_;
  std::unique_ptr<Device> device_;
  UniqueFd listener_;
  UniqueFd stop_event_;
  std::atomic<std::uint64_t> connections_{0};
  std::atomic<std::uint64_t> messages_{0};
  std::atomic<std::uint64_t> protocol_errors_{0};
  std::atomic<std::uint64_t> kicks_{0};
};

/// Serves `model` on `socket_path` until options.max_connections front ends were served (with
/// 0, for as long as the process runs). Keep a Backend instead to stop it from elsewhere.
void serve(virtio::DeviceModel& model, const std::string& socket_path, Options options = {});

}  // namespace vgen::vhost_user
