import Foundation
import GlimpseAPI

/// `auto_caption_labels` and `auto_caption_min_probability`: how many zero-shot labels make an automatic caption.
public struct AutomaticCaptionSettings: Sendable, Equatable {
    /// The most labels one automatic caption may hold (the setting's upper bound).
    public static let maxLabels = 20
    /// At most this many labels, most probable first; 0 turns automatic captions off.
    public var labels: Int
    /// Labels after the first need at least this probability; the most probable label is always kept, so an
    /// image-only item always gets a caption to be found by text.
    public var minProbability: Float

    public init(labels: Int = 3, minProbability: Float = 0.05) {
        self.labels = labels
        self.minProbability = minProbability
    }
}

/// Writes the automatic captions of an item that came without captions: its image's top zero-shot labels, in
/// English (from `RecognizedLabel.english`, joined by ", ") and Chinese (from `chinese`, joined by "、", the
/// enumeration comma), e.g. `{"en": "dog, grass", "zh": "狗、草"}`. The text spaces then embed them like given
/// captions, so a text search in either language finds the picture. They are stored with source `auto`, never
/// replace given captions, and are written again when a re-embed changes the image vectors.
struct AutomaticCaptioner: Sendable {
    let labeler: any ImageLabeler
    let settings: AutomaticCaptionSettings

    /// nil when there is no labeler or the settings ask for no labels.
    init?(labeler: (any ImageLabeler)?, settings: AutomaticCaptionSettings) {
        guard let labeler, settings.labels > 0 else { return nil }
        self.labeler = labeler
        self.settings = settings
    }

    /// The image space whose vectors the labeler reads.
    var spaceName: String { labeler.spaceName }

    /// The captions for an image's unit vector in `spaceName`; empty when the labeler names nothing usable.
    func captions(forImageVector vector: [Float]) async throws -> [String: String] {
        Self.captions(
            from: try await labeler.labels(forImageVector: vector, count: settings.labels), settings: settings)
    }

    /// The caption text of labels: the most probable one, then the others at or above the probability floor, up to
    /// `settings.labels`; a name repeated (two labels with one Chinese name) appears once, and a name a caption
    /// could not hold (empty, or a control character) is left out.
    static func captions(from labels: [RecognizedLabel], settings: AutomaticCaptionSettings) -> [String: String] {
        let ranked = labels.enumerated()
            .sorted {
                $0.element.probability != $1.element.probability
                    ? $0.element.probability > $1.element.probability : $0.offset < $1.offset
            }
            .map(\.element)
        let kept = ranked.prefix(settings.labels).enumerated()
            .filter { $0.offset == 0 || $0.element.probability >= settings.minProbability }
            .map(\.element)
        var captions: [String: String] = [:]
        for (language, names, separator) in [
            ("en", kept.map(\.english), ", "), ("zh", kept.map(\.chinese), "、"),
        ] {
            var seen: Set<String> = []
            let usable = names.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { name in
                !name.isEmpty && IngestItem.captionControlProblem(name) == nil && seen.insert(name).inserted
            }
            if !usable.isEmpty { captions[language] = usable.joined(separator: separator) }
        }
        return captions
    }
}
