// A split device written by hand in the shape vgen generates, for the halves' tests: requests
// carry a value, responses echo it doubled; the frontend publishes a `mode` string, the
// backend publishes `limit` and `feature-answers`.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include <vgen/halves/split_backend.hpp>
#include <vgen/halves/split_frontend.hpp>

namespace ping_split {

struct Request {
  std::uint32_t value_ = 0;
};
struct Response {
  std::uint32_t value_ = 0;
  std::uint32_t doubled_ = 0;
};

struct FrontendNodes {
  std::string mode;
  auto members() { return std::tie(mode); }
  static constexpr std::array<std::string_view, 1> kNames{"mode"};
};
struct BackendNodes {
  std::uint16_t limit = 0;
  std::uint8_t answers = 0;
  auto members() { return std::tie(limit, answers); }
  static constexpr std::array<std::string_view, 2> kNames{"limit", "feature-answers"};
};

inline constexpr std::array<vgen::halves::RingSpec, 1> kRings{{{.entries = 256}}};
inline constexpr vgen::halves::SplitSpec kSpec{.name = "ping-split", .device_type = "ping", .rings = kRings};

/// The frontend: sends what send() is given, records responses and the backend's nodes.
class Frontend : public vgen::halves::SplitFrontend<kSpec, Request, Response, FrontendNodes, BackendNodes> {
 public:
  using SplitFrontend::SplitFrontend;
  std::vector<Response> responses;
  BackendNodes backend_nodes;
  int connections = 0;

 protected:
  FrontendNodes on_publish() override { return {"fast"}; }
  void on_connected(const BackendNodes& nodes) override {
    backend_nodes = nodes;
    ++connections;
  }
  void on_response(const Response& response) override { responses.push_back(response); }
};

/// The backend: doubles values, records the frontend's nodes.
class Backend : public vgen::halves::SplitBackend<kSpec, Request, Response, FrontendNodes, BackendNodes> {
 public:
  using SplitBackend::SplitBackend;
  FrontendNodes frontend_nodes;

 protected:
  BackendNodes on_connected(const FrontendNodes& nodes) override {
    frontend_nodes = nodes;
    return {300, 1};
  }
  Response on_request(const Request& request) override { return {request.value_, 2 * request.value_}; }
};

}  // namespace ping_split
