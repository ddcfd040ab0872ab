#include "mcp/claude_install.hpp"

#include "mcp/json_file.hpp"

#include <cstdio>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace nexus::mcp {
namespace {

using rapidjson::Value;
using alloc_t = rapidjson::Document::AllocatorType;

constexpr const char* server_key = "nexus";

/// (event, status) pairs of the status hooks.
const std::vector<std::pair<const char*, const char*>>& hook_events() {
  static const std::vector<std::pair<const char*, const char*>> events = {
      {"UserPromptSubmit", "working"}, {"Stop", "idle"}};
  return events;
}

Value str(const std::string& s, alloc_t& a) { return Value(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), a); }

Value server_entry(const install_options& o, alloc_t& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("type", "stdio", a);
  v.AddMember("command", str(o.command, a), a);
  Value args(rapidjson::kArrayType);
  for (const auto& s : o.args)
    args.PushBack(str(s, a), a);
  v.AddMember("args", args, a);
  v.AddMember("env", Value(rapidjson::kObjectType), a);
  return v;
}

/// obj[key] as an object, created when absent; nullptr when present but not
/// an object (we never overwrite what we do not understand).
Value* child_object(Value& obj, const char* key, alloc_t& a, bool& created) {
  created = false;
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) {
    obj.AddMember(Value(key, a), Value(rapidjson::kObjectType), a);
    created = true;
    return &obj[key];
  }
  return it->value.IsObject() ? &it->value : nullptr;
}

bool is_our_handler(const Value& h, const std::string& command) {
  if (!h.IsObject())
    return false;
  auto c = h.FindMember("command");
  return c != h.MemberEnd() && c->value.IsString() && command == c->value.GetString();
}

bool has_handler(const Value& event_groups, const std::string& command) {
  if (!event_groups.IsArray())
    return false;
  for (const auto& group : event_groups.GetArray()) {
    if (!group.IsObject())
      continue;
    auto hs = group.FindMember("hooks");
    if (hs == group.MemberEnd() || !hs->value.IsArray())
      continue;
    for (const auto& h : hs->value.GetArray())
      if (is_our_handler(h, command))
        return true;
  }
  return false;
}

/// Removes our handler from every group of `event_groups`, then groups left
/// without handlers. Returns how many handlers were removed.
int remove_handler(Value& event_groups, const std::string& command) {
  int removed = 0;
  if (!event_groups.IsArray())
    return 0;
  for (auto g = event_groups.Begin(); g != event_groups.End();) {
    bool drop_group = false;
    if (g->IsObject()) {
      auto hs = g->FindMember("hooks");
      if (hs != g->MemberEnd() && hs->value.IsArray()) {
        auto& arr = hs->value;
        for (auto h = arr.Begin(); h != arr.End();) {
          if (is_our_handler(*h, command)) {
            h = arr.Erase(h);
            ++removed;
          } else {
            ++h;
          }
        }
        drop_group = removed > 0 && arr.Empty();
      }
    }
    g = drop_group ? event_groups.Erase(g) : g + 1;
  }
  return removed;
}

std::string hook_line(const install_options& o, const char* status) {
  return o.hook_command + " " + status;
}

/// The install record: what to undo.
struct record {
  bool present = false;
  rapidjson::Document doc; // {"server":{...},"previous_server":{...}|null,
                           //  "created_mcpServers":bool,"hooks":["cmd",...],
                           //  "created_hooks":bool,"created_settings":bool}
};

record load_record(const std::string& nexus_home) {
  record r;
  auto f = load_json_file(install_record_path(nexus_home));
  r.present = f.existed;
  r.doc.CopyFrom(f.doc, r.doc.GetAllocator());
  return r;
}

bool flag(const Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  return it != obj.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

void set(Value& obj, const char* key, Value v, alloc_t& a) {
  auto it = obj.FindMember(key);
  if (it != obj.MemberEnd())
    it->value = std::move(v);
  else
    obj.AddMember(Value(key, a), std::move(v), a);
}

void save(json_file& f, install_report& rep) {
  auto backup = save_json_file(f);
  if (!backup.empty())
    rep.backups.push_back(backup);
  rep.changed = true;
}

} // namespace

