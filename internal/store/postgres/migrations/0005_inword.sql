-- In-word search reaches descriptions and ignores accents, as the SQLite
-- store's name_trigram and description_trigram: "adresse" finds a column
-- commented "Kundenadresse", and one named "Adressé". lower(name) could do
-- neither (folding accents has no immutable function to index), so each
-- searchable entity gets texts built in Go (inwordTexts), lowercased with
-- accents folded: inword_name, its name, and inword_description, the start
-- of its description (rank.MaxInWordDescription bytes; NULL when empty).
-- Both NULL for kinds search does not return and for query executions.
-- Two columns, each indexed, rather than one: a name-only search must not
-- recheck every description that holds the word. Go fills the rows already
-- stored (fillInword, in this migration's transaction); 0006 indexes them.
ALTER TABLE entities ADD COLUMN inword_name TEXT, ADD COLUMN inword_description TEXT;
DROP INDEX entities_name_trigram;
