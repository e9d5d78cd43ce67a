# cmake -DSOURCE=<vgen source> -DSPEC=<spec> -DOUT=<folder> -P list-outputs.cmake
# Prints, one a line on stdout, the files vgen_generate() expects for SPEC when it derives the
# list itself (inside vgen's own build).
include(${SOURCE}/cmake/vgenGenerate.cmake)
_vgen_outputs_from_spec(${SPEC} ${OUT} files)
foreach(file IN LISTS files)
  execute_process(COMMAND ${CMAKE_COMMAND} -E echo "${file}")
endforeach()
