// The command table: words, usage, help and options of every `nexus`
// command. Parsing, --help and completions read it; nothing else declares
// an option.
#include "apps/nexus/commands.hpp"

namespace nexus::cli {

const std::vector<command>& all_commands() {
  static const std::vector<command> table = {
      {"init", "[--broker URL] [--name DISPLAY]", "create this home: identity key and config",
       "Creates $NEXUS_HOME (default ~/.nexus, mode 0700) with identity.key — a new\n"
       "ed25519 key that is who you are in every mesh — and config.json (both 0600,\n"
       "written atomically). Run again: nothing is overwritten; --broker and --name\n"
       "update config.json. Prints the public key to give to a mesh operator.",
       {"name"}, {}, 0, 0, run_init},
      {"mesh create", "NAME [--name DISPLAY]", "create a mesh on the broker; you become its owner",
       "Signs a creation request with your identity and POSTs it to the broker\n"
       "(/api/meshes). The node must allow it (mesh_creation=open, or an operator\n"
       "token). You become the owner and an admin member; the mesh's file group is\n"
       "written to the home. --name sets your display name in it.",
       {"name", "operator-token"}, {}, 1, 1, run_mesh_create},
      {"mesh import", "MESH_ID --member-id ID [--label NAME]",
       "adopt a membership an operator made with `nexusd member add`",
       "For a member added by an operator with your public key (nexus whoami): writes\n"
       "the mesh's file group so that every other command can connect as that member.\n"
       "--label names the mesh locally (default: its id).",
       {"member-id", "label"}, {}, 1, 1, run_mesh_import},
      {"invite", "[--role member|admin] [--max-uses N] [--expires DURATION]",
       "create an invite code and join URL (admins)",
       "Registers a v2 invite over the connection (you must be an admin of the mesh)\n"
       "and prints its 8-character code and join URL. Defaults: role member, one use,\n"
       "expires in 7d (DURATION: 30m, 12h, 7d).",
       {"role", "max-uses", "expires"}, {}, 0, 0, run_invite},
      {"join", "CODE|URL [--name DISPLAY]", "join a mesh with an invite code",
       "Claims the invite over HTTP (POST /invites/CODE/claim) with your identity,\n"
       "opens the sealed mesh root key, and writes the mesh's file group. The broker is\n"
       "the URL's host, else --broker / config.json.",
       {"name"}, {}, 1, 1, run_join},
      {"list", "", "meshes this home has joined", "Local only: no connection.", {}, {}, 0, 0, run_list},
      {"leave", "MESH", "forget a mesh: remove its file group from this home",
       "Removes meshes/<id>/ (mesh.json, keys, inbox) from the home. Your membership\n"
       "on the broker stays until an admin revokes it.",
       {}, {}, 1, 1, run_leave},
      {"peers", "", "who is online in the mesh",
       "Lists the mesh's connected peers: name, status, key prefix, groups, summary.",
       {}, {}, 0, 0, run_peers},
      {"send", "TO MESSAGE [--priority now|next|low]", "send a message",
       "TO is a display name (case-insensitive), a public key or a prefix of one (4+\n"
       "hex), @group, or * for everyone. A name or prefix that matches several peers\n"
       "is an error listing them. Direct messages are end-to-end encrypted\n"
       "(crypto_box); group and broadcast messages are readable by the broker, as in\n"
       "claudemesh. Priority: now (always delivered), next (default: when the\n"
       "recipient is idle), low.",
       {"priority"}, {}, 2, 2, run_send},
      {"inbox", "[--wait SECONDS]", "show received messages",
       "Connects, receives what the broker queued for you, and prints every message\n"
       "not shown before (other commands keep what they receive for this). --wait\n"
       "waits up to SECONDS for a first message when there is none.",
       {"wait"}, {}, 0, 0, run_inbox},
      {"status", "[idle|working|dnd]", "show or set your status",
       "Without an argument prints your status. With one, sets it: it is kept in the\n"
       "home and applied on every connection. working and dnd hold next/low\n"
       "messages until you are idle.",
       {}, {}, 0, 1, run_status},
      {"summary", "TEXT", "set what you are working on",
       "Kept in the home and applied on every connection; \"\" clears it.", {}, {}, 1, 1,
       run_summary},
      {"state get", "KEY", "read a shared state key", "Prints the value as JSON.", {}, {}, 1, 1,
       run_state_get},
      {"state set", "KEY VALUE", "write a shared state key",
       "VALUE is stored as JSON when it parses as JSON (42, true, {\"a\":1}, \"text\"),\n"
       "else as a string. Other peers get a state_change.",
       {}, {}, 2, 2, run_state_set},
      {"state list", "", "every shared state key", "", {}, {}, 0, 0, run_state_list},
      {"remember", "TEXT [--tags a,b]", "store a note in the mesh's memory", "", {"tags"}, {}, 1, 1,
       run_remember},
      {"recall", "QUERY", "full-text search of the mesh's memory", "", {}, {}, 1, 1, run_recall},
      {"forget", "MEMORY_ID", "forget a note", "", {}, {}, 1, 1, run_forget},
      {"task create", "TITLE [--assignee NAME] [--priority P] [--tags a,b]", "add a task", "",
       {"assignee", "priority", "tags"}, {}, 1, 1, run_task_create},
      {"task claim", "TASK_ID", "claim an open task (exactly one claimer wins)", "", {}, {}, 1, 1,
       run_task_claim},
      {"task complete", "TASK_ID [--result TEXT]", "mark a task done", "", {"result"}, {}, 1, 1,
       run_task_complete},
      {"task list", "[--status open|claimed|done] [--assignee NAME]", "the task board", "",
       {"status", "assignee"}, {}, 0, 0, run_task_list},
      {"remind", "MESSAGE (--in DURATION | --at TIME | --cron EXPR) [--to TARGET]",
       "schedule a reminder",
       "--in 10m / 2h / 1d; --at an ISO time (2026-04-15T12:00:00Z) or Unix ms;\n"
       "--cron a 5-field UTC expression. TARGET: as for send (default: yourself).\n"
       "The reminder arrives as a message with subtype reminder.",
       {"in", "at", "cron", "to"}, {}, 1, 1, run_remind},
      {"remind list", "", "your scheduled reminders", "", {}, {}, 0, 0, run_remind_list},
      {"remind cancel", "ID", "cancel a reminder", "", {}, {}, 1, 1, run_remind_cancel},
      {"info", "", "the mesh at a glance",
       "Peers, groups, state keys, memory and task counts, streams.", {}, {}, 0, 0, run_info},
      {"whoami", "", "this home's identity and mesh", "Local only: no connection.", {}, {}, 0, 0,
       run_whoami},
      {"verify", "PEER", "safety number to compare with a peer",
       "Computes a number from your public key and PEER's; PEER runs `nexus verify\n"
       "<you>` and gets the same number. Compare them over another channel (voice,\n"
       "in person): equal numbers mean no one is in the middle.",
       {}, {}, 1, 1, run_verify},
      {"doctor", "[--fix]", "check config, keys, broker, clock and a hello",
       "Checks the home's permissions and keys, the broker's health, the clock skew\n"
       "against the broker, and a full hello round trip. Each failure comes with a\n"
       "fix; exit 1 when anything fails. --fix tightens loose file permissions and\n"
       "says which.",
       {}, {"fix"}, 0, 0, run_doctor},
      {"completions", "bash|zsh|fish", "print a shell completion script",
       "e.g. nexus completions bash > /etc/bash_completion.d/nexus", {}, {}, 1, 1,
       run_completions},
      {"install", "[--hooks] [--claude-home DIR] [--bridge PATH]",
       "add the MCP bridge for the mesh to Claude Code",
       "Adds mcpServers.nexus (nexus-mcp --home HOME --mesh MESH) to ~/.claude.json,\n"
       "keeping everything else and a backup (.nexus.bak). --hooks also adds status\n"
       "hooks to ~/.claude/settings.json that report working/idle through\n"
       "`nexus hook`. Running it again changes nothing.",
       {"claude-home", "bridge"}, {"hooks"}, 0, 0, run_install},
      {"uninstall", "[--claude-home DIR]", "remove exactly what nexus install added",
       "Restores an mcpServers.nexus that install replaced; leaves entries you changed\n"
       "since install alone and says so.",
       {"claude-home"}, {}, 0, 0, run_uninstall},
      {"hook", "idle|working|dnd", "report a Claude Code status to the node",
       "What the status hooks run: POST /hook/set-status with the session's cwd.\n"
       "Always exits 0, so a hook never blocks a prompt; problems go to stderr.",
       {}, {}, 1, 1, run_hook},
  };
  return table;
}

} // namespace nexus::cli
