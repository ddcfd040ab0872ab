-- 0003: a mesh's collaboration tables (PROTOCOL.md §5.1–§5.4, §9): shared
-- key/value state, memories with full-text search, the task board and one
-- context snapshot per member. Column names follow the reference `mesh`
-- schema. Ids are 32-char base62 from the broker's CSPRNG (§0.3).
-- Times default to clock_timestamp(), not now(): several requests committed
-- in one group-commit transaction must keep their order ("newest first").

CREATE TABLE nexus.state (
  mesh_id             text NOT NULL REFERENCES nexus.mesh (id),
  -- COLLATE "C": state_list is sorted by key in byte order, independent of
  -- the server's locale.
  key                 text COLLATE "C" NOT NULL,
  -- json, not jsonb: keeps the client's key order, and jsonb refuses
  -- "\u0000" inside strings. A JSON null is stored as 'null' (deviation 36).
  value               json NOT NULL,
  updated_by_presence text,
  updated_by_name     text NOT NULL,
  updated_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (mesh_id, key)
);

CREATE TABLE nexus.memory (
  id                 text PRIMARY KEY,
  mesh_id            text NOT NULL REFERENCES nexus.mesh (id),
  content            text NOT NULL,
  tags               text[] NOT NULL DEFAULT '{}',
  remembered_by      text REFERENCES nexus.member (id),
  remembered_by_name text,
  remembered_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  forgotten_at       timestamptz,
  -- English lexemes of content and tags, computed by the insert statement
  -- (a generated column cannot use array_to_string, which is only STABLE).
  -- A memory is never edited, so the vector never goes stale.
  search             tsvector NOT NULL
);
-- recall (§5.2): `search @@ plainto_tsquery(...)` over the live rows.
CREATE INDEX memory_search ON nexus.memory USING gin (search) WHERE forgotten_at IS NULL;
CREATE INDEX memory_mesh ON nexus.memory (mesh_id) WHERE forgotten_at IS NULL;

CREATE TABLE nexus.task (
  id                  text PRIMARY KEY,
  mesh_id             text NOT NULL REFERENCES nexus.mesh (id),
  title               text NOT NULL,
  assignee            text,
  claimed_by_name     text,
  claimed_by_presence text,
  priority            text NOT NULL DEFAULT 'normal',   -- free text (§5.3)
  status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'claimed', 'done')),
  tags                text[] NOT NULL DEFAULT '{}',
  result              text,
  created_by_name     text,
  created_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  claimed_at          timestamptz,
  completed_at        timestamptz
);
-- task_list: a mesh's tasks, newest first.
CREATE INDEX task_mesh_created ON nexus.task (mesh_id, created_at DESC, id DESC);

CREATE TABLE nexus.context (
  id           text PRIMARY KEY,
  mesh_id      text NOT NULL REFERENCES nexus.mesh (id),
  member_id    text NOT NULL REFERENCES nexus.member (id),
  presence_id  text,
  peer_name    text NOT NULL,
  summary      text NOT NULL,
  files_read   text[] NOT NULL DEFAULT '{}',
  key_findings text[] NOT NULL DEFAULT '{}',
  tags         text[] NOT NULL DEFAULT '{}',
  updated_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (mesh_id, member_id)
);
-- get_context / list_contexts: a mesh's rows, newest first.
CREATE INDEX context_mesh_updated ON nexus.context (mesh_id, updated_at DESC);
