// Test support: a split pair in one process and on one thread: an in-process store, a grant
// table the backend attaches to and linked event channels, the frontend as domain 1 and the
// backend as domain 2 of device 0. pump_until() steps both halves in turn, so every handler
// runs on the test's thread and a test is deterministic.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include <vgen/halves/handler_check.hpp>
#include <vgen/testing/in_process_store.hpp>
#include <vgen/xen/event_channel.hpp>
#include <vgen/xen/grant_mapping.hpp>
#include <vgen/xen/grant_table.hpp>

namespace vgen::testing {

/// The store, grants and event channels of a split pair (the part that needs no halves).
class SplitLink {
 public:
  /// The frontend's domain and the backend's.
  static constexpr xenbus::DomainId kFrontendDomain = 1;
  static constexpr xenbus::DomainId kBackendDomain = 2;

  /// Creates device 0 of `device_type` in the store, a grant table of `granted_pages` pages
  /// for the frontend domain, the backend's attachment to it and the linked event channels.
  SplitLink(const std::string& device_type, std::uint32_t granted_pages);

  /// The store and its clients.
  InProcessStore& store() noexcept { return store_; }
  /// Device 0 of the device type, frontend domain 1, backend domain 2.
  const xenbus::DeviceAddress& device() const noexcept { return device_; }
  /// The frontend domain's grant table (page 0 is the ring's, the rest data pages).
  xen::GrantTable& table() noexcept { return table_; }
  /// The backend domain's attachment to that table.
  xen::GrantMapper& mapper() noexcept { return mapper_; }
  /// Each domain's event channels, linked to the other's.
  xen::EventChannels& frontend_events() noexcept { return frontend_events_; }
  xen::EventChannels& backend_events() noexcept { return backend_events_; }

 private:
  InProcessStore store_;
  xenbus::DeviceAddress device_;
  xen::GrantTable table_;
  xen::GrantMapper mapper_;
  xen::EventChannels frontend_events_;
  xen::EventChannels backend_events_;
};

/// `Frontend` and `Backend` (vgen's generated split halves, or anything constructed the same
/// way with step()) connected by a SplitLink. The backend is probed at construction.
template <class Frontend, class Backend>
class SplitHarness {
  // First, so that a half lacking a handler is reported as such, not as an abstract member.
  static_assert(halves::overrides_handlers<Frontend>() && halves::overrides_handlers<Backend>());

 public:
  /// `granted_pages`: the ring's page and the frontend's data pages.
  explicit SplitHarness(std::uint32_t granted_pages = 8)
      : link_(std::string(Frontend::kSpec.device_type), granted_pages),
        backend_(link_.store().client(SplitLink::kBackendDomain), link_.device(), link_.mapper(),
                 link_.backend_events()),
        frontend_(link_.store().client(SplitLink::kFrontendDomain), link_.device(), link_.table(),
                  link_.frontend_events()) {
    backend_.probe();
  }

  /// Steps both halves in turn until `done()` or `timeout`; returns `done()`.
  bool pump_until(const std::function<bool()>& done, std::chrono::nanoseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      const bool moved = frontend_.step();
      if (!backend_.step() && !moved) frontend_.wait_and_process(std::chrono::milliseconds(1));
    }
    return true;
  }

  /// The frontend half (domain 1).
  Frontend& frontend() noexcept { return frontend_; }
  /// The backend half (domain 2), probed.
  Backend& backend() noexcept { return backend_; }
  /// The store, grants and event channels between them.
  SplitLink& link() noexcept { return link_; }

 private:
  SplitLink link_;
  Backend backend_;
  Frontend frontend_;
};

}  // namespace vgen::testing
