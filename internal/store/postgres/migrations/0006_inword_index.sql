-- The in-word index, over the inword texts 0005 filled.
CREATE INDEX entities_inword_trigram ON entities USING gin (inword gin_trgm_ops) WHERE inword IS NOT NULL;
