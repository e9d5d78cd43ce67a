// vgen-conform-rpmsg-targets: the harness with the reference rpmsg-echo pair and the broken
// rpmsg pairs made from it (a remote or host with a flawed link) linked in, chosen with --target NAME.
#include <vgen/conform/main.hpp>
#include <vgen/conform/pair.hpp>

#include "flawed_link.hpp"
#include "rpmsg_echo_device.hpp"
#include "rpmsg_echo_driver.hpp"

int main(int argc, char** argv) {
  using vgen::conform_targets::LinkFlaw;
  const vgen::conform::RpmsgTarget echo =
      vgen::conform::rpmsg_pair_target(vgen::pair::rpmsg_halves<rpmsg_echo::RpmsgEchoDriver, rpmsg_echo::RpmsgEchoDevice>());
  vgen::conform::Targets targets;
  targets.rpmsg.push_back(echo);
  const std::pair<const char*, LinkFlaw> broken[] = {
      {"broken-rpmsg-remote-sends-to-reserved", LinkFlaw::SendsToReserved},
      {"broken-rpmsg-remote-no-announcement", LinkFlaw::NoAnnouncement},
      {"broken-rpmsg-remote-len-beyond-header", LinkFlaw::LenBeyondHeader},
      {"broken-rpmsg-remote-dirty-reserved", LinkFlaw::DirtyReserved},
      {"broken-rpmsg-remote-accepts-oversized", LinkFlaw::AcceptsOversized},
  };
  for (const auto& [name, flaw] : broken) targets.rpmsg.push_back(vgen::conform_targets::flawed_rpmsg_target(echo, name, flaw));
  const std::pair<const char*, LinkFlaw> broken_hosts[] = {
      {"broken-rpmsg-host-sends-to-reserved", LinkFlaw::SendsToReserved},
      {"broken-rpmsg-host-accepts-oversized", LinkFlaw::AcceptsOversized},
      {"broken-rpmsg-host-dirty-reserved", LinkFlaw::DirtyReserved},
  };
  for (const auto& [name, flaw] : broken_hosts) targets.rpmsg.push_back(vgen::conform_targets::flawed_rpmsg_target(echo, name, flaw, true));
  return vgen::conform::main(argc, argv, targets);
}
