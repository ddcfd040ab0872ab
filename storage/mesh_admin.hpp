// mesh_admin: operator bootstrap of meshes and members without invites
// (`nexusd mesh create`, `nexusd member add|list|revoke`), as plain blocking
// functions on a pg_connection whose schema is migrated.
//
// Validation happens here, before any SQL, and failures are admin_error with
// a code the CLI maps to its exit status and a one-line message that names
// the offending value (never a secret).
//
// Not thread-safe beyond pg_connection's own rule: call from the thread that
// owns the connection.
#pragma once

#include "crypto/secret_buffer.hpp"
#include "storage/broker_sql.hpp"
#include "storage/node_key.hpp"
#include "storage/pg_connection.hpp"

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace nexus::storage {

enum class admin_errc : uint8_t {
  invalid_argument, ///< a value is malformed (name, pubkey, role, id)
  not_found,        ///< the mesh or member does not exist
  conflict,         ///< the request contradicts existing state (duplicate, already revoked)
};

struct admin_error : std::runtime_error {
  admin_error(admin_errc c, const std::string& message) : std::runtime_error(message), code(c) {}
  admin_errc code;
};

constexpr size_t display_name_chars_max = 256;

/// Lowercases a 64-hex-digit ed25519 public key; admin_error(invalid_argument)
/// if it is anything else.
std::string normalize_pubkey(std::string_view pubkey);
/// Non-empty, at most display_name_chars_max UTF-8 characters, valid UTF-8,
/// no control characters; admin_error(invalid_argument) otherwise.
void validate_name(std::string_view name, std::string_view what);
/// "admin" or "member"; admin_error(invalid_argument) otherwise.
void validate_role(std::string_view role);
/// Lowercase ASCII letters and digits of `name`, other runs as '-', at most
/// 64 characters; may be empty (stored as NULL then).
std::string slug_of(std::string_view name);

/// Authenticated context of a mesh's sealed root key: the sealed value opens
/// only for this mesh id.
std::string mesh_root_key_context(std::string_view mesh_id);

/// A mesh about to be created: id and owner keypair generated, nothing
/// stored yet. The caller persists `owner_secret` (e.g. to a 0600 file)
/// before insert_mesh, so a stored mesh never lacks its owner key.
struct mesh_draft {
  std::string id;                     ///< 32-char base62
  std::string name;
  std::string owner_pubkey;           ///< 64 lowercase hex
  crypto::secret_buffer owner_secret; ///< 64-byte libsodium ed25519 secret key
};

/// Validates `name` and generates id and owner keypair.
mesh_draft draft_mesh(std::string_view name);

/// Stores the draft with a fresh 32-byte root key sealed under `key`. With
/// `owner_name`, the owner key also becomes an admin member of that name in
/// the same statement (so the owner can hello and invite at once).
mesh_row insert_mesh(pg_connection& conn, const node_key& key, const mesh_draft& draft,
                     std::optional<std::string_view> owner_name = std::nullopt);

/// The mesh; admin_error(not_found) if absent.
mesh_row require_mesh(pg_connection& conn, const std::string& mesh_id);

/// The mesh's root key, opened with `key`; throws admin_error(conflict) when
/// it does not open (another node key, or a tampered row).
crypto::secret_buffer open_root_key(const node_key& key, const mesh_row& mesh);

/// Adds an active member. Pubkey normalized (uppercase accepted), name and
/// role validated; mesh must exist (not_found); an active member with the
/// same pubkey → admin_error(conflict) naming that member.
member_row add_member(pg_connection& conn, const std::string& mesh_id, std::string_view pubkey,
                      std::string_view display_name, std::string_view role);

/// Every member of the mesh, revoked ones included, oldest first.
std::vector<member_row> list_members(pg_connection& conn, const std::string& mesh_id);

/// Revokes an active member: not_found for an unknown mesh or member,
/// conflict if it is already revoked.
member_row revoke_member(pg_connection& conn, const std::string& mesh_id,
                         const std::string& member_id);

} // namespace nexus::storage
