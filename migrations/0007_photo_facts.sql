-- 0007: what an item's image headers say (issue 13.3), read at ingest without decoding pixels and replaced by
-- every ingest that changes the item. All NULL when the facts could not be read (a header the reader does not
-- understand is not an item failure) and for items stored before this migration until they are re-ingested.
-- photo_taken_at: EXIF DateTimeOriginal as seconds since 1970 UTC (exact with OffsetTimeOriginal; without one,
-- the camera's wall-clock time read as UTC). photo_utc_offset: OffsetTimeOriginal as written ("+08:00").
-- photo_width/photo_height: upright pixel size (after EXIF orientation or the container's rotation).
ALTER TABLE items ADD COLUMN photo_taken_at REAL;
ALTER TABLE items ADD COLUMN photo_utc_offset TEXT;
ALTER TABLE items ADD COLUMN photo_width INTEGER;
ALTER TABLE items ADD COLUMN photo_height INTEGER;

-- The `photo.taken_at`, `photo.width` and `photo.height` filters.
CREATE INDEX items_by_photo_taken_at ON items(photo_taken_at);
CREATE INDEX items_by_photo_width ON items(photo_width);
CREATE INDEX items_by_photo_height ON items(photo_height);
