import Foundation
import GlimpseAPI
import GlimpseCatalog

/// Lets a repeated ingest (a nightly `glimpse ingest --dir`) skip an item without opening its image file: one
/// stat(2) gives the file's size and modification time, and when they and the item as requested (path, captions,
/// fields) equal what the catalog recorded at the last ingest, the item is counted unchanged. Anything else, or a
/// file that cannot be stat'ed, takes the ordinary path: read, hash, compare, embed if changed.
///
/// As with make or rsync, a file rewritten with the same size within the same nanosecond timestamp goes unnoticed;
/// a rebuild with `reembed` (or touching the file) re-reads everything.
enum UnchangedFileCheck {
    /// The facts of the item's file as it is now; nil when the path is not allowed (the reader reports why) or the
    /// file is not a regular file that stat(2) can see.
    static func currentFacts(of item: IngestItem, imageRoots: ImageRoots) -> ItemFileFacts? {
        // The same checks, in the same order, as `ImageFileReader`: nothing about a path outside the roots is told.
        guard imageRoots.allowsSpelling(item.imagePath), imageRoots.allowsResolved(item.imagePath) else { return nil }
        var info = stat()
        guard stat(item.imagePath, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        return ItemFileFacts(size: Int64(info.st_size), modifiedNanoseconds: modified, requestHash: requestHash(item))
    }

    /// The content hash without image bytes: what the request itself says about the item.
    static func requestHash(_ item: IngestItem) -> String {
        ContentHasher(imagePath: item.imagePath).finish(captions: item.captions, fields: item.fields)
    }
}
