# vgen_generate(TARGET <target> SPEC <spec.yaml> [OUTPUT_DIR <dir>] [DEMO <executable>]
#               [TESTS <executable>])
#
# Generates the code of a device spec at build time and adds it to <target>: the generated
# files (message types, the base class of each half, the demo main, the queue tests) are the OUTPUT of one
# custom command, listed exactly, written under <dir> (default
# ${CMAKE_CURRENT_BINARY_DIR}/vgen/<target>) and never into the source tree. The command runs
# again when the spec, the vgen executable or any template changes; vgen rewrites only the
# files whose content changed, so the rest of the build stays put. The folder is added to
# the target's include directories (PUBLIC: a library's users see the generated headers).
# <target> gets the message types and the bases only, so it may be a library, or a program
# with its own main(). The demo main (vgen::run_pair over the user's halves) is built only when
# asked: DEMO names the executable that gets it (<target> itself, or another one linking
# <target>). With TESTS, the generated tests of each queue of a
# virtio pair (<name>_queues_test.cpp, GoogleTest) go to that executable; without it they are
# built nowhere. The user-owned subclass files are not generated here:
# they are the project's sources (vgen new-device writes them once).
#
# The file list comes from `vgen generate --list-outputs` when vgen exists at configure time
# (an installed or built vgen); inside vgen's own build, where vgen is built later, it is
# derived from the spec's name and kind (tests/lit/gen/list-outputs.test checks both agree).
function(vgen_generate)
  cmake_parse_arguments(ARG "" "TARGET;SPEC;OUTPUT_DIR;DEMO;TESTS" "" ${ARGN})
  if(NOT ARG_TARGET OR NOT ARG_SPEC)
    message(FATAL_ERROR "vgen_generate: TARGET and SPEC are required")
  endif()
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "vgen_generate: unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  foreach(target IN ITEMS ${ARG_TARGET} ${ARG_DEMO} ${ARG_TESTS})
    if(NOT TARGET ${target})
      message(FATAL_ERROR "vgen_generate: '${target}' is not a target")
    endif()
  endforeach()
  get_filename_component(spec "${ARG_SPEC}" ABSOLUTE)
  if(NOT EXISTS "${spec}")
    message(FATAL_ERROR "vgen_generate: spec '${spec}' does not exist")
  endif()
  set(output_dir "${ARG_OUTPUT_DIR}")
  if(NOT output_dir)
    set(output_dir "${CMAKE_CURRENT_BINARY_DIR}/vgen/${ARG_TARGET}")
  endif()
  # The spec's name decides the file names: list again when it changes.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${spec}")

  if(TARGET vgen::vgen)
    get_target_property(vgen_executable vgen::vgen LOCATION)
    set(vgen_command vgen::vgen)
    execute_process(COMMAND "${vgen_executable}" generate "${spec}" --list-outputs -o "${output_dir}"
                    RESULT_VARIABLE status OUTPUT_VARIABLE listing ERROR_VARIABLE errors)
    if(NOT status EQUAL 0)
      message(FATAL_ERROR "vgen_generate: ${spec} cannot be generated:\n${errors}")
    endif()
    string(REPLACE "\n" ";" outputs "${listing}")
    list(FILTER outputs EXCLUDE REGEX "^$")
  elseif(TARGET vgen)
    set(vgen_command vgen)
    _vgen_outputs_from_spec("${spec}" "${output_dir}" outputs)
  else()
    message(FATAL_ERROR "vgen_generate: no vgen executable (find_package(vgen) first)")
  endif()

  file(GLOB_RECURSE templates CONFIGURE_DEPENDS "${VGEN_TEMPLATES_DIR}/*")
  add_custom_command(
    OUTPUT ${outputs}
    COMMAND ${vgen_command} generate "${spec}" -o "${output_dir}" --generated-only --quiet
            --templates "${VGEN_TEMPLATES_DIR}"
    DEPENDS "${spec}" ${vgen_command} ${templates}
    COMMENT "vgen: generating ${ARG_TARGET} from ${ARG_SPEC}"
    VERBATIM)
  set(library_outputs ${outputs})
  list(FILTER library_outputs EXCLUDE REGEX "_queues_test\\.cpp$")
  list(FILTER library_outputs EXCLUDE REGEX "_demo\\.cpp$")
  if(ARG_TESTS)
    set(test_outputs ${outputs})
    list(FILTER test_outputs INCLUDE REGEX "_queues_test\\.cpp$")
    target_sources(${ARG_TESTS} PRIVATE ${test_outputs})
    target_include_directories(${ARG_TESTS} PRIVATE "${output_dir}")
  endif()
  if(ARG_DEMO)
    set(demo_outputs ${outputs})
    list(FILTER demo_outputs INCLUDE REGEX "_demo\\.cpp$")
    target_sources(${ARG_DEMO} PRIVATE ${demo_outputs})
    target_include_directories(${ARG_DEMO} PRIVATE "${output_dir}")
  endif()
  target_sources(${ARG_TARGET} PRIVATE ${library_outputs})
  target_include_directories(${ARG_TARGET} PUBLIC "${output_dir}")
endfunction()

# The generated files of a spec, from its `name:` and `kind:` (see gen/src/render/generator.cpp).
function(_vgen_outputs_from_spec spec output_dir result)
  file(STRINGS "${spec}" name_line REGEX "^name:")
  file(STRINGS "${spec}" kind_line REGEX "^kind:")
  string(REGEX REPLACE "^name:[ ]*([a-z0-9_-]+).*" "\\1" name "${name_line}")
  string(REGEX REPLACE "^kind:[ ]*([a-z]+).*" "\\1" kind "${kind_line}")
  if(NOT kind MATCHES "^(virtio|split|rpmsg)$")
    message(FATAL_ERROR "vgen_generate: ${spec}: kind '${kind}' cannot be generated")
  endif()
  # Split pairs name their halves frontend and backend; the others driver and device.
  set(first driver)
  set(second device)
  if(kind STREQUAL "split")
    set(first frontend)
    set(second backend)
  endif()
  string(REPLACE "-" "_" snake "${name}")
  set(files)
  set(parts messages.hpp ${first}_base.hpp ${second}_base.hpp demo.cpp)
  if(kind STREQUAL "virtio")
    list(APPEND parts queues_test.cpp)
  endif()
  foreach(part ${parts})
    list(APPEND files "${output_dir}/${snake}_${part}")
  endforeach()
  set(${result} ${files} PARENT_SCOPE)
endfunction()
