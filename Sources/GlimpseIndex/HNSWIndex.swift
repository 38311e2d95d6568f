import CFaissShim
import Foundation
import Synchronization

/// An HNSW graph over L2-normalised vectors, scored by inner product, keyed by catalog vector id.
///
/// Searches may run concurrently from many threads while one writer adds: the shim holds a reader–writer
/// lock per index (searches and snapshots share it, adds take it alone). HNSW cannot delete a node, so callers
/// mark replaced or deleted vectors with `markDeleted(_:)` and searches skip them until a rebuild leaves them out.
public final class HNSWIndex: Sendable {
    public let dimension: Int
    public let parameters: HNSWParameters
    let handle: ShimHandle
    /// Where this index was last written in full and how much has been appended since (see `write(to:watermark:)`).
    let persistence = Mutex(SnapshotPersistence())
    /// False for FAISS's stock insertion, which does not record which links changed.
    let incrementalSnapshots: Bool

    /// An empty index.
    public convenience init(dimension: Int, parameters: HNSWParameters) throws {
        try self.init(dimension: dimension, parameters: parameters, implementation: .glimpse)
    }

    /// Whose code computes distances, builds and searches the graph (the graph layout is FAISS's either way).
    public enum Implementation: Sendable {
        /// Our AVX2/FMA inner product (picked at run time), our multi-threaded insertion and ef-sized search.
        case glimpse
        /// FAISS 1.7.3's own distance, `hnsw_add_vertices` and `HNSW::search`, kept as a baseline.
        case faissStock
    }

    public init(dimension: Int, parameters: HNSWParameters, implementation: Implementation) throws {
        try parameters.validate()
        guard (1...65_536).contains(dimension) else {
            throw HNSWIndexError.invalidParameters("dimension must be between 1 and 65536, got \(dimension)")
        }
        guard implementation == .glimpse || parameters.vectorEncoding == .float32 else {
            throw HNSWIndexError.invalidParameters("FAISS's stock implementation only stores float32 vectors")
        }
        var pointer: OpaquePointer?
        try shimCall("creating the index") { message in
            glimpse_hnsw_create(
                Int32(dimension), Int32(parameters.m), Int32(parameters.efConstruction), Int32(parameters.efSearchMax),
                implementation == .faissStock ? 1 : 0, parameters.vectorEncoding.shimValue, &pointer, message)
        }
        guard let pointer else { throw HNSWIndexError.backend("creating the index returned no handle") }
        self.dimension = dimension
        self.parameters = parameters
        self.handle = ShimHandle(pointer: pointer)
        self.incrementalSnapshots = implementation == .glimpse
    }

    /// A loaded index; its vector encoding is whatever the snapshot holds.
    init(dimension: Int, parameters: HNSWParameters, handle: ShimHandle) {
        self.dimension = dimension
        var parameters = parameters
        parameters.vectorEncoding = .init(shimValue: glimpse_hnsw_vector_encoding(handle.pointer))
        self.parameters = parameters
        self.handle = handle
        self.incrementalSnapshots = true
    }

    /// Bytes of vector storage per indexed vector: 4·dimension for float32, dimension for sq8 (the graph's
    /// links and the id maps come on top).
    public var vectorBytesPerVector: Int { Int(glimpse_hnsw_bytes_per_vector(handle.pointer)) }

    deinit {
        glimpse_hnsw_free(handle.pointer)
    }

    /// Number of vectors in the index.
    public var count: Int { Int(glimpse_hnsw_count(handle.pointer)) }

    /// How adds use the machine.
    public enum Insertion: Sendable, Equatable {
        /// Large adds on every core at normal priority (ingest, start-up replay).
        case foreground
        /// Adds on at most `threads` threads of the lowest priority (nice 19), so a rebuild beside live
        /// searches takes only the CPU time they leave.
        case background(threads: Int)
    }

    /// Applies to every later add.
    public func setInsertion(_ insertion: Insertion) {
        switch insertion {
        case .foreground:
            glimpse_hnsw_set_insertion(handle.pointer, Int32(ProcessInfo.processInfo.activeProcessorCount), 0)
        case .background(let threads):
            glimpse_hnsw_set_insertion(handle.pointer, Int32(clamping: max(1, threads)), 1)
        }
    }

    /// Highest level of the HNSW hierarchy (-1 when empty).
    var maxLevel: Int { Int(glimpse_hnsw_max_level(handle.pointer)) }

    /// Name of the inner-product kernel this CPU uses ("avx512", "avx2-fma" or "portable").
    public static var distanceKernelName: String { String(cString: glimpse_distance_kernel_name()) }

    /// Adds vectors (`vectors` is row-major, `ids.count × dimension` floats). Ids must be new to the index.
    public func add(ids: [Int64], vectors: [Float]) throws {
        guard !ids.isEmpty else {
            guard vectors.isEmpty else { throw HNSWIndexError.invalidInput("\(vectors.count) floats given for no ids") }
            return
        }
        let (expected, overflow) = ids.count.multipliedReportingOverflow(by: dimension)
        guard !overflow, vectors.count == expected else {
            throw HNSWIndexError.invalidInput(
                "expected \(ids.count) × \(dimension) = \(ids.count &* dimension) floats, got \(vectors.count)")
        }
        if let bad = vectors.firstIndex(where: { !$0.isFinite }) {
            throw HNSWIndexError.invalidInput("vector for id \(ids[bad / dimension]) has a non-finite value")
        }
        try shimCall("adding \(ids.count) vectors") { message in
            ids.withUnsafeBufferPointer { idBuffer in
                vectors.withUnsafeBufferPointer { vectorBuffer in
                    glimpse_hnsw_add(
                        handle.pointer, Int64(ids.count), idBuffer.baseAddress, vectorBuffer.baseAddress, message)
                }
            }
        }
    }

