# vgen_conform(TARGET <executable> PAIR <library>
#              FIRST <type> FIRST_HEADER <header> SECOND <type> SECOND_HEADER <header>)
#
# Makes <executable> the conformance program of a pair: vgen's harness (vgen::conform) with
# the pair's two user halves linked in from <library>. FIRST is the driver, frontend or host
# class, SECOND the device, backend or remote class, each with the header declaring it. Run it
# as `<executable> --conform virtio|xenbus|rpmsg --role ...` (docs/conformance.md); it checks
# its halves requirement by requirement against the catalogues of this vgen.
function(vgen_conform)
  cmake_parse_arguments(ARG "" "TARGET;PAIR;FIRST;FIRST_HEADER;SECOND;SECOND_HEADER" "" ${ARGN})
  foreach(required IN ITEMS TARGET PAIR FIRST FIRST_HEADER SECOND SECOND_HEADER)
    if(NOT ARG_${required})
      message(FATAL_ERROR "vgen_conform: ${required} is required")
    endif()
  endforeach()
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "vgen_conform: unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  foreach(target IN ITEMS ${ARG_TARGET} ${ARG_PAIR})
    if(NOT TARGET ${target})
      message(FATAL_ERROR "vgen_conform: '${target}' is not a target")
    endif()
  endforeach()
  target_sources(${ARG_TARGET} PRIVATE "${VGEN_CONFORM_MAIN}")
  target_compile_definitions(${ARG_TARGET} PRIVATE
    VGEN_CONFORM_FIRST_HEADER="${ARG_FIRST_HEADER}" VGEN_CONFORM_SECOND_HEADER="${ARG_SECOND_HEADER}"
    VGEN_CONFORM_FIRST=${ARG_FIRST} VGEN_CONFORM_SECOND=${ARG_SECOND}
    VGEN_CONFORM_CATALOGUE_DIR="${VGEN_CONFORM_CATALOGUE_DIR}")
  target_link_libraries(${ARG_TARGET} PRIVATE ${ARG_PAIR} vgen::conform)
endfunction()
