// The version this build reports (/health, /health/ready, --version), taken
// from project(VERSION) in the top-level CMakeLists.txt so it cannot drift.
#pragma once

namespace nexus {

inline constexpr const char* version = NEXUS_VERSION;

} // namespace nexus
