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

    public init(m: Int = 32, efConstruction: Int = 200, efSearchDefault: Int = 64, efSearchMax: Int = 1024) {
        self.m = m
        self.efConstruction = efConstruction
        self.efSearchDefault = efSearchDefault
        self.efSearchMax = efSearchMax
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
