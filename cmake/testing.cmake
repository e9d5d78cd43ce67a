# vgen_add_test(NAME name SOURCES src... [LIBRARIES lib...] [LABELS label...])
# One GoogleTest executable registered as one ctest test. Label "threaded" marks the tests
# that the ThreadSanitizer pass runs.
function(vgen_add_test)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;LIBRARIES;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE vgen_runtime vgen_flags GTest::gtest_main ${ARG_LIBRARIES})
  add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME})
  if(ARG_LABELS)
    set_tests_properties(${ARG_NAME} PROPERTIES LABELS "${ARG_LABELS}")
  endif()
endfunction()

# vgen_add_fuzzer(NAME name SOURCES src...): a libFuzzer target, built when VGEN_FUZZ is on.
function(vgen_add_fuzzer)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES" ${ARGN})
  if(NOT VGEN_FUZZ)
    return()
  endif()
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE vgen_runtime vgen_flags)
  target_link_options(${ARG_NAME} PRIVATE -fsanitize=fuzzer)
  set_property(GLOBAL APPEND PROPERTY VGEN_FUZZERS ${ARG_NAME})
endfunction()
