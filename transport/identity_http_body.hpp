// identity_http_body: the JSON of the identity HTTP routes (docs/identity.md)
// — POST /api/meshes, GET /invites/<code>, POST /invites/<code>/claim:
// request bodies to plain values and the replies to JSON text. The route
// logic lives in actors/identity_router.*; JSON stays here in transport.
//
// Pure functions, no shared state: safe from any thread.
#pragma once

#include "transport/frames_identity.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nexus::wire {

/// A body that did not decode: always 400 `malformed` with a detail naming
/// the field (§6.6: invalid JSON, missing or non-string key).
struct body_error {
  std::string detail;
};

template <class T>
struct body_result {
  std::optional<T> value;
  body_error error; ///< when !value
};

/// POST /api/meshes. `authorization` is the Authorization header, if any:
/// "Bearer <token>" supplies the operator token when the body has none.
body_result<mesh_create_request> decode_mesh_create_body(std::string_view text, int64_t json_depth_max,
                                                         const std::string* authorization);

/// POST /invites/<code>/claim.
body_result<invite_claim_request> decode_claim_body(std::string_view text, int64_t json_depth_max);

/// {"error":<code>[,"detail":<detail>]}
std::string encode_http_error(std::string_view code, std::string_view detail = {});
/// 201 body of POST /api/meshes.
std::string encode_mesh_created_body(const mesh_created_frame& f);
/// 200 body of a claim.
std::string encode_claim_body(const invite_claim_response& r);
/// 200 body of GET /invites/<code>.
std::string encode_preview_body(const invite_preview_response& r);

} // namespace nexus::wire
