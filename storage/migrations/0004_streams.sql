-- 0004: a mesh's named live streams (PROTOCOL.md §5.5, §9: stream unique
-- (mesh_id, name), created_by_name, created_at). Only the names persist;
-- subscriptions and published data live in the mesh actor's memory (no
-- history). Ids are 32-char base62 from the broker's CSPRNG (§0.3).
CREATE TABLE nexus.stream (
  id              text PRIMARY KEY,
  mesh_id         text NOT NULL REFERENCES nexus.mesh (id),
  name            text NOT NULL,
  created_by_name text NOT NULL,
  -- clock_timestamp(): creations grouped in one commit keep their order.
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (mesh_id, name)
);
-- list_streams / mesh_info: a mesh's streams by creation.
CREATE INDEX stream_mesh_created ON nexus.stream (mesh_id, created_at, id);
