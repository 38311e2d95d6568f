/// Open-addressing hash table from a piece's UTF-8 bytes to its id, so Viterbi can look up every candidate span
/// without allocating a String per probe. When two pieces have the same bytes the lower id wins.
package struct PieceTable: Sendable {
    private let bytes: [UInt8]
    private let offsets: [UInt32]
    /// piece id + 1 per slot; 0 marks an empty slot.
    private let slots: [Int32]
    private let mask: Int
    /// Longest piece in bytes: spans longer than this cannot match.
    package let maxPieceBytes: Int

    package init(bytes: [UInt8], offsets: [UInt32]) {
        self.bytes = bytes
        self.offsets = offsets
        let count = offsets.count - 1
        var capacity = 2
        while capacity < count * 2 { capacity <<= 1 }
        let mask = capacity - 1
        var slots = [Int32](repeating: 0, count: capacity)
        var longest = 1
        bytes.withUnsafeBufferPointer { blob in
            for id in 0..<count {
                let start = Int(offsets[id])
                let length = Int(offsets[id + 1]) - start
                guard length > 0 else { continue }
                longest = max(longest, length)
                var slot = Self.hash(UnsafeBufferPointer(rebasing: blob[start..<(start + length)])) & mask
                while slots[slot] != 0 { slot = (slot + 1) & mask }
                slots[slot] = Int32(id + 1)
            }
        }
        self.slots = slots
        self.mask = mask
        maxPieceBytes = longest
    }

    /// FNV-1a over the bytes.
    package static func hash(_ span: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in span { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h)
    }

    /// The id of the piece spelled exactly by `span`, if any.
    package func id(of span: UnsafeBufferPointer<UInt8>) -> Int? {
        slots.withUnsafeBufferPointer { slots in
            offsets.withUnsafeBufferPointer { offsets in
                bytes.withUnsafeBufferPointer { blob in
                    var slot = Self.hash(span) & mask
                    while true {
                        let entry = Int(slots[slot])
                        if entry == 0 { return nil }
                        let id = entry - 1
                        let start = Int(offsets[id])
                        let length = Int(offsets[id + 1]) - start
                        if length == span.count,
                            memcmpEqual(blob.baseAddress! + start, span.baseAddress!, length)
                        {
                            return id
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
    }
}

@inline(__always)
private func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    for i in 0..<count where a[i] != b[i] { return false }
    return true
}
