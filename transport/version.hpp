// The version this build reports (/health, /health/ready, --version).
// Keep in step with project(VERSION) in the top-level CMakeLists.txt.
#pragma once

namespace nexus {

inline constexpr const char* version = "0.1.0";

} // namespace nexus
