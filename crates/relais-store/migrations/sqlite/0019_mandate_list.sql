-- The mandate list of a structure, newest first, read by pages
-- (keyset: created_at, then id).
CREATE INDEX mandates_list ON mandates(structure_id, created_at, id);
