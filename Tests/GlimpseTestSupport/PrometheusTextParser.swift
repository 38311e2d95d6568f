import Foundation

/// One sample of the Prometheus text exposition format: `name{label="value",…} number`.
public struct PrometheusSample: Equatable, Sendable {
    public var name: String
    public var labels: [String: String]
    public var value: Double

    public init(name: String, labels: [String: String], value: Double) {
        self.name = name
        self.labels = labels
        self.value = value
    }
}

/// A small parser of the Prometheus text format (0.0.4), enough to read what `GET /metrics` serves: comment lines
/// (`# HELP`, `# TYPE`) are skipped; label values may hold escaped quotes, backslashes and newlines. A malformed
/// line is an error, so the test also checks the exposition is well formed.
public enum PrometheusTextParser {
    public struct Malformed: Error, CustomStringConvertible {
        public var line: String
        public var description: String { "malformed exposition line: \(line)" }
    }

    public static func parse(_ text: String) throws -> [PrometheusSample] {
        var samples: [PrometheusSample] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("#") { continue }
            samples.append(try sample(Substring(line)))
        }
        return samples
    }

    private static func sample(_ line: Substring) throws -> PrometheusSample {
        var rest = line[...]
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }
        guard !name.isEmpty, let first = name.first, !first.isNumber else { throw Malformed(line: String(line)) }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let key = rest.prefix { $0 != "=" }
                rest = rest.dropFirst(key.count)
                guard rest.hasPrefix("=\"") else { throw Malformed(line: String(line)) }
                rest = rest.dropFirst(2)
                var value = ""
                while let character = rest.first, character != "\"" {
                    rest = rest.dropFirst()
                    if character == "\\", let escaped = rest.first {
                        rest = rest.dropFirst()
                        value.append(escaped == "n" ? "\n" : escaped)
                    } else {
                        value.append(character)
                    }
                }
                guard rest.first == "\"" else { throw Malformed(line: String(line)) }
                rest = rest.dropFirst()
                labels[String(key)] = value
                if rest.first == "," { rest = rest.dropFirst() }
                guard !rest.isEmpty else { throw Malformed(line: String(line)) }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw Malformed(line: String(line)) }
        let fields = rest.split(separator: " ")
        guard (1...2).contains(fields.count),
            let value = Double(fields[0].replacingOccurrences(of: "+Inf", with: "inf"))
        else { throw Malformed(line: String(line)) }
        return PrometheusSample(name: String(name), labels: labels, value: value)
    }
}

extension [PrometheusSample] {
    /// The value of the one sample with this name whose labels include `labels`; nil when there is none.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        first { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }?
            .value
    }
}
