import Foundation

/// Writing to the terminal: results on stdout, diagnostics and progress on stderr.
enum Output {
    static func error(_ message: String) {
        standardError("glimpse: \(message)")
    }

    static func standardError(_ line: String, terminator: String = "\n") {
        FileHandle.standardError.write(Data((line + terminator).utf8))
    }

    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    /// Pretty, key-sorted JSON, for `--json`.
    static func json<Value: Encodable>(_ value: Value) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
