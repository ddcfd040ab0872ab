#include "storage/mesh_admin.hpp"

#include "crypto/sodium.hpp"
#include "storage/identity_sql.hpp"

#include <sodium.h>

namespace nexus::storage {

namespace {

constexpr size_t id_chars = 32;           // §0.3 ids, deviation 12
constexpr size_t root_key_bytes = 32;     // §0.1
constexpr size_t slug_chars_max = 64;

/// Number of UTF-8 characters, or nullopt for malformed UTF-8 or a control
/// character (C0, DEL, C1): names end up in aligned tables and log lines.
std::optional<size_t> printable_utf8_chars(std::string_view s) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size())
      return std::nullopt;
    uint32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80)
        return std::nullopt;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return std::nullopt; // overlong, out of range, surrogate
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
      return std::nullopt;
    ++chars;
    i += len;
  }
  return chars;
}

} // namespace

std::string normalize_pubkey(std::string_view pubkey) {
  std::string out(pubkey);
  for (auto& c : out)
    if (c >= 'A' && c <= 'F')
      c = static_cast<char>(c - 'A' + 'a');
  if (!crypto::is_lower_hex(out, 64))
    throw admin_error(admin_errc::invalid_argument,
                      "pubkey must be 64 hex characters (an ed25519 public key), got " +
                          std::to_string(pubkey.size()) + " characters");
  return out;
}

void validate_name(std::string_view name, std::string_view what) {
  if (name.empty())
    throw admin_error(admin_errc::invalid_argument, std::string(what) + " must not be empty");
  auto chars = printable_utf8_chars(name);
  if (!chars)
    throw admin_error(admin_errc::invalid_argument,
                      std::string(what) + " must be valid UTF-8 without control characters");
  if (*chars > display_name_chars_max)
    throw admin_error(admin_errc::invalid_argument,
                      std::string(what) + " is " + std::to_string(*chars) +
                          " characters long; at most " +
                          std::to_string(display_name_chars_max) + " are allowed");
}

void validate_role(std::string_view role) {
  if (role != "admin" && role != "member")
    throw admin_error(admin_errc::invalid_argument,
                      "role must be admin or member, got \"" + std::string(role) + "\"");
}

std::string slug_of(std::string_view name) {
  std::string slug;
  for (char c : name) {
    if (slug.size() >= slug_chars_max)
      break;
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
      slug += c;
    else if (c >= 'A' && c <= 'Z')
      slug += static_cast<char>(c - 'A' + 'a');
    else if (!slug.empty() && slug.back() != '-')
      slug += '-';
  }
  while (!slug.empty() && slug.back() == '-')
    slug.pop_back();
  return slug;
}

std::string mesh_root_key_context(std::string_view mesh_id) {
  return "nexus mesh root key v1:" + std::string(mesh_id);
}

mesh_draft draft_mesh(std::string_view name) {
  validate_name(name, "mesh name");
  mesh_draft d;
  d.id = crypto::random_base62(id_chars);
  d.name = std::string(name);
  auto [sk, pk] = crypto::ed25519_generate();
  d.owner_pubkey = crypto::to_hex(pk);
  d.owner_secret = crypto::secret_buffer(sk.data(), sk.size());
  sodium_memzero(sk.data(), sk.size()); // the vector copy must not outlive this scope readable
  return d;
}

mesh_row insert_mesh(pg_connection& conn, const node_key& key, const mesh_draft& draft,
                     std::optional<std::string_view> owner_name) {
  validate_name(draft.name, "mesh name");
  if (owner_name)
    validate_name(*owner_name, "owner name");
  auto root_key = crypto::secret_buffer::random(root_key_bytes);
  auto sealed = key.seal(root_key, mesh_root_key_context(draft.id));
  auto slug = slug_of(draft.name);
  std::vector<param> params{draft.id, draft.name, slug.empty() ? param{} : param{slug},
                            draft.owner_pubkey, crypto::to_hex(sealed)};
  if (!owner_name)
    return mesh_from(conn.exec(broker_sql::insert_mesh, params), 0);
  params.push_back(crypto::random_base62(id_chars));
  params.push_back(std::string(*owner_name));
  conn.exec(identity_sql::create_mesh, params);
  return require_mesh(conn, draft.id);
}

mesh_row require_mesh(pg_connection& conn, const std::string& mesh_id) {
  auto rs = conn.exec(broker_sql::select_mesh, {mesh_id});
  if (rs.rows.empty())
    throw admin_error(admin_errc::not_found, "mesh " + mesh_id + " not found");
  return mesh_from(rs, 0);
}

crypto::secret_buffer open_root_key(const node_key& key, const mesh_row& mesh) {
  auto sealed = crypto::from_hex(mesh.root_key_enc_hex);
  std::optional<crypto::secret_buffer> plain;
  if (sealed)
    plain = key.open(*sealed, mesh_root_key_context(mesh.id));
  if (!plain)
    throw admin_error(admin_errc::conflict,
                      "the root key of mesh " + mesh.id +
                          " does not open with this node key (is node.key the cluster's?)");
  return std::move(*plain);
}

member_row add_member(pg_connection& conn, const std::string& mesh_id, std::string_view pubkey,
                      std::string_view display_name, std::string_view role) {
  auto key = normalize_pubkey(pubkey);
  validate_name(display_name, "member name");
  validate_role(role);
  require_mesh(conn, mesh_id);
  try {
    auto rs = conn.exec(broker_sql::insert_member,
                        {crypto::random_base62(id_chars), mesh_id, key, std::string(display_name),
                         std::string(role), param{}, param{}});
    return member_from(rs, 0);
  } catch (const storage_error& e) {
    if (e.code() != storage_errc::unique_violation)
      throw;
    auto existing = conn.exec(broker_sql::select_active_member, {mesh_id, key});
    std::string who = existing.rows.empty()
                          ? std::string()
                          : " as member " + member_from(existing, 0).id + " (\"" +
                                member_from(existing, 0).display_name + "\")";
    throw admin_error(admin_errc::conflict, "pubkey " + key + " is already active in mesh " +
                                                mesh_id + who + "; revoke it first");
  }
}

std::vector<member_row> list_members(pg_connection& conn, const std::string& mesh_id) {
  require_mesh(conn, mesh_id);
  auto rs = conn.exec(broker_sql::list_members, {mesh_id});
  std::vector<member_row> out;
  out.reserve(rs.rows.size());
  for (size_t i = 0; i < rs.rows.size(); ++i)
    out.push_back(member_from(rs, i));
  return out;
}

member_row revoke_member(pg_connection& conn, const std::string& mesh_id,
                         const std::string& member_id) {
  require_mesh(conn, mesh_id);
  auto rs = conn.exec(broker_sql::revoke_member, {mesh_id, member_id});
  if (!rs.rows.empty())
    return member_from(rs, 0);
  auto any = conn.exec(broker_sql::select_member_by_id, {mesh_id, member_id});
  if (any.rows.empty())
    throw admin_error(admin_errc::not_found,
                      "member " + member_id + " not found in mesh " + mesh_id);
  throw admin_error(admin_errc::conflict, "member " + member_id + " is already revoked");
}

} // namespace nexus::storage
