# Installation and the vgen CMake package, in two forms:
# - the install tree: `cmake --install` puts vgen in bin/, the runtime library in lib/, its
#   headers in include/, the templates in share/vgen/templates and the package in
#   lib/cmake/vgen, so that find_package(vgen) works against the prefix;
# - the build tree: <build>/vgenConfig.cmake, so a project configured with
#   -Dvgen_DIR=<build> uses this build's vgen and runtime without installing or rebuilding.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Every runtime layer (runtime/CMakeLists.txt) is exported; vgen::runtime is their umbrella and
# vgen::testing the test support. Headers come from the source tree here and from include/ once
# installed (vgen_base carries both paths).
get_property(_vgen_layers GLOBAL PROPERTY VGEN_RUNTIME_LAYERS)
list(TRANSFORM _vgen_layers PREPEND vgen_ OUTPUT_VARIABLE _vgen_layer_targets)
set_target_properties(vgen_flags PROPERTIES EXPORT_NAME flags)

install(TARGETS vgen vgen_base ${_vgen_layer_targets} vgen_runtime vgen_flags vgen_conform EXPORT vgenTargets
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
# vgen's clang module, where vgen looks for it: <prefix>/bin/../lib/vgen (gen/import).
install(TARGETS vgen-clang LIBRARY DESTINATION lib/vgen)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/templates/ DESTINATION ${CMAKE_INSTALL_DATADIR}/vgen/templates)
# The conformance harness (vgen::conform): its headers, its requirement catalogues and the main
# of a pair's conformance program (vgen_conform()).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/conformance/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/conformance/catalogue/ DESTINATION ${CMAKE_INSTALL_DATADIR}/vgen/conformance)
install(FILES ${PROJECT_SOURCE_DIR}/conformance/tool/pair_main.cpp DESTINATION ${CMAKE_INSTALL_DATADIR}/vgen/conformance)

set(VGEN_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/vgen)
install(EXPORT vgenTargets NAMESPACE vgen:: DESTINATION ${VGEN_PACKAGE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/vgenConfigVersion.cmake COMPATIBILITY SameMinorVersion)

# Install tree: paths relative to the package folder, so the prefix can move.
set(VGEN_CONFIG_TEMPLATES_DIR "\${CMAKE_CURRENT_LIST_DIR}/../../../${CMAKE_INSTALL_DATADIR}/vgen/templates")
set(VGEN_CONFIG_GENERATE_MODULE "\${CMAKE_CURRENT_LIST_DIR}/vgenGenerate.cmake")
set(VGEN_CONFIG_CONFORM_MODULE "\${CMAKE_CURRENT_LIST_DIR}/vgenConform.cmake")
set(VGEN_CONFIG_CONFORM_DIR "\${CMAKE_CURRENT_LIST_DIR}/../../../${CMAKE_INSTALL_DATADIR}/vgen/conformance")
set(VGEN_CONFIG_CONFORM_MAIN "${VGEN_CONFIG_CONFORM_DIR}/pair_main.cpp")
configure_file(${PROJECT_SOURCE_DIR}/cmake/vgenConfig.cmake.in ${PROJECT_BINARY_DIR}/package/vgenConfig.cmake @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/package/vgenConfig.cmake ${PROJECT_BINARY_DIR}/vgenConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/vgenGenerate.cmake ${PROJECT_SOURCE_DIR}/cmake/vgenConform.cmake
        DESTINATION ${VGEN_PACKAGE_DIR})

# Build tree.
export(EXPORT vgenTargets NAMESPACE vgen:: FILE ${PROJECT_BINARY_DIR}/vgenTargets.cmake)
set(VGEN_CONFIG_TEMPLATES_DIR "${VGEN_BUILD_TEMPLATES_DIR}")
set(VGEN_CONFIG_GENERATE_MODULE "${PROJECT_SOURCE_DIR}/cmake/vgenGenerate.cmake")
set(VGEN_CONFIG_CONFORM_MODULE "${PROJECT_SOURCE_DIR}/cmake/vgenConform.cmake")
set(VGEN_CONFIG_CONFORM_DIR "${PROJECT_SOURCE_DIR}/conformance/catalogue")
set(VGEN_CONFIG_CONFORM_MAIN "${PROJECT_SOURCE_DIR}/conformance/tool/pair_main.cpp")
configure_file(${PROJECT_SOURCE_DIR}/cmake/vgenConfig.cmake.in ${PROJECT_BINARY_DIR}/vgenConfig.cmake @ONLY)

# Inside this build, vgen_generate() uses the vgen target and the build tree's templates.
set(VGEN_TEMPLATES_DIR "${VGEN_BUILD_TEMPLATES_DIR}")
include(vgenGenerate)
# ... and vgen_conform() the harness built here.
set(VGEN_CONFORM_MAIN "${VGEN_CONFIG_CONFORM_MAIN}")
set(VGEN_CONFORM_CATALOGUE_DIR "${VGEN_CONFIG_CONFORM_DIR}")
include(vgenConform)

# What a project configured with -Dvgen_DIR=<this build tree> needs built: vgen, its clang
# module (for `from:` layout checks), every runtime layer, the test support and the conformance
# harness. The main job (scripts/demo.sh) builds only this.
add_custom_target(vgen_package DEPENDS vgen vgen-clang ${_vgen_layer_targets} vgen_testing vgen_conform)
