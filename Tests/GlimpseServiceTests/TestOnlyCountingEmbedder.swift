import GlimpseEmbedding
import GlimpseTestSupport
import Synchronization

/// TEST ONLY: wraps an embedder and records every call (its texts and role), so a test can check how often and
/// in how many batches a search embeds.
final class TestOnlyCountingEmbedder: TextEmbedder {
    struct Call: Sendable, Equatable {
        let texts: [String]
        let role: EmbeddingRole
    }

    private let base: any TextEmbedder
    private let recorded = Mutex<[Call]>([])

    init(_ base: any TextEmbedder) { self.base = base }

    var spaceName: String { base.spaceName }
    var dimension: Int { base.dimension }

    func embed(_ texts: [String], role: EmbeddingRole) throws -> [[Float]] {
        recorded.withLock { $0.append(Call(texts: texts, role: role)) }
        return try base.embed(texts, role: role)
    }

    var calls: [Call] { recorded.withLock { $0 } }
    var queryCalls: [Call] { calls.filter { $0.role == .query } }
    func reset() { recorded.withLock { $0 = [] } }
}

/// TEST ONLY: the bag-of-words embedder, except that whole texts listed in `meanings` are embedded as their
/// English meaning (勺子 as "spoon"), so the embedder's choice among dictionary candidates is known in advance.
struct TestOnlyGlossingEmbedder: TextEmbedder {
    let meanings: [String: String]
    private let base = TestOnlyHashingEmbedder()

    init(meanings: [String: String]) { self.meanings = meanings }

    var spaceName: String { base.spaceName }
    var dimension: Int { base.dimension }

    func embed(_ texts: [String], role: EmbeddingRole) throws -> [[Float]] {
        try base.embed(texts.map { meanings[$0] ?? $0 }, role: role)
    }
}
