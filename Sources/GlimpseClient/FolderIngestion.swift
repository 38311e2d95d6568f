import Foundation
import GlimpseAPI

/// What one `glimpse ingest --dir` run did; printed as JSON by `--json` (for cron and scripts).
public struct FolderIngestSummary: Codable, Sendable, Equatable {
    /// Photos found in the folder (sent, or failed before sending).
    public var seen = 0
    /// Photos the daemon found unchanged (with an unchanged file: not even read).
    public var unchanged = 0
    /// Photos stored new or changed.
    public var ingested = 0
    /// Photos that failed, in the folder (id rule, sidecar) or in the daemon (unreadable, undecodable).
    public var failed = 0
    /// Items deleted by `--prune` because their file is gone.
    public var pruned = 0
    /// Entries skipped with a warning (symlinks leading outside the folder).
    public var skipped = 0
    /// Wall-clock time of the whole run, walk to last job.
    public var seconds = 0.0

    public init() {}

    /// Photos handled per second over the whole run.
    public var filesPerSecond: Double { seconds > 0 ? Double(seen) / seconds : 0 }

    enum CodingKeys: String, CodingKey {
        case seen, unchanged, ingested, failed, pruned, skipped, seconds
    }
}

/// `--prune`: the items that came from a folder (`image_path` under its real path, id = that path relative to it)
/// whose file no longer exists.
public enum FolderPrune {
    /// Pages through every item (the list has no path filter) and keeps the gone ones.
    public static func goneItems(under root: String, client: GlimpseClient) async throws(GlimpseClientError)
        -> [String]
    {
        var gone: [String] = []
        var cursor: String?
        repeat {
            let page = try await client.listItems(limit: IngestLimits.maxListLimit, cursor: cursor)
            for item in page.items where isGone(item, root: root) { gone.append(item.id) }
            cursor = page.nextCursor
        } while cursor != nil
        return gone
    }

    public static func isGone(_ item: ItemResponse, root: String) -> Bool {
        let prefix = root == "/" ? "/" : root + "/"
        guard item.imagePath.hasPrefix(prefix), item.id == String(item.imagePath.dropFirst(prefix.count)) else {
            return false
        }
        var info = stat()
        return lstat(item.imagePath, &info) != 0 && errno == ENOENT
    }
}
