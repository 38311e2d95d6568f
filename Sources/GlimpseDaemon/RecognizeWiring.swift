import Foundation
import GlimpseCLIP
import GlimpseService

extension DaemonConfiguration {
    /// The labeler of `POST /v1/recognize` and of automatic captions: zero-shot over the built-in vocabulary in the
    /// first space that embeds images, with prompts in its text tower's language (Chinese-CLIP → Chinese, OpenAI
    /// CLIP → English). Its label vectors are cached in the data directory under the checkpoint's fingerprint.
    /// Nil in a daemon without an image space.
    func recognizeLabeler(models: [SpaceModel], fingerprints: [String: String]) -> ZeroShotLabeler? {
        guard let clip = models.lazy.compactMap({ $0.image as? CLIPEmbedder }).first else { return nil }
        return ZeroShotLabeler(
            textEmbedder: clip, logitScale: clip.logitScale,
            language: clip.family == .chineseCLIP ? .chinese : .english,
            cacheDirectory: URL(fileURLWithPath: dataDirectory, isDirectory: true),
            modelFingerprint: fingerprints[clip.spaceName] ?? clip.spaceName)
    }
}
