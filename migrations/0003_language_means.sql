-- 0003: the running sum and count of each caption language's live caption vectors, per embedding space and
-- dimension, so per-language centring loads its means in one small read instead of a pass over every vector.
-- Every write that inserts or tombstones a caption vector updates these rows in the same transaction (add on insert,
-- subtract on tombstone); a row whose count falls to 0 is deleted, so float64 rounding never outlives its vectors.
-- sum: little-endian float64 values, one per dimension. dimension is part of the key because a space re-embedded by
-- a model of another dimension holds both kinds of vectors until the re-embedding finishes.
CREATE TABLE language_sums (
    space     TEXT NOT NULL,
    language  TEXT NOT NULL,
    dimension INTEGER NOT NULL CHECK (dimension > 0),
    count     INTEGER NOT NULL CHECK (count > 0),
    sum       BLOB NOT NULL CHECK (length(sum) = dimension * 8),
    PRIMARY KEY (space, language, dimension)
) WITHOUT ROWID;

-- Backfill from the live caption vectors an older catalog already holds. glimpse_float32_valid and
-- glimpse_float32_sum are registered by the migrator (Migration.swift): a damaged row (wrong length, NaN) is left
-- out, as the index leaves it out.
INSERT INTO language_sums (space, language, dimension, count, sum)
SELECT space, caption_language, dimension, count(*), glimpse_float32_sum(vector, dimension)
FROM vectors
WHERE tombstoned_at IS NULL AND item_id IS NOT NULL AND source = 'caption'
    AND glimpse_float32_valid(vector, dimension)
GROUP BY space, caption_language, dimension;
