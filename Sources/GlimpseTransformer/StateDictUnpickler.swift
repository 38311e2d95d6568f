/// A pickle reader that understands only what `torch.save(model.state_dict())` writes: dicts (plain and
/// `collections.OrderedDict`), strings, numbers, tuples, storage references (`persistent_id`s into the archive's
/// `data/` entries) and `torch._utils._rebuild_tensor_v2`. It is an interpreter of data, not of code: a GLOBAL is
/// checked against a fixed list when it is read and anything else is refused by name, REDUCE only builds the two
/// allowed kinds of value, and no opcode that constructs arbitrary objects (INST, OBJ, NEWOBJ, EXT*) is accepted.
/// Nothing in the pickle can make this run code.
package struct StateDictUnpickler {
    /// A storage reference: `('storage', torch.FloatStorage, key, location, numel)`.
    package struct StorageReference: Equatable, Sendable {
        package let key: String
        package let dtype: SafetensorsDType
        package let elementCount: Int
    }

    /// A tensor view over a storage, as `_rebuild_tensor_v2(storage, offset, size, stride, ...)` describes it.
    package struct TensorView: Equatable, Sendable {
        package let storage: StorageReference
        package let offset: Int
        package let shape: [Int]
        package let strides: [Int]
    }

    /// A dict that can be filled after it is memoised (SETITEMS on an object fetched with BINGET).
    final class DictBox {
        var items: [(PickleValue, PickleValue)] = []
    }

    final class ListBox {
        var items: [PickleValue] = []
    }

    enum PickleValue {
        case none
        case bool(Bool)
        case int(Int)
        case float(Double)
        case string(String)
        case tuple([PickleValue])
        case dict(DictBox)
        case list(ListBox)
        case global(String)
        case storage(StorageReference)
        case tensor(TensorView)
        case mark
    }

    /// The storage types a state dict may name. Integer storages occur for buffers such as `position_ids`; they
    /// are read as data and only refused when a float tensor is asked of them.
    static let storageTypes: [String: SafetensorsDType] = [
        "torch.FloatStorage": .f32, "torch.HalfStorage": .f16, "torch.BFloat16Storage": .bf16,
        "torch.DoubleStorage": .f64, "torch.LongStorage": .i64, "torch.IntStorage": .i32,
        "torch.ShortStorage": .i16, "torch.CharStorage": .i8, "torch.ByteStorage": .u8, "torch.BoolStorage": .bool,
    ]
    static let allowedGlobals: Set<String> =
        Set(storageTypes.keys).union(["collections.OrderedDict", "torch._utils._rebuild_tensor_v2"])

    /// Names of opcodes we refuse, for a readable error.
    static let refusedOpcodeNames: [UInt8: String] = [
        0x69: "INST", 0x6f: "OBJ", 0x81: "NEWOBJ", 0x92: "NEWOBJ_EX", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4",
        0x50: "PERSID", 0x49: "INT", 0x4c: "LONG", 0x53: "STRING", 0x56: "UNICODE", 0x46: "FLOAT", 0x64: "DICT",
        0x6c: "LIST", 0x67: "GET", 0x70: "PUT", 0x54: "BINSTRING", 0x55: "SHORT_BINSTRING", 0x42: "BINBYTES",
        0x43: "SHORT_BINBYTES", 0x8e: "BINBYTES8", 0x96: "BYTEARRAY8", 0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER",
        0x8f: "EMPTY_SET", 0x90: "ADDITEMS", 0x91: "FROZENSET", 0x31: "POP_MARK", 0x30: "POP", 0x32: "DUP",
        0x8b: "LONG4",
    ]

    let path: String
    let bytes: [UInt8]

    package init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    /// The state dict's tensors by name. Values that are not tensors (a nested `_metadata`, numbers) are skipped.
    package func tensors() throws -> [String: TensorView] {
        guard case .dict(let top) = try run() else {
            throw PyTorchCheckpointError.malformedPickle(path: path, offset: bytes.count, reason: "not a dict")
        }
        var tensors: [String: TensorView] = [:]
        for (key, value) in top.items {
            if case .string(let name) = key, case .tensor(let view) = value { tensors[name] = view }
        }
        return tensors
    }

    // The interpreter: one loop over opcodes with a value stack and a memo, as pickle's own load loop.
    // swiftlint:disable:next cyclomatic_complexity function_body_length
    func run() throws -> PickleValue {
        var stack: [PickleValue] = []
        var memo: [Int: PickleValue] = [:]
        var position = 0

        func malformed(_ reason: String) -> PyTorchCheckpointError {
            .malformedPickle(path: path, offset: position, reason: reason)
        }
        func take(_ count: Int) throws -> ArraySlice<UInt8> {
            guard count >= 0, count <= bytes.count - position else { throw malformed("truncated") }
            defer { position += count }
            return bytes[position..<(position + count)]
        }
        func little(_ count: Int) throws -> Int {
            var value = 0
            for (shift, byte) in try take(count).enumerated() { value |= Int(byte) << (8 * shift) }
            return value
        }
        func line() throws -> String {
            guard let end = bytes[position...].firstIndex(of: 0x0a) else { throw malformed("unterminated GLOBAL") }
            defer { position = end + 1 }
            return String(decoding: bytes[position..<end], as: UTF8.self)
        }
        func pop() throws -> PickleValue {
            guard let value = stack.popLast() else { throw malformed("stack underflow") }
            return value
        }
        func popToMark() throws -> [PickleValue] {
            guard let mark = stack.lastIndex(where: { if case .mark = $0 { true } else { false } }) else {
                throw malformed("no MARK")
            }
            let items = Array(stack[(mark + 1)...])
            stack.removeSubrange(mark...)
            return items
        }
        func global(_ qualified: String) throws -> PickleValue {
            guard Self.allowedGlobals.contains(qualified) else {
                throw PyTorchCheckpointError.forbiddenGlobal(path: path, name: qualified)
            }
            return .global(qualified)
        }
        func setItems(_ items: [PickleValue]) throws {
            guard items.count % 2 == 0, case .dict(let box) = try pop() else {
                throw malformed("SETITEMS without a dict")
            }
            stack.append(.dict(box))
            for index in stride(from: 0, to: items.count, by: 2) {
                box.items.append((items[index], items[index + 1]))
            }
        }

        while true {
            let opcode = try take(1).first!
            switch opcode {
            case 0x80: _ = try take(1)  // PROTO
            case 0x95: _ = try take(8)  // FRAME
            case 0x2e:  // STOP
                guard let result = stack.popLast(), stack.isEmpty else { throw malformed("STOP with a bad stack") }
                return result
            case 0x28: stack.append(.mark)  // MARK
            case 0x7d: stack.append(.dict(DictBox()))  // EMPTY_DICT
            case 0x5d: stack.append(.list(ListBox()))  // EMPTY_LIST
            case 0x29: stack.append(.tuple([]))  // EMPTY_TUPLE
            case 0x85: stack.append(.tuple([try pop()]))  // TUPLE1
            case 0x86:  // TUPLE2
                let b = try pop()
                stack.append(.tuple([try pop(), b]))
            case 0x87:  // TUPLE3
                let c = try pop()
                let b = try pop()
                stack.append(.tuple([try pop(), b, c]))
            case 0x74: stack.append(.tuple(try popToMark()))  // TUPLE
            case 0x4e: stack.append(.none)  // NONE
            case 0x88: stack.append(.bool(true))  // NEWTRUE
            case 0x89: stack.append(.bool(false))  // NEWFALSE
            case 0x4b: stack.append(.int(try little(1)))  // BININT1
            case 0x4d: stack.append(.int(try little(2)))  // BININT2
            case 0x4a: stack.append(.int(Int(Int32(truncatingIfNeeded: try little(4)))))  // BININT
            case 0x8a:  // LONG1: little-endian two's complement of n ≤ 8 bytes
                let count = try little(1)
                guard count <= 8 else { throw malformed("LONG1 of \(count) bytes") }
                var value = try little(count)
                if count > 0, count < 8, value >> (8 * count - 1) & 1 == 1 { value -= 1 << (8 * count) }
                stack.append(.int(value))
            case 0x47:  // BINFLOAT, big-endian
                var bits: UInt64 = 0
                for byte in try take(8) { bits = bits << 8 | UInt64(byte) }
                stack.append(.float(Double(bitPattern: bits)))
            case 0x58: stack.append(.string(String(decoding: try take(try little(4)), as: UTF8.self)))  // BINUNICODE
            case 0x8c:  // SHORT_BINUNICODE
                stack.append(.string(String(decoding: try take(try little(1)), as: UTF8.self)))
            case 0x63:  // GLOBAL "module\nname\n"
                let module = try line()
                stack.append(try global(module + "." + (try line())))
            case 0x93:  // STACK_GLOBAL
                guard case .string(let name) = try pop(), case .string(let module) = try pop() else {
                    throw malformed("STACK_GLOBAL without two strings")
                }
                stack.append(try global(module + "." + name))
            case 0x71: memo[try little(1)] = stack.last  // BINPUT
            case 0x72: memo[try little(4)] = stack.last  // LONG_BINPUT
            case 0x94: memo[memo.count] = stack.last  // MEMOIZE
            case 0x68, 0x6a:  // BINGET, LONG_BINGET
                let key = try little(opcode == 0x68 ? 1 : 4)
                guard let value = memo[key] else { throw malformed("memo \(key) was never stored") }
                stack.append(value)
            case 0x73: try setItems([try pop(), try pop()].reversed())  // SETITEM
            case 0x75: try setItems(try popToMark())  // SETITEMS
            case 0x61:  // APPEND
                let value = try pop()
                guard case .list(let box) = stack.last else { throw malformed("APPEND without a list") }
                box.items.append(value)
            case 0x65:  // APPENDS
                let values = try popToMark()
                guard case .list(let box) = stack.last else { throw malformed("APPENDS without a list") }
                box.items += values
            case 0x51:  // BINPERSID
                stack.append(try storage(try pop(), malformed))
            case 0x52:  // REDUCE
                let arguments = try pop()
                guard case .global(let callable) = try pop(), case .tuple(let args) = arguments else {
                    throw malformed("REDUCE without a global and an argument tuple")
                }
                stack.append(try reduce(callable, args, malformed))
            case 0x62:  // BUILD: only an OrderedDict's attribute state (its `_metadata`), which we do not need
                _ = try pop()
                guard case .dict = stack.last else { throw malformed("BUILD on something other than a dict") }
            default:
                throw PyTorchCheckpointError.forbiddenOpcode(
                    path: path, opcode: opcode, name: Self.refusedOpcodeNames[opcode] ?? "unknown",
                    offset: position - 1)
            }
        }
    }

    private func storage(
        _ pid: PickleValue, _ malformed: (String) -> PyTorchCheckpointError
    ) throws -> PickleValue {
        guard case .tuple(let fields) = pid, fields.count == 5, case .string("storage") = fields[0],
            case .global(let type) = fields[1], case .string(let key) = fields[2], case .int(let count) = fields[4],
            count >= 0
        else { throw malformed("a persistent id that is not ('storage', type, key, location, numel)") }
        guard let dtype = Self.storageTypes[type] else { throw malformed("\(type) is not a storage type") }
        return .storage(StorageReference(key: key, dtype: dtype, elementCount: count))
    }

    private func reduce(
        _ callable: String, _ args: [PickleValue], _ malformed: (String) -> PyTorchCheckpointError
    ) throws -> PickleValue {
        switch callable {
        case "collections.OrderedDict":
            guard args.isEmpty else { throw malformed("OrderedDict with arguments") }
            return .dict(DictBox())
        case "torch._utils._rebuild_tensor_v2":
            // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
            func integers(_ value: PickleValue) -> [Int]? {
                guard case .tuple(let items) = value else { return nil }
                let values = items.compactMap { if case .int(let v) = $0 { v } else { nil } }
                return values.count == items.count ? values : nil
            }
            guard args.count >= 4, case .storage(let storage) = args[0], case .int(let offset) = args[1],
                offset >= 0, let shape = integers(args[2]), let strides = integers(args[3]),
                shape.count == strides.count, shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 })
            else { throw malformed("_rebuild_tensor_v2 with unexpected arguments") }
            return .tensor(TensorView(storage: storage, offset: offset, shape: shape, strides: strides))
        default:
            throw malformed("\(callable) cannot be called")
        }
    }
}
