import Foundation

/// The Python that runs the peers (Pillow, transformers, torch): `GLIMPSE_BENCH_PYTHON` if set, else the first
/// `python3` on PATH, so no machine's virtual-environment path is written into the code.
enum ReferencePython {
    static var defaultPath: String {
        let environment = ProcessInfo.processInfo.environment
        if let chosen = environment["GLIMPSE_BENCH_PYTHON"], !chosen.isEmpty { return chosen }
        for directory in (environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("python3").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "python3"
    }
}
