/// Lexical path arithmetic: makes a path absolute and removes `.`, `..` and repeated slashes, without touching
/// the file system (no symlink resolution), so that the same manifest always yields the same image paths and ids.
public enum AbsolutePath {
    /// `path` if absolute, else `path` relative to `directory` (itself absolute); then normalised.
    public static func resolve(_ path: String, against directory: String) -> String {
        normalise(path.hasPrefix("/") ? path : directory + "/" + path)
    }

    public static func normalise(_ absolutePath: String) -> String {
        var parts: [Substring] = []
        for part in absolutePath.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()  // "/.." is "/", as the kernel reads it
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The directory holding `absolutePath`.
    public static func directory(of absolutePath: String) -> String {
        var parts = normalise(absolutePath).split(separator: "/")
        _ = parts.popLast()
        return "/" + parts.joined(separator: "/")
    }
}
