-- The in-word indexes, over the texts 0005 filled.
CREATE INDEX entities_inword_name ON entities USING gin (inword_name gin_trgm_ops) WHERE inword_name IS NOT NULL;
CREATE INDEX entities_inword_description ON entities USING gin (inword_description gin_trgm_ops) WHERE inword_description IS NOT NULL;
