-- 0009: what the image file looked like when an item was last ingested (issue 13.2), so that an unchanged file is
-- skipped at the next ingest without being opened, read or hashed (`glimpse ingest --dir` re-runs nightly).
-- file_size: bytes; file_mtime_ns: modification time in nanoseconds since 1970 (st_mtim), both from stat(2) taken
-- before the file was read. file_request_hash: SHA-256 over the item as requested without the image bytes (image
-- path, captions, fields), so a changed sidecar caption or a moved file is still re-ingested.
-- All NULL for items stored before this migration (their next ingest reads the file once and records them).
ALTER TABLE items ADD COLUMN file_size INTEGER;
ALTER TABLE items ADD COLUMN file_mtime_ns INTEGER;
ALTER TABLE items ADD COLUMN file_request_hash TEXT;
