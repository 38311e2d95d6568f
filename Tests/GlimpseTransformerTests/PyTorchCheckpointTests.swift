import Foundation
import GlimpseTestSupport
import Testing

@testable import GlimpseTransformer

@Suite struct PyTorchCheckpointTests {
    static let fixtures = CLIPFixtures.directory
    static let binPath = fixtures.appendingPathComponent("chinese-clip-tiny-bin/pytorch_model.bin").path

    @Test func everyTensorEqualsTheSafetensorsCopyIncludingAStridedView() throws {
        let checkpoint = try PyTorchCheckpoint(path: Self.binPath)
        let safetensors = try SafetensorsFile(
            path: Self.fixtures.appendingPathComponent("chinese-clip-tiny/model.safetensors").path)
        #expect(
            Set(checkpoint.tensorNames) == Set(safetensors.tensors.keys).union(["text_model.embeddings.position_ids"]))
        for (name, info) in safetensors.tensors {
            #expect(
                try checkpoint.floats(name, shape: info.shape) == safetensors.floats(name, shape: info.shape), "\(name)"
            )
        }
        // The int64 buffer is listed but is not floats.
        #expect(throws: PyTorchCheckpointError.self) {
            try checkpoint.floats("text_model.embeddings.position_ids", shape: [1, 64])
        }
    }

    @Test func float32Float16AndBFloat16StoragesReadExactly() throws {
        let checkpoint = try PyTorchCheckpoint(path: Self.fixtures.appendingPathComponent("dtypes.bin").path)
        let f32 = try checkpoint.floats("f32", shape: [2, 3])
        #expect(f32 == [1.0, -2.5, 0.15625, 65504.0, -0.0, 3.0e-5])
        let f16 = try checkpoint.floats("f16", shape: [2, 3])
        #expect(Array(f16[0..<5]) == [1.0, -2.5, 0.15625, 65504.0, -0.0])
        #expect(abs(f16[5] - 3.0e-5) < 1e-7)  // nearest fp16 (a subnormal)
        let bf16 = try checkpoint.floats("bf16", shape: [2, 3])
        #expect(Array(bf16[0..<3]) == [1.0, -2.5, 0.15625])
        #expect(bf16[3] == 65536.0)  // 65504 rounds to the nearest bfloat16
        #expect(
            throws: PyTorchCheckpointError.wrongShape(
                path: checkpoint.path, tensor: "f32", expected: [3, 2], found: [2, 3])
        ) {
            try checkpoint.floats("f32", shape: [3, 2])
        }
        #expect(throws: PyTorchCheckpointError.missingTensor(path: checkpoint.path, tensor: "absent")) {
            try checkpoint.floats("absent", shape: [1])
        }
    }

    @Test func aPickleCallingOsSystemIsRefusedByNameAndNothingRuns() throws {
        let marker = "/tmp/glimpse-forbidden-pickle-ran"
        try? FileManager.default.removeItem(atPath: marker)
        let path = Self.fixtures.appendingPathComponent("forbidden-global.bin").path
        #expect(throws: PyTorchCheckpointError.forbiddenGlobal(path: path, name: "posix.system")) {
            try PyTorchCheckpoint(path: path)
        }
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    /// Hand-written pickles: each foreign global or object-building opcode is refused before anything is built.
    @Test func foreignGlobalsAndObjectOpcodesAreRefused() throws {
        func run(_ bytes: [UInt8]) throws { _ = try StateDictUnpickler(path: "p", bytes: bytes).run() }
        let builtinsEval: [UInt8] =
            [0x80, 2] + Array("cbuiltins\neval\n".utf8) + [0x58, 1, 0, 0, 0, 0x31, 0x85, 0x52, 0x2e]
        #expect(throws: PyTorchCheckpointError.forbiddenGlobal(path: "p", name: "builtins.eval")) {
            try run(builtinsEval)
        }
        let stackGlobal: [UInt8] =
            [0x80, 4, 0x8c, 2] + Array("os".utf8) + [0x8c, 6] + Array("system".utf8) + [0x93, 0x2e]
        #expect(throws: PyTorchCheckpointError.forbiddenGlobal(path: "p", name: "os.system")) { try run(stackGlobal) }
        // INST builds an object from a class named inline.
        let inst: [UInt8] = [0x28] + Array("iposix\nsystem\n".utf8) + [0x2e]
        #expect(throws: PyTorchCheckpointError.forbiddenOpcode(path: "p", opcode: 0x69, name: "INST", offset: 1)) {
            try run(inst)
        }
        // An allowed global may still only be called as a state dict calls it: a storage type is not callable.
        let callStorage: [UInt8] = Array("ctorch\nFloatStorage\n".utf8) + [0x29, 0x52, 0x2e]
        #expect(throws: PyTorchCheckpointError.self) { try run(callStorage) }
    }

    @Test func everyTruncationOfTheRealPickleIsAnErrorNotACrash() throws {
        let archive = try StoredZipArchive(path: Self.binPath)
        let pickle = Array(archive.data[try archive.storedRange("pytorch_model/data.pkl")])
        #expect(try StateDictUnpickler(path: "p", bytes: pickle).tensors().count > 10)
        for length in 0..<pickle.count {
            #expect(throws: PyTorchCheckpointError.self) {
                _ = try StateDictUnpickler(path: "p", bytes: Array(pickle[0..<length])).run()
            }
        }
    }

    @Test func truncatedOrDamagedArchivesGiveClearErrors() throws {
        let scratch = try ScratchDirectory("bin")
        defer { scratch.remove() }
        let whole = try Data(contentsOf: URL(fileURLWithPath: Self.binPath))
        let path = scratch.url.appendingPathComponent("pytorch_model.bin").path
        for length in [0, 10, whole.count / 3, whole.count / 2, whole.count - 30, whole.count - 1] {
            try whole.prefix(length).write(to: URL(fileURLWithPath: path))
            do {
                _ = try PyTorchCheckpoint(path: path)
                Issue.record("a \(length)-byte prefix loaded")
            } catch let error as PyTorchCheckpointError {
                #expect(error.description.contains(path))
            }
        }
        // A legacy (pre-1.6) torch.save stream is named as such.
        try Data([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e])
            .write(to: URL(fileURLWithPath: path))
        #expect(throws: PyTorchCheckpointError.legacyFormat(path: path)) { try PyTorchCheckpoint(path: path) }
        // A storage entry shrunk in place (its view now reaches past it) is refused at open, not at read.
        var damaged = [UInt8](whole)
        let dataName = [UInt8]("pytorch_model/data/3".utf8)
        let signature: [UInt8] = [0x50, 0x4b, 0x01, 0x02]
        var central = -1
        for start in 0..<(damaged.count - 46 - dataName.count) {
            let nameStart = start + 46
            if Array(damaged[start..<(start + 4)]) == signature,
                Array(damaged[nameStart..<(nameStart + dataName.count)]) == dataName
            {
                central = start
            }
        }
        #expect(central > 0)
        for offset in [central + 20, central + 24] {  // compressed and uncompressed sizes: 8192 → 16
            damaged[offset] = 16
            damaged[offset + 1] = 0
        }
        try Data(damaged).write(to: URL(fileURLWithPath: path))
        #expect(throws: PyTorchCheckpointError.self) { try PyTorchCheckpoint(path: path) }
    }

    @Test func shardedIndexLoadsEveryTensorFromItsShard() throws {
        let folder = Self.fixtures.appendingPathComponent("chinese-clip-tiny-sharded")
        let sharded = try ShardedSafetensors(
            indexPath: folder.appendingPathComponent("model.safetensors.index.json").path)
        let single = try SafetensorsFile(
            path: Self.fixtures.appendingPathComponent("chinese-clip-tiny/model.safetensors").path)
        for (name, info) in single.tensors {
            #expect(sharded.contains(name))
            #expect(try sharded.floats(name, shape: info.shape) == single.floats(name, shape: info.shape))
        }
        #expect(!sharded.contains("absent"))
    }

    @Test func anIndexNamingAShardOutsideItsFolderIsRefused() throws {
        let scratch = try ScratchDirectory("index")
        defer { scratch.remove() }
        let index = scratch.url.appendingPathComponent("model.safetensors.index.json")
        try Data(#"{"weight_map": {"w": "../elsewhere.safetensors"}}"#.utf8).write(to: index)
        #expect(throws: SafetensorsError.self) { try ShardedSafetensors(indexPath: index.path) }
        try Data(#"{"metadata": {}}"#.utf8).write(to: index)
        #expect(throws: SafetensorsError.self) { try ShardedSafetensors(indexPath: index.path) }
    }
}
