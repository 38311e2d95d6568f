import Foundation
import GlimpseTestSupport

/// Writes a tiny but complete E5S1 file (hidden 32, one layer, one head) so tests can corrupt single fields of the
/// tensor directory and check which error the loader reports.
struct SyntheticModelFile {
    static let hidden = 32, intermediate = 32, maxPositions = 8,
        pieces = ["<s>", "<pad>", "</s>", "<unk>", "▁a", "a", "▁"]

    struct Tensor {
        var name: String
        var type: UInt8  // 0 f32, 1 Q4_0
        var elements: Int
        /// nil: place the data after the directory; otherwise this offset is written as is.
        var offsetOverride: UInt64?
    }

    var tensors: [Tensor] = {
        let h = hidden
        let ff = intermediate
        var list = [
            Tensor(name: "emb.word", type: 1, elements: pieces.count * h),
            Tensor(name: "emb.pos", type: 0, elements: maxPositions * h),
            Tensor(name: "emb.type", type: 0, elements: 2 * h),
            Tensor(name: "emb.ln.w", type: 0, elements: h),
            Tensor(name: "emb.ln.b", type: 0, elements: h),
        ]
        for (name, type, elements) in [
            ("q.w", 1, h * h), ("q.b", 0, h), ("k.w", 1, h * h), ("k.b", 0, h), ("v.w", 1, h * h),
            ("v.b", 0, h),
            ("ao.w", 1, h * h), ("ao.b", 0, h), ("aln.w", 0, h), ("aln.b", 0, h), ("fi.w", 1, ff * h),
            ("fi.b", 0, ff), ("fo.w", 1, h * ff), ("fo.b", 0, h), ("oln.w", 0, h), ("oln.b", 0, h),
        ] {
            list.append(Tensor(name: "l0.\(name)", type: UInt8(type), elements: elements))
        }
        return list
    }()

    func bytes() -> Data {
        var out = Data("E5S1".utf8)
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func i32(_ v: Int) { u32(UInt32(bitPattern: Int32(v))) }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func f32(_ v: Float) { u32(v.bitPattern) }

        u32(1)
        for v in [Self.hidden, 1, 1, Self.intermediate, Self.pieces.count, Self.maxPositions, 2] {
            i32(v)
        }
        f32(1e-12)
        i32(32)
        // Tokenizer: ids of <s>, </s>, <pad>, <unk>; piece offsets, scores, bytes; empty normalisation map.
        i32(Self.pieces.count)
        for v in [0, 2, 1, 3] { i32(v) }
        let blob = Self.pieces.flatMap { Array($0.utf8) }
        u64(UInt64(blob.count))
        var offset = 0
        u32(0)
        for piece in Self.pieces {
            offset += piece.utf8.count
            u32(UInt32(offset))
        }
        for i in Self.pieces.indices { f32(i < 4 ? 0 : -Float(i)) }
        out.append(contentsOf: blob)
        i32(0)
        u32(0)

        // Directory, then the tensor data (fp32 ones, Q4 blocks with scale 0.01 and code 9).
        func byteCount(_ t: Tensor) -> Int { t.type == 0 ? t.elements * 4 : t.elements / 32 * 18 }
        i32(tensors.count)
        let directorySize = tensors.reduce(0) { $0 + 2 + $1.name.utf8.count + 1 + 4 + 8 + 8 }
        var dataOffset = out.count + directorySize
        for t in tensors {
            withUnsafeBytes(of: UInt16(t.name.utf8.count).littleEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: Array(t.name.utf8))
            out.append(t.type)
            u32(UInt32(t.elements))
            u64(t.offsetOverride ?? UInt64(dataOffset))
            u64(UInt64(byteCount(t)))
            dataOffset += byteCount(t)
        }
        for t in tensors {
            if t.type == 0 {
                for _ in 0..<t.elements { f32(t.name.hasSuffix(".w") ? 1 : 0.01) }
            } else {
                for _ in 0..<(t.elements / 32) {
                    out.append(contentsOf: [0x1F, 0x21])  // fp16 ≈ 0.0083
                    out.append(contentsOf: [UInt8](repeating: 0x99, count: 16))
                }
            }
        }
        return out
    }

    /// Writes the file into a fresh temporary directory and returns its path.
    func write(named name: String = "model.bin") throws -> String {
        try Self.writeTemporary(bytes(), named: name)
    }

    static func writeTemporary(_ data: Data, named name: String) throws -> String {
        try ScratchDirectory("e5-tests").write(data, named: name).path
    }
}
