-- In-word search: a trigram index of the lowercased names of searchable
-- entities (search IS NOT NULL), so a query finds a word inside a name
-- ("adresse" in kundenadresse); search.go ranks these hits after
-- whole-word ones, as the SQLite store's name_trigram does. Names only:
-- descriptions are long and their trigrams would dwarf the table.
-- pg_trgm is a trusted extension (PostgreSQL 13+), so the database owner
-- may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX entities_name_trigram ON entities USING gin (lower(name) gin_trgm_ops) WHERE search IS NOT NULL;
