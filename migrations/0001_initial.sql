-- 0001: items with their captions and embedding vectors, and the durable ingest job queue.
-- Timestamps are UTC text "YYYY-MM-DD HH:MM:SS.SSS" (GRDB's date format).

CREATE TABLE items (
    id           INTEGER PRIMARY KEY,
    external_id  TEXT NOT NULL UNIQUE,
    image_path   TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

CREATE TABLE captions (
    item_id  INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    text     TEXT NOT NULL,
    PRIMARY KEY (item_id, language)
);

-- AUTOINCREMENT: a vector id is never reused, even after its row is purged, because an index snapshot's
-- watermark ("every vector up to id N is in the snapshot") relies on ids only ever growing.
-- A replaced or deleted vector is tombstoned, not deleted: the HNSW graph keeps its point, and search must be
-- able to tell it is dead. A deleted item's tombstoned vectors keep their rows with item_id set to NULL.
CREATE TABLE vectors (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id          INTEGER REFERENCES items(id) ON DELETE SET NULL,
    space            TEXT NOT NULL,
    source           TEXT NOT NULL CHECK (source IN ('caption', 'image')),
    caption_language TEXT,
    dimension        INTEGER NOT NULL CHECK (dimension > 0),
    vector           BLOB NOT NULL CHECK (length(vector) = dimension * 4), -- little-endian float32
    created_at       TEXT NOT NULL,
    tombstoned_at    TEXT,
    CHECK ((source = 'caption') = (caption_language IS NOT NULL)),
    CHECK (item_id IS NOT NULL OR tombstoned_at IS NOT NULL)
);

-- Index start-up replays live vectors of one space in id order after a watermark.
CREATE INDEX vectors_live_by_space ON vectors(space, id) WHERE tombstoned_at IS NULL;
CREATE INDEX vectors_tombstoned_by_space ON vectors(space, id) WHERE tombstoned_at IS NOT NULL;
CREATE INDEX vectors_by_item ON vectors(item_id);

CREATE TABLE jobs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    total      INTEGER NOT NULL CHECK (total >= 0),
    payload    BLOB NOT NULL,
    progress   TEXT NOT NULL, -- JSON-encoded JobProgress
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The worker claims the oldest queued job.
CREATE INDEX jobs_by_state ON jobs(state, id);
