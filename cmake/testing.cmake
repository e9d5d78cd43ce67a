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

# vgen_add_test(NAME name SOURCES src... [LAYERS layer...] [LIBRARIES lib...] [LABELS label...])
# One GoogleTest executable registered as one ctest test. It links the whole runtime, or with
# LAYERS only those runtime layers (and what they depend on), so building it builds no more.
# Label "threaded" marks the tests that the ThreadSanitizer pass runs.
function(vgen_add_test)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;LAYERS;LIBRARIES;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  _vgen_runtime_of(runtime ${ARG_LAYERS})
  target_link_libraries(${ARG_NAME} PRIVATE ${runtime} vgen_flags GTest::gtest_main ${ARG_LIBRARIES})
  add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME})
  if(ARG_LABELS)
    set_tests_properties(${ARG_NAME} PROPERTIES LABELS "${ARG_LABELS}")
  endif()
  if("threaded" IN_LIST ARG_LABELS)
    if(NOT TARGET threaded_tests)
      add_custom_target(threaded_tests)
    endif()
    add_dependencies(threaded_tests ${ARG_NAME})
  endif()
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
