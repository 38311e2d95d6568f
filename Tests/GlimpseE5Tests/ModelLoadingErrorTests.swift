import Foundation
import GlimpseE5
import GlimpseEmbedding
import Testing

/// Corrupt, truncated or missing model files are reported as typed errors, never as crashes.
@Suite struct ModelLoadingErrorTests {
    @Test func missingFileIsReportedAsFileNotFound() {
        let path = "/nonexistent/glimpse/e5-small-q4.bin"
        #expect(throws: E5ModelError.fileNotFound(path: path)) { try E5TextEmbedder(modelPath: path) }
    }

    @Test func fileWithWrongMagicIsRejected() throws {
        var data = try realModelPrefix(1024)
        data.replaceSubrange(0..<4, with: Array("GGUF".utf8))
        let path = try SyntheticModelFile.writeTemporary(data, named: "wrong-magic.bin")
        #expect(throws: E5ModelError.badMagic) { try E5TextEmbedder(modelPath: path) }
    }

    @Test func firstKilobyteOfRealModelIsReportedAsTruncatedTokenizer() throws {
        let path = try SyntheticModelFile.writeTemporary(
            try realModelPrefix(1024), named: "truncated.bin")
        #expect(throws: E5ModelError.truncated(section: "tokenizer")) {
            try E5TextEmbedder(modelPath: path)
        }
    }

    @Test func realModelCutAfterItsDirectoryReportsTheFirstTensorOutOfBounds() throws {
        // The real file's directory ends before 5 MB; the 54 MB word embedding table starts right after it.
        let path = try SyntheticModelFile.writeTemporary(
            try realModelPrefix(5_000_000), named: "cut.bin")
        #expect(throws: E5ModelError.tensorOutOfBounds(name: "emb.word")) {
            try E5TextEmbedder(modelPath: path)
        }
    }

    @Test func emptyFileIsReportedAsTruncated() throws {
        let path = try SyntheticModelFile.writeTemporary(Data(), named: "empty.bin")
        #expect(throws: E5ModelError.truncated(section: "header")) {
            try E5TextEmbedder(modelPath: path)
        }
    }

    @Test func intactSyntheticModelLoadsAndEmbeds() throws {
        let embedder = try E5TextEmbedder(modelPath: try SyntheticModelFile().write())
        #expect(embedder.dimension == SyntheticModelFile.hidden)
        #expect(embedder.tokenIDs("a", role: .query).first == 0)
        // Longer than the 8 positions: exercises windows on the tiny model.
        let vectors = try embedder.embed(["a a a a a a a a a a a a", "a"], role: .passage)
        for vector in vectors {
            #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
        }
    }

    @Test func missingTensorIsReportedByName() throws {
        var model = SyntheticModelFile()
        model.tensors.removeAll { $0.name == "l0.fo.w" }
        #expect(throws: E5ModelError.tensorMissing(name: "l0.fo.w")) {
            try E5TextEmbedder(modelPath: try model.write())
        }
    }

    @Test func tensorOffsetPastEndOfFileIsReportedAsOutOfBounds() throws {
        var model = SyntheticModelFile()
        model.tensors[1].offsetOverride = UInt64.max - 8
        #expect(throws: E5ModelError.tensorOutOfBounds(name: "emb.pos")) {
            try E5TextEmbedder(modelPath: try model.write())
        }
    }

    @Test func tensorWithWrongElementCountIsReportedAsShapeMismatch() throws {
        var model = SyntheticModelFile()
        model.tensors[3].elements = 16
        #expect {
            try E5TextEmbedder(modelPath: try model.write())
        } throws: { error in
            guard case E5ModelError.tensorShapeMismatch(name: "emb.ln.w", _, _) = error else {
                return false
            }
            return true
        }
    }

    /// The first `count` bytes of the real model file.
    private func realModelPrefix(_ count: Int) throws -> Data {
        try requireModelFile()
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: modelPath))
        defer { try? handle.close() }
        return try handle.read(upToCount: count) ?? Data()
    }
}
