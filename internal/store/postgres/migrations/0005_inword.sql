-- In-word search reaches descriptions and ignores accents, as the SQLite
-- store's inword_trigram: "adresse" finds a column commented
-- "Kundenadresse", and "Adressé". lower(name) could do neither (folding
-- accents has no immutable function to index), so each searchable entity
-- gets an inword text, built in Go (inwordText): its name and the start of
-- its description (rank.MaxInWordDescription bytes), lowercased, accents
-- folded, joined by a newline so a pattern can hold to one side of it.
-- NULL for kinds search does not return and for query executions. Go
-- fills the rows already stored (fillInword, in this migration's
-- transaction); 0006 indexes them.
ALTER TABLE entities ADD COLUMN inword TEXT;
DROP INDEX entities_name_trigram;
