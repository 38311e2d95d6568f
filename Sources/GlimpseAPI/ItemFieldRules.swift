import Foundation

/// What an item's `fields` may hold: a flat JSON object whose values are strings, numbers, booleans or arrays of
/// strings (a string in RFC 3339 date-time form is stored as a timestamp). Objects, null and nested arrays are
/// refused, as are the built-in names filters use for other things (`ItemFieldRules.builtInNames`).
public enum ItemFieldRules {
    /// Names a filter resolves to the item itself, not to its fields: the caption languages, the time the item
    /// was first ingested, and its photo facts (`photo.*`, dotted so that plain names such as `taken_at` stay free
    /// for user fields).
    public static let builtInNames: Set<String> = Set(["lang", "ingested_at"]).union(photoFactNames)

    /// The photo-fact built-ins: capture time (timestamps) and upright pixel size (numbers).
    public static let photoFactNames: Set<String> = ["photo.taken_at", "photo.width", "photo.height"]

    /// Why `fields` cannot be stored, naming the bad part (`place` is e.g. "items[2].fields"); nil when it can.
    public static func problem(_ fields: [String: JSONValue], at place: String) -> String? {
        guard fields.count <= IngestLimits.maxFieldsPerItem else {
            return "\(place) has \(fields.count) fields; the limit is \(IngestLimits.maxFieldsPerItem)"
        }
        var bytes = 0
        for name in fields.keys.sorted() {
            let value = fields[name]!
            guard !name.isEmpty, name.unicodeScalars.count <= IngestLimits.maxFieldNameCharacters,
                name.unicodeScalars.allSatisfy({ !CharacterSet.controlCharacters.contains($0) })
            else {
                return
                    "\(place) has a field name that is empty, longer than \(IngestLimits.maxFieldNameCharacters) characters or holds control characters"
            }
            guard !builtInNames.contains(name) else {
                return "\(place).\(name) is a built-in filter name; choose another field name"
            }
            bytes += name.utf8.count
            switch value {
            case .string(let text):
                if let problem = stringProblem(text, at: "\(place).\(name)") { return problem }
                bytes += text.utf8.count
            case .number(let number):
                guard number.isFinite else { return "\(place).\(name) is not a finite number" }
                bytes += 8
            case .bool:
                bytes += 1
            case .array(let elements):
                guard elements.count <= IngestLimits.maxFieldArrayElements else {
                    return
                        "\(place).\(name) has \(elements.count) elements; the limit is \(IngestLimits.maxFieldArrayElements)"
                }
                for (index, element) in elements.enumerated() {
                    guard case .string(let text) = element else {
                        return
                            "\(place).\(name)[\(index)] is \(element.kindName); arrays may hold strings only (no nesting)"
                    }
                    if let problem = stringProblem(text, at: "\(place).\(name)[\(index)]") { return problem }
                    bytes += text.utf8.count
                }
            case .object:
                return "\(place).\(name) is an object; fields are flat (strings, numbers, booleans, arrays of strings)"
            case .null:
                return "\(place).\(name) is null; leave the field out instead"
            }
        }
        guard bytes <= IngestLimits.maxFieldsBytes else {
            return "\(place) holds \(bytes) bytes of names and values; the limit is \(IngestLimits.maxFieldsBytes)"
        }
        return nil
    }

    private static func stringProblem(_ text: String, at place: String) -> String? {
        guard text.unicodeScalars.count <= IngestLimits.maxFieldStringCharacters else {
            return "\(place) is longer than \(IngestLimits.maxFieldStringCharacters) characters"
        }
        return nil
    }
}
