/// One value of the safetensors JSON header: a tensor's description, or the "__metadata__" string map.
package enum SafetensorsHeaderEntry: Decodable {
    case tensor(dtype: String, shape: [Int], offsets: [Int])
    case metadata([String: String])

    private enum Keys: String, CodingKey {
        case dtype, shape
        case dataOffsets = "data_offsets"
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        if container.contains(.dtype) {
            self = .tensor(
                dtype: try container.decode(String.self, forKey: .dtype),
                shape: try container.decode([Int].self, forKey: .shape),
                offsets: try container.decode([Int].self, forKey: .dataOffsets))
        } else {
            self = .metadata(try decoder.singleValueContainer().decode([String: String].self))
        }
    }
}

extension DecodingError {
    /// "at text_config.hidden_size: expected Int" rather than the enum's debug dump.
    package var readableDescription: String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.isEmpty
                ? "the top level"
                : codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
                    .joined(separator: ".")
        }
        switch self {
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): missing \(type) value"
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])): missing"
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return String(describing: self)
        }
    }
}
