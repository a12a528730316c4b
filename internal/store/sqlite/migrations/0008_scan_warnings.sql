-- Warnings of a scan (optional enrichments turned off, customers' unusable
-- files): kept apart from errors, which are listings that failed and make a
-- scan partial. A JSON array of strings, like errors.
ALTER TABLE scans ADD COLUMN warnings TEXT;
