-- 0005: the audit log's hash chain (PROTOCOL.md §8, §9), one chain per mesh.
-- Rows are appended by storage/audit_sql.hpp only, in the same statement as
-- the mutation they record; nothing in the broker updates or deletes them.
-- Message content never enters a payload.
CREATE TABLE nexus.audit_log (
  id                 bigserial PRIMARY KEY,
  mesh_id            text NOT NULL REFERENCES nexus.mesh (id),
  event_type         text NOT NULL,
  actor_member_id    text,
  actor_display_name text,
  -- Exactly the canonical JSON that was hashed (jsonb respells it, but
  -- canonicalizing it again gives the same text: actors/audit_chain.hpp).
  payload            jsonb NOT NULL,
  prev_hash          text NOT NULL,
  hash               text NOT NULL,
  -- Millisecond precision, as hashed (created_at_iso).
  created_at         timestamptz NOT NULL
);
-- Verification walks a mesh by id; audit_query pages it newest first.
CREATE INDEX audit_log_mesh_id ON nexus.audit_log (mesh_id, id);
CREATE INDEX audit_log_mesh_event ON nexus.audit_log (mesh_id, event_type, id);

-- The head of each mesh's chain. Appending upserts this row first: its row
-- lock is the per-mesh writer lock (held to COMMIT, never touching another
-- mesh's row, no table- or database-wide lock), and ON CONFLICT DO UPDATE
-- reads the latest committed head even under READ COMMITTED, so concurrent
-- appends of one mesh queue up and link in order.
CREATE TABLE nexus.audit_head (
  mesh_id   text PRIMARY KEY REFERENCES nexus.mesh (id),
  prev_hash text NOT NULL, -- prev_hash of the newest entry
  last_hash text NOT NULL  -- hash of the newest entry
);
