-- 0004: vectors may be stored as float16 (a tag byte 0x10, then 2 bytes per dimension: length 2 * dimension + 1)
-- besides the float32 form of 0001 (4 bytes per dimension). See VectorBlob.swift for when each is written.
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt with the same columns, ids and indexes;
-- existing blobs are copied unchanged (they stay float32 and decode as before). The AUTOINCREMENT counter is
-- carried over so a vector id is still never reused.

CREATE TABLE vectors_0004 (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id          INTEGER REFERENCES items(id) ON DELETE SET NULL,
    space            TEXT NOT NULL,
    source           TEXT NOT NULL CHECK (source IN ('caption', 'image')),
    caption_language TEXT,
    dimension        INTEGER NOT NULL CHECK (dimension > 0),
    -- little-endian float32, or 0x10 then little-endian float16
    vector           BLOB NOT NULL CHECK (length(vector) = dimension * 4 OR length(vector) = dimension * 2 + 1),
    created_at       TEXT NOT NULL,
    tombstoned_at    TEXT,
    CHECK ((source = 'caption') = (caption_language IS NOT NULL)),
    CHECK (item_id IS NOT NULL OR tombstoned_at IS NOT NULL)
);

INSERT INTO vectors_0004 (id, item_id, space, source, caption_language, dimension, vector, created_at, tombstoned_at)
    SELECT id, item_id, space, source, caption_language, dimension, vector, created_at, tombstoned_at FROM vectors;

-- Keep the highest id ever handed out, which may exceed max(id) when rows were purged.
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'vectors'), 0))
    WHERE name = 'vectors_0004';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'vectors_0004', seq FROM sqlite_sequence WHERE name = 'vectors'
        AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'vectors_0004');

DROP TABLE vectors;
ALTER TABLE vectors_0004 RENAME TO vectors;

CREATE INDEX vectors_live_by_space ON vectors(space, id) WHERE tombstoned_at IS NULL;
CREATE INDEX vectors_tombstoned_by_space ON vectors(space, id) WHERE tombstoned_at IS NOT NULL;
CREATE INDEX vectors_by_item ON vectors(item_id);
