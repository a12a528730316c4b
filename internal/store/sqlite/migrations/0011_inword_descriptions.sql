-- In-word search reaches descriptions: a column commented "Kundenadresse"
-- is found by "adresse". description_trigram holds, beside name_trigram,
-- the start of each searchable entity's non-empty description
-- (rank.MaxInWordDescription bytes: column comments fit whole, a long
-- table description's every word is still in the word indexes); search
-- reads names first, then descriptions, all after whole-word hits.
--
-- A table of its own rather than a column of name_trigram: a name-only
-- MATCH would walk every description's trigrams to find none (250,000
-- columns commented "Kundenadresse" made "adresse" cost 116 ms of CPU),
-- and entities without a description cost nothing here.
--
-- The table is contentless and filled from entities by Go
-- (reindexDescriptions, run in this migration's transaction), which
-- derives the tenant token and cuts descriptions as the write path does.
CREATE VIRTUAL TABLE description_trigram USING fts5 (
    description, tenant,
    content = '', contentless_delete = 1,
    tokenize = 'trigram remove_diacritics 1'
);
