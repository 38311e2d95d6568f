import Foundation
import GlimpseService
import Synchronization

/// TEST ONLY, never reachable from the daemon: an `ImageLabeler` over a small fixed bilingual vocabulary. An image's
/// labels follow from its vector (its largest components pick the vocabulary entries), so different pictures get
/// different labels and the same picture the same ones. `generation` shifts every choice: a stand-in for a new image
/// model, to see automatic captions rewritten by a re-embed. (It lives beside the service tests rather than in
/// GlimpseTestSupport, which does not link GlimpseService, the protocol's module.)
final class TestOnlyLabeler: ImageLabeler {
    static let vocabulary: [(english: String, chinese: String)] = [
        ("dog", "狗"), ("cat", "猫"), ("bicycle", "自行车"), ("beach", "海滩"), ("mountain", "山"),
        ("street", "街道"), ("flower", "花"), ("car", "汽车"), ("bird", "鸟"), ("river", "河"),
        ("building", "建筑"), ("tree", "树"), ("boat", "船"),
    ]
    /// Probabilities of the 1st, 2nd, 3rd … label: with a floor of 0.05 the first two make the caption.
    static let probabilities: [Float] = [0.6, 0.3, 0.04, 0.03, 0.02, 0.01]

    let spaceName: String
    private let state = Mutex<(generation: Int, calls: Int)>((0, 0))

    init(spaceName: String) { self.spaceName = spaceName }

    /// Changing it changes every image's labels.
    var generation: Int {
        get { state.withLock { $0.generation } }
        set { state.withLock { $0.generation = newValue } }
    }

    var calls: Int { state.withLock { $0.calls } }

    func labels(forImageVector vector: [Float], count: Int) async throws -> [RecognizedLabel] {
        let generation = state.withLock {
            $0.calls += 1
            return $0.generation
        }
        // Components by size, largest first; each picks a distinct vocabulary entry.
        let order = vector.indices.sorted { vector[$0] != vector[$1] ? vector[$0] > vector[$1] : $0 < $1 }
        var picked: [Int] = []
        for component in order where picked.count < min(count, Self.probabilities.count) {
            let entry = (component + generation) % Self.vocabulary.count
            if !picked.contains(entry) { picked.append(entry) }
        }
        return picked.enumerated().map { rank, entry in
            RecognizedLabel(
                english: Self.vocabulary[entry].english, chinese: Self.vocabulary[entry].chinese,
                probability: Self.probabilities[rank])
        }
    }

    /// The captions `AutomaticCaptioner` makes of this labeler's answer with the default settings, for expectations.
    func expectedCaptions(forImageVector vector: [Float]) async throws -> [String: String] {
        let labels = try await labels(forImageVector: vector, count: 3).prefix(2)
        return [
            "en": labels.map(\.english).joined(separator: ", "), "zh": labels.map(\.chinese).joined(separator: "、"),
        ]
    }
}
