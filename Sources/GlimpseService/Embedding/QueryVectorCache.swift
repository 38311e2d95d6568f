import GlimpseEmbedding
import Synchronization

/// Recently embedded texts of one embedding space and their vectors, least recently used evicted first.
///
/// Holds whole queries and the dictionary candidates and synonyms alignment embeds, so a repeated query or a common
/// dictionary word costs no forward pass. Bounded twice: by entries and by bytes (a CLIP space's longer vectors
/// reach the byte bound first). One cache belongs to one space's embedder and lives exactly as long: the daemon
/// builds its spaces, embedders and caches once at start, so a model change (a new process) starts empty and a
/// vector of another model is never served.
final class QueryVectorCache: Sendable {
    struct Limits: Sendable, Equatable {
        /// 0 turns the cache off.
        var maxEntries: Int
        var maxBytes: Int
    }

    struct Counters: Sendable, Equatable {
        var hits = 0
        var misses = 0
        var evictions = 0
        var entries = 0
        var bytes = 0
    }

    /// Bytes an entry costs besides its floats and text: the dictionary slot, the list links and the array
    /// headers, measured roughly; it keeps a cache of very short vectors from being bounded by entries alone.
    static let entryOverheadBytes = 96

    let limits: Limits
    private let state: Mutex<LRUList>

    init(limits: Limits) {
        self.limits = limits
        self.state = Mutex(LRUList())
    }

    /// The cached vectors of `texts` (nil where absent), each hit marked most recently used.
    func vectors(for texts: [String], role: EmbeddingRole) -> [[Float]?] {
        state.withLock { list in
            texts.map { text in
                let found = list.get(Key(text: text, role: role))
                if found == nil { list.counters.misses += 1 } else { list.counters.hits += 1 }
                return found
            }
        }
    }

    /// Stores vectors, then evicts the least recently used entries until both bounds hold. A vector larger than the
    /// whole byte bound is not stored.
    func store(_ vectors: [[Float]], for texts: [String], role: EmbeddingRole) {
        guard limits.maxEntries > 0 else { return }
        state.withLock { list in
            for (text, vector) in zip(texts, vectors) {
                let bytes = Self.cost(text: text, vector: vector)
                guard bytes <= limits.maxBytes else { continue }
                list.put(Key(text: text, role: role), vector: vector, bytes: bytes)
                while list.counters.entries > limits.maxEntries || list.counters.bytes > limits.maxBytes {
                    list.evictOldest()
                }
            }
        }
    }

    var counters: Counters { state.withLock { $0.counters } }

    static func cost(text: String, vector: [Float]) -> Int {
        vector.count * MemoryLayout<Float>.stride + text.utf8.count + entryOverheadBytes
    }

    fileprivate struct Key: Hashable {
        let text: String
        let role: EmbeddingRole
    }
}

/// A doubly linked list over an array of slots (no per-entry allocation besides the vector), with a dictionary from
/// key to slot: get, put and evict in O(1).
private struct LRUList {
    struct Slot {
        var key: QueryVectorCache.Key
        var vector: [Float]
        var bytes: Int
        var newer: Int?
        var older: Int?
    }

    var slots: [Slot] = []
    var free: [Int] = []
    var positions: [QueryVectorCache.Key: Int] = [:]
    var newest: Int?
    var oldest: Int?
    var counters = QueryVectorCache.Counters()

    mutating func get(_ key: QueryVectorCache.Key) -> [Float]? {
        guard let position = positions[key] else { return nil }
        moveToFront(position)
        return slots[position].vector
    }

    mutating func put(_ key: QueryVectorCache.Key, vector: [Float], bytes: Int) {
        if let position = positions[key] {
            counters.bytes += bytes - slots[position].bytes
            slots[position].vector = vector
            slots[position].bytes = bytes
            moveToFront(position)
            return
        }
        let slot = Slot(key: key, vector: vector, bytes: bytes, newer: nil, older: nil)
        let position: Int
        if let reused = free.popLast() {
            slots[reused] = slot
            position = reused
        } else {
            slots.append(slot)
            position = slots.count - 1
        }
        positions[key] = position
        link(position)
        counters.entries += 1
        counters.bytes += bytes
    }

    mutating func evictOldest() {
        guard let position = oldest else { return }
        unlink(position)
        positions[slots[position].key] = nil
        counters.entries -= 1
        counters.bytes -= slots[position].bytes
        counters.evictions += 1
        // Free the vector now; the slot itself is reused by the next put.
        slots[position].vector = []
        free.append(position)
    }

    private mutating func moveToFront(_ position: Int) {
        guard newest != position else { return }
        unlink(position)
        link(position)
    }

    private mutating func link(_ position: Int) {
        slots[position].older = newest
        slots[position].newer = nil
        if let newest { slots[newest].newer = position }
        newest = position
        if oldest == nil { oldest = position }
    }

    private mutating func unlink(_ position: Int) {
        let (newer, older) = (slots[position].newer, slots[position].older)
        if let newer { slots[newer].older = older } else { newest = older }
        if let older { slots[older].newer = newer } else { oldest = newer }
        slots[position].newer = nil
        slots[position].older = nil
    }
}
