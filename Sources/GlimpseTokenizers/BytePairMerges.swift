/// A BPE merge table and the merge loop of `tokenizers`' `Word::merge_all`: repeatedly merge the adjacent pair
/// with the lowest rank (leftmost among equals), using a min-heap whose stale entries are skipped when the pair at
/// their position no longer produces the same token. O(n log n) in the word's length.
package struct BytePairMerges: Sendable {
    private struct Merge: Sendable {
        let rank: Int32
        let merged: Int32
    }

    private let table: [UInt64: Merge]

    package var count: Int { table.count }

    /// `pairs[rank]` = (left id, right id, merged id). A pair listed twice keeps its last rank, as in `tokenizers`
    /// (its merge map is collected from the list in order).
    package init(pairs: [(left: Int32, right: Int32, merged: Int32)]) {
        var table: [UInt64: Merge] = [:]
        table.reserveCapacity(pairs.count)
        for (rank, pair) in pairs.enumerated() {
            table[Self.key(pair.left, pair.right)] = Merge(rank: Int32(rank), merged: pair.merged)
        }
        self.table = table
    }

    @inline(__always)
    private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    /// The symbols after every applicable merge.
    package func merge(_ symbols: [Int32]) -> [Int32] {
        let count = symbols.count
        guard count > 1 else { return symbols }
        var ids = symbols
        var previous = [Int](0..<count).map { $0 - 1 }
        var next = [Int](1...count)
        next[count - 1] = -1
        var alive = [Bool](repeating: true, count: count)
        var heap = MergeHeap()
        for position in 0..<(count - 1) {
            if let merge = table[Self.key(ids[position], ids[position + 1])] {
                heap.push(rank: merge.rank, position: position, merged: merge.merged)
            }
        }
        while let top = heap.pop() {
            let position = top.position
            guard alive[position], next[position] >= 0 else { continue }
            let right = next[position]
            guard let current = table[Self.key(ids[position], ids[right])], current.merged == top.merged else {
                continue
            }
            ids[position] = top.merged
            alive[right] = false
            next[position] = next[right]
            if next[right] >= 0 { previous[next[right]] = position }
            if previous[position] >= 0, let merge = table[Self.key(ids[previous[position]], ids[position])] {
                heap.push(rank: merge.rank, position: previous[position], merged: merge.merged)
            }
            if next[position] >= 0, let merge = table[Self.key(ids[position], ids[next[position]])] {
                heap.push(rank: merge.rank, position: position, merged: merge.merged)
            }
        }
        var result: [Int32] = []
        result.reserveCapacity(count)
        for index in 0..<count where alive[index] { result.append(ids[index]) }
        return result
    }
}

/// Binary min-heap of candidate merges ordered by (rank, position).
private struct MergeHeap {
    package struct Entry {
        let order: UInt64  // rank in the high half, position in the low half
        let merged: Int32
        var position: Int { Int(order & 0xFFFF_FFFF) }
    }

    private var entries: [Entry] = []

    package mutating func push(rank: Int32, position: Int, merged: Int32) {
        entries.append(Entry(order: UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(position), merged: merged))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].order < entries[parent].order else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    package mutating func pop() -> Entry? {
        guard let last = entries.popLast() else { return nil }
        guard !entries.isEmpty else { return last }
        let top = entries[0]
        entries[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < entries.count, entries[left].order < entries[smallest].order { smallest = left }
            if right < entries.count, entries[right].order < entries[smallest].order { smallest = right }
            guard smallest != parent else { break }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
