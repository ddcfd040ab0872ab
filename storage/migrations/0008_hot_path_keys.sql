-- 0008: the per-message rows no longer carry foreign keys (issue 8).
-- Every send writes one message_queue and one audit_log row; their three
-- foreign-key triggers (mesh and sender of the message, mesh of the entry)
-- cost a quarter of PostgreSQL's time per message under load (auto_explain
-- of the 100 × 1000 benchmark: 15-30 µs a message out of ~60 µs). The node
-- writes these rows only for the mesh it has loaded and a sender it has
-- verified as a member in the same process, meshes and members are never
-- deleted (members are revoked), and the drain joins the sender's member
-- row, so an orphan could not be delivered anyway. The other tables keep
-- theirs: they are written once per admin action, not per message.
ALTER TABLE nexus.message_queue DROP CONSTRAINT message_queue_mesh_id_fkey;
ALTER TABLE nexus.message_queue DROP CONSTRAINT message_queue_sender_member_id_fkey;
ALTER TABLE nexus.audit_log DROP CONSTRAINT audit_log_mesh_id_fkey;
