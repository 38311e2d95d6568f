import GlimpseTokenizers
import GlimpseTransformer

/// The encoder dimensions stored in the E5S1 header.
public struct E5Configuration: Sendable, Equatable {
    public let hiddenSize: Int
    public let layerCount: Int
    public let headCount: Int
    public let intermediateSize: Int
    public let vocabularySize: Int
    public let maxPositions: Int
    public let tokenTypeCount: Int
    public let layerNormEpsilon: Float

    var headSize: Int { hiddenSize / headCount }
    /// Content tokens per window: the positions left after <s> and </s>.
    var windowContentTokens: Int { maxPositions - 2 }

    /// Reads the header after the magic bytes and checks the dimensions are usable.
    init(reading reader: inout BoundedByteReader) throws {
        let section = "header"
        let version = try reader.read(UInt32.self, in: section)
        guard version == 1 else { throw E5ModelError.unsupportedVersion(version) }
        var fields: [Int] = []
        for _ in 0..<7 { fields.append(Int(try reader.read(Int32.self, in: section))) }
        layerNormEpsilon = try reader.readFloat(in: section)
        let blockSize = Int(try reader.read(Int32.self, in: section))
        (hiddenSize, layerCount, headCount, intermediateSize) = (
            fields[0], fields[1], fields[2], fields[3]
        )
        (vocabularySize, maxPositions, tokenTypeCount) = (fields[4], fields[5], fields[6])

        func require(_ ok: Bool, _ problem: String) throws {
            if !ok { throw E5ModelError.invalidHeader(problem) }
        }
        try require(
            blockSize == Q4Blocks.weightsPerBlock, "quantisation block size \(blockSize), expected 32")
        try require(
            (1...8192).contains(hiddenSize) && hiddenSize % blockSize == 0,
            "hidden size \(hiddenSize) is not a positive multiple of 32")
        try require((1...256).contains(layerCount), "layer count \(layerCount)")
        try require(
            (1...hiddenSize).contains(headCount) && hiddenSize % headCount == 0,
            "head count \(headCount) does not divide hidden size \(hiddenSize)")
        try require(
            (1...65536).contains(intermediateSize) && intermediateSize % blockSize == 0,
            "intermediate size \(intermediateSize) is not a positive multiple of 32")
        try require(vocabularySize > 0, "vocabulary size \(vocabularySize)")
        try require((3...65536).contains(maxPositions), "max positions \(maxPositions)")
        try require(tokenTypeCount > 0, "token type count \(tokenTypeCount)")
        try require(
            layerNormEpsilon.isFinite && layerNormEpsilon > 0, "layer norm epsilon \(layerNormEpsilon)")
    }
}
