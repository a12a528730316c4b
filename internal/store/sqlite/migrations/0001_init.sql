-- The catalog: entities, their history, scans and connections.
-- Times are Unix nanoseconds (UTC); JSON columns hold attribute maps.

CREATE TABLE entities (
    id             INTEGER PRIMARY KEY,
    fqn            TEXT    NOT NULL UNIQUE,
    kind           TEXT    NOT NULL,
    service        TEXT    NOT NULL,
    parent_fqn     TEXT    NOT NULL DEFAULT '',
    name           TEXT    NOT NULL,
    description    TEXT    NOT NULL DEFAULT '',
    attrs          TEXT    NOT NULL DEFAULT '{}',
    source_created INTEGER,
    source_updated INTEGER,
    first_seen     INTEGER NOT NULL,
    last_seen      INTEGER NOT NULL,
    last_scan_id   INTEGER NOT NULL DEFAULT 0,
    deleted        INTEGER NOT NULL DEFAULT 0,
    content_hash   TEXT    NOT NULL
);
CREATE INDEX entities_parent ON entities (parent_fqn, kind);
CREATE INDEX entities_service_kind ON entities (service, kind);

-- Search indexes; rowid is entities.id. Contentless: the text lives in
-- entities. "parent" is the parent's name, so "orders customer" finds the
-- customer column of orders without every descendant matching every
-- ancestor's name. Columns, fifty times more numerous than anything else,
-- have their own index so ranking tables never walks them.
CREATE VIRTUAL TABLE entity_search USING fts5 (
    name, parent, description,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE column_search USING fts5 (
    name, parent, description,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
-- A name match weighs most, then the parent's name, then the description.
INSERT INTO entity_search (entity_search, rank) VALUES ('rank', 'bm25(10.0, 2.0, 1.0)');
INSERT INTO column_search (column_search, rank) VALUES ('rank', 'bm25(10.0, 2.0, 1.0)');
-- Exact-name lookups put an entity named exactly like the query first.
CREATE INDEX entities_name_nocase ON entities (name COLLATE NOCASE);

CREATE TABLE changes (
    id         INTEGER PRIMARY KEY,
    fqn        TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    parent_fqn TEXT    NOT NULL DEFAULT '',
    service    TEXT    NOT NULL,
    scan_id    INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    type       TEXT    NOT NULL,
    fields     TEXT
);
CREATE INDEX changes_fqn ON changes (fqn, id);
CREATE INDEX changes_parent ON changes (parent_fqn, id);
CREATE INDEX changes_service_at ON changes (service, at);

CREATE TABLE scans (
    id          INTEGER PRIMARY KEY,
    service     TEXT    NOT NULL,
    source_type TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    started     INTEGER NOT NULL,
    finished    INTEGER,
    stats       TEXT,
    errors      TEXT
);
CREATE INDEX scans_service ON scans (service, id);

CREATE TABLE connections (
    name         TEXT PRIMARY KEY,
    project_id   TEXT    NOT NULL DEFAULT '',
    source_type  TEXT    NOT NULL,
    role_arn     TEXT    NOT NULL DEFAULT '',
    external_id  TEXT    NOT NULL DEFAULT '',
    region       TEXT    NOT NULL DEFAULT '',
    access_level TEXT    NOT NULL,
    endpoint_url TEXT    NOT NULL DEFAULT '',
    config       BLOB,
    secrets      BLOB,
    created      INTEGER NOT NULL,
    updated      INTEGER NOT NULL
);
