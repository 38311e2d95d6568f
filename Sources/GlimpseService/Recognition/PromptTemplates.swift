import Foundation

/// The language label prompts are written in: the text tower's own (OpenAI CLIP reads English, Chinese-CLIP
/// Chinese), whatever language the answer is shown in.
public enum LabelLanguage: String, Sendable, CaseIterable {
    case english = "en"
    case chinese = "zh"

    /// Prompt ensembling as in the CLIP paper (§3.1.4): each label is embedded in several sentences and the label's
    /// vector is the normalised mean of theirs. English: the seven templates OpenAI selected for ImageNet plus the
    /// plain "a photo of a {}."; Chinese: the corresponding ones of Chinese-CLIP's ImageNet templates. `{}` is the
    /// label's name. Changing them changes the label-vector cache key.
    public var templates: [String] {
        switch self {
        case .english:
            return [
                "a photo of a {}.", "a bad photo of a {}.", "a close-up photo of a {}.", "itap of a {}.",
                "a photo of the large {}.", "a photo of the small {}.", "art of the {}.", "a {} in a video game.",
            ]
        case .chinese:
            return [
                "一张{}的照片。", "{}的糟糕照片。", "{}的特写照片。", "我的{}的照片。", "大{}的照片。", "小{}的照片。",
                "{}的艺术作品。", "视频游戏中的{}。",
            ]
        }
    }

    /// Every prompt for one label name, in template order.
    public func prompts(for name: String) -> [String] {
        templates.map { $0.replacingOccurrences(of: "{}", with: name) }
    }

    /// The label's name in this language.
    public func name(of label: LabelVocabulary.Label) -> String {
        self == .english ? label.english : label.chinese
    }
}
