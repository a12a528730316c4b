-- In-word search reaches descriptions: a column commented "Kundenadresse"
-- is found by "adresse". name_trigram gives way to inword_trigram, which
-- holds each searchable entity's name and the start of its description
-- (rank.MaxInWordDescription bytes: column comments fit whole, a long
-- table description's every word is still in the word indexes); search
-- reads names first, then descriptions, all after whole-word hits.
--
-- The table is contentless and rebuilt from entities by Go (reindexInWord,
-- run in this migration's transaction), which derives the tenant token
-- and cuts descriptions as the write path does.
DROP TABLE name_trigram;
CREATE VIRTUAL TABLE inword_trigram USING fts5 (
    name, description, tenant,
    content = '', contentless_delete = 1,
    tokenize = 'trigram remove_diacritics 1'
);
