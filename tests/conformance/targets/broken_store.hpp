// A XenStore daemon with one flaw, for the harness's own tests: a proxy in front of a real
// daemon that changes what passes through in one way, so the XenStore check of the rule it
// breaks must FAIL.
#pragma once

#include <string>

namespace vgen::conform_targets {

/// The rule a proxied store breaks.
enum class StoreFlaw {
  NoWatchOnRm,        ///< fires no watch for removed nodes
  NoInitialEvent,     ///< a new watch does not fire at registration
  WrongRequestId,     ///< replies carry the request's req_id plus one
  CommitOverConflict, ///< a conflicting commit answers OK instead of EAGAIN
  RmMissingParentOk,  ///< RM under a missing parent answers OK
  NumericErrors,      ///< errors carry "22" instead of an errno name
  DiesOnOversized,    ///< the whole daemon stops on a payload over 4096 bytes
};

/// The flaw called `name` ("no-watch-on-rm", ...); throws vgen::Error for an unknown one.
StoreFlaw store_flaw(const std::string& name);

/// Listens on `socket_path` and serves every client through its own connection to the daemon
/// at `upstream`, with `flaw`, until killed (or until the flaw stops it).
int run_broken_store(StoreFlaw flaw, const std::string& socket_path, const std::string& upstream);

}  // namespace vgen::conform_targets
