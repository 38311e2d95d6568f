import Synchronization

/// Word → BPE tokens, shared by every thread using one tokenizer. Captions repeat their words, and a lookup is
/// cheaper than re-running the merge loop. Bounded like `tokenizers`' cache: once full, new words are not stored;
/// long words (rarely repeated) are never stored.
package final class BPEWordCache: Sendable {
    package static let capacity = 10_000
    package static let longestCachedWord = 64

    private let entries = Mutex<[[UInt8]: [Int32]]>([:])

    package func lookup(_ word: [UInt8]) -> [Int32]? {
        guard word.count <= Self.longestCachedWord else { return nil }
        return entries.withLock { $0[word] }
    }

    package func store(_ tokens: [Int32], for word: [UInt8]) {
        guard word.count <= Self.longestCachedWord else { return }
        entries.withLock { entries in
            if entries.count < Self.capacity { entries[word] = tokens }
        }
    }
}
