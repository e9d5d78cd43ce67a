// The conformance harness's command line, in one call. The `vgen-conform` program calls it
// with no targets (the half under test is a program or a socket); a pair's program calls it
// with its own halves, which makes the in-process transport available and lets the harness
// start the program again to serve a half (--conform-serve).
//
//   vgen-conform virtio --role device --transport mmio --program "./my-pair --conform"
//   my-pair --conform virtio --role driver --transport in-process
//
// See docs/conformance.md for every option.
#pragma once

#include <vector>

#include <vgen/conform/rpmsg_target.hpp>
#include <vgen/conform/split_target.hpp>
#include <vgen/conform/virtio_target.hpp>

namespace vgen::conform {

/// The halves a program links in, by kind.
struct Targets {
  std::vector<VirtioTarget> virtio;  ///< VirtIO pairs, chosen with --target NAME (the first by default)
  std::vector<SplitTarget> split;    ///< split (Xenbus) pairs, chosen the same way
  std::vector<RpmsgTarget> rpmsg;    ///< rpmsg pairs, chosen the same way
};

/// Runs the harness as the command line says; returns the exit status: 0 when no check
/// failed (known deviations aside), 1 when one did, 2 for a usage error.
int main(int argc, char** argv, const Targets& targets = {});

}  // namespace vgen::conform
