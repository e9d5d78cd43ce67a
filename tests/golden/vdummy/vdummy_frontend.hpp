// vdummy: the frontend half. vgen wrote this file once; it is yours to change, and vgen
// never overwrites it. The generated base class (vdummy_frontend_base.hpp) does the
// Xenbus and ring work; the handlers here are what the frontend does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "vdummy_frontend_base.hpp"

namespace vdummy {

/// The vdummy frontend. By default, once connected it sends kDemoRequests numbered
/// requests and checks that every response echoes the request it answers.
class VdummyFrontend : public VdummyFrontendBase {
 public:
  using VdummyFrontendBase::VdummyFrontendBase;

  /// Requests the default frontend sends.
  static constexpr std::size_t kDemoRequests = 8;
  /// Granted pages beside the ring (the default frontend uses none).
  static constexpr std::uint32_t kDataPages = 0;

  /// Responses that answered no request sent.
  std::size_t mismatches() const noexcept { return mismatches_; }
  /// Responses received.
  std::size_t answered() const noexcept { return answered_; }

 protected:
  void on_connected(const BackendNodes& nodes) override;
  void on_response(const VdummyResponse& response) override;

 private:
  // Sends requests until kDemoRequests are out or answered, or the ring is full.
  void top_up();

  std::deque<VdummyRequest> sent_;                 // unanswered, in the order sent
  [[maybe_unused]] std::uint64_t next_value_ = 0;  // unused when the request has no integer field
  std::size_t answered_ = 0;
  std::size_t mismatches_ = 0;
};

}  // namespace vdummy
