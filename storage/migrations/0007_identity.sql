-- 0007: identity and membership (issue 4; PROTOCOL.md §7.2, §5.19, §9):
-- invites v2 and per-member permission overrides. Roles stay admin|member;
-- the owner is the member whose pubkey is mesh.owner_pubkey.

-- {"invite":true,"send":false,...}: only the permissions that differ from
-- the member's role default (actors/permissions.hpp resolves them).
ALTER TABLE nexus.member ADD COLUMN permissions jsonb NOT NULL DEFAULT '{}';

CREATE TABLE nexus.invite (
  -- The inviteId of the signed capability (§7.2), chosen by the issuer.
  id                text PRIMARY KEY CHECK (id ~ '^[0-9A-Za-z]{32}$'),
  mesh_id           text NOT NULL REFERENCES nexus.mesh (id),
  -- 8 chars of ABCDEFGHJKLMNPQRSTUVWXYZ23456789, assigned by the node.
  code              text NOT NULL UNIQUE CHECK (code ~ '^[A-HJ-NP-Z2-9]{8}$'),
  version           integer NOT NULL DEFAULT 2,
  role              text NOT NULL CHECK (role IN ('admin', 'member')),
  max_uses          integer NOT NULL CHECK (max_uses >= 1),
  -- The atomic consume (used_count < max_uses) keeps this true under any
  -- concurrency; the CHECK makes a bug loud instead of over-admitting.
  used_count        integer NOT NULL DEFAULT 0 CHECK (used_count BETWEEN 0 AND max_uses),
  expires_at        timestamptz NOT NULL,
  revoked_at        timestamptz,
  -- {"canonical":"v=2|…","signature":"<128 hex>"} as §7.2 stores it.
  capability_v2     jsonb NOT NULL,
  -- The member who registered it and whose key signed the capability.
  created_by        text NOT NULL REFERENCES nexus.member (id),
  signer_pubkey     text NOT NULL CHECK (signer_pubkey ~ '^[0-9a-f]{64}$'),
  -- {displayName?, roleTag?, groups?, messageMode?}
  preset            jsonb,
  claimed_by_pubkey text,
  created_at        timestamptz NOT NULL DEFAULT now()
);
-- invite_list: a mesh's invites, newest first.
CREATE INDEX invite_mesh_created ON nexus.invite (mesh_id, created_at DESC);
