// vdummy: the frontend half's handlers (yours; vgen never overwrites this file).
#include "vdummy_frontend.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

namespace vdummy {
namespace {

void log(const std::string& line) {
  std::printf("frontend: %s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

void VdummyFrontend::on_connected([[maybe_unused]] const BackendNodes& nodes) {
  log("connected to " + other_path());
  top_up();
}

void VdummyFrontend::top_up() {
  // Only requests not sent yet go out (a reconnection does not repeat answered ones); a
  // ring smaller than kDemoRequests is topped up again as responses free its slots.
  while (sent_.size() + answered_ < kDemoRequests && can_send()) {
    VdummyRequest request;
    request.set_id(static_cast<std::uint32_t>(++next_value_));
    request.set_length(static_cast<std::uint16_t>(++next_value_));
    if (!send(request)) return;
    log("sent " + describe(request));
    sent_.push_back(request);
  }
}

void VdummyFrontend::on_response(const VdummyResponse& response) {
  log("received " + describe(response));
  // The request this answers: the first one sent whose echoed fields match.
  const auto answers = [&]([[maybe_unused]] const VdummyRequest& request) {
    return true && request.id() == response.id();
  };
  const auto found = std::find_if(sent_.begin(), sent_.end(), answers);
  if (found == sent_.end()) {
    ++mismatches_;
    log("response matches no request sent");
    return;
  }
  sent_.erase(found);
  ++answered_;
  top_up();
}

}  // namespace vdummy
