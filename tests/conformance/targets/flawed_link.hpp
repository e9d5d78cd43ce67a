// An rpmsg link with one flaw, given to one half of the reference rpmsg-echo pair so that it
// breaks one rpmsg rule: the harness's broken rpmsg pairs.
#pragma once

#include <memory>
#include <string>

#include <vgen/conform/rpmsg_target.hpp>
#include <vgen/rpmsg/link.hpp>

namespace vgen::conform_targets {

/// The rule the remote breaks through its link.
enum class LinkFlaw {
  SendsToReserved,   ///< every message not for the name service goes to address 0x20
  NoAnnouncement,    ///< name-service messages are never sent
  LenBeyondHeader,   ///< four bytes more are claimed written than the header's len covers
  DirtyReserved,     ///< the header's reserved field is sent as 1
  AcceptsOversized,  ///< a received len beyond the bytes written is cut down and delivered
};

/// Wraps `inner` with `flaw`.
std::unique_ptr<rpmsg::Link> flawed_link(LinkFlaw flaw, rpmsg::Link& inner);

/// `target` whose remote (or host) has `flaw`, named `name`.
conform::RpmsgTarget flawed_rpmsg_target(conform::RpmsgTarget target, const std::string& name, LinkFlaw flaw, bool host = false);

}  // namespace vgen::conform_targets
