// How an rpmsg pair is handed to the harness: its halves as the pair runner has them, and, for
// the harness's own tests, a way to give either half a flawed link.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <vgen/pair/rpmsg_pair.hpp>
#include <vgen/rpmsg/link.hpp>

namespace vgen::conform {

/// An rpmsg pair under test.
struct RpmsgTarget {
  /// Name printed in reports.
  std::string name;
  /// The halves (vgen/pair/rpmsg_pair.hpp).
  pair::RpmsgHalves halves;
  /// Wraps the link the remote's bus uses; empty: the link itself. The harness's broken
  /// pairs use it to make the remote break a rule.
  std::function<std::unique_ptr<rpmsg::Link>(rpmsg::Link&)> wrap_remote_link;
  /// The same for the link the host's bus uses.
  std::function<std::unique_ptr<rpmsg::Link>(rpmsg::Link&)> wrap_host_link;
};

}  // namespace vgen::conform
