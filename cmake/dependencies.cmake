# Finds the libraries named in scripts/packages.txt (the one list of vgen's dependencies).
find_package(Threads REQUIRED)
# LLVM's lld links vgen's programs about three times faster than the default linker; used where
# the compiler can call it (VGEN_LLD=OFF keeps the default linker).
option(VGEN_LLD "Link with lld (package lld) when the compiler can use it" ON)
if(VGEN_LLD)
  include(CheckLinkerFlag)
  check_linker_flag(CXX "-fuse-ld=lld" VGEN_HAVE_LLD)
  if(VGEN_HAVE_LLD)
    add_link_options(-fuse-ld=lld)
  endif()
endif()
find_package(GTest REQUIRED)
find_package(Boost 1.74 REQUIRED)            # header-only: lockfree (benchmark peer)
if(VGEN_BENCH)
  find_package(benchmark REQUIRED)
endif()

set(VGEN_LLVM_ROOT /usr/lib/llvm-14)
find_program(VGEN_LIT lit.py PATHS ${VGEN_LLVM_ROOT}/build/utils/lit NO_DEFAULT_PATH REQUIRED)
find_program(VGEN_FILECHECK FileCheck PATHS ${VGEN_LLVM_ROOT}/bin NO_DEFAULT_PATH REQUIRED)
find_package(Python3 REQUIRED COMPONENTS Interpreter)

# The generator (gen/): YAML specs, its command line and its templates.
find_package(yaml-cpp REQUIRED)              # imported target yaml-cpp
find_package(CLI11 CONFIG REQUIRED)          # header-only, target CLI11::CLI11
find_path(VGEN_MUSTACHE_INCLUDE_DIR kainjow/mustache.hpp REQUIRED)   # header-only
# The trace viewer (trace/): JSON for the timeline export.
find_package(jsoncpp CONFIG REQUIRED)        # target JsonCpp::JsonCpp
