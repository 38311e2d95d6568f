import Foundation

/// A memory-mapped `.safetensors` file: an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the data. Every range is checked against the file at open, so a truncated or
/// damaged file fails here with a clear error instead of when a tensor is read.
public struct SafetensorsFile: Sendable {
    public struct TensorInfo: Sendable, Equatable {
        /// The header's dtype string; `SafetensorsDType(rawValue:)` of it, when known.
        public let dtype: String
        public let shape: [Int]
        /// Byte range within the data section.
        let range: Range<Int>
    }

    public let path: String
    public let tensors: [String: TensorInfo]
    /// The header's optional "__metadata__" string map.
    public let metadata: [String: String]
    private let data: Data
    private let dataStart: Int

    public init(path: String) throws {
        self.path = path
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw SafetensorsError.unreadable(path: path, reason: error.localizedDescription)
        }
        guard data.count >= 8 else { throw SafetensorsError.truncated(path: path, size: data.count) }
        let headerLength = data.withUnsafeBytes {
            UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))
        }
        guard headerLength <= UInt64(data.count - 8) else {
            throw SafetensorsError.headerPastEnd(
                path: path, headerLength: headerLength, fileSize: data.count)
        }
        dataStart = 8 + Int(headerLength)
        let header = data.subdata(in: 8..<dataStart)
        let entries: [String: SafetensorsHeaderEntry]
        do {
            entries = try JSONDecoder().decode([String: SafetensorsHeaderEntry].self, from: header)
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            throw SafetensorsError.malformedHeader(
                path: path, reason: "not a JSON object of tensors (\(context.debugDescription))")
        } catch let error as DecodingError {
            throw SafetensorsError.malformedHeader(path: path, reason: error.readableDescription)
        }
        let dataSize = data.count - dataStart
        var tensors: [String: TensorInfo] = [:]
        var metadata: [String: String] = [:]
        for (name, entry) in entries {
            switch entry {
            case .metadata(let map) where name == "__metadata__":
                metadata = map
            case .metadata:
                throw SafetensorsError.malformedHeader(path: path, reason: "tensor \(name) has no dtype")
            case .tensor(let dtype, let shape, let offsets):
                tensors[name] = try Self.tensorInfo(
                    name: name, dtype: dtype, shape: shape, offsets: offsets, dataSize: dataSize, path: path)
            }
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    private static func tensorInfo(
        name: String, dtype: String, shape: [Int], offsets: [Int], dataSize: Int, path: String
    ) throws -> TensorInfo {
        func malformed(_ problem: String) -> SafetensorsError {
            .malformedHeader(path: path, reason: "tensor \(name): \(problem)")
        }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw malformed("negative dimension in shape \(shape)")
        }
        guard offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1] else {
            throw malformed("data_offsets \(offsets) is not [begin, end] with 0 ≤ begin ≤ end")
        }
        guard offsets[1] <= dataSize else {
            throw SafetensorsError.tensorPastEnd(
                path: path, tensor: name, end: offsets[1], dataSize: dataSize)
        }
        if let known = SafetensorsDType(rawValue: dtype) {
            var elements = 1
            for dimension in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
                guard !overflow else { throw malformed("shape \(shape) is too large") }
                elements = product
            }
            let (expected, overflow) = elements.multipliedReportingOverflow(by: known.byteCount)
            guard !overflow, expected == offsets[1] - offsets[0] else {
                throw SafetensorsError.tensorSizeMismatch(
                    path: path, tensor: name, bytes: offsets[1] - offsets[0],
                    expected: overflow ? .max : expected)
            }
        }
        return TensorInfo(dtype: dtype, shape: shape, range: offsets[0]..<offsets[1])
    }

    public func contains(_ name: String) -> Bool { tensors[name] != nil }

    /// The tensor's values widened to fp32 (exactly, from F32, F16 or BF16), after checking it exists and has
    /// `shape`.
    public func floats(_ name: String, shape: [Int]) throws -> [Float] {
        guard let info = tensors[name] else {
            throw SafetensorsError.missingTensor(path: path, tensor: name)
        }
        guard info.shape == shape else {
            throw SafetensorsError.wrongShape(
                path: path, tensor: name, expected: shape, found: info.shape)
        }
        let count = shape.reduce(1, *)
        let start = dataStart + info.range.lowerBound
        return try data.withUnsafeBytes { bytes in
            switch SafetensorsDType(rawValue: info.dtype) {
            case .f32:
                return (0..<count).map {
                    Float(
                        bitPattern: UInt32(
                            littleEndian: bytes.loadUnaligned(fromByteOffset: start + $0 * 4, as: UInt32.self)))
                }
            case .f16:
                return (0..<count).map {
                    SafetensorsDType.float(
                        fromHalf: UInt16(
                            littleEndian: bytes.loadUnaligned(fromByteOffset: start + $0 * 2, as: UInt16.self)))
                }
            case .bf16:
                return (0..<count).map {
                    SafetensorsDType.float(
                        fromBFloat16: UInt16(
                            littleEndian: bytes.loadUnaligned(fromByteOffset: start + $0 * 2, as: UInt16.self)))
                }
            default:
                throw SafetensorsError.unsupportedDType(path: path, tensor: name, dtype: info.dtype)
            }
        }
    }
}
