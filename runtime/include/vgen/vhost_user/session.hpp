// One front-end connection: the vhost-user state machine. Each request is validated like any
// hostile input (sizes, counts, indexes, flags, fds, order) and applied to the Device; a
// request that breaks the protocol throws Error, and the caller closes the connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <vgen/vhost_user/device.hpp>
#include <vgen/vhost_user/memory_table.hpp>
#include <vgen/vhost_user/message.hpp>
#include <vgen/vhost_user/vring.hpp>

namespace vgen::vhost_user {

/// A kick eventfd to wait on, and the ring it belongs to.
struct KickSource {
  std::uint16_t ring = 0;  ///< ring index
  int fd = -1;             ///< its kick eventfd (owned by the session)
};

/// The protocol side of one connection. The Device and its memory table belong to the
/// session's owner; a new connection gets a fresh session over the same (reset) device.
class Session {
 public:
  /// `device` and `memory` must outlive the session; `memory` must be the table whose guest()
  /// the device reads. The device is reset when the session starts and ends.
  Session(Device& device, MemoryTable& memory, LogSink log);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// The protocol features offered in GET_PROTOCOL_FEATURES.
  std::uint64_t offered_protocol_features() const noexcept { return offered_protocol_; }
  /// The feature word offered in GET_FEATURES (virtio features plus bit 30).
  std::uint64_t offered_features() const noexcept;

  /// Handles one request; returns the reply to send, if any. Throws Error for a request that
  /// breaks the protocol (the connection must then be closed).
  std::optional<Message> handle(Message& request);
  /// The kick eventfds of live rings, to wait on.
  std::vector<KickSource> kick_sources() const;
  /// A kick arrived on `ring`'s eventfd (consumes it and lets the device take buffers).
  void kicked(std::uint16_t ring);

 private:
  std::optional<Message> dispatch(Message& request);
  void require_owner(const Message& request) const;
  void require_protocol(const Message& request, unsigned bit) const;
  std::uint16_t ring_index(const Message& request, std::uint64_t index) const;
  void require_stopped(const Message& request, std::uint16_t ring) const;

  std::optional<Message> get_features(const Message& request);
  void set_features(const Message& request);
  std::optional<Message> get_protocol_features(const Message& request);
  void set_protocol_features(const Message& request);
  void set_owner(const Message& request);
  void reset_owner(const Message& request);
  void reset_device(const Message& request);
  void set_mem_table(Message& request);
  std::optional<Message> get_max_mem_slots(const Message& request);
  void add_mem_reg(Message& request);
  void rem_mem_reg(Message& request);
  void set_vring_num(const Message& request);
  void set_vring_addr(const Message& request);
  void set_vring_base(const Message& request);
  std::optional<Message> get_vring_base(const Message& request);
  void set_vring_fd(Message& request);
  void set_vring_enable(const Message& request);
  std::optional<Message> get_queue_num(const Message& request);
  std::optional<Message> get_config(const Message& request);
  std::optional<Message> set_config(const Message& request);
  void set_backend_req_fd(Message& request);

  template <class Change>
  void change_memory(Change&& change);
  bool guest_rings_fit(std::uint16_t ring) const;
  virtqueue::RingAddresses guest_rings(const std::string& what, std::uint16_t ring) const;
  void update_ring(const std::string& what, std::uint16_t ring);
  void stop_ring(std::uint16_t ring);
  void stop_all_rings();
  bool any_ring_live() const noexcept;

  Device& device_;
  MemoryTable& memory_;
  LogSink log_;
  std::uint64_t offered_protocol_ = 0;
  std::uint64_t protocol_features_ = 0;  // SET_PROTOCOL_FEATURES
  bool protocol_features_set_ = false;
  std::optional<std::uint64_t> features_;  // SET_FEATURES, whole word
  bool owned_ = false;
  std::vector<Vring> rings_;
};

}  // namespace vgen::vhost_user
