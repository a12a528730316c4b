-- Parts a scan writes before their owner (a table's partitions, a bucket's
-- objects: catalog.ScanWrite), as in the SQLite store: too many to hold in
-- memory, they stream here page by page, out of every read's sight, and
-- move into entities in the transaction that writes their owner, so that a
-- crash leaves the owner with all of its old parts or all of its new ones.
-- Rows of a scan that ends without publishing them are deleted when the
-- scan is recorded finished or interrupted.
--
-- The rows are the entities as the source saw them, with the search texts
-- an insert would store; whether each is new, changed or unchanged is
-- decided when it is published. Logged like every table: an unlogged one
-- emptied by a server crash would let the owner's completed listing delete
-- what was staged and lost.
CREATE TABLE staged_entities (
    scan_id            BIGINT NOT NULL,
    owner_fqn          TEXT   COLLATE "C" NOT NULL,
    fqn                TEXT   COLLATE "C" NOT NULL,
    kind               TEXT   NOT NULL,
    service            TEXT   COLLATE "C" NOT NULL,
    parent_fqn         TEXT   COLLATE "C" NOT NULL,
    name               TEXT   COLLATE "C" NOT NULL,
    description        TEXT   NOT NULL,
    attrs              JSONB  NOT NULL,
    source_created     BIGINT,
    source_updated     BIGINT,
    content_hash       TEXT   NOT NULL,
    search             TSVECTOR,
    inword_name        TEXT,
    inword_description TEXT,
    PRIMARY KEY (scan_id, owner_fqn, fqn)
);
