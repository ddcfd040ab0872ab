// Commands that need no connection: init, list, leave, whoami, mesh import,
// completions.
#include "apps/nexus/cli_error.hpp"
#include "apps/nexus/commands.hpp"
#include "apps/nexus/mesh_session.hpp"
#include "apps/nexus/output.hpp"
#include "actors/status.hpp"

#include <iostream>

namespace nexus::cli {

int run_init(context& ctx) {
  const bool existed = ctx.home.initialised();
  make_private_dir(ctx.home.dir());
  auto id = ctx.home.create_identity();
  auto cfg = ctx.home.load_config();
  if (ctx.global.broker) {
    broker_for(ctx, nullptr); // validates the URL
    cfg.broker = *ctx.global.broker;
  }
  if (auto name = ctx.option("name"))
    cfg.display_name = *name;
  if (cfg.broker.empty())
    cfg.broker = broker_for(ctx, nullptr).ws_url();
  ctx.home.save_config(cfg);
  if (ctx.global.json) {
    json_out j;
    j.w.str_field("home", ctx.home.dir());
    j.w.str_field("pubkey", id.pubkey_hex);
    j.w.str_field("broker", cfg.broker);
    j.w.str_field("displayName", cfg.display_name);
    j.w.bool_field("created", !existed);
    j.done();
    return exit_ok;
  }
  std::cout << (existed ? "Nexus home already set up at " : "Created Nexus home at ") << ctx.home.dir()
            << "\n";
  print_fields({{"public key", id.pubkey_hex}, {"broker", cfg.broker},
                {"display name", cfg.display_name.empty() ? "(not set)" : cfg.display_name}});
  if (!existed)
    std::cout << "\nNext: nexus join CODE, nexus mesh create NAME, or give the public key to a\n"
                 "mesh operator (nexusd member add) and run nexus mesh import.\n";
  return exit_ok;
}

int run_mesh_import(context& ctx) {
  auto id = ctx.home.load_identity();
  mesh_record m;
  m.mesh_id = ctx.args.at(0);
  m.member_id = ctx.option("member-id").value_or("");
  if (m.member_id.empty())
    throw usage_error("--member-id ID is required (from nexusd member add)", "mesh import");
  m.mesh_name = ctx.option("label").value_or(m.mesh_id);
  m.broker = ctx.global.broker.value_or("");
  if (!m.broker.empty())
    broker_for(ctx, &m);
  m.role = "member";
  m.joined_at_ms = unix_now_ms();
  ctx.home.save_mesh(m);
  auto cfg = ctx.home.load_config();
  if (cfg.default_mesh.empty()) {
    cfg.default_mesh = m.mesh_id;
    ctx.home.save_config(cfg);
  }
  if (ctx.global.json) {
    json_out j;
    j.w.str_field("meshId", m.mesh_id);
    j.w.str_field("name", m.mesh_name);
    j.w.str_field("memberId", m.member_id);
    j.w.str_field("pubkey", id.pubkey_hex);
    j.done();
  } else {
    std::cout << "Imported mesh " << m.mesh_name << " (" << m.mesh_id << ") as member " << m.member_id
              << "\n";
  }
  return exit_ok;
}

int run_list(context& ctx) {
  ctx.home.require_initialised();
  auto meshes = ctx.home.meshes();
  auto def = ctx.home.load_config().default_mesh;
  if (ctx.global.json) {
    json_out j;
    j.w.key("meshes");
    j.w.begin_array();
    for (const auto& m : meshes) {
      j.w.begin_object();
      j.w.str_field("meshId", m.mesh_id);
      j.w.str_field("name", m.mesh_name);
      j.w.str_field("memberId", m.member_id);
      j.w.str_field("role", m.role);
      j.w.str_field("broker", broker_for(ctx, &m).ws_url());
      j.w.bool_field("default", m.mesh_id == def || meshes.size() == 1);
      j.w.end_object();
    }
    j.w.end_array();
    j.done();
    return exit_ok;
  }
  if (meshes.empty()) {
    std::cout << "No meshes yet: nexus join CODE, or nexus mesh create NAME.\n";
    return exit_ok;
  }
  table t({"", "NAME", "MESH ID", "ROLE", "BROKER"});
  for (const auto& m : meshes)
    t.row({m.mesh_id == def || meshes.size() == 1 ? "*" : "", m.mesh_name, m.mesh_id, m.role,
           broker_for(ctx, &m).ws_url()});
  t.print();
  return exit_ok;
}

int run_leave(context& ctx) {
  ctx.home.require_initialised();
  auto m = ctx.home.select_mesh(ctx.args.at(0));
  ctx.home.remove_mesh(m.mesh_id);
  auto cfg = ctx.home.load_config();
  if (cfg.default_mesh == m.mesh_id) {
    cfg.default_mesh.clear();
    ctx.home.save_config(cfg);
  }
  if (ctx.global.json) {
    json_out j;
    j.w.str_field("meshId", m.mesh_id);
    j.w.bool_field("removed", true);
    j.done();
  } else {
    std::cout << "Left " << m.mesh_name << " (" << m.mesh_id
              << "): its files are gone from this home. An admin can revoke the membership.\n";
  }
  return exit_ok;
}

int run_whoami(context& ctx) {
  auto id = ctx.home.load_identity();
  auto cfg = ctx.home.load_config();
  std::optional<mesh_record> m;
  if (!ctx.home.meshes().empty()) {
    try {
      m = ctx.home.select_mesh(ctx.global.mesh);
    } catch (const cli_error&) {
      if (ctx.global.mesh)
        throw; // an explicit --mesh that is wrong is an error; "several meshes" is not
    }
  }
  const std::string name = m && !m->display_name.empty() ? m->display_name : cfg.display_name;
  if (ctx.global.json) {
    json_out j;
    j.w.str_field("home", ctx.home.dir());
    j.w.str_field("pubkey", id.pubkey_hex);
    j.w.str_field("displayName", name);
    if (m) {
      j.w.str_field("meshId", m->mesh_id);
      j.w.str_field("meshName", m->mesh_name);
      j.w.str_field("memberId", m->member_id);
      j.w.str_field("role", m->role);
    }
    j.w.str_field("broker", broker_for(ctx, m ? &*m : nullptr).ws_url());
    j.done();
    return exit_ok;
  }
  std::vector<std::pair<std::string, std::string>> f = {
      {"home", ctx.home.dir()}, {"public key", id.pubkey_hex},
      {"display name", name.empty() ? "(not set)" : name}};
  if (m) {
    f.push_back({"mesh", m->mesh_name + " (" + m->mesh_id + ")"});
    f.push_back({"member id", m->member_id});
    f.push_back({"role", m->role});
  }
  f.push_back({"broker", broker_for(ctx, m ? &*m : nullptr).ws_url()});
  print_fields(f);
  return exit_ok;
}

} // namespace nexus::cli
