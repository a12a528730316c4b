-- The names-only part of the datasets' search vectors (weight A), indexed
-- on its own: a pass with more matches than it ranks reads the entities
-- whose name holds the words first, and through entities_search that read
-- rechecked the weights of every match of the words (measured at 5M
-- entities: 15 ms and 4,900 pages for "daily payments", whose words no
-- name holds). Datasets only: columns are fifty times more numerous, and
-- their passes rarely need it.
CREATE INDEX entities_search_names ON entities USING gin (ts_filter(search, '{a}')) WHERE kind NOT IN ('column', 'query_execution');
-- Every eighth column's search vector, for counting the matches of common
-- words together (Total, up to maxCounted): GIN reads every match of each
-- word before a LIMIT applies, so counting 200 columns that hold both
-- "customers" and "invoices" merged 290,000 matches of each at 5M entities
-- (36 ms); when the sample holds 200, so does the whole, at an eighth of
-- the work.
CREATE INDEX entities_search_columns_sample ON entities USING gin (search) WHERE kind = 'column' AND id % 8 = 0;
