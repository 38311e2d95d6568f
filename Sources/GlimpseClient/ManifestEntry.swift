import GlimpseAPI

/// One item of a manifest, with the line it came from so that every later error can point back to it.
public struct ManifestEntry: Sendable, Equatable {
    public var lineNumber: Int
    public var item: IngestItem

    public init(lineNumber: Int, item: IngestItem) {
        self.lineNumber = lineNumber
        self.item = item
    }

    /// The id the daemon stores the item under: its own, or its absolute image path.
    public var effectiveID: String { item.effectiveID }
}

/// A problem in a manifest file, named by file and line (`manifest.jsonl:12: …`).
public struct ManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based; nil when the problem is the file as a whole.
    public var line: Int?
    public var message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}
