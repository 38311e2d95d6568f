import Foundation
import GlimpseCLIP
import GlimpseTestSupport
import Testing

/// The checkpoint's learnt `logit_scale` (zero-shot logits are exp(logit_scale) × cosine), read in every weight
/// form a published checkpoint ships: the values are transformers' own (Tests/Fixtures/CLIP/recognize.json).
@Suite struct LogitScaleTests {
    @Test func logitScaleIsTheCheckpointsInEveryWeightForm() throws {
        let directory = CLIPFixtures.directory
        // fp32 ln(1/0.07) in clip-tiny; the fp16 rounding of it in the Chinese-CLIP fixtures.
        #expect(try CLIPCheckpoint(folder: CLIPFixtures.clipFolder).logitScale == Float(2.6591999530792236))
        for folder in ["chinese-clip-tiny", "chinese-clip-tiny-bin", "chinese-clip-tiny-sharded"] {
            let checkpoint = try CLIPCheckpoint(folder: directory.appendingPathComponent(folder))
            #expect(checkpoint.logitScale == 2.66015625, "\(folder)")
        }
        let embedder = try CLIPEmbedder.load(folder: CLIPFixtures.chineseCLIPFolder)
        #expect(embedder.logitScale == 2.66015625 && embedder.family == .chineseCLIP)
    }
}
