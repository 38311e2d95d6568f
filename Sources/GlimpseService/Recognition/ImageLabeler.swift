/// A label for a picture, named in both languages, with its zero-shot probability.
public struct RecognizedLabel: Sendable, Equatable, Codable {
    public var english: String
    public var chinese: String
    public var probability: Float

    public init(english: String, chinese: String, probability: Float) {
        self.english = english
        self.chinese = chinese
        self.probability = probability
    }
}

/// Names what a picture shows: zero-shot recognition over a bilingual label vocabulary. The recognize endpoint
/// answers with it, and the ingest worker stores its top labels as automatic captions of image-only items.
public protocol ImageLabeler: Sendable {
    /// The image space whose vectors `labels(forImageVector:count:)` takes.
    var spaceName: String { get }
    /// The `count` most probable labels of an image given its unit vector in that space, most probable first.
    func labels(forImageVector vector: [Float], count: Int) async throws -> [RecognizedLabel]
}
