// Running one check in a child process of its own, so that a peer which crashes, hangs or
// corrupts memory in this process is reported as a FAIL instead of ending the run.
#pragma once

#include <chrono>
#include <functional>
#include <vector>

#include <vgen/conform/verdict.hpp>

namespace vgen::conform {

/// Forks, runs `body` in the child (in a process group of its own, so processes it starts are
/// stopped with it) and returns its verdict. A child that dies by a signal, exits without a
/// verdict, or gives none within `timeout` (it is then killed) yields a FAIL saying so. An
/// exception escaping `body` is a FAIL naming it. The caller must have no other threads.
Verdict run_isolated(const std::function<Verdict()>& body, std::chrono::milliseconds timeout);

}  // namespace vgen::conform

namespace vgen::conform {

/// Like run_isolated() for a body that judges `count` checks at once (one run of a peer, many
/// rules judged from it). A crash, a hang or a wrong number of verdicts fails all `count`.
std::vector<Verdict> run_isolated_batch(const std::function<std::vector<Verdict>()>& body, std::size_t count,
                                        std::chrono::milliseconds timeout);

}  // namespace vgen::conform
