-- Athena query executions become searchable when a search asks for their
-- kind, as on SQLite (query_search): they get a search vector (id, workgroup,
-- SQL) and an index of their own, and leave the datasets' index and the
-- in-word trigram index, so they never crowd default results. Words are now
-- indexed without accents (SQLite's remove_diacritics 2); open.go rebuilds
-- the vectors of rows written before this migration.
DROP INDEX entities_search;
CREATE INDEX entities_search ON entities USING gin (search) WHERE kind NOT IN ('column', 'query_execution');
CREATE INDEX entities_search_queries ON entities USING gin (search) WHERE kind = 'query_execution';
DROP INDEX entities_name_trigram;
CREATE INDEX entities_name_trigram ON entities USING gin (lower(name) gin_trgm_ops) WHERE search IS NOT NULL AND kind <> 'query_execution';
