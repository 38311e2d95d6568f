import Foundation
import GlimpseTestSupport
import GlimpseTransformer
import Testing

@Suite struct SafetensorsFileTests {
    @Test func dtypeFixtureReadsF32F16AndBF16AsTheirExactValues() throws {
        let file = try SafetensorsFile(
            path: TestFixtures.clip.appendingPathComponent("dtypes.safetensors").path)
        let expected = try DTypeReference.load()
        for name in ["f32", "f16", "bf16"] {
            #expect(try file.floats(name, shape: [2, 4]) == expected[name], "\(name)")
        }
        #expect(try file.floats("vector.f32", shape: [5]) == expected["vector.f32"])
        #expect(file.tensors["bf16"]?.dtype == "BF16")
        #expect(file.metadata["format"] == "pt")
    }

    @Test func everyHalfAndBFloat16BitPatternWidensExactly() throws {
        let scratch = try ScratchDirectory("dtypes")
        defer { scratch.remove() }
        let patterns = (0...UInt16.max).flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }
        var writer = SafetensorsWriter()
        writer.add("half", dtype: "F16", shape: [65536], bytes: patterns)
        writer.add("brain", dtype: "BF16", shape: [256, 256], bytes: patterns)
        let path = scratch.url.appendingPathComponent("all.safetensors").path
        try writer.data().write(to: URL(fileURLWithPath: path))
        let file = try SafetensorsFile(path: path)
        let half = try file.floats("half", shape: [65536])
        let brain = try file.floats("brain", shape: [256, 256])
        for bits in 0...UInt16.max {
            let i = Int(bits)
            let expectedHalf = Float(Float16(bitPattern: bits))
            let expectedBrain = Float(bitPattern: UInt32(bits) << 16)
            #expect(
                half[i].bitPattern == expectedHalf.bitPattern || (half[i].isNaN && expectedHalf.isNaN),
                "F16 0x\(String(bits, radix: 16)): \(half[i]) vs \(expectedHalf)")
            #expect(brain[i].bitPattern == expectedBrain.bitPattern, "BF16 0x\(String(bits, radix: 16))")
        }
    }

    // MARK: errors

    private func write(_ data: Data, in scratch: ScratchDirectory, name: String = "model.safetensors")
        throws -> String
    {
        let path = scratch.url.appendingPathComponent(name).path
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    private func sampleWriter() -> SafetensorsWriter {
        var writer = SafetensorsWriter()
        writer.add("weight", float32: [1, 2, 3, 4, 5, 6], shape: [2, 3])
        writer.add("ids", dtype: "I64", shape: [2], bytes: [UInt8](repeating: 0, count: 16))
        writer.add("wide", dtype: "F64", shape: [1], bytes: [UInt8](repeating: 0, count: 8))
        writer.add("bytes", dtype: "U8", shape: [3], bytes: [1, 2, 3])
        return writer
    }

    @Test func missingTensorIsNamed() throws {
        let scratch = try ScratchDirectory("missing")
        defer { scratch.remove() }
        let path = try write(sampleWriter().data(), in: scratch)
        let file = try SafetensorsFile(path: path)
        #expect(throws: SafetensorsError.missingTensor(path: path, tensor: "bias")) {
            try file.floats("bias", shape: [3])
        }
        let message = String(describing: SafetensorsError.missingTensor(path: path, tensor: "bias"))
        #expect(message.contains("no tensor bias"))
    }

    @Test func wrongShapeReportsExpectedAndFound() throws {
        let scratch = try ScratchDirectory("shape")
        defer { scratch.remove() }
        let path = try write(sampleWriter().data(), in: scratch)
        let file = try SafetensorsFile(path: path)
        #expect(
            throws: SafetensorsError.wrongShape(
                path: path, tensor: "weight", expected: [3, 2], found: [2, 3])
        ) {
            try file.floats("weight", shape: [3, 2])
        }
        #expect(try file.floats("weight", shape: [2, 3]) == [1, 2, 3, 4, 5, 6])
    }

    @Test func integerAndDoubleTensorsAreRefusedAsFloats() throws {
        let scratch = try ScratchDirectory("dtype")
        defer { scratch.remove() }
        let path = try write(sampleWriter().data(), in: scratch)
        let file = try SafetensorsFile(path: path)
        for (name, dtype, shape) in [("ids", "I64", [2]), ("wide", "F64", [1]), ("bytes", "U8", [3])] {
            #expect(throws: SafetensorsError.unsupportedDType(path: path, tensor: name, dtype: dtype)) {
                try file.floats(name, shape: shape)
            }
        }
    }

    @Test func zeroByteAndShortFilesAreTruncated() throws {
        let scratch = try ScratchDirectory("short")
        defer { scratch.remove() }
        for length in [0, 5] {
            let path = try write(
                Data(repeating: 0, count: length), in: scratch, name: "short\(length).safetensors")
            #expect(throws: SafetensorsError.truncated(path: path, size: length)) {
                try SafetensorsFile(path: path)
            }
        }
    }

    @Test func headerLengthPastTheEndIsRefused() throws {
        let scratch = try ScratchDirectory("header")
        defer { scratch.remove() }
        let full = sampleWriter().data()
        // Cut inside the JSON header.
        let path = try write(full.prefix(20), in: scratch)
        let headerLength = UInt64(sampleWriter().headerJSON().utf8.count)
        #expect(
            throws: SafetensorsError.headerPastEnd(path: path, headerLength: headerLength, fileSize: 20)
        ) {
            try SafetensorsFile(path: path)
        }
        // A huge length must not overflow.
        var huge = Data(withUnsafeBytes(of: UInt64.max.littleEndian, Array.init))
        huge.append(contentsOf: [0x7b, 0x7d])
        let hugePath = try write(huge, in: scratch, name: "huge.safetensors")
        #expect(
            throws: SafetensorsError.headerPastEnd(path: hugePath, headerLength: .max, fileSize: 10)
        ) {
            try SafetensorsFile(path: hugePath)
        }
    }

    @Test func tensorDataPastTheEndIsRefusedAtOpen() throws {
        let scratch = try ScratchDirectory("data")
        defer { scratch.remove() }
        let writer = sampleWriter()
        let full = writer.data()
        let path = try write(full.prefix(full.count - 2), in: scratch)  // the last tensor ("bytes", 3 bytes) is cut
        let dataSize = writer.tensors.reduce(0) { $0 + $1.bytes.count }
        #expect(
            throws: SafetensorsError.tensorPastEnd(
                path: path, tensor: "bytes", end: dataSize, dataSize: dataSize - 2)
        ) {
            try SafetensorsFile(path: path)
        }
    }

    @Test func offsetsThatDisagreeWithShapeAreRefused() throws {
        let scratch = try ScratchDirectory("size")
        defer { scratch.remove() }
        var writer = SafetensorsWriter()
        writer.add("weight", dtype: "F32", shape: [2, 3], bytes: [UInt8](repeating: 0, count: 20))
        let path = try write(writer.data(), in: scratch)
        #expect(
            throws: SafetensorsError.tensorSizeMismatch(
                path: path, tensor: "weight", bytes: 20, expected: 24)
        ) {
            try SafetensorsFile(path: path)
        }
    }

    @Test func malformedHeaderJSONIsRefused() throws {
        let scratch = try ScratchDirectory("json")
        defer { scratch.remove() }
        let cases = [
            "{\"weight\": {\"dtype\": \"F32\", \"shape\": [1], ",  // cut JSON
            "[1, 2, 3]",  // not an object
            "{\"weight\": {\"dtype\": \"F32\", \"shape\": \"1\", \"data_offsets\": [0, 4]}}",  // shape not a list
            "{\"weight\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 0]}}",  // reversed offsets
            "{\"weight\": {\"dtype\": \"F32\", \"shape\": [1]}}",  // no offsets
        ]
        for (index, header) in cases.enumerated() {
            var data = Data(withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian, Array.init))
            data.append(contentsOf: Array(header.utf8))
            data.append(contentsOf: [0, 0, 0, 0])
            let path = try write(data, in: scratch, name: "bad\(index).safetensors")
            do {
                _ = try SafetensorsFile(path: path)
                Issue.record("header \(header.debugDescription) was accepted")
            } catch let SafetensorsError.malformedHeader(errorPath, reason) {
                #expect(errorPath == path && !reason.isEmpty)
            }
        }
    }

    @Test func missingFileIsUnreadable() throws {
        let path = "/nonexistent/glimpse/model.safetensors"
        do {
            _ = try SafetensorsFile(path: path)
            Issue.record("opened a missing file")
        } catch let SafetensorsError.unreadable(errorPath, _) {
            #expect(errorPath == path)
        }
    }
}

/// The `dtypes` part of Tests/Fixtures/CLIP/reference.json: what PyTorch holds for the dtype fixture's tensors.
private enum DTypeReference {
    static func load() throws -> [String: [Float]] {
        struct Reference: Decodable { let dtypes: [String: [Float]] }
        let url = TestFixtures.clip.appendingPathComponent("reference.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url)).dtypes
    }
}
