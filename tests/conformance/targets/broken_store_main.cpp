// vgen-conform-broken-store --flaw NAME --listen SOCKET --upstream SOCKET: a XenStore daemon
// with one flaw (a proxy in front of a real daemon), for the harness's own lit tests.
#include <cstdio>
#include <string>

#include "broken_store.hpp"

int main(int argc, char** argv) {
  std::string flaw, listen, upstream;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string option = argv[i];
    if (option == "--flaw") flaw = argv[i + 1];
    else if (option == "--listen") listen = argv[i + 1];
    else if (option == "--upstream") upstream = argv[i + 1];
  }
  if (flaw.empty() || listen.empty() || upstream.empty()) {
    std::fprintf(stderr, "usage: %s --flaw NAME --listen SOCKET --upstream SOCKET\n", argv[0]);
    return 2;
  }
  try {
    return vgen::conform_targets::run_broken_store(vgen::conform_targets::store_flaw(flaw), listen, upstream);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "vgen-conform-broken-store: %s\n", error.what());
    return 2;
  }
}
