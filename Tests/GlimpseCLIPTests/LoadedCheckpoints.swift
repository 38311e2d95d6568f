import Foundation
import GlimpseCLIP
import GlimpseTestSupport
import GlimpseTokenizers
import GlimpseTransformer
import Testing

/// The two fixture checkpoints, loaded once for the whole suite.
enum LoadedCheckpoints {
    private static let clipResult = Result { try CLIPCheckpoint(folder: CLIPFixtures.clipFolder) }
    private static let chineseResult = Result { try CLIPCheckpoint(folder: CLIPFixtures.chineseCLIPFolder) }

    static func clip() throws -> CLIPCheckpoint { try clipResult.get() }
    static func chineseCLIP() throws -> CLIPCheckpoint { try chineseResult.get() }

    /// (checkpoint, its reference outputs, a label) for both families.
    static func both() throws -> [(CLIPCheckpoint, CLIPFixtures.Family, String)] {
        let reference = try CLIPFixtures.reference.get()
        return [(try clip(), reference.clip, "clip"), (try chineseCLIP(), reference.chineseCLIP, "chinese_clip")]
    }
}
