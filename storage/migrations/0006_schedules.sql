-- 0006: scheduled messages and reminders (PROTOCOL.md §5.6, §9
-- scheduled_message), durable across restarts (deviation 21). A row is one
-- pending entry: a one-shot until it fires (then it is deleted), a cron
-- entry until it is cancelled (each fire moves deliver_at to the next
-- matching minute). Firing claims the row by its current deliver_at in the
-- same statement that enqueues the message (storage/schedules_sql.hpp), so
-- a crash can neither lose nor repeat a fire.
CREATE TABLE nexus.scheduled_message (
  id             text PRIMARY KEY,                 -- UUID v4 (§0.3 scheduledId)
  mesh_id        text NOT NULL REFERENCES nexus.mesh (id),
  presence_id    text,                             -- the creating connection
  member_id      text NOT NULL REFERENCES nexus.member (id),
  -- The creating connection's session key (NULL when it had none): a fire
  -- after that connection is gone still goes out as the same session, so a
  -- reminder to one's own session key reaches it after a reconnect.
  session_pubkey text,
  "to"           text NOT NULL,                    -- targetSpec, verbatim
  message        text NOT NULL,                    -- plaintext (§3.11)
  deliver_at     timestamptz NOT NULL,             -- next fire, whole ms
  cron           text,                             -- NULL: one-shot
  subtype        text CHECK (subtype IN ('reminder')),
  fired_count    integer NOT NULL DEFAULT 0,
  cancelled      boolean NOT NULL DEFAULT false,
  fired_at       timestamptz,
  created_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- The scheduler's look-ahead: live entries by due time.
CREATE INDEX scheduled_message_due ON nexus.scheduled_message (deliver_at) WHERE NOT cancelled;
-- list_scheduled and the per-member cap.
CREATE INDEX scheduled_message_owner ON nexus.scheduled_message (mesh_id, member_id)
  WHERE NOT cancelled;

-- A reminder keeps its subtype when it waits in the queue, so the drained
-- push still says `subtype: "reminder"` (deviation 21). NULL for all else.
ALTER TABLE nexus.message_queue ADD COLUMN subtype text;
