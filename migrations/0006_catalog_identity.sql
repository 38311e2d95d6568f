-- 0006: an identity for this catalog, created once, so an index snapshot can tell whether it was made from this
-- catalog (a snapshot copied from another data directory carries another id). A backup keeps its id: a restored
-- older backup is told apart by the vector ids it holds, not by this.
CREATE TABLE catalog_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO catalog_meta (key, value) VALUES ('catalog_id', lower(hex(randomblob(16))));

-- A job's payload (up to max_body_bytes of items) lives in its own table: SQLite rewrites a whole row, overflow
-- pages included, whenever a column of it changes size, so with the payload in `jobs` every claim and progress
-- update needed room for a second copy of it, and on a nearly full disk the worker could not record anything.
-- `jobs.payload` stays (NOT NULL) and is left empty.
CREATE TABLE job_payloads (
    job_id  INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
    payload BLOB NOT NULL
);
INSERT INTO job_payloads (job_id, payload) SELECT id, payload FROM jobs;
UPDATE jobs SET payload = X'';
