import Foundation

/// A `pytorch_model.bin` as `torch.save(state_dict)` writes it (PyTorch ≥ 1.6): a ZIP archive holding
/// `<name>/data.pkl`, the pickled dict of tensors, and `<name>/data/<key>`, one little-endian storage per key.
/// The pickle is read by `StateDictUnpickler`, which refuses anything but a state dict's vocabulary. Every
/// tensor is checked against its storage and every storage against its entry at open.
public struct PyTorchCheckpoint: TensorSource {
    public let path: String
    private let archive: StoredZipArchive
    private let views: [String: StateDictUnpickler.TensorView]
    /// Storage key → byte range in the archive.
    private let storages: [String: Range<Int>]

    public init(path: String) throws {
        self.path = path
        let archive: StoredZipArchive
        do {
            archive = try StoredZipArchive(path: path)
        } catch PyTorchCheckpointError.notAnArchive(let path, let reason) {
            // A bare pickle stream starts with PROTO 2 and the legacy magic number (a LONG1).
            let head = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: path)).read(upToCount: 3)) ?? nil
            if let head, Array(head) == [0x80, 0x02, 0x8a] { throw PyTorchCheckpointError.legacyFormat(path: path) }
            throw PyTorchCheckpointError.notAnArchive(path: path, reason: reason)
        }
        self.archive = archive
        guard
            let pickleName = archive.entries.keys.filter({ $0.hasSuffix("data.pkl") }).min(by: { $0.count < $1.count }),
            pickleName == "data.pkl" || pickleName.hasSuffix("/data.pkl")
        else {
            throw PyTorchCheckpointError.malformedArchive(path: path, reason: "no data.pkl entry")
        }
        let prefix = String(pickleName.dropLast("data.pkl".count))
        if let orderRange = try? archive.storedRange(prefix + "byteorder"),
            String(decoding: archive.data[orderRange], as: UTF8.self) != "little"
        {
            throw PyTorchCheckpointError.malformedArchive(path: path, reason: "big-endian storages are not supported")
        }
        let pickle = Array(archive.data[try archive.storedRange(pickleName)])
        views = try StateDictUnpickler(path: path, bytes: pickle).tensors()
        var storages: [String: Range<Int>] = [:]
        for (name, view) in views {
            let storage = view.storage
            if storages[storage.key] == nil {
                let range = try archive.storedRange(prefix + "data/" + storage.key)
                let (needed, overflow) = storage.elementCount.multipliedReportingOverflow(by: storage.dtype.byteCount)
                guard !overflow, needed <= range.count else {
                    throw PyTorchCheckpointError.tensorOutOfRange(path: path, tensor: name)
                }
                storages[storage.key] = range
            }
            // The last element the view touches must lie inside the storage.
            var last = view.offset
            for (size, stride) in zip(view.shape, view.strides) where size > 0 {
                let (step, overflow) = (size - 1).multipliedReportingOverflow(by: stride)
                guard !overflow else { throw PyTorchCheckpointError.tensorOutOfRange(path: path, tensor: name) }
                last += step
            }
            guard view.shape.contains(0) || last < storage.elementCount else {
                throw PyTorchCheckpointError.tensorOutOfRange(path: path, tensor: name)
            }
        }
        self.storages = storages
    }

    public var tensorNames: [String] { views.keys.sorted() }

    public func contains(_ name: String) -> Bool { views[name] != nil }

    public func floats(_ name: String, shape: [Int]) throws -> [Float] {
        guard let view = views[name], let range = storages[view.storage.key] else {
            throw PyTorchCheckpointError.missingTensor(path: path, tensor: name)
        }
        guard view.shape == shape else {
            throw PyTorchCheckpointError.wrongShape(path: path, tensor: name, expected: shape, found: view.shape)
        }
        let dtype = view.storage.dtype
        let read: (UnsafeRawBufferPointer, Int) -> Float
        switch dtype {
        case .f32:
            read = {
                Float(bitPattern: UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: $1 * 4, as: UInt32.self)))
            }
        case .f16:
            read = {
                SafetensorsDType.float(
                    fromHalf: UInt16(littleEndian: $0.loadUnaligned(fromByteOffset: $1 * 2, as: UInt16.self)))
            }
        case .bf16:
            read = {
                SafetensorsDType.float(
                    fromBFloat16: UInt16(littleEndian: $0.loadUnaligned(fromByteOffset: $1 * 2, as: UInt16.self)))
            }
        default:
            throw PyTorchCheckpointError.unsupportedDType(path: path, tensor: name, dtype: dtype.rawValue)
        }
        let count = shape.reduce(1, *)
        return archive.data[range].withUnsafeBytes { storage in
            // Row-major walk over the view's strides (contiguous tensors are the common case of a unit last stride).
            var result = [Float]()
            result.reserveCapacity(count)
            guard count > 0 else { return result }
            var index = [Int](repeating: 0, count: shape.count)
            var element = view.offset
            for _ in 0..<count {
                result.append(read(storage, element))
                var axis = shape.count - 1
                while axis >= 0 {
                    index[axis] += 1
                    element += view.strides[axis]
                    if index[axis] < shape[axis] { break }
                    element -= view.strides[axis] * shape[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
            return result
        }
    }
}
