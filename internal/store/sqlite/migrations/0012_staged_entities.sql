-- Parts a scan writes before their owner (a table's partitions, a bucket's
-- objects: catalog.ScanWrite): too many to hold in memory, they stream
-- here page by page, out of every read's sight, and move into entities in
-- the transaction that writes their owner, so that a crash leaves the
-- owner with all of its old parts or all of its new ones. Rows of a scan
-- that ends without publishing them are deleted when the scan is recorded
-- finished or interrupted.
--
-- The rows are the entities as the source saw them, attrs as JSON: whether
-- each is new, changed or unchanged is decided when it is published, against
-- the catalog of that moment. The key keeps the last sighting of an FQN.
CREATE TABLE staged_entities (
    scan_id        INTEGER NOT NULL,
    owner_fqn      TEXT    NOT NULL,
    fqn            TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    service        TEXT    NOT NULL,
    parent_fqn     TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    description    TEXT    NOT NULL,
    attrs          TEXT    NOT NULL,
    source_created INTEGER,
    source_updated INTEGER,
    content_hash   TEXT    NOT NULL,
    PRIMARY KEY (scan_id, owner_fqn, fqn)
);
