// The conformance program of one reference pair: the harness with the pair's halves linked in,
// as a generated pair's main hooks it (vgen/conform/pair.hpp). The pair's headers and types
// come from the build (VGEN_CONFORM_*).
#include <vgen/conform/pair.hpp>

#include VGEN_CONFORM_DRIVER_HEADER
#include VGEN_CONFORM_DEVICE_HEADER

int main(int argc, char** argv) { return vgen::conform::run<VGEN_CONFORM_DRIVER, VGEN_CONFORM_DEVICE>(argc, argv); }
