-- Partitions and objects, most rows of a big catalog, are never found by
-- name: search does not return them. Kept out of the exact-name index,
-- each costs one index write fewer (as SQLite's migration 0013). The
-- exact-name query repeats this WHERE so that the planner may use it.
DROP INDEX entities_name_lower;
CREATE INDEX entities_name_lower ON entities (lower(name)) WHERE kind NOT IN ('partition', 'object');
