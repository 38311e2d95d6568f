import CFaissShim
import Foundation
import Synchronization

/// An HNSW graph over L2-normalised vectors, scored by inner product, keyed by catalog vector id.
///
/// Searches may run concurrently from many threads while one writer adds: the shim holds a reader–writer
/// lock per index (searches and snapshots share it, adds take it alone). HNSW cannot delete, so callers
/// exclude replaced vectors at search time.
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
        var pointer: OpaquePointer?
        try shimCall("creating the index") { message in
            glimpse_hnsw_create(
                Int32(dimension), Int32(parameters.m), Int32(parameters.efConstruction), Int32(parameters.efSearchMax),
                implementation == .faissStock ? 1 : 0, &pointer, message)
        }
        guard let pointer else { throw HNSWIndexError.backend("creating the index returned no handle") }
        self.dimension = dimension
        self.parameters = parameters
        self.handle = ShimHandle(pointer: pointer)
        self.incrementalSnapshots = implementation == .glimpse
    }

    init(dimension: Int, parameters: HNSWParameters, handle: ShimHandle) {
        self.dimension = dimension
        self.parameters = parameters
        self.handle = handle
        self.incrementalSnapshots = true
    }

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

    /// Name of the inner-product kernel this CPU uses ("avx2-fma" or "portable").
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

    /// The `k` nearest vectors by inner product, best first, never any id in `excluding`. `ef` is the search's
    /// candidate list size (clamped to `parameters.efSearchMax`); when exclusions leave fewer than `k` hits the
    /// search widens up to that maximum before returning fewer.
    public func search(_ vector: [Float], k: Int, ef: Int, excluding: Set<Int64> = []) throws -> [SearchHit] {
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
        var ids = [Int64](repeating: 0, count: Int(k32))
        var scores = [Float](repeating: 0, count: Int(k32))
        var found: Int32 = 0
        try shimCall("searching") { message in
            excluded.withUnsafeBufferPointer { excludedBuffer in
                ids.withUnsafeMutableBufferPointer { idBuffer in
                    scores.withUnsafeMutableBufferPointer { scoreBuffer in
                        glimpse_hnsw_search(
                            handle.pointer, vector, k32, ef32, excludedBuffer.baseAddress, Int64(excluded.count),
                            idBuffer.baseAddress, scoreBuffer.baseAddress, &found, message)
                    }
                }
            }
        }
        return (0..<Int(found)).map { SearchHit(id: ids[$0], score: scores[$0]) }
    }
}
