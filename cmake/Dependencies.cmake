# System packages only (see ../shared/STACK.md). CAF ships no CMake config.
find_package(Threads REQUIRED)
find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
foreach(_c core io)
  find_library(CAF_${_c}_LIBRARY caf_${_c} REQUIRED)
  add_library(CAF::${_c} SHARED IMPORTED)
  set_target_properties(CAF::${_c} PROPERTIES
    IMPORTED_LOCATION "${CAF_${_c}_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES Threads::Threads)
endforeach()
set_property(TARGET CAF::io APPEND PROPERTY INTERFACE_LINK_LIBRARIES CAF::core)

find_package(Boost 1.81 REQUIRED CONFIG)        # Boost::headers (Beast is header-only)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
find_package(PostgreSQL REQUIRED)               # PostgreSQL::PostgreSQL
find_package(RapidJSON REQUIRED CONFIG)
add_library(nexus_rapidjson INTERFACE)
target_include_directories(nexus_rapidjson SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIRS})
target_compile_definitions(nexus_rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)

# jemalloc for nexusd (not under the sanitizers, which bring their own
# allocator): per-thread caches instead of glibc's arenas and fastbin
# consolidation. The 100 × 1000 benchmark: node CPU ×0.7 (bench/RESULTS.md,
# round 7); malloc/free had been a third of the CAF workers' samples.
if(NOT NEXUS_SANITIZE)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
endif()
