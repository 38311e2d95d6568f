-- 0008: where a caption came from (issue 13.6). 'given': sent with the item (every caption stored before this
-- migration). 'auto': the top zero-shot labels of an image-only item, written by the ingest worker and rewritten by
-- a re-embed; a re-ingest with given captions replaces them. An item's captions are either all given or all auto.
ALTER TABLE captions ADD COLUMN source TEXT NOT NULL DEFAULT 'given' CHECK (source IN ('given', 'auto'));
