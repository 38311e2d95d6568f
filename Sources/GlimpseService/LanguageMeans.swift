import GlimpseCatalog
import Synchronization

/// The mean caption vector of each caption language in one space, for per-language centring. Multilingual
/// embedders place every text of a language near a shared offset; subtracting it (as a score correction
/// `q·c − q·mean(language of c)`) lets a Chinese caption and an English caption compete on meaning alone.
///
/// Kept up to date lazily: each search first folds in the vectors committed since the last look (one catalog
/// read when nothing changed); a delete or rebuild (tombstones changed) recomputes from the live vectors.
final class LanguageMeans: Sendable {
    private struct State {
        var sums: [String: [Double]] = [:]
        var counts: [String: Int] = [:]
        var lastVectorID: Int64 = 0
        var tombstones = 0
    }

    /// Guards the running sums; searches refresh and read it concurrently.
    private let state = Mutex(State())
    private let pageSize = 2_000

    /// Current means by caption language ("zh", "en", …), after folding in new catalog vectors.
    func current(space: EmbeddingSpace, catalog: Catalog) throws -> [String: [Float]] {
        let tombstones = space.tombstoneCount
        var snapshot = state.withLock { $0 }
        if snapshot.tombstones != tombstones { snapshot = State(tombstones: tombstones) }
        var changed = false
        while true {
            let page = try catalog.vectors(space: space.name, after: snapshot.lastVectorID, limit: pageSize)
            guard !page.isEmpty else { break }
            let owners = try catalog.hits(vectorIDs: page.map(\.id))
            for stored in page {
                snapshot.lastVectorID = max(snapshot.lastVectorID, stored.id)
                guard let language = owners[stored.id]?.captionLanguage, stored.vector.count == space.index.dimension
                else { continue }
                var sum = snapshot.sums[language] ?? [Double](repeating: 0, count: stored.vector.count)
                for i in sum.indices { sum[i] += Double(stored.vector[i]) }
                snapshot.sums[language] = sum
                snapshot.counts[language, default: 0] += 1
            }
            changed = true
            if page.count < pageSize { break }
        }
        if changed || snapshot.tombstones != state.withLock({ $0.tombstones }) {
            let updated = snapshot
            state.withLock { current in
                // Another search may have folded in more meanwhile; keep whichever has seen further.
                if updated.lastVectorID >= current.lastVectorID || updated.tombstones != current.tombstones { current = updated }
            }
        }
        return snapshot.sums.reduce(into: [:]) { means, entry in
            let count = Double(snapshot.counts[entry.key] ?? 1)
            means[entry.key] = entry.value.map { Float($0 / count) }
        }
    }
}
