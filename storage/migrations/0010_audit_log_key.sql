-- 0010: audit_log keyed by (mesh_id, id) (issue 8). Every send appends one
-- entry, and each index on the table is one more insertion per message.
-- Every reader of the log names its mesh (chain walk, audit_query, the
-- bounds count), so the id-only primary key served none of them and
-- duplicated what audit_log_mesh_id already holds; ids stay unique through
-- their sequence. One index less per message: the primary key becomes the
-- (mesh_id, id) index and the old one goes.
CREATE UNIQUE INDEX audit_log_mesh_id_key ON nexus.audit_log (mesh_id, id);
ALTER TABLE nexus.audit_log DROP CONSTRAINT audit_log_pkey;
ALTER TABLE nexus.audit_log ADD CONSTRAINT audit_log_pkey PRIMARY KEY USING INDEX audit_log_mesh_id_key;
DROP INDEX nexus.audit_log_mesh_id;
