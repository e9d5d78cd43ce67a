// vgen-conform-split-targets: the harness with the reference xen-blk pair and the broken
// split pairs made from it linked in, and the vbus pair vdummy with a broken twin, chosen with
// --target NAME.
#include <vgen/conform/main.hpp>
#include <vgen/conform/pair.hpp>

#include "flawed_client.hpp"
#include "vdummy_backend.hpp"
#include "vdummy_frontend.hpp"
#include "xen_blk_backend.hpp"
#include "xen_blk_frontend.hpp"

int main(int argc, char** argv) {
  using vgen::conform_targets::ClientFlaw;
  const vgen::conform::SplitTarget xen_blk =
      vgen::conform::split_pair_target(vgen::pair::split_halves<xen_blk::XenBlkFrontend, xen_blk::XenBlkBackend>());
  vgen::conform::Targets targets;
  targets.split.push_back(xen_blk);
  const std::pair<const char*, ClientFlaw> broken[] = {
      {"broken-split-frontend-ring-after-initialised", ClientFlaw::FrontendRingAfterInitialised},
      {"broken-split-backend-skips-initwait", ClientFlaw::BackendSkipsInitWait},
      {"broken-split-frontend-connects-early", ClientFlaw::FrontendConnectsEarly},
      {"broken-split-backend-ignores-closing", ClientFlaw::BackendIgnoresClosing},
      {"broken-split-frontend-hides-ring", ClientFlaw::FrontendHidesRing},
      {"broken-split-backend-padded-state", ClientFlaw::BackendPaddedState},
      {"broken-split-frontend-ignores-closing", ClientFlaw::FrontendIgnoresClosing},
      {"broken-split-frontend-splits-details", ClientFlaw::FrontendSplitsDetails},
      {"broken-split-backend-info-after-connected", ClientFlaw::BackendInfoAfterConnected},
      {"broken-split-backend-ignores-reconfiguring", ClientFlaw::BackendIgnoresReconfiguring},
      {"broken-split-frontend-trusts-vanished-backend", ClientFlaw::FrontendTrustsVanishedBackend},
      {"broken-split-frontend-stays-closed", ClientFlaw::FrontendStaysClosed},
  };
  for (const auto& [name, flaw] : broken)
    targets.split.push_back(vgen::conform_targets::flawed_split_target(xen_blk, name, flaw));
  // A vbus pair whose backend is registered under a compatible string the platform's devices
  // do not carry (a renamed driver): its bus never attaches it.
  const vgen::conform::SplitTarget vdummy =
      vgen::conform::split_pair_target(vgen::pair::split_halves<vdummy::VdummyFrontend, vdummy::VdummyBackend>());
  targets.split.push_back(vdummy);
  static vgen::halves::SplitSpec renamed = *vdummy.halves.spec;
  renamed.backend_compatible = "vdummy-v2,backend";
  vgen::conform::SplitTarget wrong_compatible = vdummy;
  wrong_compatible.name = "broken-vbus-backend-wrong-compatible";
  wrong_compatible.halves.spec = &renamed;
  targets.split.push_back(wrong_compatible);
  return vgen::conform::main(argc, argv, targets);
}
