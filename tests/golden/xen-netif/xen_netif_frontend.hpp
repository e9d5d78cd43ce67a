// xen-netif: the frontend half. vgen wrote this file once; it is yours to change, and vgen
// never overwrites it. The generated base class (xen_netif_frontend_base.hpp) does the
// Xenbus and ring work; the handlers here are what the frontend does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vgen/halves/demo_ledger.hpp>

#include "xen_netif_frontend_base.hpp"

namespace xen_netif {

/// The xen-netif frontend. By default, once connected it sends kRequestsPerRing numbered
/// requests on each ring and checks that every response echoes the request it answers.
class XenNetifFrontend : public XenNetifFrontendBase {
 public:
  using XenNetifFrontendBase::XenNetifFrontendBase;

  /// Requests the default frontend sends on each ring.
  static constexpr std::size_t kRequestsPerRing = 8;
  /// Requests the default frontend sends: kRequestsPerRing on each ring top_up() sends on
  /// (those of the spec this file was written for; a ring added later needs a line there).
  static constexpr std::size_t kDemoRequests = kRequestsPerRing * 2;
  /// Granted pages beside the rings (the default frontend uses none).
  static constexpr std::uint32_t kDataPages = 0;

  /// Responses that answered no request sent.
  std::size_t mismatches() const noexcept { return mismatches_; }
  /// Responses received.
  std::size_t answered() const noexcept { return answered_; }

 protected:
  FrontendNodes on_publish() override;
  void on_connected(const BackendNodes& nodes) override;
  void on_tx_response(const NetifTxResponse& response) override;
  void on_rx_response(const NetifRxResponse& response) override;

 private:
  // Sends requests on each ring until kRequestsPerRing are out or answered, or it is full.
  void top_up();

  vgen::halves::DemoLedgers ledgers_;              // per ring
  [[maybe_unused]] std::uint64_t next_value_ = 0;  // unused when no request has an integer field
  std::size_t answered_ = 0;
  std::size_t mismatches_ = 0;
};

}  // namespace xen_netif
