import Foundation

/// The parts of `openapi.yaml` the contract tests need, read line by line rather than by a YAML library: the document
/// is written in block style with two-space indents, every example is one line of JSON (which YAML reads as the same
/// flow mapping), and enums are either a one-line `[a, b]` or a block list of `- a` lines.
struct OpenAPIOutline {
    /// "GET /v1/items/{id}", …
    private(set) var operations: Set<String> = []
    /// Schema name under `components.schemas` → the lines of its block.
    private(set) var schemas: [String: [String]] = [:]

    init(_ text: String) {
        var section = ""
        var path: String?
        var schema: String?
        var inSchemas = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let indent = line.prefix { $0 == " " }.count
            if indent == 0 {
                section = trimmed
                continue
            }
            switch section {
            case "paths:":
                if indent == 2, trimmed.hasPrefix("/"), trimmed.hasSuffix(":") {
                    path = String(trimmed.dropLast())
                } else if indent == 4, let path, ["get:", "post:", "put:", "patch:", "delete:"].contains(trimmed) {
                    operations.insert("\(trimmed.dropLast().uppercased()) \(path)")
                }
            case "components:":
                if indent == 2 {
                    inSchemas = trimmed == "schemas:"
                    schema = nil
                } else if inSchemas, indent == 4, trimmed.hasSuffix(":") {
                    schema = String(trimmed.dropLast())
                    schemas[schema!] = []
                } else if inSchemas, let schema {
                    schemas[schema]!.append(line)
                }
            default: continue
            }
        }
    }

    /// The schema's own `example:` (directly under it), as JSON bytes.
    func example(of schema: String) -> Data? {
        let prefix = String(repeating: " ", count: 6) + "example: "
        return schemas[schema]?.first { $0.hasPrefix(prefix) }.map { Data($0.dropFirst(prefix.count).utf8) }
    }

    /// The values of the first `enum:` anywhere in the schema's block.
    func enumValues(of schema: String) -> [String]? {
        guard let lines = schemas[schema],
            let start = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("enum:") })
        else { return nil }
        let line = lines[start].trimmingCharacters(in: .whitespaces)
        let rest = line.dropFirst("enum:".count).trimmingCharacters(in: .whitespaces)
        if rest.hasPrefix("[") {
            return rest.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let indent = lines[start].prefix { $0 == " " }.count
        var values: [String] = []
        for next in lines[(start + 1)...] {
            let trimmed = next.trimmingCharacters(in: .whitespaces)
            guard next.prefix(while: { $0 == " " }).count > indent, trimmed.hasPrefix("- ") else { break }
            values.append(String(trimmed.dropFirst(2)))
        }
        return values
    }
}
