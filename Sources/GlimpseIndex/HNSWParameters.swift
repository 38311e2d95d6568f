import CFaissShim

/// Graph and search settings of an HNSW index.
public struct HNSWParameters: Sendable, Equatable, Hashable, Codable {
    /// Links per node on the upper layers (twice as many on the bottom layer).
    public var m: Int
    /// Candidate list size while inserting: higher builds a better graph, more slowly.
    public var efConstruction: Int
    /// Candidate list size for searches that do not ask for one.
    public var efSearchDefault: Int
    /// Largest candidate list a search may use; FAISS sizes its search heap by this once.
    public var efSearchMax: Int
    /// How the index stores vectors: 4·d bytes each as float32, or d bytes each as sq8.
    public var vectorEncoding: VectorEncoding

    /// Vector storage inside the index.
    public enum VectorEncoding: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
        /// Full precision, 4 bytes per dimension.
        case float32
        /// 8-bit scalar quantisation, 1 byte per dimension plus 8 bytes per dimension per index for the ranges
        /// (trained from the first add of at least 1,000 vectors, else [-1, 1]; retrained by a rebuild).
        case sq8

        var shimValue: Int32 { self == .sq8 ? GLIMPSE_VECTORS_SQ8 : GLIMPSE_VECTORS_FLOAT32 }

        init(shimValue: Int32) { self = shimValue == GLIMPSE_VECTORS_SQ8 ? .sq8 : .float32 }
    }

    public init(
        m: Int = 32, efConstruction: Int = 200, efSearchDefault: Int = 64, efSearchMax: Int = 1024,
        vectorEncoding: VectorEncoding = .float32
    ) {
        self.m = m
        self.efConstruction = efConstruction
        self.efSearchDefault = efSearchDefault
        self.efSearchMax = efSearchMax
        self.vectorEncoding = vectorEncoding
    }

    private enum CodingKeys: String, CodingKey {
        case m, efConstruction, efSearchDefault, efSearchMax, vectorEncoding
    }

    /// Parameters encoded before the encoding existed decode as float32.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        m = try container.decode(Int.self, forKey: .m)
        efConstruction = try container.decode(Int.self, forKey: .efConstruction)
        efSearchDefault = try container.decode(Int.self, forKey: .efSearchDefault)
        efSearchMax = try container.decode(Int.self, forKey: .efSearchMax)
        vectorEncoding = try container.decodeIfPresent(VectorEncoding.self, forKey: .vectorEncoding) ?? .float32
    }

    func validate() throws {
        guard (2...1024).contains(m) else {
            throw HNSWIndexError.invalidParameters("M must be between 2 and 1024, got \(m)")
        }
        guard (1...1_000_000).contains(efConstruction) else {
            throw HNSWIndexError.invalidParameters(
                "efConstruction must be between 1 and 1000000, got \(efConstruction)")
        }
        guard (1...1_000_000).contains(efSearchMax) else {
            throw HNSWIndexError.invalidParameters("efSearchMax must be between 1 and 1000000, got \(efSearchMax)")
        }
        guard (1...efSearchMax).contains(efSearchDefault) else {
            throw HNSWIndexError.invalidParameters(
                "efSearchDefault must be between 1 and efSearchMax (\(efSearchMax)), got \(efSearchDefault)")
        }
    }
}
