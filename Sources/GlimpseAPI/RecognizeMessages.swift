/// Which names `POST /v1/recognize` answers with (`lang`).
public enum RecognizeLanguage: String, Codable, Sendable, CaseIterable {
    case chinese = "zh"
    case english = "en"
    case both
}

/// Bounds of `POST /v1/recognize`'s `k` (how many labels, most probable first).
public enum RecognizeLimits {
    public static let defaultK = 5
    public static let maxK = 50
}

/// One label of a recognised image: its name in the requested language(s) and its zero-shot probability over the
/// whole label vocabulary.
public struct RecognizeLabel: Codable, Sendable, Equatable {
    public var labelEnglish: String?
    public var labelChinese: String?
    public var probability: Float

    public init(labelEnglish: String?, labelChinese: String?, probability: Float) {
        self.labelEnglish = labelEnglish
        self.labelChinese = labelChinese
        self.probability = probability
    }

    enum CodingKeys: String, CodingKey {
        case labelEnglish = "label_en"
        case labelChinese = "label_zh"
        case probability
    }
}

/// The answer of `POST /v1/recognize`.
public struct RecognizeResponse: Codable, Sendable, Equatable {
    public var labels: [RecognizeLabel]
    /// The image space whose vision and text towers named the labels.
    public var space: String

    public init(labels: [RecognizeLabel], space: String) {
        self.labels = labels
        self.space = space
    }
}
