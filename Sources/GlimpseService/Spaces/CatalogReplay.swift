import GlimpseCatalog
import GlimpseIndex
import Logging

/// Adds a space's live catalog vectors newer than a watermark to an index, page by page: the one path by which the
/// catalog (the source of truth) fills an index, at start-up after a snapshot and for a rebuild.
struct CatalogReplay {
    let catalog: Catalog
    let space: String
    let dimension: Int
    let logger: Logger
    var pageSize = 10_000

    struct Outcome {
        /// The highest catalog vector id read, added or skipped.
        var watermark: Int64
        var added = 0
        var skipped = 0
        /// False when `afterPage` asked to stop early.
        var finished = true
    }

    /// `afterPage` sees the progress after each page and returns false to stop (for a shutdown mid-rebuild).
    func replay(into index: HNSWIndex, after watermark: Int64, afterPage: (Outcome) throws -> Bool = { _ in true })
        throws -> Outcome
    {
        var outcome = Outcome(watermark: watermark)
        while true {
            let page = try catalog.vectors(space: space, after: outcome.watermark, limit: pageSize)
            guard let last = page.last else { break }
            var ids: [Int64] = []
            var flat: [Float] = []
            for stored in page {
                // A row of the wrong size means a corrupted or foreign catalog; it must not poison the index.
                guard stored.vector.count == dimension, stored.vector.allSatisfy(\.isFinite) else {
                    outcome.skipped += 1
                    logger.error(
                        "skipping catalog vector with wrong dimension or non-finite values",
                        metadata: [
                            "space": "\(space)", "vector_id": "\(stored.id)", "dimension": "\(stored.vector.count)",
                        ])
                    continue
                }
                ids.append(stored.id)
                flat.append(contentsOf: stored.vector)
            }
            if !ids.isEmpty { try index.add(ids: ids, vectors: flat) }
            outcome.added += ids.count
            outcome.watermark = last.id
            guard try afterPage(outcome) else {
                outcome.finished = false
                return outcome
            }
        }
        return outcome
    }
}
