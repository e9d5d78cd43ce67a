# _vgen_runtime_of(out [layer...]): the targets a test links: vgen_<layer> for each layer
# given, else the umbrella vgen_runtime.
function(_vgen_runtime_of out)
  if(ARGN)
    list(TRANSFORM ARGN PREPEND vgen_ OUTPUT_VARIABLE targets)
  else()
    set(targets vgen_runtime)
  endif()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

# _vgen_keep_c_peers_apart(source...): C sources in tests are independent peers written from
# the system's headers, each its own translation unit even in a unity build.
function(_vgen_keep_c_peers_apart)
  foreach(source IN LISTS ARGN)
    if(source MATCHES "\\.c$")
      set_source_files_properties(${source} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
    endif()
  endforeach()
endfunction()

# vgen_add_test(NAME name SOURCES src... [LAYERS layer...] [LIBRARIES lib...] [LABELS label...])
# One GoogleTest executable registered as one ctest test. It links the whole runtime, or with
# LAYERS only those runtime layers (and what they depend on), so building it builds no more.
# Label "threaded" marks the tests that the ThreadSanitizer pass runs, label "untrusted" those
# that feed code input a peer or a user controls (rings, wire messages, specs, logs), which the
# AddressSanitizer pass runs; each label's targets are built by the target <label>_tests.
function(vgen_add_test)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;LAYERS;LIBRARIES;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  _vgen_keep_c_peers_apart(${ARG_SOURCES})
  _vgen_runtime_of(runtime ${ARG_LAYERS})
  target_link_libraries(${ARG_NAME} PRIVATE ${runtime} vgen_flags GTest::gtest_main ${ARG_LIBRARIES})
  add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME})
  if(ARG_LABELS)
    set_tests_properties(${ARG_NAME} PROPERTIES LABELS "${ARG_LABELS}")
  endif()
  foreach(label IN ITEMS threaded untrusted)
    if(label IN_LIST ARG_LABELS)
      vgen_add_to_test_set(${label} ${ARG_NAME})
    endif()
  endforeach()
endfunction()

# vgen_add_to_test_set(label target...): the aggregate target <label>_tests builds the targets,
# so a sanitizer tree builds only what the tests of that label run.
function(vgen_add_to_test_set label)
  if(NOT TARGET ${label}_tests)
    add_custom_target(${label}_tests)
  endif()
  add_dependencies(${label}_tests ${ARGN})
endfunction()

# vgen_add_fuzzer(NAME name SOURCES src... [LAYERS layer...]): a libFuzzer target, built when
# VGEN_FUZZ is on; LAYERS as for vgen_add_test.
function(vgen_add_fuzzer)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;LAYERS" ${ARGN})
  if(NOT VGEN_FUZZ)
    return()
  endif()
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  _vgen_runtime_of(runtime ${ARG_LAYERS})
  target_link_libraries(${ARG_NAME} PRIVATE ${runtime} vgen_flags)
  target_link_options(${ARG_NAME} PRIVATE -fsanitize=fuzzer)
  set_property(GLOBAL APPEND PROPERTY VGEN_FUZZERS ${ARG_NAME})
endfunction()
