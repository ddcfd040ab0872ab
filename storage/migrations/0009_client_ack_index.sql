-- 0009: client_ack (§3.8) finds a row by id OR by client message id. With no
-- index on client_message_id the OR could only be a sequential scan of the
-- whole queue, every mesh and every delivered row included (12 ms per ack at
-- 50 000 rows, growing with the history). With this index the planner takes
-- the primary key and this one as a BitmapOr. Partial: most rows have no
-- client id, and a NULL never matches.
CREATE INDEX message_queue_client_id ON nexus.message_queue (mesh_id, client_message_id)
  WHERE client_message_id IS NOT NULL;
