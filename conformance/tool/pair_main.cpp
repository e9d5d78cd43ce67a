// The conformance program of one pair: the harness with the pair's halves linked in
// (vgen/conform/pair.hpp). vgen_conform() (cmake/vgenConform.cmake) compiles this file into a
// project's <name>-conform program and names the halves' headers and types
// (VGEN_CONFORM_FIRST*, VGEN_CONFORM_SECOND*); the reference pairs use it the same way.
#include <cstdlib>

#include <vgen/conform/pair.hpp>

#include VGEN_CONFORM_FIRST_HEADER
#include VGEN_CONFORM_SECOND_HEADER

int main(int argc, char** argv) {
#ifdef VGEN_CONFORM_CATALOGUE_DIR
  // The catalogues of the vgen this program was built against, unless the caller chose others.
  ::setenv("VGEN_CONFORM_CATALOGUE", VGEN_CONFORM_CATALOGUE_DIR, 0);
#endif
  return vgen::conform::run<VGEN_CONFORM_FIRST, VGEN_CONFORM_SECOND>(argc, argv);
}
