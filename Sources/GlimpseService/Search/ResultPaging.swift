import Foundation
import GlimpseAPI

/// Which slice of a ranking one search answers: `offset` (bounded by `IngestLimits.maxSearchDepth`) or an opaque
/// `cursor`, and `min_score`.
///
/// A cursor holds where the previous page ended (its depth and last item id) and a fingerprint of the request it
/// belongs to. The next page starts after that item wherever it now ranks, so items ingested meanwhile above the
/// boundary do not shift the page and repeat results; if the item is gone, the page starts at the stored depth.
struct ResultPaging: Sendable {
    let k: Int
    /// Results skipped before this page when the boundary item is not found.
    let offset: Int
    /// The id of the last result of the previous page (cursor only).
    let after: String?
    let minScore: Float?
    /// Identifies the request (kind, query, filter, k) so a cursor is not replayed on another one.
    let fingerprint: String

    /// How deep the ranking must go for this page (plus one, to know whether another page follows).
    var depth: Int { offset + k + 1 }

    init(k: Int, paging: SearchPaging, request key: String) throws {
        self.k = k
        self.minScore = paging.minScore
        self.fingerprint = Self.fingerprint("\(key)|k=\(k)|\(paging.filter.map { "\($0)" } ?? "")")
        if let minScore = paging.minScore, !minScore.isFinite {
            throw ServiceError.invalid(.invalidMinScore, "min_score must be a finite number")
        }
        let maxDepth = IngestLimits.maxSearchDepth
        if let cursor = paging.cursor {
            guard paging.offset == nil else {
                throw ServiceError.invalid(.invalidCursor, "give either offset or cursor, not both")
            }
            guard let state = Self.decode(cursor), state.fingerprint == fingerprint else {
                throw ServiceError.invalid(
                    .invalidCursor,
                    "the cursor is not one this search returned (pass next_cursor unchanged, with the same query, filter and k)"
                )
            }
            offset = state.offset
            after = state.after
        } else {
            offset = paging.offset ?? 0
            after = nil
        }
        guard offset >= 0, offset + k <= maxDepth else {
            throw ServiceError.invalid(
                .invalidOffset,
                "offset must be between 0 and \(maxDepth - k) for k = \(k) (offset + k ≤ \(maxDepth)), got \(offset)")
        }
    }

    /// This page of `ranked` (best first), with the offset it started at and the cursor of the next page.
    func page(_ ranked: [SearchResult]) -> (results: [SearchResult], offset: Int, nextCursor: String?) {
        var start = min(offset, ranked.count)
        if let after, let position = ranked.firstIndex(where: { $0.id == after }) { start = position + 1 }
        var results = Array(ranked[start..<min(start + k, ranked.count)])
        var more = start + k < ranked.count && start + k < IngestLimits.maxSearchDepth
        if let minScore {
            let kept = results.prefix { $0.score >= minScore }
            if kept.count < results.count || (more && ranked[start + k].score < minScore) { more = false }
            results = Array(kept)
        }
        let next =
            more && !results.isEmpty
            ? Self.encode(State(offset: start + results.count, after: results.last!.id, fingerprint: fingerprint))
            : nil
        return (results, start, next)
    }

    private struct State: Codable {
        var offset: Int
        var after: String
        var fingerprint: String

        enum CodingKeys: String, CodingKey {
            case offset = "o"
            case after = "a"
            case fingerprint = "f"
        }
    }

    private static func encode(_ state: State) -> String {
        let data = (try? JSONEncoder().encode(state)) ?? Data()
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    private static func decode(_ cursor: String) -> State? {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard cursor.utf8.count <= 4_096, let data = Data(base64Encoded: base64) else { return nil }
        return try? JSONDecoder().decode(State.self, from: data)
    }

    /// FNV-1a 64 in hex: stable across runs (Swift's `Hasher` is seeded per process).
    static func fingerprint(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    /// Opaque cursor of an item listing: the catalog row id to continue after.
    static func listCursor(after rowID: Int64, filter: String) -> String {
        encode(State(offset: Int(clamping: rowID), after: "", fingerprint: fingerprint("list|\(filter)")))
    }

    static func listPosition(_ cursor: String, filter: String) throws -> Int64 {
        guard let state = decode(cursor), state.fingerprint == fingerprint("list|\(filter)"), state.offset >= 0 else {
            throw ServiceError.invalid(
                .invalidCursor,
                "the cursor is not one this listing returned (pass next_cursor unchanged, with the same filter)")
        }
        return Int64(state.offset)
    }
}