std::string claude_json_path(const std::string& user_home) { return user_home + "/.claude.json"; }
std::string claude_settings_path(const std::string& user_home) {
  return user_home + "/.claude/settings.json";
}
std::string install_record_path(const std::string& nexus_home) {
  return nexus_home + "/claude-install.json";
}

install_report install_claude_code(const install_options& o) {
  install_report rep;
  // Read everything first: a bad file stops us before anything is written.
  auto cfg = load_json_file(claude_json_path(o.user_home));
  auto settings = load_json_file(claude_settings_path(o.user_home));
  auto rec = load_record(o.nexus_home);
  auto& ra = rec.doc.GetAllocator();
  if (!rec.present)
    rec.doc.SetObject();

  // --- ~/.claude.json: mcpServers.nexus ---
  auto& ca = cfg.doc.GetAllocator();
  bool created_servers = false;
  Value* servers = child_object(cfg.doc, "mcpServers", ca, created_servers);
  if (servers == nullptr)
    throw json_file_error(cfg.path + ": mcpServers is not an object; nothing was changed");
  Value wanted = server_entry(o, ca);
  auto current = servers->FindMember(server_key);
  bool cfg_changed = false;
  if (current != servers->MemberEnd() && current->value == wanted) {
    rep.notes.push_back("mcpServers.nexus in " + cfg.path + " is already up to date");
  } else {
    // Remember what we replace, once: a re-install must not record our own
    // older entry as the user's.
    if (!rec.doc.HasMember("previous_server")) {
      Value prev;
      if (current != servers->MemberEnd())
        prev.CopyFrom(current->value, ra);
      set(rec.doc, "previous_server", std::move(prev), ra);
      set(rec.doc, "created_mcpServers", Value(created_servers), ra);
    }
    Value copy;
    copy.CopyFrom(wanted, ra);
    set(rec.doc, "server", std::move(copy), ra);
    if (current != servers->MemberEnd())
      current->value = std::move(wanted);
    else
      servers->AddMember(Value(server_key, ca), std::move(wanted), ca);
    cfg_changed = true;
    rep.notes.push_back("added mcpServers.nexus to " + cfg.path);
  }

  // --- ~/.claude/settings.json: status hooks ---
  bool settings_changed = false;
  if (o.hooks) {
    auto& sa = settings.doc.GetAllocator();
    bool created_hooks = false;
    Value* hooks = child_object(settings.doc, "hooks", sa, created_hooks);
    if (hooks == nullptr)
      throw json_file_error(settings.path + ": hooks is not an object; nothing was changed");
    if (!rec.doc.HasMember("hooks")) {
      set(rec.doc, "hooks", Value(rapidjson::kArrayType), ra);
      set(rec.doc, "created_hooks", Value(created_hooks), ra);
      set(rec.doc, "created_settings", Value(!settings.existed), ra);
      struct stat st{};
      const std::string dir = settings.path.substr(0, settings.path.find_last_of('/'));
      bool dir_existed = ::stat(dir.c_str(), &st) == 0;
      set(rec.doc, "created_settings_dir", Value(!dir_existed), ra);
    }
    for (const auto& [event, status] : hook_events()) {
      std::string cmd = hook_line(o, status);
      auto ev = hooks->FindMember(event);
      if (ev == hooks->MemberEnd()) {
        hooks->AddMember(Value(event, sa), Value(rapidjson::kArrayType), sa);
        ev = hooks->FindMember(event);
      }
      if (!ev->value.IsArray())
        throw json_file_error(settings.path + ": hooks." + event +
                              " is not an array; nothing was changed");
      if (has_handler(ev->value, cmd))
        continue;
      Value handler(rapidjson::kObjectType);
      handler.AddMember("type", "command", sa);
      handler.AddMember("command", str(cmd, sa), sa);
      Value group(rapidjson::kObjectType);
      Value list(rapidjson::kArrayType);
      list.PushBack(handler, sa);
      group.AddMember("hooks", list, sa);
      ev->value.PushBack(group, sa);
      Value entry(rapidjson::kObjectType);
      entry.AddMember("event", Value(event, ra), ra);
      entry.AddMember("command", str(cmd, ra), ra);
      rec.doc["hooks"].PushBack(entry, ra);
      settings_changed = true;
      rep.notes.push_back(std::string("added the ") + event + " hook \"" + cmd + "\" to " +
                          settings.path);
    }
    if (!settings_changed)
      rep.notes.push_back("status hooks in " + settings.path + " are already installed");
  }

  if (cfg_changed)
    save(cfg, rep);
  if (settings_changed)
    save(settings, rep);
  if (cfg_changed || settings_changed) {
    json_file out{install_record_path(o.nexus_home), rec.present, rapidjson::Document(), 0600};
    out.doc.CopyFrom(rec.doc, out.doc.GetAllocator());
    save_json_file(out, false);
  }
  return rep;
}

