import CFaissShim

extension HNSWIndex {
    /// The vectors the index stores for `ids`, in the order asked; nil for an id the index does not hold. float32
    /// indexes give back exactly the floats that were added; sq8 indexes give the decoded 8-bit values (within one
    /// quantisation step of them). Ids marked deleted are still returned (their rows are kept until a rebuild).
    ///
    /// Why: a search that re-scores its hits (per-language centring) needs their vectors, and these are already in
    /// memory here; reading them back from the catalog cost an SQLite read and a float16 decode per hit.
    public func storedVectors(ids: [Int64]) throws -> [[Float]?] {
        guard !ids.isEmpty else { return [] }
        var rows = [Float](repeating: 0, count: ids.count * dimension)
        var found = [UInt8](repeating: 0, count: ids.count)
        try shimCall("reading stored vectors") { message in
            ids.withUnsafeBufferPointer { idBuffer in
                rows.withUnsafeMutableBufferPointer { rowBuffer in
                    found.withUnsafeMutableBufferPointer { foundBuffer in
                        glimpse_hnsw_vectors(
                            handle.pointer, idBuffer.baseAddress, Int64(ids.count), rowBuffer.baseAddress,
                            foundBuffer.baseAddress, message)
                    }
                }
            }
        }
        return ids.indices.map { position in
            guard found[position] != 0 else { return nil }
            let start = position * dimension
            return Array(rows[start..<start + dimension])
        }
    }

    /// Whether the stored vectors are the added floats themselves (float32), not a quantised form of them.
    public var storesExactVectors: Bool { glimpse_hnsw_vector_encoding(handle.pointer) == GLIMPSE_VECTORS_FLOAT32 }
}
