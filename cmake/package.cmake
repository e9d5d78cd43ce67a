# Installation and the vgen CMake package, in two forms:
# - the install tree: `cmake --install` puts vgen in bin/, the runtime library in lib/, its
#   headers in include/, the templates in share/vgen/templates and the package in
#   lib/cmake/vgen, so that find_package(vgen) works against the prefix;
# - the build tree: <build>/vgenConfig.cmake, so a project configured with
#   -Dvgen_DIR=<build> uses this build's vgen and runtime without installing or rebuilding.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The runtime's headers come from the source tree here and from include/ once installed.
set_target_properties(vgen_runtime PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES
    "$<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/runtime/include>;$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>"
  EXPORT_NAME runtime)
set_target_properties(vgen_flags PROPERTIES EXPORT_NAME flags)
set_target_properties(vgen_testing PROPERTIES EXPORT_NAME testing)

install(TARGETS vgen vgen_runtime vgen_testing vgen_flags EXPORT vgenTargets
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/templates/ DESTINATION ${CMAKE_INSTALL_DATADIR}/vgen/templates)

set(VGEN_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/vgen)
install(EXPORT vgenTargets NAMESPACE vgen:: DESTINATION ${VGEN_PACKAGE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/vgenConfigVersion.cmake COMPATIBILITY SameMinorVersion)

# Install tree: paths relative to the package folder, so the prefix can move.
set(VGEN_CONFIG_TEMPLATES_DIR "\${CMAKE_CURRENT_LIST_DIR}/../../../${CMAKE_INSTALL_DATADIR}/vgen/templates")
set(VGEN_CONFIG_GENERATE_MODULE "\${CMAKE_CURRENT_LIST_DIR}/vgenGenerate.cmake")
configure_file(${PROJECT_SOURCE_DIR}/cmake/vgenConfig.cmake.in ${PROJECT_BINARY_DIR}/package/vgenConfig.cmake @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/package/vgenConfig.cmake ${PROJECT_BINARY_DIR}/vgenConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/vgenGenerate.cmake
        DESTINATION ${VGEN_PACKAGE_DIR})

# Build tree.
export(EXPORT vgenTargets NAMESPACE vgen:: FILE ${PROJECT_BINARY_DIR}/vgenTargets.cmake)
set(VGEN_CONFIG_TEMPLATES_DIR "${VGEN_BUILD_TEMPLATES_DIR}")
set(VGEN_CONFIG_GENERATE_MODULE "${PROJECT_SOURCE_DIR}/cmake/vgenGenerate.cmake")
configure_file(${PROJECT_SOURCE_DIR}/cmake/vgenConfig.cmake.in ${PROJECT_BINARY_DIR}/vgenConfig.cmake @ONLY)

# Inside this build, vgen_generate() uses the vgen target and the build tree's templates.
set(VGEN_TEMPLATES_DIR "${VGEN_BUILD_TEMPLATES_DIR}")
include(vgenGenerate)
