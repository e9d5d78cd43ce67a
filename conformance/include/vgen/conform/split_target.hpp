// How a split (Xenbus) pair is handed to the harness: its halves as the pair runner has them,
// and, for the harness's own tests, a way to give a half a flawed store connection.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <vgen/pair/split_pair.hpp>
#include <vgen/store/client.hpp>

namespace vgen::conform {

/// A split pair under test (xenbus flavour).
struct SplitTarget {
  /// Name printed in reports.
  std::string name;
  /// The halves (vgen/pair/split_pair.hpp).
  pair::SplitHalves halves;
  /// Wraps the store connection the frontend (backend) uses; empty: the connection itself.
  /// The harness's broken pairs use it to make a half break a rule.
  std::function<std::unique_ptr<store::Client>(store::Client&)> wrap_frontend_client;
  std::function<std::unique_ptr<store::Client>(store::Client&)> wrap_backend_client;
};

}  // namespace vgen::conform
