import Foundation

/// A fresh directory under the system temp dir for one test, removed by `remove()` (or by `withScratchDirectory`,
/// which never forgets to). Every test target makes its temporary files here, so there is one naming scheme and one
/// place to change it.
public struct ScratchDirectory: Sendable {
    public let url: URL

    public init(_ label: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "glimpse-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// `name` inside the directory (not created).
    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Writes `data` as `name` inside the directory and returns its URL.
    @discardableResult
    public func write(_ data: Data, named name: String) throws -> URL {
        let file = file(name)
        try data.write(to: file)
        return file
    }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Runs `body` in a fresh scratch directory and removes the directory afterwards, whether `body` returns or throws.
public func withScratchDirectory<Result>(_ label: String, _ body: (URL) throws -> Result) throws -> Result {
    let scratch = try ScratchDirectory(label)
    defer { scratch.remove() }
    return try body(scratch.url)
}

/// Runs `body` in a fresh scratch directory and removes the directory afterwards, whether `body` returns or throws.
public func withScratchDirectory<Result>(
    _ label: String, isolation: isolated (any Actor)? = #isolation, _ body: (URL) async throws -> Result
) async throws -> Result {
    let scratch = try ScratchDirectory(label)
    defer { scratch.remove() }
    return try await body(scratch.url)
}
