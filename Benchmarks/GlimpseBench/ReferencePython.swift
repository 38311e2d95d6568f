import ArgumentParser
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

    /// Runs a reference script with `OMP_NUM_THREADS` = `threads` (torch's OpenMP pool the size of ours) and returns
    /// its standard output; a non-zero exit is an error naming the script and its first argument.
    static func run(_ python: String, script: String, arguments: [String], threads: Int) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        var environment = ProcessInfo.processInfo.environment
        environment["TOKENIZERS_PARALLELISM"] = "false"
        environment["OMP_NUM_THREADS"] = String(threads)
        process.environment = environment
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError(
                "\(python) \(script) \(arguments.first ?? "") exited with \(process.terminationStatus)")
        }
        return output
    }

    /// Cosine of two feature vectors, accumulated in double precision (the engines' agreement rows).
    static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        var dot: Double = 0
        var na: Double = 0
        var nb: Double = 0
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y)
            na += Double(x) * Double(x)
            nb += Double(y) * Double(y)
        }
        return Float(dot / (na.squareRoot() * nb.squareRoot()))
    }
}
