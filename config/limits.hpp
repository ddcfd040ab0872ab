// Compile-time defaults and ceilings of the wire bounds, with the relations
// between them checked where they are declared. The runtime values are config
// keys (config_keys.cpp); relations between runtime values are checked by the
// loader.
#pragma once

#include <cstdint>

namespace nexus::limits {

/// Spec §1.9: MAX_MESSAGE_BYTES.
constexpr int64_t frame_bytes_default = 65536;
/// Hard ceiling for frame_bytes_max: 16 MiB keeps one frame's parse bounded.
constexpr int64_t frame_bytes_ceiling = 16 * 1024 * 1024;
/// Spec §6.1: JSON bodies share MAX_MESSAGE_BYTES.
constexpr int64_t http_body_bytes_default = frame_bytes_default;

/// No client frame nests deeper than ~6; 32 leaves room without letting a
/// hostile frame drive a recursive walk.
constexpr int64_t json_depth_default = 32;
constexpr int64_t json_depth_ceiling = 512;

static_assert(frame_bytes_default <= frame_bytes_ceiling);
static_assert(http_body_bytes_default <= frame_bytes_ceiling);
static_assert(json_depth_default <= json_depth_ceiling);

} // namespace nexus::limits
