-- 0002: what each embedding space's index was built from, so a restart can tell how many of the index's points
-- are tombstoned and whether the model changed since the catalog's vectors were embedded.
--
-- model_*: the identity of the model that embedded the space's live vectors (name, dimension, fingerprint of the
-- model file). A daemon that starts with another model queues a re-embedding rebuild and records the new identity
-- once every live caption has been embedded again.
-- compacted_at: when the index lineage now on disk started from the catalog's live vectors only (a rebuild's build
-- phase, or a start without a usable snapshot). The index holds no vector tombstoned before then, so the tombstones
-- it still carries are those tombstoned since (same text format as vectors.tombstoned_at).
CREATE TABLE index_spaces (
    space             TEXT PRIMARY KEY,
    model_name        TEXT NOT NULL,
    model_dimension   INTEGER NOT NULL CHECK (model_dimension > 0),
    model_fingerprint TEXT NOT NULL,
    compacted_at      TEXT
);
