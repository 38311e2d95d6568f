import Foundation
import GlimpseAPI

/// Splits manifest entries into `POST /v1/items` requests that the daemon accepts: at most `maxItems` items (the
/// daemon's limit is 1,000) and, as far as a single item allows, at most `maxBytes` of JSON (its body limit is 8 MB
/// by default), keeping manifest order.
public enum IngestBatching {
    public static let daemonItemLimit = IngestLimits.maxItemsPerRequest
    public static let defaultMaxBytes = 4 << 20

    public static func split(
        _ entries: [ManifestEntry], maxItems: Int, maxBytes: Int = defaultMaxBytes
    ) -> [[ManifestEntry]] {
        let itemLimit = min(max(maxItems, 1), daemonItemLimit)
        let encoder = JSONEncoder()
        let envelopeBytes = #"{"items":[]}"#.utf8.count
        var batches: [[ManifestEntry]] = []
        var current: [ManifestEntry] = []
        var currentBytes = envelopeBytes
        for entry in entries {
            // An item that cannot be encoded cannot be sent either way; count it small and let the send report it.
            let itemBytes = ((try? encoder.encode(entry.item))?.count ?? 0) + 1
            if !current.isEmpty && (current.count >= itemLimit || currentBytes + itemBytes > maxBytes) {
                batches.append(current)
                current = []
                currentBytes = envelopeBytes
            }
            current.append(entry)
            currentBytes += itemBytes
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }
}
