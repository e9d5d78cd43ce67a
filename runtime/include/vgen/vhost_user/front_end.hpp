// A vhost-user FRONT END: drives any device back end over its socket, with guest memory in
// memfds and split rings, sending the messages QEMU sends. It is a virtio::Transport, so the
// driver core, the conformance harness or a test drives a back end as it would any device.
//
// How the device status maps onto the protocol (which has none):
//   connect        GET_FEATURES, GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES, GET_QUEUE_NUM,
//                  SET_BACKEND_REQ_FD, SET_OWNER (QEMU's start-up order)
//   FEATURES_OK    SET_FEATURES (with REPLY_ACK when agreed); kept only if the back end agreed
//   QueueReady 1   SET_MEM_TABLE (once), SET_VRING_NUM, _BASE 0, _ADDR, _CALL, _ERR, _KICK
//   DRIVER_OK      SET_VRING_ENABLE 1 for every ring set up (a ring becomes live)
//   QueueReady 0   SET_VRING_ENABLE 0, GET_VRING_BASE (the ring stops)
//   status 0       every ring stopped, RESET_DEVICE when agreed; a closed connection is
//                  opened again here
// A back end that closes the connection reads as DEVICE_NEEDS_RESET; so does one that signals
// a ring's error eventfd. Call eventfds become used-buffer interrupts, the back end's
// CONFIG_CHANGE_MSG a configuration change interrupt and a new configuration generation.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <vgen/notify/eventfd.hpp>
#include <vgen/shm/memory.hpp>
#include <vgen/vhost_user/front_end_connection.hpp>
#include <vgen/virtio/transport.hpp>

namespace vgen::vhost_user {

/// What the front end is told about the device, which the protocol does not carry.
struct FrontEndOptions {
  std::uint32_t device_id = 0;                    ///< VIRTIO_ID_* of the device (0: unknown)
  std::uint32_t queue_max_size = 256;             ///< QueueNumMax reported for every ring
  std::uint32_t queue_count = 0;                  ///< rings; 0: GET_QUEUE_NUM when MQ is agreed, else 1
  std::chrono::milliseconds connect_wait{5000};   ///< how long to wait for the back end's socket
  std::chrono::milliseconds reply_timeout{2000};  ///< how long a reply may take
};

/// One vhost-user device as a driver reaches it. `memory` holds the guest RAM: every region
/// must be a memfd-backed shm::Region; the rings' user addresses are this process's mappings.
class FrontEnd final : public virtio::Transport {
 public:
  /// Connects to `socket_path` and performs the start-up exchange. Throws vhost_user::Error
  /// when no back end answers or it breaks the protocol.
  FrontEnd(const std::string& socket_path, const shm::GuestMemory& memory, FrontEndOptions options = {});
  ~FrontEnd() override;
  FrontEnd(const FrontEnd&) = delete;
  FrontEnd& operator=(const FrontEnd&) = delete;

  /// False once the back end closed the connection (until a reset opens it again). Looks at
  /// the socket, so a close is seen before the next request fails.
  bool connected();
  /// Features and protocol features the back end offered at the last connection.
  std::uint64_t backend_features() const noexcept { return backend_features_; }
  std::uint64_t protocol_features() const noexcept { return protocol_features_; }
  /// Why the connection was lost, or "".
  std::string last_error() const;

  std::string name() const override { return "vhost-user"; }
  std::uint32_t device_id() override { return options_.device_id; }
  std::uint32_t vendor_id() override { return 0; }
  notify::Notifier& interrupt() override { return line_; }
  std::uint32_t config_generation() override { return generation_.load(); }
  /// The register operations; vhost-user has no virtqueue reset: reset_queue() throws
  /// virtio::Error(Rejected).
  VGEN_VIRTIO_TRANSPORT_OPERATIONS

 private:
  struct Ring;

  void connect();
  std::unique_ptr<FrontEndConnection> first_exchange();
  void disconnect(const std::string& why);
  template <class Action>
  auto guarded(const char* what, Action&& action);
  void send(Request request, std::span<const std::byte> payload, std::span<const int> fds = {});
  void send_mem_table();
  void start_ring(std::uint16_t index);
  void stop_ring(std::uint16_t index);
  void enable_ring(std::uint16_t index, bool enable);
  bool agreed(unsigned protocol_bit) const noexcept;
  Ring& ring(std::uint16_t index);
  void watch();
  void serve_backend_request();

  std::string path_;
  const shm::GuestMemory& memory_;
  FrontEndOptions options_;
  std::unique_ptr<FrontEndConnection> connection_;
  UniqueFd backend_channel_;  // our end of SET_BACKEND_REQ_FD
  std::atomic<bool> connected_{false};
  std::uint64_t backend_features_ = 0;
  std::uint64_t protocol_features_ = 0;
  std::uint64_t agreed_protocol_ = 0;
  std::uint32_t queue_count_ = 1;
  std::uint8_t status_ = 0;
  std::uint64_t driver_features_ = 0;
  bool mem_table_sent_ = false;
  std::vector<std::unique_ptr<Ring>> rings_;
  notify::EventfdNotifier line_;
  notify::EventfdNotifier wake_;  // rebuilds the watcher's poll set, or stops it
  std::atomic<std::uint32_t> pending_{0};
  std::atomic<std::uint32_t> generation_{0};
  std::atomic<bool> needs_reset_{false};
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;  // guards last_error_ and the watcher's fd set
  std::mutex events_;         // a call or error signal is read and published under it
  std::string last_error_;
  std::thread watcher_;
};

}  // namespace vgen::vhost_user
