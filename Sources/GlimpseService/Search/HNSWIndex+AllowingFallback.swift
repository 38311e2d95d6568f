import GlimpseIndex

// TEMPORARY until idx2's "filtered search API" is merged: delete this file then. Post-filters a widened search.
extension HNSWIndex {
    func search(_ vector: [Float], k: Int, ef: Int, excluding: Set<Int64>, allowing: Set<Int64>?) throws
        -> [SearchHit]
    {
        guard let allowing else { return try search(vector, k: k, ef: ef, excluding: excluding) }
        let wide = try search(vector, k: max(k, count), ef: max(ef, count), excluding: excluding)
        return Array(wide.filter { allowing.contains($0.id) }.prefix(k))
    }
}
