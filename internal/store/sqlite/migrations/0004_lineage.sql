-- Lineage: table-level edges with their evidence, and the S3 locations
-- storage lineage is computed from. Edges are replaced per (kind, origin).
CREATE TABLE IF NOT EXISTS lineage_edges (
    kind     TEXT    NOT NULL,           -- view, query, storage
    origin   TEXT    NOT NULL,           -- FQN of the evidence: view, query execution, table
    from_fqn TEXT    NOT NULL,           -- upstream
    to_fqn   TEXT    NOT NULL,           -- downstream
    evidence TEXT    NOT NULL DEFAULT '',
    columns  TEXT,                       -- JSON {downstream column: [upstream columns]}
    service  TEXT    NOT NULL,
    scan_id  INTEGER NOT NULL DEFAULT 0,
    at       TEXT    NOT NULL,           -- RFC 3339
    PRIMARY KEY (kind, origin, from_fqn, to_fqn)
);
CREATE INDEX IF NOT EXISTS lineage_edges_from ON lineage_edges (from_fqn);
CREATE INDEX IF NOT EXISTS lineage_edges_to ON lineage_edges (to_fqn);

CREATE TABLE IF NOT EXISTS lineage_locations (
    fqn     TEXT NOT NULL PRIMARY KEY,
    kind    TEXT NOT NULL,               -- table, bucket, container
    service TEXT NOT NULL,
    bucket  TEXT NOT NULL,
    prefix  TEXT NOT NULL                -- no leading slash; trailing slash unless empty
);
CREATE INDEX IF NOT EXISTS lineage_locations_bucket ON lineage_locations (bucket);
CREATE INDEX IF NOT EXISTS lineage_locations_service ON lineage_locations (service);
