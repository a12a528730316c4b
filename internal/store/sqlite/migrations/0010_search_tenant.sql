-- Search indexes carry their entity's tenant, and the write path fills them.
--
-- Each index gains a "tenant" column holding a token of the entity's
-- service (its connection; see tenantToken in search_scope.go), so a
-- project's search matches its own connections inside the index instead of
-- reading everyone's matches and filtering them afterwards.
--
-- The triggers of 0009 go: a trigger on entities makes every entity insert
-- a statement transaction, and FTS5 writes its pending terms to disk at
-- each one, so every index flushed a one-row segment per entity and spent
-- the scan merging them (ingest fell from ~23k to ~8k entities/s).
-- Upsert queues the trigram and query rows with the others instead.
--
-- The tables are contentless, so they are rebuilt from entities: by Go
-- (reindexSearch, run in this migration's transaction), which derives the
-- parent's name and the token exactly as the write path does.
DROP TRIGGER IF EXISTS entities_search_insert;
DROP TRIGGER IF EXISTS entities_search_delete;
DROP TRIGGER IF EXISTS entities_search_update;

DROP TABLE entity_search;
DROP TABLE column_search;
DROP TABLE name_trigram;
DROP TABLE query_search;

CREATE VIRTUAL TABLE entity_search USING fts5 (
    name, parent, description, tenant,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE column_search USING fts5 (
    name, parent, description, tenant,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE name_trigram USING fts5 (
    name, tenant,
    content = '', contentless_delete = 1,
    tokenize = 'trigram remove_diacritics 1'
);
CREATE VIRTUAL TABLE query_search USING fts5 (
    name, parent, description, tenant,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Exact-name lookups of a scoped search read the tenant's rows of a name
-- only: "id" names a column in every table of every project.
DROP INDEX entities_name_nocase;
CREATE INDEX entities_name_service ON entities (name COLLATE NOCASE, service);
