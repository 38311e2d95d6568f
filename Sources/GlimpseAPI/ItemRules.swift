import Foundation

/// What makes an ingest item acceptable, spelled once for the daemon (which enforces it) and the client (which checks
/// a manifest before sending anything).
extension IngestItem {
    /// The JSON field names of an item; anything else in a request or a manifest line is refused as a likely typo.
    public static let fieldNames: Set<String> = Set(CodingKeys.allCases.map(\.rawValue))

    /// The id the item is stored under: its own, or else its absolute image path.
    public var effectiveID: String { id ?? imagePath }

    /// Why `id` cannot be an item id (blank, longer than `IngestLimits.maxIDCharacters` Unicode scalars, or holding
    /// a control character), as "is empty" / "is longer than … characters" / "contains the control character
    /// U+0000" to follow the field's name; nil when it can.
    public static func idProblem(_ id: String, maxCharacters: Int = IngestLimits.maxIDCharacters) -> String? {
        // A blank id is "empty" even when its blanks are tabs or newlines; NUL is not whitespace, so it gets here.
        if id.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return "is empty" }
        if let control = id.unicodeScalars.first(where: isControl) {
            return "contains the control character \(codePoint(control)); ids may hold no control characters"
        }
        if id.unicodeScalars.count > maxCharacters { return "is longer than \(maxCharacters) characters" }
        return nil
    }

    /// Why a caption's text cannot be stored because of a control character, to follow the field's name; nil when
    /// it can. Tab, line feed and carriage return are allowed (captions are prose and may span lines); every other
    /// C0 control, DEL and the C1 controls are refused. A NUL in particular would be cut off by SQLite's C strings.
    public static func captionControlProblem(_ text: String) -> String? {
        let allowed: Set<UInt32> = [0x09, 0x0A, 0x0D]
        guard let control = text.unicodeScalars.first(where: { isControl($0) && !allowed.contains($0.value) }) else {
            return nil
        }
        return "contains the control character \(codePoint(control)); only tab and line breaks are allowed"
    }

    /// C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}

/// The daemon's default request limits; its configuration may lower or raise them (the service's `RequestLimits`
/// starts from these), and the client batches a manifest to fit `maxItemsPerRequest`.
public enum IngestLimits {
    public static let maxItemsPerRequest = 1_000
    public static let maxCaptionCharacters = 2_000
    public static let maxCaptionsPerItem = 8
    public static let maxIDCharacters = 512
    public static let maxPathBytes = 4_096
    public static let maxQueryCharacters = 1_000
    public static let maxK = 100
    /// The default `max_body_bytes` of a request (8 MiB).
    public static let maxBodyBytes = 8 << 20
    /// A rebuild request is a few numbers.
    public static let maxRebuildBodyBytes = 64 << 10
    /// Item fields (`ItemFieldRules`): names per item, characters per name, elements per array, characters per
    /// string, and the fields' total size as compact JSON.
    public static let maxFieldsPerItem = 64
    public static let maxFieldNameCharacters = 64
    public static let maxFieldArrayElements = 100
    public static let maxFieldStringCharacters = 1_000
    public static let maxFieldsBytes = 16 << 10
    /// A filter's conditions and nesting depth (`SearchFilter`), and its text in a query string.
    public static let maxFilterConditions = 64
    public static let maxFilterDepth = 8
    public static let maxFilterBytes = 8 << 10
    /// Search paging: the deepest result a page may reach (`offset` + `k`; 4 vectors fetched per item stay under the
    /// default `ef_search_max`), and items per listing page.
    public static let maxSearchDepth = 250
    public static let maxListLimit = 1_000
}

/// Where the daemon listens unless configured otherwise, and the environment variables the CLI reads first.
public enum SocketDefaults {
    /// The query socket: search, item and job reads, status.
    public static let queryPath = "/run/glimpse/glimpse.sock"
    /// The admin socket: also ingest, delete, rebuild.
    public static let adminPath = "/run/glimpse/admin.sock"
    public static let queryEnvironmentVariable = "GLIMPSE_SOCKET"
    public static let adminEnvironmentVariable = "GLIMPSE_ADMIN_SOCKET"
}