    /// Marks vectors deleted: no later search returns them (they stay in the graph as waypoints). Ids not yet
    /// in the index are remembered and apply when added. The marks are not written into snapshots; whoever
    /// loads one marks the catalog's tombstones again.
    public func markDeleted(_ ids: some Collection<Int64>) throws {
        try setDeleted(Array(ids), deleted: true)
    }

    /// Undoes `markDeleted(_:)` for these ids.
    public func unmarkDeleted(_ ids: some Collection<Int64>) throws {
        try setDeleted(Array(ids), deleted: false)
    }

    /// How a search with `allowing:` finds its hits.
    public enum FilteredSearchStrategy: Int32, Sendable {
        /// Exact scan when the allowed set is small for the graph search's widened ef, else the graph.
        case automatic = 0
        /// Always the graph search collecting only allowed vectors (benchmarks and tests).
        case graph = 1
        /// Always an exact scan of the allowed vectors (benchmarks and tests).
        case exactScan = 2
    }

    /// Applies to every later filtered search.
    public func setFilteredSearchStrategy(_ strategy: FilteredSearchStrategy) {
        glimpse_hnsw_set_filter_strategy(handle.pointer, strategy.rawValue)
    }

    /// Vectors in the index marked deleted.
    public var deletedCount: Int { Int(glimpse_hnsw_deleted_count(handle.pointer)) }

    private func setDeleted(_ ids: [Int64], deleted: Bool) throws {
        guard !ids.isEmpty else { return }
        try shimCall("marking \(ids.count) vectors \(deleted ? "deleted" : "live")") { message in
            ids.withUnsafeBufferPointer {
                glimpse_hnsw_mark_deleted(handle.pointer, $0.baseAddress, Int64(ids.count), deleted ? 1 : 0, message)
            }
        }
    }

    /// The `k` nearest vectors by inner product, best first, never a vector marked deleted nor any id in
    /// `excluding`. `ef` is the search's candidate list size (clamped to `parameters.efSearchMax`); when
    /// exclusions leave fewer than `k` hits the search widens up to that maximum before returning fewer.
    ///
    /// `allowing` restricts the results to those ids (nil: no restriction). The index estimates the filter's
    /// selectivity (allowed vectors / all vectors): a small allowed set is scanned exactly, a larger one is
    /// searched in the graph with only allowed vectors collected and `ef` widened by 1 / selectivity (up to
    /// the maximum), so results stay close to exact at any selectivity.
    public func search(
        _ vector: [Float], k: Int, ef: Int, excluding: Set<Int64> = [], allowing: Set<Int64>? = nil
    ) throws -> [SearchHit] {
        guard vector.count == dimension else {
            throw HNSWIndexError.invalidInput("query has \(vector.count) values, the index has dimension \(dimension)")
        }
        guard vector.allSatisfy(\.isFinite) else { throw HNSWIndexError.invalidInput("query has a non-finite value") }
        guard k >= 1 else { throw HNSWIndexError.invalidInput("k must be positive, got \(k)") }
        guard ef >= 1 else { throw HNSWIndexError.invalidInput("ef must be positive, got \(ef)") }
        // More than `count` hits cannot exist; a racing add only means fewer hits than it could have had.
        let k32 = Int32(clamping: min(k, max(1, count)))
        let ef32 = Int32(clamping: min(ef, parameters.efSearchMax))
        let excluded = Array(excluding)
        let allowed = allowing.map(Array.init) ?? []
        let allowedCount = allowing == nil ? -1 : Int64(allowed.count)
        var ids = [Int64](repeating: 0, count: Int(k32))
        var scores = [Float](repeating: 0, count: Int(k32))
        var found: Int32 = 0
        try shimCall("searching") { message in
            excluded.withUnsafeBufferPointer { excludedBuffer in
                allowed.withUnsafeBufferPointer { allowedBuffer in
                    ids.withUnsafeMutableBufferPointer { idBuffer in
                        scores.withUnsafeMutableBufferPointer { scoreBuffer in
                            glimpse_hnsw_search(
                                handle.pointer, vector, k32, ef32, excludedBuffer.baseAddress, Int64(excluded.count),
                                allowedBuffer.baseAddress, allowedCount, idBuffer.baseAddress, scoreBuffer.baseAddress,
                                &found, message)
                        }
                    }
                }
            }
        }
        return (0..<Int(found)).map { SearchHit(id: ids[$0], score: scores[$0]) }
    }
}

extension HNSWIndex {
    /// True for an sq8 index whose per-dimension ranges were trained from its vectors (a first add of at least
    /// 1,000 of them); false for float32 and for sq8 ranges left at [-1, 1]. Read from the ranges themselves, so a
    /// loaded snapshot answers as the index it was taken from.
    public var rangesTrainedFromData: Bool { glimpse_hnsw_ranges_trained_from_data(handle.pointer) != 0 }
}
