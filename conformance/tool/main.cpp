// vgen-conform: the conformance harness with no half linked in; the half under test is a
// program (--program), a vhost-user back end (--vhost-user) or a store daemon (--store).
#include <vgen/conform/main.hpp>

int main(int argc, char** argv) { return vgen::conform::main(argc, argv); }
