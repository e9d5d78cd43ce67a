// What the front end told the back end about one ring, apart from the device: its size,
// addresses, base, kick eventfd and enable state ("Ring states": stopped, started but
// disabled, started and enabled).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include <vgen/notify/eventfd.hpp>
#include <vgen/vhost_user/protocol.hpp>

namespace vgen::vhost_user {

/// One ring's vhost-user state.
struct Vring {
  std::uint32_t size = 0;                         ///< SET_VRING_NUM (0: not set)
  std::optional<VringAddress> address;            ///< SET_VRING_ADDR (front-end user addresses)
  std::uint16_t base = 0;                         ///< SET_VRING_BASE: next avail index on start
  std::unique_ptr<notify::EventfdNotifier> kick;  ///< SET_VRING_KICK; set means started
  bool enabled = false;                           ///< SET_VRING_ENABLE
  bool live = false;                              ///< the device's queue is live

  /// Started (a kick eventfd was given) and not stopped since.
  bool started() const noexcept { return kick != nullptr; }
  /// Back to "stopped" with the kick eventfd dropped (GET_VRING_BASE, RESET_OWNER).
  void stop() noexcept {
    kick.reset();
    live = false;
  }
};

}  // namespace vgen::vhost_user
