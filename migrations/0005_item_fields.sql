-- 0005: an item's user fields (issue 14), one row per value so filters are plain indexed SQL.
-- kind: 'string', 'number', 'boolean', 'timestamp' (an RFC 3339 string), 'strings' (one row per array element,
-- in order of position; an empty array is one row with NULL values so that `exists` still sees the field).
-- text_value holds strings and the timestamp's original spelling; number_value holds numbers, booleans (0/1) and
-- timestamps (seconds since 1970 UTC), so ranges on numbers and times use one index.
-- The rows go with their item (ON DELETE CASCADE) and are replaced as a whole by a re-ingest.
CREATE TABLE item_fields (
    item_id      INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    position     INTEGER NOT NULL DEFAULT 0,
    kind         TEXT NOT NULL CHECK (kind IN ('string', 'number', 'boolean', 'timestamp', 'strings')),
    text_value   TEXT,
    number_value REAL,
    PRIMARY KEY (item_id, name, position)
) WITHOUT ROWID;

-- Equality and `in` on strings, ranges on numbers and timestamps, `exists` by name.
CREATE INDEX item_fields_by_text ON item_fields(name, text_value, item_id);
CREATE INDEX item_fields_by_number ON item_fields(name, number_value, item_id);
-- `lang` filters on caption languages.
CREATE INDEX captions_by_language ON captions(language, item_id);
-- `ingested_at` filters on the item's creation time.
CREATE INDEX items_by_created_at ON items(created_at);
