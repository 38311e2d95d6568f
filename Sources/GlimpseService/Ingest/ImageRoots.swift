import Foundation

/// The directories images may be read from. A manifest is written by whoever may ingest, but the daemon reads the
/// files with its own rights, so a path must not reach outside these roots: not spelt with `..`, not through a
/// symlink that points elsewhere.
public struct ImageRoots: Sendable, Equatable {
    /// Absolute, without a trailing slash (except "/" itself).
    public let paths: [String]

    public init(_ paths: [String]) throws(ServiceError) {
        var normalised: [String] = []
        for path in paths {
            guard path.hasPrefix("/"), !Self.hasDotComponent(path) else {
                throw .invalid(
                    .invalidConfiguration, "an image root must be an absolute path without . or .., got \(path)")
            }
            var trimmed = path
            while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
            normalised.append(trimmed)
        }
        guard !normalised.isEmpty else { throw .invalid(.invalidConfiguration, "at least one image root is needed") }
        self.init(validated: normalised)
    }

    private init(validated paths: [String]) {
        self.paths = paths
    }

    /// Any absolute path: the default, for a daemon whose users may ingest whatever it can read.
    public static let anywhere = ImageRoots(validated: ["/"])

    /// The path as written: absolute, no `.`/`..` components, under a root.
    func allowsSpelling(_ path: String) -> Bool {
        path.hasPrefix("/") && !Self.hasDotComponent(path) && paths.contains { Self.path(path, isUnder: $0) }
    }

    /// The file the path really names, every symlink followed, is under a root (itself resolved).
    func allowsResolved(_ path: String) -> Bool {
        let resolved = Self.resolve(path)
        return paths.contains { Self.path(resolved, isUnder: Self.resolve($0)) }
    }

    private static func path(_ path: String, isUnder root: String) -> Bool {
        root == "/" || path == root || path.hasPrefix(root + "/")
    }

    private static func hasDotComponent(_ path: String) -> Bool {
        path.split(separator: "/").contains { $0 == "." || $0 == ".." }
    }

    private static func resolve(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
