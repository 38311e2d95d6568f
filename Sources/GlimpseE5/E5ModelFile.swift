import Foundation
import GlimpseTokenizers
import GlimpseTransformer

/// A parsed E5S1 file: header, tokenizer tables and the tensor directory, with every range checked against the
/// file size. Layout (little-endian):
///   "E5S1", u32 version, i32 H, layers, heads, FF, vocab, maxPositions, typeVocab, f32 eps, i32 block size (32)
///   tokenizer: i32 pieces, bos, eos, pad, unk; u64 blob length; u32 offsets[pieces+1]; f32 scores[pieces]; blob
///   normalisation: i32 entries, u32 byte length, then (u32 codepoint, u8 n, u32 replacement[n]) per entry
///   directory: i32 count, then (u16 name length, name, u8 dtype (0 f32, 1 Q4_0), u32 elements, u64 offset, u64 bytes)
struct E5ModelFile {
    enum TensorType: UInt8 {
        case float32 = 0
        case q4 = 1
    }

    struct TensorEntry {
        let type: UInt8
        let elementCount: Int
        let byteRange: Range<Int>
    }

    let configuration: E5Configuration
    let tokenizer: SentencePieceUnigramTokenizer
    let tensors: [String: TensorEntry]

    static let magic: [UInt8] = Array("E5S1".utf8)

    init(bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count >= 4 else { throw E5ModelError.truncated(section: "header") }
        guard Array(bytes[0..<4]) == Self.magic else { throw E5ModelError.badMagic }
        var reader = BoundedByteReader(bytes, offset: 4)
        configuration = try E5Configuration(reading: &reader)
        tokenizer = try Self.readTokenizer(&reader, configuration: configuration)
        tensors = try Self.readDirectory(&reader, fileSize: bytes.count)
    }

    private static func readTokenizer(
        _ reader: inout BoundedByteReader, configuration: E5Configuration
    ) throws -> SentencePieceUnigramTokenizer {
        let section = "tokenizer"
        let pieceCount = Int(try reader.read(Int32.self, in: section))
        let special = try (0..<4).map { _ in Int(try reader.read(Int32.self, in: section)) }
        let blobLength = try reader.read(UInt64.self, in: section)
        guard pieceCount > 0, pieceCount <= configuration.vocabularySize else {
            throw E5ModelError.invalidTokenizer(
                "\(pieceCount) pieces for \(configuration.vocabularySize) embedding rows")
        }
        guard special.allSatisfy({ (0..<pieceCount).contains($0) }) else {
            throw E5ModelError.invalidTokenizer("special token ids \(special) outside 0..<\(pieceCount)")
        }
        let offsets = try reader.readUInt32Array(count: pieceCount + 1, in: section)
        let scores = try reader.readUInt32Array(count: pieceCount, in: section).map(
            Float.init(bitPattern:))
        guard blobLength <= UInt64(reader.remaining) else {
            throw E5ModelError.truncated(section: section)
        }
        let blobRange = try reader.take(Int(blobLength), in: section)
        for i in 0..<pieceCount where offsets[i] > offsets[i + 1] {
            throw E5ModelError.invalidTokenizer("piece offsets decrease at piece \(i)")
        }
        guard UInt64(offsets[pieceCount]) <= blobLength else {
            throw E5ModelError.invalidTokenizer(
                "piece offsets run past the \(blobLength)-byte piece blob")
        }
        let blob = [UInt8](reader.bytes[blobRange])

        let normalisationSection = "tokenizer normalisation map"
        let entryCount = Int(try reader.read(Int32.self, in: normalisationSection))
        let mapLength = Int(try reader.read(UInt32.self, in: normalisationSection))
        guard entryCount >= 0 else {
            throw E5ModelError.invalidTokenizer("negative normalisation entry count")
        }
        let mapRange = try reader.take(mapLength, in: normalisationSection)
        var mapReader = BoundedByteReader(UnsafeRawBufferPointer(rebasing: reader.bytes[mapRange]))
        var normalisation: [UInt32: [UInt32]] = [:]
        for _ in 0..<entryCount {
            let codepoint = try mapReader.read(UInt32.self, in: normalisationSection)
            let count = Int(try mapReader.read(UInt8.self, in: normalisationSection))
            let replacement = try mapReader.readUInt32Array(count: count, in: normalisationSection)
            if normalisation[codepoint] == nil { normalisation[codepoint] = replacement }
        }

        return SentencePieceUnigramTokenizer(
            pieceBytes: blob, pieceOffsets: offsets, scores: scores, normalisation: normalisation,
            bosID: special[0], eosID: special[1], padID: special[2], unknownID: special[3])
    }

    private static func readDirectory(_ reader: inout BoundedByteReader, fileSize: Int) throws
        -> [String: TensorEntry]
    {
        let section = "tensor directory"
        let count = Int(try reader.read(Int32.self, in: section))
        guard count >= 0 else { throw E5ModelError.truncated(section: section) }
        var tensors: [String: TensorEntry] = [:]
        for _ in 0..<count {
            let nameLength = Int(try reader.read(UInt16.self, in: section))
            let nameRange = try reader.take(nameLength, in: section)
            let name = String(decoding: reader.bytes[nameRange], as: UTF8.self)
            let type = try reader.read(UInt8.self, in: section)
            let elementCount = Int(try reader.read(UInt32.self, in: section))
            let offset = try reader.read(UInt64.self, in: section)
            _ = try reader.read(UInt64.self, in: section)  // stored byte count: derived from type and elements instead
            let byteCount: Int
            switch TensorType(rawValue: type) {
            case .float32: byteCount = elementCount * 4
            case .q4: byteCount = Q4Blocks.byteCount(weights: elementCount)
            case nil: byteCount = 0
            }
            guard offset <= UInt64(fileSize), UInt64(byteCount) <= UInt64(fileSize) - offset else {
                throw E5ModelError.tensorOutOfBounds(name: name)
            }
            let start = Int(offset)
            if tensors[name] == nil {
                tensors[name] = TensorEntry(
                    type: type, elementCount: elementCount, byteRange: start..<(start + byteCount))
            }
        }
        return tensors
    }

    /// The byte range of a tensor, after checking its type and element count.
    func tensorRange(_ name: String, type: TensorType, elements: Int) throws -> Range<Int> {
        guard let entry = tensors[name] else { throw E5ModelError.tensorMissing(name: name) }
        let typeName = { (raw: UInt8) in TensorType(rawValue: raw).map { "\($0)" } ?? "type \(raw)" }
        guard entry.type == type.rawValue, entry.elementCount == elements,
            type != .q4 || elements % Q4Blocks.weightsPerBlock == 0
        else {
            throw E5ModelError.tensorShapeMismatch(
                name: name, expected: "\(elements) × \(type)",
                found: "\(entry.elementCount) × \(typeName(entry.type))")
        }
        return entry.byteRange
    }
}
