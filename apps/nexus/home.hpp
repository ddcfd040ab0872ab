// home: a person's Nexus directory ($NEXUS_HOME, default ~/.nexus) as the
// CLI keeps it.
//
//   $NEXUS_HOME/                 0700
//     config.json                0600  broker, display name, default mesh, settings
//     identity.key               0600  ed25519 secret key (128 hex): who this home is
//     meshes/<meshId>/           0700  one group of files per joined mesh
//       mesh.json                0600  mesh id and name, member id, broker, role, status
//       root.key                 0600  the mesh root key (from an invite claim), base64url
//       owner.key                0600  the mesh owner secret (only for a mesh created here)
//       inbox.jsonl              0600  received messages not yet shown by `nexus inbox`
//       peers.json               0600  the last peer list (names of members now offline)
//
// Every file is written atomically (a temp file in the same directory, fsync,
// rename) with mode 0600. A secret file readable by group or others is
// refused with a hint (`nexus doctor --fix` tightens it and says so).
//
// Not thread-safe: one CLI process, one thread touching the home.
#pragma once

#include "crypto/secret_buffer.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nexus::cli {

/// --home, else $NEXUS_HOME, else ~/.nexus (absolute).
std::string resolve_home(const std::optional<std::string>& flag);

/// Writes `content` to `path` atomically with mode 0600.
void write_private_file(const std::string& path, const std::string& content);
/// The whole file; nullopt when it does not exist (throws cli_error on other errors).
std::optional<std::string> read_file(const std::string& path);
/// Creates `path` (and missing parents) with mode 0700.
void make_private_dir(const std::string& path);

/// Mode bits (e.g. 0644) of `path`, or nullopt when absent.
std::optional<unsigned> file_mode(const std::string& path);
/// Throws cli_error (exit 1) with a chmod hint when `path` is group/other accessible.
void require_private(const std::string& path);

struct identity {
  std::string pubkey_hex;                          ///< ed25519 public key
  std::shared_ptr<const crypto::secret_buffer> secret; ///< 64 bytes
};

struct home_config {
  std::string broker;        ///< ws URL; "" = default
  std::string display_name;
  std::string default_mesh;  ///< mesh id; "" = none
  std::vector<std::pair<std::string, std::string>> settings; ///< client_settings keys
};

struct mesh_record {
  std::string mesh_id;
  std::string mesh_name;
  std::string member_id;
  std::string broker;        ///< "" = the home's
  std::string display_name;  ///< "" = the home's / the member's
  std::string role;          ///< "member" | "admin" | "owner" (informational)
  std::string status;        ///< "" | idle | working | dnd — applied on every connect
  std::string summary;       ///< "" = none — applied on every connect
  std::string owner_pubkey;  ///< when known
  int64_t joined_at_ms = 0;
};

class home {
public:
  explicit home(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }
  std::string config_path() const { return dir_ + "/config.json"; }
  std::string identity_path() const { return dir_ + "/identity.key"; }
  std::string meshes_dir() const { return dir_ + "/meshes"; }
  std::string mesh_dir(const std::string& mesh_id) const { return meshes_dir() + "/" + mesh_id; }
  std::string mesh_file(const std::string& mesh_id, const std::string& name) const {
    return mesh_dir(mesh_id) + "/" + name;
  }

  bool initialised() const;
  /// Throws cli_error (exit 1) with "run nexus init" when not initialised.
  void require_initialised() const;

  home_config load_config() const;
  void save_config(const home_config& c) const;

  /// Creates identity.key when absent; returns the identity either way.
  identity create_identity() const;
  /// Loads identity.key (refusing loose permissions or a malformed key).
  identity load_identity() const;

  std::vector<mesh_record> meshes() const;
  void save_mesh(const mesh_record& m) const;
  /// Removes the mesh's whole file group; false if it was not there.
  bool remove_mesh(const std::string& mesh_id) const;

  /// The mesh `selector` names (id, id prefix or name), else the default
  /// mesh, else the only one. Throws cli_error (usage / not found) otherwise.
  mesh_record select_mesh(const std::optional<std::string>& selector) const;

private:
  std::string dir_;
};

} // namespace nexus::cli
