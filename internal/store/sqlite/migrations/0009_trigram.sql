-- In-word search and searchable Athena queries.
--
-- name_trigram indexes the names of searchable entities by trigrams, so a
-- query finds a word inside a name ("adresse" in kundenadresse, "address"
-- in billingAddress); search.go ranks these hits after whole-word ones.
-- Names only: descriptions are long, and a trigram index of them would
-- grow the catalog several times over for little gain.
--
-- query_search indexes Athena query executions (kept out of the word
-- indexes, so they never crowd default results) by id, workgroup and SQL;
-- search.go reads it only when kinds asks for query_execution.
--
-- Both are contentless (rowid = entities.id) and kept in step by triggers,
-- so the write path needs no change; the rows already stored are indexed
-- here once.
CREATE VIRTUAL TABLE name_trigram USING fts5 (
    name,
    content = '', contentless_delete = 1,
    tokenize = 'trigram remove_diacritics 1'
);
CREATE VIRTUAL TABLE query_search USING fts5 (
    name, parent, description,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Kinds search never returns (partitions, objects) and query executions
-- stay out of the trigram index.
CREATE TRIGGER entities_search_insert AFTER INSERT ON entities BEGIN
    INSERT INTO name_trigram (rowid, name)
        SELECT new.id, new.name WHERE new.kind NOT IN ('partition', 'object', 'query_execution');
    INSERT INTO query_search (rowid, name, parent, description)
        SELECT new.id, new.name, coalesce(json_extract(new.attrs, '$.workgroup'), ''), coalesce(json_extract(new.attrs, '$.query'), '')
        WHERE new.kind = 'query_execution';
END;

CREATE TRIGGER entities_search_delete AFTER DELETE ON entities BEGIN
    DELETE FROM name_trigram WHERE rowid = old.id;
    DELETE FROM query_search WHERE rowid = old.id;
END;

-- A scan rewrites every column of a changed entity; reindex only when what
-- the indexes hold changed.
CREATE TRIGGER entities_search_update AFTER UPDATE ON entities
WHEN old.name IS NOT new.name OR old.kind IS NOT new.kind OR (new.kind = 'query_execution' AND old.attrs IS NOT new.attrs)
BEGIN
    DELETE FROM name_trigram WHERE rowid = old.id;
    DELETE FROM query_search WHERE rowid = old.id;
    INSERT INTO name_trigram (rowid, name)
        SELECT new.id, new.name WHERE new.kind NOT IN ('partition', 'object', 'query_execution');
    INSERT INTO query_search (rowid, name, parent, description)
        SELECT new.id, new.name, coalesce(json_extract(new.attrs, '$.workgroup'), ''), coalesce(json_extract(new.attrs, '$.query'), '')
        WHERE new.kind = 'query_execution';
END;

INSERT INTO name_trigram (rowid, name)
    SELECT id, name FROM entities WHERE kind NOT IN ('partition', 'object', 'query_execution');
INSERT INTO query_search (rowid, name, parent, description)
    SELECT id, name, coalesce(json_extract(attrs, '$.workgroup'), ''), coalesce(json_extract(attrs, '$.query'), '')
    FROM entities WHERE kind = 'query_execution';