install_report uninstall_claude_code(const install_options& o) {
  install_report rep;
  auto rec = load_record(o.nexus_home);
  if (!rec.present) {
    rep.notes.push_back("nothing to remove: no install record at " +
                        install_record_path(o.nexus_home));
    return rep;
  }
  auto cfg = load_json_file(claude_json_path(o.user_home));
  auto settings = load_json_file(claude_settings_path(o.user_home));

  bool cfg_changed = false;
  auto& ca = cfg.doc.GetAllocator();
  auto servers = cfg.doc.FindMember("mcpServers");
  auto ours = rec.doc.FindMember("server");
  if (servers != cfg.doc.MemberEnd() && servers->value.IsObject() && ours != rec.doc.MemberEnd()) {
    auto current = servers->value.FindMember(server_key);
    if (current == servers->value.MemberEnd()) {
      rep.notes.push_back("mcpServers.nexus is already gone from " + cfg.path);
    } else if (current->value != ours->value) {
      rep.notes.push_back("left mcpServers.nexus in " + cfg.path +
                          " alone: it was changed after install");
    } else {
      auto prev = rec.doc.FindMember("previous_server");
      if (prev != rec.doc.MemberEnd() && !prev->value.IsNull()) {
        current->value.CopyFrom(prev->value, ca);
        rep.notes.push_back("restored the previous mcpServers.nexus in " + cfg.path);
      } else {
        servers->value.RemoveMember(server_key);
        rep.notes.push_back("removed mcpServers.nexus from " + cfg.path);
      }
      if (servers->value.ObjectEmpty() && flag(rec.doc, "created_mcpServers"))
        cfg.doc.RemoveMember("mcpServers");
      cfg_changed = true;
    }
  }

  bool settings_changed = false;
  auto hooks = settings.doc.FindMember("hooks");
  auto added = rec.doc.FindMember("hooks");
  if (added != rec.doc.MemberEnd() && added->value.IsArray() &&
      hooks != settings.doc.MemberEnd() && hooks->value.IsObject()) {
    for (const auto& entry : added->value.GetArray()) {
      std::string event = entry["event"].GetString();
      std::string cmd = entry["command"].GetString();
      auto ev = hooks->value.FindMember(event.c_str());
      if (ev == hooks->value.MemberEnd() || remove_handler(ev->value, cmd) == 0)
        continue;
      settings_changed = true;
      rep.notes.push_back("removed the " + event + " hook \"" + cmd + "\" from " + settings.path);
      if (ev->value.IsArray() && ev->value.Empty())
        hooks->value.RemoveMember(event.c_str());
    }
    if (settings_changed && hooks->value.ObjectEmpty() && flag(rec.doc, "created_hooks"))
      settings.doc.RemoveMember("hooks");
  }

  if (cfg_changed)
    save(cfg, rep);
  if (settings_changed) {
    if (settings.doc.ObjectEmpty() && flag(rec.doc, "created_settings")) {
      std::remove(settings.path.c_str());
      rep.changed = true;
      rep.notes.push_back("removed " + settings.path + " (install created it)");
      if (flag(rec.doc, "created_settings_dir")) // rmdir only removes it when empty
        ::rmdir(settings.path.substr(0, settings.path.find_last_of('/')).c_str());
    } else {
      save(settings, rep);
    }
  }
  std::remove(install_record_path(o.nexus_home).c_str());
  return rep;
}

} // namespace nexus::mcp
